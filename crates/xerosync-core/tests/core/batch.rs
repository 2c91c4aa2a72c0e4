//! `buildInvoicePayloads` (rules S4-S7, L2): the batch gives, invoice by invoice, exactly what `buildInvoicePayload`
//! gives (the same document, or the same error with the same message), through both entries (JSON values and JSON
//! text); a bad invoice does not cost the others their payloads.

use crate::assert_valid_body;
use serde_json::{json, Value};
use xerosync_core::{api, batch};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/core");

/// Every fixture that builds or previews one invoice against a context: `(name, invoice, ctx)`.
fn single_invoice_fixtures() -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let fixture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if fixture["call"] == "buildInvoicePayload" || fixture["call"] == "previewInvoice" {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            out.push((name, fixture["args"][0].clone(), fixture["args"][1].clone()));
        }
    }
    out
}

/// Both entries of the batch, the text one read back as JSON; they must agree.
fn both_ways(invoices: &Value, ctx: &Value) -> Value {
    let by_value = api::build_invoice_payloads(invoices, ctx).unwrap();
    let text = batch::build_invoice_payloads_text(&invoices.to_string(), &ctx.to_string()).unwrap();
    let by_text: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(by_value, by_text, "the JSON and the text entries differ");
    by_value
}

#[test]
fn each_invoice_of_a_batch_is_what_build_invoice_payload_gives_rule_l2() {
    let fixtures = single_invoice_fixtures();
    assert!(fixtures.len() >= 20, "{} fixtures", fixtures.len());
    let (mut built, mut failed) = (0, 0);
    for (name, invoice, ctx) in fixtures {
        let Ok(good) = api::build_invoice_payload(&invoice, &ctx) else {
            continue;
        };
        // The good invoice twice, around the fixture's own invoice (good or bad): order kept, nothing lost.
        let mut bad = invoice.clone();
        bad["id"] = json!("inv-bad");
        bad["lines"][0]["quantity"] = json!("three");
        let answer = both_ways(&json!([invoice, bad, invoice]), &ctx);
        let key = if good.get("CreditNoteNumber").is_some() {
            "CreditNotes"
        } else {
            "Invoices"
        };
        assert_eq!(answer[key], json!([good, good]), "{name}");
        let record = if key == "CreditNotes" {
            "credit note inv-bad"
        } else {
            "invoice inv-bad"
        };
        assert_eq!(
            answer["failed"],
            json!([{ "index": 1, "code": "invalid_field", "field": "lines[0].quantity", "record": record,
                     "message": format!("{record}: lines[0].quantity: expected a decimal, got \"three\""),
                     "sentence": "Line 1's quantity is not valid." }]),
            "{name}"
        );
        built += 1;
    }
    assert!(built >= 10, "only {built} fixtures build");
    for (name, invoice, ctx) in single_invoice_fixtures() {
        if let Err(err) = api::build_invoice_payload(&invoice, &ctx) {
            if err.code() == "invalid_options" {
                // A malformed context: the whole batch fails as the single call does.
                assert_eq!(
                    api::build_invoice_payloads(&json!([invoice]), &ctx).unwrap_err(),
                    err,
                    "{name}"
                );
                continue;
            }
            let answer = both_ways(&json!([invoice]), &ctx);
            let mut want = err.to_json();
            want["index"] = json!(0);
            assert_eq!(
                answer["failed"],
                json!([want]),
                "{name}: the error is not the single call's"
            );
            assert_eq!(answer["Invoices"], json!([]), "{name}");
            failed += 1;
        }
    }
    assert!(failed >= 5, "only {failed} error fixtures");
}

#[test]
fn batch_bodies_are_valid_xero_requests_and_say_when_unitdp4_is_needed() {
    let fixtures = single_invoice_fixtures();
    let mut needs_unitdp4 = 0;
    for (name, invoice, ctx) in fixtures {
        if api::build_invoice_payload(&invoice, &ctx).is_err() {
            continue;
        }
        let answer = both_ways(&json!([invoice]), &ctx);
        assert_valid_body(
            "Invoices",
            &json!({ "Invoices": answer["Invoices"] }),
            &name,
        );
        assert_valid_body(
            "CreditNotes",
            &json!({ "CreditNotes": answer["CreditNotes"] }),
            &name,
        );
        needs_unitdp4 += usize::from(answer["needsUnitdp4"] == json!(true));
    }
    assert!(needs_unitdp4 >= 1, "no fixture needs unitdp=4");
}

