//! `buildInvoicePayloads`: many invoices into Xero request bodies in one call (rules S4-S7, T1, L2).
//!
//! The context is decoded once for the whole batch (not once per invoice, as `buildInvoicePayload` must), each
//! invoice is decoded and built on its own, and a bad invoice becomes an entry of `failed` without costing the others
//! their payloads (rule L2). From JSON text (what the bindings pass), each document is written to text as soon as it
//! is built ([`Written`]); `buildRequestBodies` answers those texts as the request bodies themselves.

use crate::decode::{decode_invoice, decode_invoice_text, json_kind, validate_invoice, Ctx};
use crate::error::{Error, RecordKind};
use crate::payload::build_invoice_payload;
use crate::plan::MAX_RECORDS_PER_REQUEST;
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

/// The invoices of a JSON array text, each decoded on its own (rule L2). Good input is read in one pass; only when
/// some invoice does not decode is the array read again element by element, so each error names its invoice.
pub(crate) fn decode_invoices_text(invoices: &str) -> Result<Vec<Result<Invoice, Error>>, Error> {
    if let Ok(list) = serde_json::from_str::<Vec<AnObject<Invoice>>>(invoices) {
        return Ok(list
            .into_iter()
            .map(|AnObject(invoice)| validate_invoice(&invoice).map(|()| invoice))
            .collect());
    }
    let list: Vec<&RawValue> = match serde_json::from_str(invoices) {
        Ok(list) => list,
        Err(e) => {
            let value = serde_json::from_str::<Value>(invoices)
                .map_err(|_| Error::options(RecordKind::Options, "invoices", e.to_string()))?;
            return Err(not_an_array(&value));
        }
    };
    Ok(list
        .iter()
        .enumerate()
        .map(|(index, raw)| decode_invoice_text(raw.get(), index))
        .collect())
}

/// Documents of one kind written as JSON text as they are built (issue 13: no tree of Xero structs is kept, and
/// the text is written once), comma-separated, in groups of at most `per_group`, each group between `head` and
/// `tail`.
struct Written {
    head: &'static str,
    tail: &'static str,
    per_group: usize,
    closed: Vec<String>,
    /// The group being written, with `in_open` documents (none: not started).
    open: Vec<u8>,
    in_open: usize,
}

impl Written {
    fn new(head: &'static str, tail: &'static str, per_group: usize) -> Self {
        Written {
            head,
            tail,
            per_group,
            closed: Vec::new(),
            open: Vec::new(),
            in_open: 0,
        }
    }

    fn push(&mut self, document: &impl Serialize) -> Result<(), Error> {
        if self.in_open == self.per_group {
            self.close_open()?;
            // The next body of 50 is about the size of the last: reserve that, rather than grow to it by copies.
            self.open.reserve(self.closed.last().map_or(0, String::len));
        }
        if self.in_open == 0 {
            self.open.extend_from_slice(self.head.as_bytes());
        } else {
            self.open.push(b',');
        }
        serde_json::to_writer(&mut self.open, document).map_err(written_error)?;
        self.in_open += 1;
        Ok(())
    }

    fn close_open(&mut self) -> Result<(), Error> {
        self.open.extend_from_slice(self.tail.as_bytes());
        let group = std::mem::take(&mut self.open);
        self.closed
            .push(String::from_utf8(group).map_err(written_error)?);
        self.in_open = 0;
        Ok(())
    }

    /// The groups as text (serde_json writes UTF-8).
    fn finish(mut self) -> Result<Vec<String>, Error> {
        if self.in_open > 0 {
            self.close_open()?;
        }
        Ok(self.closed)
    }
}

/// A record that must be a JSON object: a derived `Deserialize` also takes a struct as an array of its fields, which
/// the one-record path refuses ("expected an object"), so the one-pass read of a list must refuse it too.
#[derive(Debug)]
struct AnObject<T>(T);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for AnObject<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = AnObject<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(AnObject)
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}

fn written_error(e: impl ToString) -> Error {
    Error::options(RecordKind::Options, "(result)", e.to_string())
}

