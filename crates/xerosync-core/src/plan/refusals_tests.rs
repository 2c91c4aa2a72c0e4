//! Rule L1a: local refusals are picked from a run's log, packed into reports, and checked by the proxy's validator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::date::IsoDate;
use crate::plan::SendPlan;
use crate::rules::SendMode;
use crate::sync::SendRun;
use serde_json::json;

fn ctx() -> Value {
    json!({
        "companies": [{ "id": "co-1", "name": "Acme", "people": [{ "id": "p-1", "firstName": "Ann", "lastName": "Lee", "primary": true }] }],
        "products": [
            { "id": "pr-1", "code": "W-1", "name": "Widget", "unitPrice": "10.00", "taxRateId": "vat20", "salesAccountCode": "200" },
            { "id": "pr-long", "code": "THIS-CODE-IS-FAR-TOO-LONG-FOR-XERO", "name": "Long", "unitPrice": "1.00" }
        ],
        "taxRates": [
            { "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" },
            { "id": "vat5", "name": "VAT 5%", "percent": "5" }
        ],
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
    })
}

fn invoice(id: &str, product: &str, tax: &str) -> Value {
    json!({
        "id": id, "kind": "invoice", "number": id.to_uppercase(), "companyId": "co-1", "issueDate": "2026-11-01",
        "dueDate": "2026-12-01", "currency": "GBP", "amountsAre": "exclusive", "status": "Created",
        "lines": [{ "productId": product, "description": "Thing", "quantity": "1", "listPrice": "10.00", "taxRateId": tax }],
        "total": "12.00", "amountOutstanding": "12.00"
    })
}

fn today() -> IsoDate {
    IsoDate::parse("2026-11-20").unwrap()
}

fn entry_of(kind: RecordKind, id: &str, outcome: &str) -> LogEntry {
    LogEntry {
        action: "send".into(),
        record_kind: kind,
        crm_id: id.into(),
        xero_id: None,
        outcome: outcome.into(),
        message: format!("{id}: why"),
    }
}

#[test]
fn an_unmapped_tax_rate_and_a_malformed_record_are_refused_before_any_call_rule_l1a() {
    let mut bad = invoice("inv-bad", "pr-1", "vat20");
    bad["lines"][0]["quantity"] = json!("abc");
    let invoices = json!([
        invoice("inv-1", "pr-1", "vat20"),
        invoice("inv-5", "pr-1", "vat5"),
        bad
    ]);
    let plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let found = refusals(&plan.log);
    let ids: Vec<&str> = found.iter().map(|r| r.crm_id.as_str()).collect();
    assert_eq!(ids, ["inv-5", "inv-bad"], "{:?}", plan.log);
    assert!(
        found[0].message.contains("not mapped"),
        "{}",
        found[0].message
    );
    assert!(
        found[1].message.contains("lines[0].quantity"),
        "{}",
        found[1].message
    );
    assert!(
        plan.log.iter().all(|e| e.outcome != "error"),
        "a local refusal is `refused`, never `error`: {:?}",
        plan.log
    );
    // The good invoice's company is searched for and its product goes out with that read (they depend on none).
    let paths: Vec<&str> = plan.requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/Contacts", "/Items"], "{:?}", plan.requests);
}

#[test]
fn a_failing_product_is_refused_with_the_invoices_it_stopped_rule_l1a_s2() {
    let invoices = json!([
        invoice("inv-1", "pr-long", "vat20"),
        invoice("inv-2", "pr-1", "vat20")
    ]);
    let plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let found = refusals(&plan.log);
    let got: Vec<(RecordKind, &str)> = found
        .iter()
        .map(|r| (r.record_kind, r.crm_id.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (RecordKind::Product, "pr-long"),
            (RecordKind::Invoice, "inv-1"),
            (RecordKind::Invoice, "inv-2")
        ]
    );
    assert!(
        found[2].message.contains("products failed"),
        "{}",
        found[2].message
    );
}

#[test]
fn xero_errors_and_skips_are_not_refusals_rule_l1a() {
    let log = vec![
        entry_of(RecordKind::Invoice, "a", "error"),
        entry_of(RecordKind::Invoice, "b", "skipped"),
        entry_of(RecordKind::Company, "c", "ok"),
        entry_of(RecordKind::CreditNote, "d", REFUSED),
    ];
    let found = refusals(&log);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].crm_id, "d");
}

#[test]
fn a_run_hands_out_its_refusals_once_even_across_a_checkpoint_rule_l1a() {
    let invoices = json!([
        invoice("inv-5", "pr-1", "vat5"),
        invoice("inv-1", "pr-1", "vat20")
    ]);
    let mut run = SendRun::new(invoices, ctx(), today(), SendMode::Selected, 0).unwrap();
    assert_eq!(run.take_refusals().len(), 1);
    assert!(run.take_refusals().is_empty());
    let checkpoint = run.checkpoint(1).unwrap();
    let mut resumed = SendRun::resume(&checkpoint, 2).unwrap();
    assert!(
        resumed.take_refusals().is_empty(),
        "already reported before the checkpoint"
    );
}

