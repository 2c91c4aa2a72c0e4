//! CRM record decoding and everything downstream of it: any JSON must give a result or a clean error (rule L2).
//! Every object inside the input is tried as an invoice and as a ctx, so the shared fixtures make a good corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use xerosync_core::{api, decimal, IsoDate};

fn objects<'a>(value: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 6 || out.len() > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            out.push(value);
            map.values().for_each(|v| objects(v, out, depth + 1));
        }
        Value::Array(list) => list.iter().for_each(|v| objects(v, out, depth + 1)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decimal::parse_decimal(text);
    let _ = IsoDate::parse_any(text);
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let mut found = Vec::new();
    objects(&value, &mut found, 0);
    let ctx = found
        .iter()
        .find(|v| v.get("taxRates").is_some())
        .copied()
        .cloned()
        .unwrap_or(json!({}));
    for candidate in found {
        let _ = api::preview_invoice(candidate, &ctx);
        let _ = api::build_invoice_payload(candidate, &ctx);
        let _ = api::plan_send(&json!([candidate]), &json!({ "mode": "allLive" }));
        let _ = api::plan_update(&json!([candidate]), &Value::Null);
        let _ =
            api::plan_send_requests(&json!([candidate]), &ctx, &json!({ "today": "2026-11-20" }));
    }
});