/// Builds every invoice and hands each document to `write`; a bad one becomes a [`Failure`].
fn build_each(
    invoices: &str,
    ctx: &str,
    mut write: impl FnMut(&xero::Document) -> Result<(), Error>,
) -> Result<(Vec<Failure>, bool), Error> {
    let ctx = Ctx::from_text(ctx)?;
    let mut failed = Vec::new();
    let mut needs_unitdp4 = false;
    for (index, decoded) in decode_invoices_text(invoices)?.into_iter().enumerate() {
        match decoded.and_then(|invoice| build_invoice_payload(&invoice, &ctx)) {
            Ok(payload) => {
                needs_unitdp4 |= payload.needs_unitdp4;
                write(&payload.document)?;
            }
            Err(error) => failed.push(Failure {
                index,
                error: error.to_json(),
            }),
        }
    }
    Ok((failed, needs_unitdp4))
}

/// [`build_invoice_payloads`] from and to JSON text (what the wasm bindings pass): the invoices are never built as a
/// `serde_json::Value` tree, and each document is written as text as soon as it is built.
pub fn build_invoice_payloads_text(invoices: &str, ctx: &str) -> Result<String, Error> {
    let mut written_invoices = Written::new("", "", usize::MAX);
    let mut written_notes = Written::new("", "", usize::MAX);
    let (failed, needs_unitdp4) = build_each(invoices, ctx, |document| match document {
        xero::Document::Invoice(i) => written_invoices.push(i),
        xero::Document::CreditNote(c) => written_notes.push(c),
    })?;
    let one = |w: Written| w.finish().map(|groups| groups.concat());
    let (invoices, notes) = (one(written_invoices)?, one(written_notes)?);
    let failed = serde_json::to_string(&failed).map_err(written_error)?;
    Ok(format!(
        r#"{{"Invoices":[{invoices}],"CreditNotes":[{notes}],"failed":{failed},"needsUnitdp4":{needs_unitdp4}}}"#
    ))
}

/// `buildRequestBodies`: the request bodies themselves (JSON text), as the proxy takes them.
// The bindings hand the bodies to JS as strings; `Serialize` gives the shape its generated type and tests read.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RequestBodies {
    /// `PUT /Invoices` bodies, `{"Invoices":[…]}` with at most 50 invoices each (Xero's limit), in input order.
    pub invoices: Vec<String>,
    /// `PUT /CreditNotes` bodies, `{"CreditNotes":[…]}`, the same way.
    pub credit_notes: Vec<String>,
    /// The invoices left out, as in `buildInvoicePayloads`.
    pub failed: Vec<Failure>,
    /// Whether the requests need `unitdp=4`.
    pub needs_unitdp4: bool,
}

/// Rules S4-S7, S9, L2: the `PUT` bodies for many invoices, written straight to text, at most [`MAX_RECORDS_PER_REQUEST`]
/// documents a body: what sending needs, without a caller turning payload objects back into JSON.
pub fn build_request_bodies_text(invoices: &str, ctx: &str) -> Result<RequestBodies, Error> {
    let mut written_invoices = Written::new(r#"{"Invoices":["#, "]}", MAX_RECORDS_PER_REQUEST);
    let mut written_notes = Written::new(r#"{"CreditNotes":["#, "]}", MAX_RECORDS_PER_REQUEST);
    let (failed, needs_unitdp4) = build_each(invoices, ctx, |document| match document {
        xero::Document::Invoice(i) => written_invoices.push(i),
        xero::Document::CreditNote(c) => written_notes.push(c),
    })?;
    Ok(RequestBodies {
        invoices: written_invoices.finish()?,
        credit_notes: written_notes.finish()?,
        failed,
        needs_unitdp4,
    })
}

#[cfg(test)]
mod tests {
    use super::AnObject;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Point {
        x: u8,
        y: u8,
    }

    /// Rule L2: a record given as an array of its fields is refused on the one-pass path too.
    #[test]
    fn only_an_object_is_a_record_rule_l2() {
        let read = |text: &str| serde_json::from_str::<Vec<AnObject<Point>>>(text);
        assert!(
            read("[[1, 2]]").is_err(),
            "a derived Deserialize alone takes [1, 2]"
        );
        assert!(serde_json::from_str::<Vec<Point>>("[[1, 2]]").is_ok());
        let ok = read(r#"[{"x": 1, "y": 2}]"#).unwrap();
        assert_eq!(ok[0].0, Point { x: 1, y: 2 });
        let err = read(r#"[{"x": 1}]"#).unwrap_err().to_string();
        assert!(err.contains("missing field `y`"), "{err}");
    }
}
