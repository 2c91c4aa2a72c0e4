//! Rule S6 before a send: which invoices will go (S1, A1), and for each, what Xero will compute, so the page can show
//! the preview (and every difference from the CRM's totals) before anything is sent.

use crate::decode::{decode_invoices, Ctx};
use crate::error::Error;
use crate::preview::{preview_invoice, Preview};
use crate::rules::{send_skip_reason, SendMode};
use serde::Serialize;
use serde_json::Value;

/// Rule S6 before a send (`XeroClient.preview`): one entry per invoice, in input order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SendPreview {
    pub invoices: Vec<SendPreviewEntry>,
    /// Every previewed invoice matches the CRM's totals to the cent.
    pub matches_crm: bool,
}

/// One invoice of a `SendPreview`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SendPreviewEntry {
    /// The invoice's `id` (`#<index>` when it has none).
    pub id: String,
    /// Whether `send` (or `sendAllLive` with `mode: "allLive"`) will send it.
    pub send: bool,
    /// The rule that keeps it back (`S1`, `A1`…; `L2` for a malformed invoice, `S6` for one Xero would refuse).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rule: Option<String>,
    /// Why (with `rule`, when not an error).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
    /// `reason` for a finance user (issue 12), without rule codes or amounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
    /// What Xero will compute (for the invoices that will be sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub preview: Option<Preview>,
    /// Why it cannot be sent (the error as data).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, type = "ErrorData"))]
    pub error: Option<Value>,
}

impl SendPreviewEntry {
    fn held(id: String, rule: &str) -> Self {
        SendPreviewEntry {
            id,
            send: false,
            rule: Some(rule.to_owned()),
            reason: None,
            sentence: None,
            preview: None,
            error: None,
        }
    }
}

/// `{ invoices: [{ id, send, rule?, reason?, preview?, error? }], matchesCrm }`: one entry per input invoice, in
/// input order; `preview` for each invoice that will be sent, `error` (code, message) for one that cannot be.
pub fn preview_send(invoices: &Value, ctx: &Value, mode: SendMode) -> Result<SendPreview, Error> {
    let decoded = decode_invoices(invoices)?;
    let ctx = Ctx::from_json(ctx)?;
    let mut all_match = true;
    let mut out = Vec::with_capacity(decoded.len());
    for (index, record) in decoded.iter().enumerate() {
        let id = invoices
            .get(index)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{index}"), str::to_string);
        let entry = match record {
            Err(error) => {
                all_match = false;
                SendPreviewEntry {
                    error: Some(error.to_json()),
                    ..SendPreviewEntry::held(id, "L2")
                }
            }
            Ok(invoice) => match send_skip_reason(&invoice.into(), mode) {
                Some((rule, reason, sentence)) => SendPreviewEntry {
                    reason: Some(reason),
                    sentence: Some(sentence),
                    ..SendPreviewEntry::held(id, rule)
                },
                None => match preview_invoice(invoice, &ctx) {
                    Ok(preview) => {
                        all_match &= preview.matches_crm;
                        SendPreviewEntry {
                            id,
                            send: true,
                            rule: None,
                            reason: None,
                            sentence: None,
                            preview: Some(preview),
                            error: None,
                        }
                    }
                    Err(error) => {
                        all_match = false;
                        SendPreviewEntry {
                            error: Some(error.to_json()),
                            ..SendPreviewEntry::held(id, "S6")
                        }
                    }
                },
            },
        };
        out.push(entry);
    }
    Ok(SendPreview {
        invoices: out,
        matches_crm: all_match,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let out = serde_json::to_value(preview_send(&invoices, &ctx, SendMode::Selected).unwrap())
            .unwrap();
        assert_eq!(out["invoices"][0]["send"], true);
        assert_eq!(out["invoices"][0]["preview"]["total"], "97.20");
        assert_eq!(out["invoices"][1]["rule"], "S1");
        assert_eq!(out["invoices"][2]["error"]["code"], "invalid_field");
        assert_eq!(out["matchesCrm"], false);
    }
}
