//! `npm run bench`: the Worker's own CPU work per relayed 50-invoice PUT, natively (the pure part of the hot path:
//! relay rules, the request's JSON check before relaying, then after the answer parsing the request and Xero's
//! answer, per-record outcomes with the core's parser, log rows as CSV). workerd's JS glue, the Durable Object hop and D1 are not in this figure (see worker/bench/relay.mjs).

use std::time::Instant;

use serde_json::{json, Value};
use xerosync_core::csv;
use xerosync_worker::{outcomes, relay_rules};

fn main() {
    let request = json!({ "Invoices": (0..50).map(|i| json!({
        "Type": "ACCREC", "Contact": { "ContactID": "b61590bc-689e-4cbe-aecf-8e8df42615f5" },
        "InvoiceNumber": format!("B-{i}"), "Status": "DRAFT", "LineAmountTypes": "Exclusive",
        "LineItems": [{ "Description": format!("Bench line {i}"), "Quantity": 2, "UnitAmount": 19.99,
            "DiscountRate": 10, "AccountCode": "200", "TaxType": "OUTPUT2" }] })).collect::<Vec<_>>() })
    .to_string();
    let answer = json!({ "Id": "x", "Status": "OK", "Invoices": (0..50).map(|i| json!({
        "InvoiceID": format!("4f6e8b1a-0c2d-4e3f-9a8b-7c6d5e4f{i:04}"), "InvoiceNumber": format!("B-{i}"),
        "StatusAttributeString": "OK", "Type": "ACCREC", "Status": "DRAFT", "SubTotal": 35.98, "TotalTax": 7.2,
        "Total": 43.18, "AmountDue": 43.18, "LineItems": [{ "Description": format!("Bench line {i}"), "Quantity": 2.0,
            "UnitAmount": 19.99, "DiscountRate": 10.0, "LineAmount": 35.98, "TaxAmount": 7.2, "AccountCode": "200" }],
        "Contact": { "ContactID": "b61590bc-689e-4cbe-aecf-8e8df42615f5", "Name": "Acme Ltd" } })).collect::<Vec<_>>() })
    .to_string();
    let n = 2000;
    let mut sink = 0usize;
    let t0 = Instant::now();
    for i in 0..n {
        let key = format!("bench-{i}");
        let call = relay_rules::check(
            "PUT",
            "/Invoices",
            Some("summarizeErrors=false"),
            Some(&key),
            None,
        );
        let valid = serde_json::from_slice::<serde::de::IgnoredAny>(request.as_bytes()).is_ok();
        let req: Value = serde_json::from_str(&request).unwrap_or(Value::Null);
        let ans: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
        let rows = outcomes::of_write("Invoices", &req, &ans);
        for r in &rows {
            sink += csv::line(&[
                r.crm_ref.as_str(),
                r.xero_id.as_str(),
                r.outcome,
                r.message.as_str(),
            ])
            .len();
        }
        sink += usize::from(call.is_ok()) + usize::from(valid) + request.len() + answer.len();
    }
    let per_call = t0.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    std::hint::black_box(sink);
    println!(
        "worker CPU per relayed 50-invoice PUT, own code natively: {per_call:.3} ms (goal < 1 ms)"
    );
}
