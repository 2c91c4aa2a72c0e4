//! Rule S6 before a send: which invoices will go (S1, A1), and for each, what Xero will compute, so the page can show
//! the preview (and every difference from the CRM's totals) before anything is sent.

use crate::decode::{decode_invoices, Ctx};
use crate::error::Error;
use crate::preview::preview_invoice;
use crate::rules::{send_skip_reason, SendMode};
use serde_json::{json, Value};

/// `{ invoices: [{ id, send, rule?, reason?, preview?, error? }], matchesCrm }`: one entry per input invoice, in
/// input order; `preview` for each invoice that will be sent, `error` (code, message) for one that cannot be.
pub fn preview_send(invoices: &Value, ctx: &Value, mode: SendMode) -> Result<Value, Error> {
    let decoded = decode_invoices(invoices)?;
    let ctx = Ctx::from_json(ctx)?;
    let mut all_match = true;
    let mut out = Vec::new();
    for (index, record) in decoded.iter().enumerate() {
        let id = invoices
            .get(index)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{index}"), str::to_string);
        let entry = match record {
            Err(error) => {
                all_match = false;
                json!({ "id": id, "send": false, "rule": "L2", "error": error.to_json() })
            }
            Ok(invoice) => match send_skip_reason(&invoice.into(), mode) {
                Some((rule, reason)) => {
                    json!({ "id": id, "send": false, "rule": rule, "reason": reason })
                }
                None => match preview_invoice(invoice, &ctx) {
                    Ok(preview) => {
                        let preview = serde_json::to_value(&preview)
                            .map_err(|e| Error::xero("preview", e.to_string()))?;
                        all_match &= preview["matchesCrm"] == true;
                        json!({ "id": id, "send": true, "preview": preview })
                    }
                    Err(error) => {
                        all_match = false;
                        json!({ "id": id, "send": false, "rule": "S6", "error": error.to_json() })
                    }
                },
            },
        };
        out.push(entry);
    }
    Ok(json!({ "invoices": out, "matchesCrm": all_match }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_comes_before_the_send_rules_s1_s6() {
        let line = json!({ "productId": "pr-1", "description": "Widget", "quantity": "3", "listPrice": "30.00",
            "discount": { "percent": "10" }, "taxRateId": "vat20" });
        let invoice = |id: &str, outstanding: &str| {
            json!({ "id": id, "kind": "invoice", "number": id,
            "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP", "amountsAre": "exclusive",
            "status": "Live", "lines": [line.clone()], "total": "97.20", "amountOutstanding": outstanding })
        };
        let ctx = json!({
            "companies": [{ "id": "co-1", "name": "Acme Ltd", "people": [] }],
            "products": [{ "id": "pr-1", "code": "W", "name": "Widget", "unitPrice": "30.00" }],
            "taxRates": [{ "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" }],
            "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
        });
        let mut bad = invoice("inv-3", "97.20");
        bad["lines"][0]["quantity"] = json!("abc");
        let invoices = json!([invoice("inv-1", "97.20"), invoice("inv-2", "50.00"), bad]);
        let out = preview_send(&invoices, &ctx, SendMode::Selected).unwrap();
        assert_eq!(out["invoices"][0]["send"], true);
        assert_eq!(out["invoices"][0]["preview"]["total"], "97.20");
        assert_eq!(out["invoices"][1]["rule"], "S1");
        assert_eq!(out["invoices"][2]["error"]["code"], "invalid_field");
        assert_eq!(out["matchesCrm"], false);
    }
}
