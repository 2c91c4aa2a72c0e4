//! A strict validator over the OpenAPI 3.0 subset Xero's file uses: `type`, `properties`, `required`, `items`, `enum`,
//! `$ref` to `#/components/schemas`, `allOf`, `nullable`, `maxLength`/`minLength`, `format` (uuid, int32) and Xero's
//! `x-is-msdate` dates, `readOnly`.
//!
//! Why our own and not `jsonschema`: OpenAPI 3.0 schemas are not JSON Schema (`nullable`, `$ref` siblings ignored,
//! `readOnly` meaning "not in requests"), and the point here is strictness: an object property a schema does not
//! declare is a violation, so a misspelled Xero field name (`LineAmountType`, `Quantty`) fails with its path and a
//! "did you mean" instead of being silently dropped by Xero.

use serde_json::{Map, Value};

use crate::violation::{Violation, ViolationKind};

/// How strict to be beyond the schema itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Report a `readOnly` property as a violation (for request bodies: Xero ignores them, so sending one is a bug).
    pub reject_read_only: bool,
    /// Accept Xero's answer envelope fields (`Id`, `Status`, `ProviderName`, `DateTimeUTC`) on the root object: every
    /// response carries them but the schemas do not declare them.
    pub allow_envelope: bool,
    /// Accept undeclared properties everywhere. Xero's own answers carry fields its schemas do not declare
    /// (`DateString`, `DueDateString`, `ID`, …), so this is the mode for checking what a parser must survive.
    pub allow_unknown_properties: bool,
}

impl Options {
    /// For a body the project sends to Xero: strict, and `readOnly` fields are violations.
    pub fn request() -> Self {
        Self {
            reject_read_only: true,
            allow_envelope: false,
            allow_unknown_properties: false,
        }
    }

    /// For a body Xero sends back: strict, with the answer envelope allowed at the root.
    pub fn response() -> Self {
        Self {
            reject_read_only: false,
            allow_envelope: true,
            allow_unknown_properties: false,
        }
    }

    /// For answers as Xero really sends them: types, enums and formats checked, undeclared properties accepted.
    pub fn tolerant() -> Self {
        Self {
            allow_unknown_properties: true,
            ..Self::response()
        }
    }
}

/// The root fields of every Xero answer that no schema declares.
pub const ENVELOPE_FIELDS: [&str; 4] = ["Id", "Status", "ProviderName", "DateTimeUTC"];

const MAX_DEPTH: usize = 128;
const REF_PREFIX: &str = "#/components/schemas/";

pub struct Walker<'a> {
    schemas: &'a Map<String, Value>,
    options: Options,
    path: String,
    out: Vec<Violation>,
}

impl<'a> Walker<'a> {
    pub fn new(schemas: &'a Map<String, Value>, options: Options) -> Self {
        Self {
            schemas,
            options,
            path: String::new(),
            out: Vec::new(),
        }
    }

    pub fn finish(self) -> Vec<Violation> {
        self.out
    }

    fn report(&mut self, schema_name: &str, kind: ViolationKind, message: String) {
        let path = if self.path.is_empty() {
            "(root)".to_owned()
        } else {
            self.path.clone()
        };
        self.out.push(Violation {
            path,
            schema: schema_name.to_owned(),
            kind,
            message,
        });
    }

