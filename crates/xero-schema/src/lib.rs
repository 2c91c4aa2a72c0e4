//! Validates JSON against Xero's official OpenAPI description (`third_party/xero-openapi/xero_accounting.yaml`),
//! strictly: an object property the schema does not declare is a violation, so a misspelled Xero field name fails a
//! test instead of being silently ignored by Xero. Test support for every crate that builds or parses Xero bodies.
//!
//! ```no_run
//! use xero_schema::XeroSchemas;
//! let schemas = XeroSchemas::shared().expect("the vendored OpenAPI file");
//! let body = serde_json::json!({ "Invoices": [{ "Type": "ACCREC", "LineAmountTypes": "Exclusive" }] });
//! schemas.assert_valid_request("Invoices", &body);
//! ```
//!
//! The file is read from the repository's vendored copy (`third_party/xero-openapi/`, see its README) unless
//! `$XERO_OPENAPI_DIR` names another directory (see [`openapi_dir`]); it is read at run time, not embedded in the
//! binary. Parsing it takes a moment, so [`XeroSchemas::shared`] parses it once per process.

mod examples;
mod locate;
mod validate;
mod violation;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub use examples::{Example, ExampleKind, RESOURCES};
pub use locate::{openapi_dir, ACCOUNTING_FILE, DIR_ENV, VENDORED_DIR};
pub use validate::{Options, ENVELOPE_FIELDS};
pub use violation::{format_violations, Violation, ViolationKind};

/// Why the OpenAPI description could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The directory [`openapi_dir`] chose (`$XERO_OPENAPI_DIR`, else the vendored copy) has no `xero_accounting.yaml`.
    #[error(
        "Xero's OpenAPI files not found: no {ACCOUNTING_FILE} in {} (the repository's third_party/xero-openapi/, \
         unless {DIR_ENV} names another directory)",
        .dir.display()
    )]
    NotFound {
        /// The directory looked in.
        dir: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not YAML.
    #[error("cannot parse {}: {source}", .path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's error (boxed: serde-saphyr's error is large, and it would make every `Result` here large).
        source: Box<serde_saphyr::Error>,
    },
    /// The YAML is not an OpenAPI document with `components.schemas` and `paths`.
    #[error("{} is not an OpenAPI description: {reason}", .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is missing.
        reason: &'static str,
    },
}

impl SchemaError {
    /// A stable code, as every error enum of the project has.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "openapi_not_found",
            Self::Read { .. } => "openapi_unreadable",
            Self::Yaml { .. } => "openapi_invalid_yaml",
            Self::Malformed { .. } => "openapi_malformed",
        }
    }
}

/// Xero's accounting API description, parsed: its `info.version`, `components.schemas`, `components.responses` and
/// `paths`.
#[derive(Debug, Clone)]
pub struct XeroSchemas {
    source: PathBuf,
    version: Option<String>,
    schemas: Map<String, Value>,
    responses: Map<String, Value>,
    paths: Map<String, Value>,
}

static SHARED: OnceLock<Result<XeroSchemas, SchemaError>> = OnceLock::new();

impl XeroSchemas {
    /// Finds ([`openapi_dir`]) and parses `xero_accounting.yaml`.
    pub fn load() -> Result<Self, SchemaError> {
        Self::load_file(&openapi_dir()?.join(ACCOUNTING_FILE))
    }

    /// The description parsed once per process (tests call this freely).
    pub fn shared() -> Result<&'static Self, &'static SchemaError> {
        SHARED.get_or_init(Self::load).as_ref()
    }

    /// Parses a given OpenAPI file.
    pub fn load_file(path: &Path) -> Result<Self, SchemaError> {
        let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut doc = yaml::parse(&text).map_err(|source| SchemaError::Yaml {
            path: path.to_owned(),
            source,
        })?;
        let version = doc
            .pointer("/info/version")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let malformed = |reason| SchemaError::Malformed {
            path: path.to_owned(),
            reason,
        };
        let mut take = |pointer: &str, reason| match doc.pointer_mut(pointer).map(Value::take) {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(malformed(reason)),
        };
        let schemas = take("/components/schemas", "no components.schemas")?;
        let paths = take("/paths", "no paths")?;
        let responses =
            take("/components/responses", "no components.responses").unwrap_or_default();
        Ok(Self {
            source: path.to_owned(),
            version,
            schemas,
            responses,
            paths,
        })
    }

    /// The file the schemas were read from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The description's `info.version` (the spec version, e.g. `16.1.0`), if it has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether `components.schemas` has this name.
    pub fn has_schema(&self, name: &str) -> bool {
        self.schemas.contains_key(name)
    }

    /// The raw schema (as JSON), e.g. to list an enum's values.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// Strict validation of `value` against `components.schemas[schema_name]`: undeclared properties, wrong types,
    /// values outside an enum, lengths, formats, missing required properties. `readOnly` fields are accepted.
    pub fn validate(&self, schema_name: &str, value: &Value) -> Result<(), Vec<Violation>> {
        self.validate_with(schema_name, value, Options::default())
    }

    /// [`validate`](Self::validate) for a request body: `readOnly` fields are violations too.
    pub fn validate_request(&self, schema_name: &str, value: &Value) -> Result<(), Vec<Violation>> {
        self.validate_with(schema_name, value, Options::request())
    }

    /// [`validate`](Self::validate) with explicit [`Options`].
    pub fn validate_with(
        &self,
        schema_name: &str,
        value: &Value,
        options: Options,
    ) -> Result<(), Vec<Violation>> {
        let Some((name, schema)) = self.schemas.get_key_value(schema_name) else {
            return Err(vec![Violation {
                path: "(root)".to_owned(),
                schema: schema_name.to_owned(),
                kind: ViolationKind::UnknownSchema,
                message: format!("no schema named `{schema_name}` in components.schemas"),
            }]);
        };
        let mut walker = validate::Walker::new(&self.schemas, options);
        walker.check(schema, name, value, 0);
        let violations = walker.finish();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(violations)
        }
    }

    /// Panics with every violation, one a line, if `value` is not a valid request body for `schema_name`.
    #[track_caller]
    pub fn assert_valid_request(&self, schema_name: &str, value: &Value) {
        if let Err(violations) = self.validate_request(schema_name, value) {
            panic!(
                "not a valid Xero `{schema_name}` request body:\n{}\nbody: {value:#}",
                format_violations(&violations)
            );
        }
    }

    /// The `application/json` request and response examples of the operations on `/{resource}` and
    /// `/{resource}/…` (e.g. `"Invoices"`), responses that `$ref` `components.responses` included.
    pub fn examples(&self, resource: &str) -> Vec<Example> {
        examples::collect(&self.paths, &self.responses, resource)
    }

    /// Only the response examples with this status (e.g. `"200"`) of [`examples`](Self::examples).
    pub fn response_examples(&self, resource: &str, status: &str) -> Vec<Example> {
        self.examples(resource)
            .into_iter()
            .filter(|e| matches!(&e.kind, ExampleKind::Response { status: s } if s == status))
            .collect()
    }
}
