//! Rule B2: what auto-send sends after a change-feed page. The live invoices (rules of A1) not yet sent to accounts,
//! as they stand after the feed's changes, except those Xero (or the local checks) refused whose inputs have not
//! changed since: an invoice refused once is not tried again on every poll until the invoice, its company, its
//! products or the mapping change. Without that, a refused invoice would spend calls every few seconds forever.

use super::send::SendResult;
use crate::plan::Outcome;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Refused invoices and the fingerprint of their inputs when refused (invoice id → key). Serialisable, so a page
/// may keep it across reloads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Refusals(pub BTreeMap<String, String>);

impl Refusals {
    /// Takes in the book a page kept across a reload (`options.refusals`: absent or `null` is none). Where both know
    /// an invoice, this book's entry stays: it is the later one (the page's is from before the reload at best).
    pub fn take_in(&mut self, given: &Value) -> Result<(), crate::Error> {
        if given.is_null() {
            return Ok(());
        }
        let book: Refusals = serde_json::from_value(given.clone()).map_err(|_| {
            crate::Error::options(
                crate::RecordKind::Options,
                "refusals",
                "expected { invoiceId: key } as a previous poll returned it",
            )
        })?;
        for (id, key) in book.0 {
            self.0.entry(id).or_insert(key);
        }
        Ok(())
    }
}

fn id_of(invoice: &Value) -> Option<&str> {
    invoice.get("id").and_then(Value::as_str)
}

/// What an invoice's sending depends on: the invoice itself, its company, the products of its lines, the tax rates
/// (the mapping, rule T1) and the settings that shape the payload. SHA-256 of their JSON (serde_json writes object
/// keys sorted, so the key is stable).
pub fn refusal_key(invoice: &Value, ctx: &Value) -> String {
    let find = |list: &str, id: &str| {
        ctx.get(list)
            .and_then(Value::as_array)
            .and_then(|l| {
                l.iter()
                    .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
            })
            .cloned()
            .unwrap_or(Value::Null)
    };
    let company = invoice
        .get("companyId")
        .and_then(Value::as_str)
        .map_or(Value::Null, |id| find("companies", id));
    let products: Vec<Value> = invoice
        .get("lines")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.get("productId").and_then(Value::as_str))
                .map(|id| find("products", id))
                .collect()
        })
        .unwrap_or_default();
    let inputs = json!({
        "invoice": invoice,
        "company": company,
        "products": products,
        "taxRates": ctx.get("taxRates"),
        "settings": ctx.get("settings"),
    });
    let digest = Sha256::digest(inputs.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The invoices auto-send sends now: not sent to accounts, the feed's `changes` applied, and not refused with the
/// same inputs before. (A1's own rules then run in the send plan.)
pub fn auto_send_selection(
    invoices: &Value,
    entries: &[Value],
    ctx: &Value,
    refusals: &Refusals,
) -> Vec<Value> {
    let mut current: Vec<Value> = invoices
        .as_array()
        .map(|list| {
            list.iter()
                .filter(|i| i.get("sentToAccounts").and_then(Value::as_bool) != Some(true))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for entry in entries {
        let (Some(id), Some(changes)) = (
            entry.get("id").and_then(Value::as_str),
            entry.get("changes").and_then(Value::as_object),
        ) else {
            continue;
        };
        if let Some(invoice) = current.iter_mut().find(|i| id_of(i) == Some(id)) {
            for (k, v) in changes {
                invoice[k.as_str()] = v.clone();
            }
        }
    }
    current.retain(|invoice| {
        id_of(invoice)
            .and_then(|id| refusals.0.get(id))
            .is_none_or(|key| *key != refusal_key(invoice, ctx))
    });
    current
}

/// After an auto-send: remembers each refused invoice with the key of its inputs, forgets those that went.
pub fn record_refusals(
    refusals: &mut Refusals,
    sent: &SendResult,
    invoices: &[Value],
    ctx: &Value,
) {
    for result in &sent.invoices {
        match result.outcome {
            // A passing failure (Xero down, a limit, no answer) is tried again on the next poll as it is.
            Outcome::Failed if result.retryable => {}
            Outcome::Failed => {
                if let Some(invoice) = invoices
                    .iter()
                    .find(|i| id_of(i) == Some(result.id.as_str()))
                {
                    refusals
                        .0
                        .insert(result.id.clone(), refusal_key(invoice, ctx));
                }
            }
            Outcome::Sent => {
                refusals.0.remove(&result.id);
            }
            Outcome::Pending | Outcome::Skipped => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::InvoiceResult;

    fn result(id: &str, outcome: Outcome, retryable: bool) -> InvoiceResult {
        InvoiceResult {
            outcome,
            rule: Some("S9".into()),
            message: Some("Xero answered 503: busy".into()),
            retryable,
            ..InvoiceResult::pending(id.into())
        }
    }

    /// Rule B2: the page's book comes back in after a reload; this book's own entries win; a malformed one is
    /// refused, naming the option.
    #[test]
    fn a_kept_book_is_taken_in_and_a_malformed_one_refused_rule_b2() {
        let mut book = Refusals(BTreeMap::from([("a".to_string(), "new".to_string())]));
        book.take_in(&json!({ "a": "old", "b": "kept" })).unwrap();
        assert_eq!(book.0["a"], "new");
        assert_eq!(book.0["b"], "kept");
        book.take_in(&Value::Null).unwrap();
        assert_eq!(book.0.len(), 2);
        for bad in [json!(["a"]), json!({ "a": 1 }), json!("a")] {
            let error = book.take_in(&bad).unwrap_err();
            assert_eq!(error.code(), "invalid_options");
            assert!(error.to_string().contains("refusals"), "{error}");
        }
    }

    /// Rule B2: only a refusal holds an invoice back; a passing failure (Xero down, no answer) is tried again.
    #[test]
    fn a_passing_failure_is_not_remembered_rule_b2() {
        let invoices = vec![json!({ "id": "a" }), json!({ "id": "b" })];
        let sent = SendResult {
            finished: true,
            stopped: None,
            invoices: vec![
                result("a", Outcome::Failed, true),
                result("b", Outcome::Failed, false),
            ],
            companies: vec![],
            product_failures: vec![],
            log: vec![],
            calls: 1,
        };
        let mut refusals = Refusals::default();
        record_refusals(&mut refusals, &sent, &invoices, &json!({}));
        assert_eq!(refusals.0.keys().collect::<Vec<_>>(), ["b"]);
    }
}