    /// Follows `$ref` chains; `None` (after reporting) when a reference is dangling.
    fn resolve(&mut self, schema: &'a Value, name: &'a str) -> Option<(&'a Value, &'a str)> {
        let mut schema = schema;
        let mut name = name;
        for _ in 0..MAX_DEPTH {
            // OpenAPI 3.0: siblings of `$ref` are ignored, so the target replaces the whole schema.
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                return Some((schema, name));
            };
            let target = reference
                .strip_prefix(REF_PREFIX)
                .and_then(|n| self.schemas.get_key_value(n));
            match target {
                Some((n, s)) => {
                    schema = s;
                    name = n.as_str();
                }
                None => {
                    self.report(
                        name,
                        ViolationKind::UnresolvedRef,
                        format!("unresolvable $ref `{reference}`"),
                    );
                    return None;
                }
            }
        }
        self.report(
            name,
            ViolationKind::TooDeep,
            "$ref chain too long".to_owned(),
        );
        None
    }

    pub fn check(&mut self, schema: &'a Value, name: &'a str, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            self.report(
                name,
                ViolationKind::TooDeep,
                "value nests deeper than the validator follows".to_owned(),
            );
            return;
        }
        let Some((schema, name)) = self.resolve(schema, name) else {
            return;
        };
        if value.is_null() {
            if !flag(schema, "nullable") {
                self.report(
                    name,
                    ViolationKind::NotNullable,
                    "null is not allowed here".to_owned(),
                );
            }
            return;
        }
        if !self.check_scalar_keywords(schema, name, value) {
            return;
        }
        for part in all_of(schema) {
            if let Some((part, part_name)) = self.resolve(part, name) {
                // Object properties are checked once, below, against the union of all parts.
                if !self.check_scalar_keywords(part, part_name, value) {
                    return;
                }
            }
        }
        match value {
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    let base = self.path.len();
                    for (i, item) in items.iter().enumerate() {
                        self.path.push_str(&format!("[{i}]"));
                        self.check(item_schema, name, item, depth + 1);
                        self.path.truncate(base);
                    }
                }
            }
            Value::Object(object) => self.check_object(schema, name, object, depth),
            _ => {}
        }
    }

    /// `type`, `enum`, lengths and formats. Returns false when the type is wrong (nothing further is meaningful).
    fn check_scalar_keywords(&mut self, schema: &Value, name: &str, value: &Value) -> bool {
        if let Some(expected) = schema.get("type").and_then(Value::as_str) {
            if !type_matches(expected, value) {
                let message = format!("expected {expected}, got {}", describe(value));
                self.report(name, ViolationKind::WrongType, message);
                return false;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                let message = enum_message(allowed, value);
                self.report(name, ViolationKind::NotInEnum, message);
            }
        }
        if let Value::String(s) = value {
            self.check_string(schema, name, s);
        }
        if let (Some(n), Some("int32")) =
            (value.as_f64(), schema.get("format").and_then(Value::as_str))
        {
            if n < f64::from(i32::MIN) || n > f64::from(i32::MAX) {
                self.report(
                    name,
                    ViolationKind::Format,
                    format!("{n} is outside the int32 range"),
                );
            }
        }
        true
    }

    fn check_string(&mut self, schema: &Value, name: &str, s: &str) {
        let chars = s.chars().count();
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if chars as u64 > max {
                let message =
                    format!("string of {chars} characters is longer than maxLength {max}");
                self.report(name, ViolationKind::Length, message);
            }
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if (chars as u64) < min {
                let message =
                    format!("string of {chars} characters is shorter than minLength {min}");
                self.report(name, ViolationKind::Length, message);
            }
        }
        if schema.get("format").and_then(Value::as_str) == Some("uuid") && !is_uuid(s) {
            self.report(name, ViolationKind::Format, format!("{s:?} is not a uuid"));
        }
        let is_date = flag(schema, "x-is-msdate") || flag(schema, "x-is-msdate-time");
        if is_date && !is_xero_date(s) {
            let message = format!("{s:?} is not a date (YYYY-MM-DD[Thh:mm:ss] or /Date(ms)/)");
            self.report(name, ViolationKind::Format, message);
        }
    }

    fn check_object(
        &mut self,
        schema: &'a Value,
        name: &'a str,
        object: &Map<String, Value>,
        depth: usize,
    ) {
        let mut declared: Vec<(&'a String, &'a Value)> = Vec::new();
        let mut required: Vec<&'a str> = Vec::new();
        let mut free_form = true;
        self.gather(schema, &mut declared, &mut required, &mut free_form, 0);
        let at_root = self.path.is_empty();
        let base = self.path.len();
        for (key, item) in object {
            match declared.iter().find(|(k, _)| *k == key) {
                Some((_, property)) => {
                    push_key(&mut self.path, key);
                    if self.options.reject_read_only && flag(property, "readOnly") {
                        let message = format!(
                            "`{key}` is read-only: Xero sets it, a request must not send it"
                        );
                        self.report(name, ViolationKind::ReadOnly, message);
                    } else {
                        self.check(property, name, item, depth + 1);
                    }
                    self.path.truncate(base);
                }
                None if free_form || self.options.allow_unknown_properties => {}
                None if at_root
                    && self.options.allow_envelope
                    && ENVELOPE_FIELDS.contains(&key.as_str()) => {}
                None => {
                    push_key(&mut self.path, key);
                    let message = unknown_message(key, &declared);
                    self.report(name, ViolationKind::UnknownProperty, message);
                    self.path.truncate(base);
                }
            }
        }
        for key in required {
            if !object.contains_key(key) {
                self.report(
                    name,
                    ViolationKind::MissingRequired,
                    format!("required property `{key}` is missing"),
                );
            }
        }
    }

    /// The properties and `required` of a schema and of its `allOf` parts (resolved).
    fn gather(
        &mut self,
        schema: &'a Value,
        declared: &mut Vec<(&'a String, &'a Value)>,
        required: &mut Vec<&'a str>,
        free_form: &mut bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            *free_form = false;
            declared.extend(properties.iter());
        }
        if let Some(names) = schema.get("required").and_then(Value::as_array) {
            required.extend(names.iter().filter_map(Value::as_str));
        }
        for part in all_of(schema) {
            if let Some((part, _)) = self.resolve(part, "allOf") {
                self.gather(part, declared, required, free_form, depth + 1);
            }
        }
    }
}

