//! xero-schema against the real `xero_accounting.yaml`, the repository's vendored copy in `third_party/xero-openapi/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use xero_schema::{
    format_violations, ExampleKind, Options, ViolationKind, XeroSchemas, ACCOUNTING_FILE, DIR_ENV,
    RESOURCES, VENDORED_DIR,
};

/// The vendored files and their SHA-256, as `third_party/xero-openapi/README.md` lists them (XeroAPI/Xero-OpenAPI at
/// commit e952d0bda3628facbf7afc5990ad6a0e7e77bd1e).
const VENDORED_FILES: [(&str, &str); 3] = [
    (
        "xero_accounting.yaml",
        "140f64f8e6bd2d8524b8ffdbffd08589d417efa5466ba57bfa04939a69ff6db8",
    ),
    (
        "xero-identity.yaml",
        "d95f4204d8ec369dac2bb1ee6e6b8cfb88f845a09cbcba630475dd34c73cf2bd",
    ),
    (
        "xero-webhooks.yaml",
        "822244b387a8e26ca948abd338cbee419b6167408ad615582802346587ed7eac",
    ),
];

/// The spec version of the vendored files (`info.version`).
const SPEC_VERSION: &str = "16.1.0";

fn schemas() -> &'static XeroSchemas {
    XeroSchemas::shared().expect("the vendored xero_accounting.yaml")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn invoice_body() -> Value {
    json!({ "Invoices": [{
        "Type": "ACCREC",
        "Contact": { "ContactID": "430fa14a-f945-44d3-9f97-5df5e28441b8" },
        "InvoiceNumber": "INV-1001",
        "Reference": "PO 4411",
        "Date": "2026-11-01",
        "DueDate": "2026-12-01",
        "CurrencyCode": "GBP",
        "LineAmountTypes": "Exclusive",
        "Status": "DRAFT",
        "LineItems": [{
            "Description": "Widget, blue",
            "Quantity": 3,
            "UnitAmount": 30.0,
            "DiscountRate": 10,
            "ItemCode": "WIDGET-B",
            "AccountCode": "200",
            "TaxType": "OUTPUT2"
        }]
    }]})
}

fn violations(name: &str, body: &Value, options: Options) -> Vec<xero_schema::Violation> {
    schemas()
        .validate_with(name, body, options)
        .expect_err("should be invalid")
}

#[test]
fn a_valid_invoices_request_passes() {
    let result = schemas().validate_request("Invoices", &invoice_body());
    assert!(
        result.is_ok(),
        "{}",
        format_violations(&result.unwrap_err())
    );
}

#[test]
fn a_misspelled_field_fails_with_its_path_and_a_hint() {
    let mut body = invoice_body();
    let line = &mut body["Invoices"][0]["LineItems"][0];
    let quantity = line.as_object_mut().unwrap().remove("Quantity").unwrap();
    line["Quantty"] = quantity;
    let found = violations("Invoices", &body, Options::request());
    assert_eq!(found.len(), 1, "{}", format_violations(&found));
    let v = &found[0];
    assert_eq!(v.kind, ViolationKind::UnknownProperty);
    assert_eq!(v.path, "Invoices[0].LineItems[0].Quantty");
    assert_eq!(v.schema, "LineItem");
    assert!(
        v.message.contains("did you mean `Quantity`"),
        "{}",
        v.message
    );
}

