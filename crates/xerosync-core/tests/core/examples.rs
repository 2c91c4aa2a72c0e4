//! The example answers in `xero_accounting.yaml` for Invoices, CreditNotes, Contacts and Items, read by our parsers.

use serde_json::Value;
use xero_schema::{ExampleKind, XeroSchemas, RESOURCES};
use xerosync_core::decimal::from_json;
use xerosync_core::parse::{
    parse_document, parse_elements, parse_xero_error, Collection, ElementStatus, XeroErrorKind,
};

fn collection(resource: &str) -> Collection {
    match resource {
        "Invoices" => Collection::Invoices,
        "CreditNotes" => Collection::CreditNotes,
        "Contacts" => Collection::Contacts,
        "Items" => Collection::Items,
        other => panic!("unexpected resource {other}"),
    }
}

#[test]
fn example_answers_parse_rule_s9() {
    let schemas = XeroSchemas::shared().unwrap();
    let mut lists = 0;
    let mut documents = 0;
    for resource in RESOURCES {
        let collection = collection(resource);
        for example in schemas.response_examples(resource, "200") {
            let Some(list) = example.body.get(resource).and_then(Value::as_array) else {
                continue;
            };
            let results = parse_elements(&example.body, collection)
                .unwrap_or_else(|e| panic!("{}: {e}", example.label()));
            assert_eq!(results.len(), list.len(), "{}", example.label());
            lists += 1;
            for (element, result) in list.iter().zip(&results) {
                // An element with validation errors is an error; the others carry their Xero id.
                let has_errors = element
                    .get("ValidationErrors")
                    .and_then(Value::as_array)
                    .is_some_and(|v| !v.is_empty());
                assert_eq!(
                    result.status == ElementStatus::Error,
                    has_errors,
                    "{}: {element}",
                    example.label()
                );
                if let Some(id) = element.get(collection.id_field()).and_then(Value::as_str) {
                    if !has_errors && id != "00000000-0000-0000-0000-000000000000" {
                        assert_eq!(result.xero_id.as_deref(), Some(id), "{}", example.label());
                    }
                }
                if matches!(collection, Collection::Invoices | Collection::CreditNotes)
                    && element.get("Status").is_some()
                {
                    let doc = parse_document(element)
                        .unwrap_or_else(|e| panic!("{}: {e}", example.label()));
                    assert_eq!(
                        doc.is_credit_note,
                        collection == Collection::CreditNotes,
                        "{}",
                        example.label()
                    );
                    assert_eq!(
                        doc.total,
                        element.get("Total").and_then(from_json),
                        "{}",
                        example.label()
                    );
                    assert_eq!(
                        doc.amount_due,
                        element.get("AmountDue").and_then(from_json),
                        "{}",
                        example.label()
                    );
                    assert_eq!(
                        doc.remaining_credit,
                        element.get("RemainingCredit").and_then(from_json),
                        "{}",
                        example.label()
                    );
                    documents += 1;
                }
            }
        }
    }
    assert!(
        lists >= 8,
        "expected the examples of the four resources, parsed {lists} lists"
    );
    assert!(documents >= 5, "parsed only {documents} documents");
}

#[test]
fn example_error_answers_parse() {
    let schemas = XeroSchemas::shared().unwrap();
    let mut seen = 0;
    for resource in RESOURCES {
        for example in schemas.examples(resource) {
            let ExampleKind::Response { status } = &example.kind else {
                continue;
            };
            let Ok(code) = status.parse::<u16>() else {
                continue;
            };
            if code < 400 {
                continue;
            }
            let error = parse_xero_error(code, &example.body.to_string(), None, None);
            assert!(!error.message.is_empty(), "{}", example.label());
            if code == 400 {
                assert_eq!(error.kind, XeroErrorKind::Validation, "{}", example.label());
                if example.body.get("Elements").is_some() {
                    assert!(!error.elements.is_empty(), "{}", example.label());
                    assert!(
                        error.elements.iter().flatten().all(|m| !m.is_empty()),
                        "{}",
                        example.label()
                    );
                }
            }
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "expected the file's error examples, found {seen}"
    );
}
