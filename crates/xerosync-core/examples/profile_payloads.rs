//! A quick native timing loop (not a test, not criterion): where the time of turning invoices into Xero request
//! bodies goes. `cargo run --release -p xerosync-core --example profile_payloads [count]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use std::time::Instant;
use xerosync_core::{api, batch, decode_invoice, Ctx};

fn ctx() -> Value {
    let rates = [
        ("vat20", "20", "OUTPUT2"),
        ("vat5", "5", "RROUTPUT"),
        ("zero", "0", "ZERORATEDOUTPUT"),
    ];
    json!({
        "companies": (0..100).map(|i| json!({ "id": format!("co-{i}"), "name": format!("Company {i} Ltd"),
            "accountNumber": format!("ACC{i}"), "balance": "0.00",
            "people": [{ "id": format!("p-{i}"), "firstName": "Ann", "lastName": format!("Lee {i}"), "primary": true }] }))
            .collect::<Vec<_>>(),
        "products": (0..20).map(|i| json!({ "id": format!("pr-{i}"), "code": format!("SKU-{i}"),
            "name": format!("Product {i}"), "description": format!("Product number {i}"),
            "unitPrice": format!("{}.50", 10 + i), "taxRateId": rates[i % 3].0, "salesAccountCode": "200" }))
            .collect::<Vec<_>>(),
        "taxRates": rates.iter().map(|(id, p, t)| json!({ "id": id, "name": id, "percent": p, "xeroTaxType": t }))
            .collect::<Vec<_>>(),
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
    })
}

fn invoices(count: usize) -> Value {
    Value::Array((0..count).map(|i| {
        let lines: Vec<Value> = (0..5).map(|j| {
            let p = (i + j) % 20;
            let rate = ["vat20", "vat5", "zero"][p % 3];
            let mut line = json!({ "productId": format!("pr-{p}"), "description": format!("Product number {p}"),
                "quantity": format!("{}", 1 + (i + j) % 4), "listPrice": format!("{}.50", 10 + p),
                "taxRateId": rate });
            if j % 3 == 0 { line["discount"] = json!({ "percent": "10" }); }
            line
        }).collect();
        json!({ "id": format!("inv-{i}"), "kind": "invoice", "number": format!("INV-{}", 100000 + i),
            "reference": format!("PO {i}"), "companyId": format!("co-{}", i % 100), "issueDate": "2026-11-01",
            "dueDate": "2026-12-01", "currency": "GBP", "amountsAre": "exclusive", "status": "Live",
            "total": "100.00", "amountOutstanding": "100.00", "lines": lines })
    }).collect())
}

fn time<T>(name: &str, count: usize, f: impl Fn() -> T) -> T {
    let mut best = f64::MAX;
    let mut out = f();
    for _ in 0..3 {
        let t0 = Instant::now();
        out = f();
        best = best.min(t0.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "{name}: {best:.1} ms ({:.2} µs each)",
        best * 1e3 / count as f64
    );
    out
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let ctx_json = ctx();
    let list = invoices(count);
    let ctx_text = ctx_json.to_string();
    let list_text = list.to_string();
    time("ctx decode (once)", 1, || {
        Ctx::from_json(&ctx_json).unwrap()
    });
    let ctx = Ctx::from_json(&ctx_json).unwrap();
    let items = list.as_array().unwrap();
    time("text -> Value (all invoices)", count, || {
        serde_json::from_str::<Value>(&list_text).unwrap()
    });
    let decoded = time("decode invoices from Value", count, || {
        items
            .iter()
            .enumerate()
            .map(|(i, v)| decode_invoice(v, i).unwrap())
            .collect::<Vec<_>>()
    });
    let docs = time("build payloads (typed)", count, || {
        decoded
            .iter()
            .map(|inv| {
                xerosync_core::payload::build_invoice_payload(inv, &ctx)
                    .unwrap()
                    .document
            })
            .collect::<Vec<_>>()
    });
    time("serialise payloads to text", count, || {
        serde_json::to_string(&docs).unwrap()
    });
    time(
        "buildInvoicePayload per call (ctx each time)",
        count,
        || {
            items
                .iter()
                .map(|v| api::build_invoice_payload(v, &ctx_json).unwrap())
                .collect::<Vec<_>>()
        },
    );
    time("batch, Value in/out", count, || {
        api::build_invoice_payloads(&list, &ctx_json).unwrap()
    });
    let out = time("batch, text in/out", count, || {
        batch::build_invoice_payloads_text(&list_text, &ctx_text).unwrap()
    });
    assert!(out.len() > count * 100);
    let bodies = time("request bodies, text in", count, || {
        batch::build_request_bodies_text(&list_text, &ctx_text).unwrap()
    });
    assert_eq!(bodies.invoices.len(), count.div_ceil(50));
}
