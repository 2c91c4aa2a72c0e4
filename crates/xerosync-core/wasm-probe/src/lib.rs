//! Exports one function that calls every `xerosync_core::api` function, so none of them is dropped by the linker
//! and every import they need shows up in the wasm module.

use serde_json::{json, Value};
use xerosync_core::api;

fn size(result: Result<Value, xerosync_core::Error>) -> u32 {
    match result {
        Ok(value) => value.to_string().len() as u32,
        Err(error) => error.code().len() as u32,
    }
}

/// Runs the api on a generated invoice; returns a number so nothing is optimised away.
#[no_mangle]
pub extern "C" fn xerosync_probe(quantity: u32) -> u32 {
    let invoice = json!({
        "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP",
        "status": "Created", "total": "10.00", "amountOutstanding": "10.00",
        "lines": [{ "description": "x", "quantity": quantity, "listPrice": "0.1", "taxRateId": "t" }]
    });
    let ctx = json!({ "companies": [{ "id": "co-1", "name": "A" }],
                      "taxRates": [{ "id": "t", "percent": "20", "xeroTaxType": "OUTPUT2" }] });
    let today = json!({ "today": "2026-11-20" });
    let list = json!([invoice.clone()]);
    let plan = api::plan_send_requests(&list, &ctx, &today).unwrap_or(Value::Null);
    size(api::plan_send(&list, &Value::Null))
        + size(api::plan_update(&list, &Value::Null))
        + size(api::preview_invoice(&invoice, &ctx))
        + size(api::build_invoice_payload(&invoice, &ctx))
        + size(api::apply_xero_invoice(
            &invoice,
            &json!({ "Status": "PAID", "AmountDue": 0 }),
            &today,
        ))
        + size(api::parse_xero_error(&json!({ "status": 429, "body": "" })))
        + size(api::apply_send_answer(
            &plan,
            &json!({ "requestId": "items-1", "status": 200, "body": "{}" }),
        ))
        + size(api::send_lookup_request(
            &plan,
            &json!({ "requestId": "invoices-1" }),
        ))
        + size(api::apply_send_lookup(
            &plan,
            &json!({ "requestId": "invoices-1", "status": 200, "body": {} }),
        ))
}