#[test]
fn not_an_array_is_invalid_options_and_bad_records_are_named_by_index() {
    let ctx = json!({});
    for entry in [json!(null), json!({ "id": "inv-1" }), json!("x")] {
        let err = api::build_invoice_payloads(&entry, &ctx).unwrap_err();
        assert_eq!(err.code(), "invalid_options");
        let err = batch::build_invoice_payloads_text(&entry.to_string(), "{}").unwrap_err();
        assert_eq!(err.code(), "invalid_options");
        assert!(err.to_string().contains("expected an array"), "{err}");
    }
    let answer = both_ways(&json!([5, { "kind": "invoice" }]), &ctx);
    assert_eq!(answer["failed"][0]["record"], "invoice #0");
    assert_eq!(answer["failed"][0]["field"], "(record)");
    assert_eq!(answer["failed"][1]["code"], "missing_field");
    assert_eq!(answer["failed"][1]["record"], "invoice #1");
}

/// `buildRequestBodies` (rules S9, L2): the same documents and failures as the batch, in bodies of at most 50 that
/// are valid Xero requests, in input order.
#[test]
fn request_bodies_hold_the_batch_fifty_at_a_time_rule_s9() {
    let fixtures: Vec<_> = single_invoice_fixtures()
        .into_iter()
        .filter(|(_, invoice, ctx)| api::build_invoice_payload(invoice, ctx).is_ok())
        .collect();
    // Fixtures share no context, so take one context and the invoices that build against it, many times over.
    let ctx = fixtures[0].2.clone();
    let mut good: Vec<Value> = fixtures
        .iter()
        .filter(|(_, invoice, _)| api::build_invoice_payload(invoice, &ctx).is_ok())
        .map(|(_, invoice, _)| invoice.clone())
        .collect();
    good.retain(|i| i["kind"] != "creditNote");
    assert!(!good.is_empty());
    let mut note = good[0].clone();
    note["kind"] = json!("creditNote");
    let mut bad = good[0].clone();
    bad["lines"][0]["listPrice"] = json!("1.23456");
    let list: Vec<Value> = (0..130)
        .map(|i| match i % 13 {
            5 => bad.clone(),
            7 => note.clone(),
            _ => good[i % good.len()].clone(),
        })
        .collect();
    let list = Value::Array(list);
    let payloads = both_ways(&list, &ctx);
    let bodies = batch::build_request_bodies_text(&list.to_string(), &ctx.to_string()).unwrap();
    for (key, texts) in [
        ("Invoices", &bodies.invoices),
        ("CreditNotes", &bodies.credit_notes),
    ] {
        let mut joined = Vec::new();
        for text in texts.iter() {
            let body: Value = serde_json::from_str(text).unwrap();
            let documents = body[key].as_array().unwrap();
            assert!(
                !documents.is_empty() && documents.len() <= 50,
                "{key}: {}",
                documents.len()
            );
            assert_valid_body(key, &body, "request bodies");
            joined.extend(documents.iter().cloned());
        }
        assert_eq!(Value::Array(joined), payloads[key], "{key}");
    }
    assert_eq!(bodies.invoices.len(), 3, "110 invoices in bodies of 50");
    assert_eq!(bodies.credit_notes.len(), 1);
    assert_eq!(
        serde_json::to_value(&bodies.failed).unwrap(),
        payloads["failed"]
    );
    assert_eq!(bodies.failed.len(), 10);
    assert_eq!(json!(bodies.needs_unitdp4), payloads["needsUnitdp4"]);
    let none = batch::build_request_bodies_text("[]", &ctx.to_string()).unwrap();
    assert_eq!(none, batch::RequestBodies::default());
    let err = batch::build_request_bodies_text("{}", &ctx.to_string()).unwrap_err();
    assert_eq!(err.code(), "invalid_options");
}