#[test]
fn a_wrong_case_field_name_is_unknown_too() {
    let mut body = invoice_body();
    body["Invoices"][0]["lineAmountTypes"] = json!("Exclusive");
    let found = violations("Invoices", &body, Options::default());
    assert_eq!(found[0].path, "Invoices[0].lineAmountTypes");
    assert!(
        found[0].message.contains("`LineAmountTypes`"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_value_outside_the_enum_fails() {
    let mut body = invoice_body();
    body["Invoices"][0]["Status"] = json!("Draft");
    body["Invoices"][0]["LineAmountTypes"] = json!("Excl");
    let found = violations("Invoices", &body, Options::default());
    assert_eq!(found.len(), 2, "{}", format_violations(&found));
    assert!(found.iter().all(|v| v.kind == ViolationKind::NotInEnum));
    let status = found
        .iter()
        .find(|v| v.path == "Invoices[0].Status")
        .unwrap();
    assert!(
        status.message.contains("did you mean \"DRAFT\""),
        "{}",
        status.message
    );
    let amounts = found
        .iter()
        .find(|v| v.path == "Invoices[0].LineAmountTypes")
        .unwrap();
    assert_eq!(amounts.schema, "LineAmountTypes");
}

#[test]
fn a_wrong_type_fails() {
    let mut body = invoice_body();
    body["Invoices"][0]["LineItems"][0]["Quantity"] = json!("3");
    body["Invoices"][0]["Contact"] = json!("430fa14a-f945-44d3-9f97-5df5e28441b8");
    let found = violations("Invoices", &body, Options::default());
    let paths: Vec<&str> = found.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Invoices[0].Contact", "Invoices[0].LineItems[0].Quantity"]
    );
    assert!(found.iter().all(|v| v.kind == ViolationKind::WrongType));
    assert!(
        found[1]
            .message
            .contains("expected number, got string \"3\""),
        "{}",
        found[1].message
    );
}

#[test]
fn null_lengths_formats_and_required_are_checked() {
    let mut body = invoice_body();
    let invoice = &mut body["Invoices"][0];
    invoice["Reference"] = Value::Null;
    invoice["InvoiceNumber"] = json!("X".repeat(256));
    invoice["Contact"]["ContactID"] = json!("not-a-uuid");
    invoice["Date"] = json!("01/11/2026");
    let found = violations("Invoices", &body, Options::default());
    let kinds: Vec<ViolationKind> = found.iter().map(|v| v.kind).collect();
    for kind in [
        ViolationKind::NotNullable,
        ViolationKind::Length,
        ViolationKind::Format,
    ] {
        assert!(
            kinds.contains(&kind),
            "{kind:?} missing in {}",
            format_violations(&found)
        );
    }
    assert_eq!(found.len(), 4, "{}", format_violations(&found));

    let item = json!({ "Items": [{ "Name": "Widget" }] });
    let found = violations("Items", &item, Options::request());
    assert_eq!(found[0].kind, ViolationKind::MissingRequired);
    assert_eq!(found[0].path, "Items[0]");
    assert!(found[0].message.contains("`Code`"));
}

#[test]
fn read_only_fields_fail_only_in_requests() {
    let mut body = invoice_body();
    body["Invoices"][0]["Total"] = json!(97.2);
    assert!(schemas().validate("Invoices", &body).is_ok());
    let found = violations("Invoices", &body, Options::request());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].kind, found[0].path.as_str()),
        (ViolationKind::ReadOnly, "Invoices[0].Total")
    );
}

#[test]
fn the_answer_envelope_is_allowed_only_with_the_response_options() {
    let answer = json!({ "Id": "e7ba0a54-cbbc-4ee3-ae50-3e6ea51e7e0d", "Status": "OK",
        "ProviderName": "xerosync", "DateTimeUTC": "/Date(1552326816230)/", "Invoices": [] });
    assert!(schemas()
        .validate_with("Invoices", &answer, Options::response())
        .is_ok());
    let found = violations("Invoices", &answer, Options::default());
    assert_eq!(found.len(), 4);
}

#[test]
fn an_unknown_schema_name_is_reported() {
    let found = violations("Invoice3s", &json!({}), Options::default());
    assert_eq!(found[0].kind, ViolationKind::UnknownSchema);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let err = XeroSchemas::load_file(std::path::Path::new("/nonexistent/xero_accounting.yaml"))
        .unwrap_err();
    assert_eq!(err.code(), "openapi_unreadable");
    assert!(err
        .to_string()
        .contains("/nonexistent/xero_accounting.yaml"));
}

#[test]
fn the_file_is_the_vendored_copy_inside_the_repository() {
    let vendored = Path::new(VENDORED_DIR).canonicalize().unwrap();
    assert_eq!(
        vendored,
        repo_root().join("third_party").join("xero-openapi")
    );
    // What the tests read, unless this run points `$XERO_OPENAPI_DIR` elsewhere on purpose.
    if std::env::var_os(DIR_ENV).is_none() {
        let source = schemas().source().canonicalize().unwrap();
        assert_eq!(source, vendored.join(ACCOUNTING_FILE));
        assert!(source.ends_with("third_party/xero-openapi/xero_accounting.yaml"));
    }
}

