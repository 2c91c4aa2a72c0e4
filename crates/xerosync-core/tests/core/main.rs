//! The crate's one integration-test binary: the shared fixtures, the send plan driven end to end, every payload
//! validated against Xero's OpenAPI schemas, and the OpenAPI file's example answers read by the parsers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod batch;
mod examples;
mod fixtures;
mod lived_in;
mod properties;
mod send_plan;
mod ts_types;

use serde_json::{json, Value};

/// Panics unless `body` (a whole request body such as `{"Invoices": [...]}`) is valid for `schema` (request rules).
pub fn assert_valid_body(schema: &str, body: &Value, label: &str) {
    let schemas = xero_schema::XeroSchemas::shared()
        .expect("Xero's OpenAPI description, vendored in third_party/xero-openapi/");
    if let Err(violations) = schemas.validate_request(schema, body) {
        panic!(
            "{label}: not a valid {schema} body:\n{}\n{body:#}",
            xero_schema::format_violations(&violations)
        );
    }
}

/// Validates one Invoice or CreditNote object by wrapping it in its collection.
pub fn assert_valid_document(document: &Value, label: &str) {
    if document.get("CreditNoteNumber").is_some() {
        assert_valid_body("CreditNotes", &json!({ "CreditNotes": [document] }), label);
    } else {
        assert_valid_body("Invoices", &json!({ "Invoices": [document] }), label);
    }
}