fn all_of(schema: &Value) -> &[Value] {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool) == Some(true)
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => return "an array".to_owned(),
        Value::Object(_) => return "an object".to_owned(),
    };
    let mut shown = value.to_string();
    if shown.len() > 40 {
        shown = format!("{}…", shown.chars().take(40).collect::<String>());
    }
    format!("{kind} {shown}")
}

fn enum_message(allowed: &[Value], value: &Value) -> String {
    const SHOWN: usize = 12;
    let mut list: Vec<String> = allowed.iter().take(SHOWN).map(Value::to_string).collect();
    if allowed.len() > SHOWN {
        list.push(format!("… ({} more)", allowed.len() - SHOWN));
    }
    let hint = value
        .as_str()
        .and_then(|s| {
            allowed
                .iter()
                .filter_map(Value::as_str)
                .find(|a| a.eq_ignore_ascii_case(s))
        })
        .map(|a| format!("; did you mean \"{a}\"?"))
        .unwrap_or_default();
    format!("{value} is not one of {}{hint}", list.join(", "))
}

fn unknown_message(key: &str, declared: &[(&String, &Value)]) -> String {
    let best = declared
        .iter()
        .map(|(k, _)| {
            (
                edit_distance(&key.to_ascii_lowercase(), &k.to_ascii_lowercase()),
                k.as_str(),
            )
        })
        .min_by_key(|(d, _)| *d)
        .filter(|(d, k)| *d <= 2.max(k.len() / 5));
    match best {
        Some((_, k)) => format!("unknown property `{key}`; did you mean `{k}`?"),
        None => format!("unknown property `{key}`"),
    }
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

fn is_uuid(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Xero accepts `YYYY-MM-DD`, optionally followed by a time, and sends `/Date(1573755038314+0000)/`.
fn is_xero_date(s: &str) -> bool {
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let digits = inner.trim_start_matches('-');
        let (ms, offset) = digits.split_at(digits.find(['+', '-']).unwrap_or(digits.len()));
        return !ms.is_empty()
            && ms.bytes().all(|b| b.is_ascii_digit())
            && offset.bytes().skip(1).all(|b| b.is_ascii_digit());
    }
    let b = s.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && (b.len() == 10 || b[10] == b'T')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("quantty", "quantity"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }

    #[test]
    fn dates_in_both_xero_forms() {
        assert!(is_xero_date("2026-11-01"));
        assert!(is_xero_date("2026-11-01T00:00:00"));
        assert!(is_xero_date("/Date(1573755038314)/"));
        assert!(is_xero_date("/Date(1573755038314+0000)/"));
        assert!(!is_xero_date("01/11/2026"));
        assert!(!is_xero_date("/Date(abc)/"));
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("d4956132-ed94-4dd7-9eaa-aa22dfdf06f2"));
        assert!(!is_uuid("d4956132ed944dd79eaaaa22dfdf06f2"));
    }
}