#[test]
fn the_vendored_files_are_upstream_byte_for_byte() {
    let dir = Path::new(VENDORED_DIR);
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for (file, expected) in VENDORED_FILES {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let actual = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(
            actual, expected,
            "{file} is not the upstream file: vendored files are never edited by hand (see README.md beside it)"
        );
        assert!(
            readme.contains(expected),
            "README.md does not list {file}'s checksum"
        );
    }
}

#[test]
fn the_vendored_descriptions_parse_and_are_the_expected_spec_version() {
    let dir = Path::new(VENDORED_DIR);
    let accounting = XeroSchemas::load_file(&dir.join(ACCOUNTING_FILE)).unwrap();
    assert_eq!(accounting.version(), Some(SPEC_VERSION));
    assert!(accounting.has_schema("Invoices"));
    let identity = XeroSchemas::load_file(&dir.join("xero-identity.yaml")).unwrap();
    assert_eq!(identity.version(), Some(SPEC_VERSION));
    assert!(identity.has_schema("Connection"));
}

#[test]
fn every_resource_has_request_and_response_examples() {
    for resource in RESOURCES {
        let examples = schemas().examples(resource);
        assert!(
            examples.iter().any(|e| e.kind == ExampleKind::Request),
            "{resource}: no request example"
        );
        let ok = schemas().response_examples(resource, "200");
        assert!(!ok.is_empty(), "{resource}: no 200 example");
        // Every 200 answer of a collection carries the collection, e.g. `Invoices: [...]`.
        let with_list = ok
            .iter()
            .filter(|e| e.body.get(resource).is_some_and(Value::is_array))
            .count();
        assert!(
            with_list > 0,
            "{resource}: no 200 example with a `{resource}` list"
        );
    }
    let errors = schemas().response_examples("Contacts", "400");
    let exception = errors
        .iter()
        .find(|e| e.body["Type"] == "ValidationException");
    let exception = exception.expect("the ValidationException example of /Contacts");
    assert!(exception.body["Elements"][0]["ValidationErrors"].is_array());
}

/// The operations xerosync calls: `/{resource}` and `/{resource}/{id}`.
fn our_examples() -> Vec<xero_schema::Example> {
    RESOURCES
        .iter()
        .flat_map(|r| schemas().examples(r))
        .filter(|e| {
            e.path.matches('/').count() == 1
                || (e.path.matches('/').count() == 2 && e.path.ends_with('}'))
        })
        .collect()
}

#[test]
fn the_request_examples_validate_strictly() {
    let requests: Vec<_> = our_examples()
        .into_iter()
        .filter(|e| e.kind == ExampleKind::Request)
        .collect();
    assert!(
        requests.len() >= 8,
        "only {} request examples",
        requests.len()
    );
    for example in requests {
        let schema = example.schema.as_deref().unwrap();
        if let Err(found) = schemas().validate(schema, &example.body) {
            panic!("{}:\n{}", example.label(), format_violations(&found));
        }
    }
}

#[test]
fn xero_answers_carry_undeclared_fields_so_parsers_must_ignore_them() {
    let answers: Vec<_> = our_examples()
        .into_iter()
        .filter(|e| e.kind != ExampleKind::Request)
        .collect();
    assert!(answers.len() >= 12, "only {} answers", answers.len());
    for example in &answers {
        let schema = example.schema.as_deref().unwrap();
        if let Err(found) = schemas().validate_with(schema, &example.body, Options::tolerant()) {
            panic!("{}:\n{}", example.label(), format_violations(&found));
        }
    }
    let get_invoices = answers
        .iter()
        .find(|e| e.operation_id == "getInvoices")
        .unwrap();
    let strict = schemas()
        .validate_with("Invoices", &get_invoices.body, Options::response())
        .unwrap_err();
    assert!(
        strict.iter().any(|v| v.path == "Invoices[0].DateString"),
        "{}",
        format_violations(&strict)
    );
}
