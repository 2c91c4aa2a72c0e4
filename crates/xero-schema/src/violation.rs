//! What a validation failure looks like: a readable path into the value, and a message naming the schema.

use std::fmt;

/// The kind of a [`Violation`], for tests that want to match on it rather than on the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    /// The schema name passed to `validate` is not in `components.schemas`.
    UnknownSchema,
    /// A `$ref` points nowhere (a defect of the OpenAPI file, reported rather than ignored).
    UnresolvedRef,
    /// An object property the schema does not declare: usually a misspelled Xero field name.
    UnknownProperty,
    /// A property listed in `required` is absent.
    MissingRequired,
    /// The JSON type is not the schema's `type`.
    WrongType,
    /// `null` where the schema is not `nullable`.
    NotNullable,
    /// A value outside the schema's `enum`.
    NotInEnum,
    /// A string longer than `maxLength` or shorter than `minLength`.
    Length,
    /// A string or number that does not match the schema's `format` (uuid, int32, Xero dates).
    Format,
    /// A `readOnly` property in a request body (only with [`crate::Options::reject_read_only`]).
    ReadOnly,
    /// The schema nests deeper than the validator follows (a cycle of `$ref`s).
    TooDeep,
}

/// One reason a value does not match a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the value, e.g. `Invoices[0].LineItems[2].Quantty`; `(root)` for the value itself.
    pub path: String,
    /// The `components.schemas` entry in force at that path (the last `$ref` followed), e.g. `LineItem`.
    pub schema: String,
    /// What kind of failure it is.
    pub kind: ViolationKind,
    /// A sentence saying what is wrong and, where it can, what was expected.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (schema {})",
            self.path, self.message, self.schema
        )
    }
}

/// All violations, one a line, for assertion messages.
pub fn format_violations(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
