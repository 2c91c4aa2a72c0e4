//! `buildInvoicePayloads`: many invoices into Xero request bodies in one call (rules S4-S7, T1, L2).
//!
//! The context is decoded once for the whole batch (not once per invoice, as `buildInvoicePayload` must), each
//! invoice is decoded and built on its own, and a bad invoice becomes an entry of `failed` without costing the others
//! their payloads (rule L2). The answer is built as typed structs and serialised once.

use crate::decode::{decode_invoice, json_kind, validate_invoice, Ctx};
use crate::error::{Error, RecordKind};
use crate::payload::build_invoice_payload;
use crate::records::Invoice;
use crate::xero;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// One invoice that could not be built: where it was in the input, and the error as JS sees it
/// (`{ code, message, record?, field? }`, the same as the error `buildInvoicePayload` would throw for it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub index: usize,
    #[serde(flatten)]
    pub error: Value,
}

/// The batch's answer: `Invoices` and `CreditNotes` are what the `PUT /Invoices` and `PUT /CreditNotes` bodies hold
/// (in input order, at most 50 a request: slice them), `failed` the invoices left out, `needsUnitdp4` whether the
/// requests need `unitdp=4` (some unit amount has 4 decimal places).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "InvoicePayloads"))]
pub struct Payloads {
    #[serde(rename = "Invoices")]
    pub invoices: Vec<xero::Invoice>,
    #[serde(rename = "CreditNotes")]
    pub credit_notes: Vec<xero::CreditNote>,
    pub failed: Vec<Failure>,
    #[serde(rename = "needsUnitdp4")]
    pub needs_unitdp4: bool,
}

impl Payloads {
    fn push(&mut self, index: usize, built: Result<Invoice, Error>, ctx: &Ctx) {
        let result = built.and_then(|invoice| build_invoice_payload(&invoice, ctx));
        match result {
            Ok(payload) => {
                self.needs_unitdp4 |= payload.needs_unitdp4;
                match payload.document {
                    xero::Document::Invoice(invoice) => self.invoices.push(invoice),
                    xero::Document::CreditNote(note) => self.credit_notes.push(note),
                }
            }
            Err(error) => self.failed.push(Failure {
                index,
                error: error.to_json(),
            }),
        }
    }
}

fn not_an_array(value: &Value) -> Error {
    Error::options(
        RecordKind::Options,
        "invoices",
        format!("expected an array, got {}", json_kind(value)),
    )
}

/// Builds every invoice of a JSON array against one context.
pub fn build_invoice_payloads(invoices: &Value, ctx: &Value) -> Result<Payloads, Error> {
    let ctx = Ctx::from_json(ctx)?;
    let list = invoices.as_array().ok_or_else(|| not_an_array(invoices))?;
    let mut out = Payloads::default();
    for (index, value) in list.iter().enumerate() {
        out.push(index, decode_invoice(value, index), &ctx);
    }
    Ok(out)
}

/// Decodes one invoice from its JSON text: straight into the record, and only when that fails through a
/// `serde_json::Value`, whose slow path names the record and the field exactly as [`decode_invoice`] does.
fn decode_invoice_text(text: &str, index: usize) -> Result<Invoice, Error> {
    if let Ok(invoice) = serde_json::from_str::<Invoice>(text) {
        validate_invoice(&invoice)?;
        return Ok(invoice);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::options(
            RecordKind::Options,
            format!("invoices[{index}]"),
            e.to_string(),
        )
    })?;
    decode_invoice(&value, index)
}

/// [`build_invoice_payloads`] from and to JSON text (what the wasm bindings pass): the invoices are never built as a
/// `serde_json::Value` tree, the answer is written once.
pub fn build_invoice_payloads_text(invoices: &str, ctx: &str) -> Result<String, Error> {
    let read = |name: &str, text: &str| {
        serde_json::from_str::<Value>(text)
            .map_err(|e| Error::options(RecordKind::Options, name, e.to_string()))
    };
    let ctx = Ctx::from_json(&read("ctx", ctx)?)?;
    let list: Vec<&RawValue> = match serde_json::from_str(invoices) {
        Ok(list) => list,
        Err(_) => return Err(not_an_array(&read("invoices", invoices)?)),
    };
    let mut out = Payloads::default();
    for (index, raw) in list.iter().enumerate() {
        out.push(index, decode_invoice_text(raw.get(), index), &ctx);
    }
    serde_json::to_string(&out)
        .map_err(|e| Error::options(RecordKind::Options, "(result)", e.to_string()))
}
