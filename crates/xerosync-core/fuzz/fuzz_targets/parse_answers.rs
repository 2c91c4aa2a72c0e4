//! The Xero-answer parsers: element lists, error bodies (JSON or not), documents, `/Date(…)/`, and answers fed to a
//! send plan. The first byte picks the HTTP status; the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use xerosync_core::parse::{parse_document, parse_elements, parse_xero_error, Collection};
use xerosync_core::{api, IsoDate};

const STATUSES: [u16; 8] = [200, 400, 401, 403, 404, 429, 500, 503];

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(*first) % STATUSES.len()];
    let body = String::from_utf8_lossy(rest);
    let _ = parse_xero_error(status, &body, Some(&body), Some(&body));
    let _ = IsoDate::parse_xero(&body);
    let Ok(value) = serde_json::from_str::<Value>(&body) else {
        return;
    };
    for collection in [
        Collection::Items,
        Collection::Contacts,
        Collection::Invoices,
        Collection::CreditNotes,
    ] {
        let _ = parse_elements(&value, collection);
        if let Some(list) = value.get(collection.key()).and_then(Value::as_array) {
            list.iter().for_each(|doc| drop(parse_document(doc)));
        }
    }
    let _ = parse_document(&value);
    let crm = json!({ "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP",
                      "status": "Live", "total": "10.00", "amountOutstanding": "10.00", "sentToAccounts": true,
                      "lines": [{ "description": "x", "quantity": "1", "listPrice": "10", "taxRateId": "t" }] });
    let _ = api::apply_xero_invoice(&crm, &value, &json!({ "today": "2026-11-20" }));
    let ctx = json!({ "companies": [{ "id": "co-1", "name": "A" }],
                      "taxRates": [{ "id": "t", "percent": "20", "xeroTaxType": "OUTPUT2" }] });
    if let Ok(plan) =
        api::plan_send_requests(&json!([crm]), &ctx, &json!({ "today": "2026-11-20" }))
    {
        for request_id in ["contacts-1", "invoices-1"] {
            let answer = json!({ "requestId": request_id, "status": status, "body": value });
            if let Ok(next) = api::apply_send_answer(&plan, &answer) {
                let _ = api::apply_send_answer(
                    &next,
                    &json!({ "requestId": "invoices-1", "status": status, "body": body }),
                );
            }
        }
    }
});