#[test]
fn reports_cut_long_text_and_split_past_the_limits_rule_l1a() {
    let long = LogEntry {
        crm_id: "x".repeat(300),
        message: format!("line one\nline two {}", "y".repeat(5000)),
        ..entry_of(RecordKind::Invoice, "", REFUSED)
    };
    let found = refusals(&[long]);
    assert_eq!(found[0].crm_id.chars().count(), MAX_CRM_ID_CHARS);
    assert_eq!(found[0].message.chars().count(), MAX_MESSAGE_CHARS);
    assert!(found[0].message.starts_with("line one line two"));
    assert!(found[0].message.ends_with('…'));

    let many: Vec<Refusal> = (0..1200)
        .map(|i| Refusal {
            record_kind: RecordKind::Invoice,
            crm_id: format!("inv-{i}"),
            message: "m".repeat(if i < 600 { 10 } else { MAX_MESSAGE_CHARS }),
        })
        .collect();
    let out = reports("send", many);
    let sizes: Vec<usize> = out.iter().map(|r| r.refusals.len()).collect();
    assert_eq!(sizes.iter().sum::<usize>(), 1200);
    assert_eq!(sizes[0], MAX_REFUSALS_PER_REPORT);
    for report in &out {
        let body = serde_json::to_value(report).unwrap();
        assert!(body.to_string().len() <= MAX_REPORT_BYTES, "{sizes:?}");
        assert_eq!(
            validate_report(&body).unwrap(),
            *report,
            "the client's reports pass the proxy"
        );
    }
    assert!(
        out.len() >= 4,
        "the long messages need byte-bounded reports: {sizes:?}"
    );
    assert!(reports("send", Vec::new()).is_empty());
}

fn good() -> Value {
    json!({ "action": "auto send", "refusals": [
        { "recordKind": "invoice", "crmId": "inv-1", "message": "unmapped" },
        { "recordKind": "product", "crmId": "pr-1", "message": "too long", "outcome": "refused" },
        { "recordKind": "creditNote", "crmId": "cn-1", "message": "bad" }
    ]})
}

fn field_of(body: &Value) -> (String, String) {
    match validate_report(body).unwrap_err() {
        Error::InvalidOptions { field, message, .. } => (field, message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_validator_accepts_a_report_and_names_the_entry_and_field_of_a_bad_one_rule_l1a() {
    let report = validate_report(&good()).unwrap();
    assert_eq!(report.refusals.len(), 3);
    assert_eq!(report.refusals[2].record_kind, RecordKind::CreditNote);

    let cases: Vec<(&str, Value, &str)> = vec![
        ("/refusals/1/crmId", Value::Null, "refusals[1].crmId"),
        ("/refusals/2/crmId", json!("   "), "refusals[2].crmId"),
        ("/refusals/0/message", json!(7), "refusals[0].message"),
        (
            "/refusals/0/message",
            json!("a\u{0}b"),
            "refusals[0].message",
        ),
        (
            "/refusals/2/message",
            json!("m".repeat(MAX_MESSAGE_CHARS + 1)),
            "refusals[2].message",
        ),
        ("/refusals/1/outcome", json!("ok"), "refusals[1].outcome"),
        (
            "/refusals/1/recordKind",
            json!("settings"),
            "refusals[1].recordKind",
        ),
        (
            "/refusals/1/recordKind",
            json!("contact"),
            "refusals[1].recordKind",
        ),
        ("/refusals/2", json!("inv-9"), "refusals[2]"),
        ("/action", json!("PUT Invoices"), "action"),
        ("/refusals", json!([]), "refusals"),
        ("/refusals", json!({}), "refusals"),
    ];
    for (pointer, value, want) in cases {
        let mut body = good();
        *body.pointer_mut(pointer).unwrap() = value.clone();
        assert_eq!(field_of(&body).0, want, "{pointer} = {value}");
    }
    let mut body = good();
    body["refusals"][1]["xeroId"] = json!("abc");
    assert_eq!(
        field_of(&body),
        (
            "refusals[1].xeroId".into(),
            "a refusal never reached Xero: no xeroId".into()
        )
    );
    let mut body = good();
    body["refusals"][0]["userId"] = json!("someone-else");
    let (field, message) = field_of(&body);
    assert_eq!(field, "refusals[0]");
    assert!(
        !message.contains("userId"),
        "never echoes what was sent: {message}"
    );
    let mut body = good();
    body["user"] = json!("someone-else");
    assert_eq!(field_of(&body).0, "body");
    let many = json!({ "action": "send", "refusals": vec![good()["refusals"][0].clone(); MAX_REFUSALS_PER_REPORT + 1] });
    assert_eq!(field_of(&many).0, "refusals");
    assert_eq!(field_of(&json!([1])).0, "body");
}
