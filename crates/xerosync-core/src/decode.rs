//! Decoding and checking CRM records (rule L2): one record at a time, so an error names the record and the field.

use crate::decimal::places;
use crate::error::{Error, RecordKind, RecordRef};
use crate::records::{Invoice, InvoiceKind};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod canonical;
mod ctx;
mod field;
mod path;
pub use ctx::Ctx;
#[cfg(test)]
mod tests;

/// Reads the record's id for error messages, before the record itself is decoded.
pub(crate) fn record_ref_of(value: &Value, kind: RecordKind, index: usize) -> RecordRef {
    let kind = match (kind, value.get("kind").and_then(Value::as_str)) {
        (RecordKind::Invoice, Some("creditNote")) => RecordKind::CreditNote,
        (kind, _) => kind,
    };
    match value.get("id") {
        Some(Value::String(id)) if !id.trim().is_empty() => RecordRef::new(kind, id.clone()),
        Some(Value::Number(id)) => RecordRef::new(kind, id.to_string()),
        _ => RecordRef::at_index(kind, index),
    }
}

/// Decodes one record of type `T` from its JSON text; errors carry the record and the JSON path of the field.
///
/// Records are only ever decoded from text (issue 13: one serde instantiation per record type in the wasm, where a
/// `Value` tree and `serde_path_to_error` each added their own). Good input is read once, straight into `T`; only
/// when that fails is the record read again, as a [`Value`], to name it and the bad field ([`decode_record_slowly`]).
pub fn decode_record_text<T: DeserializeOwned>(
    text: &str,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    // Only an object is a record (serde would also take a struct written as an array of its fields).
    if text.trim_start().starts_with('{') {
        if let Ok(decoded) = serde_json::from_str::<T>(text) {
            return Ok(decoded);
        }
    }
    decode_record_slowly(text, kind, index)
}

/// [`decode_record_text`] of a record already held as a [`Value`] (the send plan and the sync client keep their
/// input so): through its text, so no record type is deserialized from a `Value` anywhere.
pub fn decode_record<T: DeserializeOwned>(
    value: &Value,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    decode_record_text(&value.to_string(), kind, index)
}

/// The failure path of [`decode_record_text`]: the error names the record and the JSON path of the field.
///
/// The record is read again from its text as a [`Value`] holds it (`canonical`): members ordered by key, a repeated
/// key's last value kept, so the first error serde meets is the one it met when records were decoded from a `Value`
/// (and a record whose text only repeats a key decodes, as it did). The path is found from where serde_json stopped
/// (`path`), the message worded as from a `Value` (`field`).
#[cold]
fn decode_record_slowly<T: DeserializeOwned>(
    text: &str,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::invalid(
            &RecordRef::at_index(kind, index),
            "(record)",
            message_of(&e),
        )
    })?;
    let record = record_ref_of(&value, kind, index);
    if !value.is_object() {
        return Err(Error::invalid(
            &record,
            "(record)",
            format!("expected an object, got {}", json_kind(&value)),
        ));
    }
    let canonical = canonical::canonical(text).unwrap_or_else(|| value.to_string());
    let err = match serde_json::from_str::<T>(&canonical) {
        Ok(decoded) => return Ok(decoded),
        Err(err) => err,
    };
    let (path, message) = field::locate(&canonical, &value, &err);
    Err(error_at(&record, path.to_string(), message))
}

/// The error for serde's `message` at `path` (`.` for the record itself) of a record.
fn error_at(record: &RecordRef, path: String, message: String) -> Error {
    // serde says "missing field `x`" at the path of the containing object.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return Error::MissingField {
            record: record.clone(),
            field: join_path(&path, name),
        };
    }
    let field = if path == "." {
        "(record)".to_string()
    } else {
        path
    };
    Error::invalid(record, field, message)
}

/// serde_json's message without the position it appends (` at line 1 column 42`).
pub(crate) fn message_of(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let position = format!(" at line {} column {}", err.line(), err.column());
    match full.strip_suffix(&position) {
        Some(message) if err.line() > 0 => message.to_owned(),
        _ => full,
    }
}

fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// An ISO 4217 code as xerosync takes it: three upper-case letters (`GBP`).
pub(crate) fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// A short description of a JSON value's type, for messages.
pub fn json_kind(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Decodes and checks one invoice or credit note.
pub fn decode_invoice(value: &Value, index: usize) -> Result<Invoice, Error> {
    decode_invoice_text(&value.to_string(), index)
}

/// Decodes and checks one invoice or credit note from its JSON text.
pub fn decode_invoice_text(text: &str, index: usize) -> Result<Invoice, Error> {
    let invoice: Invoice = decode_record_text(text, RecordKind::Invoice, index)?;
    validate_invoice(&invoice)?;
    Ok(invoice)
}

/// Decodes a list of invoices, each on its own (rule L2: a bad one does not stop the others).
pub fn decode_invoices(value: &Value) -> Result<Vec<Result<Invoice, Error>>, Error> {
    if !value.is_array() {
        return Err(Error::options(
            RecordKind::Invoice,
            "invoices",
            format!("expected an array, got {}", json_kind(value)),
        ));
    }
    // Through the list's text, written once and read in one pass when every invoice is good.
    crate::batch::decode_invoices_text(&value.to_string())
}

// The checks below answer only the message; the caller names the record and the field on failure, so a good
// invoice costs no string formatting (issue 13: eager field names were a tenth of a batch's time).

pub(crate) fn non_empty(text: &str, max_chars: usize) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".to_owned());
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(format!("at most {max_chars} characters, got {chars}"));
    }
    Ok(())
}

fn max_places(value: Decimal, max: u32) -> Result<(), String> {
    if places(value) > max {
        return Err(format!("at most {max} decimal places, got {value}"));
    }
    Ok(())
}

fn within(value: Decimal, limit: i64) -> Result<(), String> {
    if value.abs() > Decimal::from(limit) {
        return Err(format!(
            "out of range: {value} (at most {limit} either way)"
        ));
    }
    Ok(())
}

/// The semantic checks serde cannot express (rule L2).
pub fn validate_invoice(invoice: &Invoice) -> Result<(), Error> {
    // Built only on failure: a good invoice costs no allocation here.
    let record = || invoice.record_ref();
    let fail = |field: String, message: String| Error::invalid(&record(), field, message);
    non_empty(&invoice.id, 255).map_err(|m| fail("id".into(), m))?;
    non_empty(&invoice.number, 255).map_err(|m| fail("number".into(), m))?;
    non_empty(&invoice.company_id, 255).map_err(|m| fail("companyId".into(), m))?;
    let currency_ok = is_currency_code(&invoice.currency);
    if !currency_ok {
        return Err(Error::invalid(
            &record(),
            "currency",
            format!("expected a 3-letter ISO code, got {:?}", invoice.currency),
        ));
    }
    if let Some(due) = invoice.due_date {
        if due < invoice.issue_date {
            return Err(Error::invalid(
                &record(),
                "dueDate",
                format!("{due} is before the issue date {}", invoice.issue_date),
            ));
        }
    }
    within(invoice.total, 1_000_000_000_000_000).map_err(|m| fail("total".into(), m))?;
    within(invoice.amount_outstanding, 1_000_000_000_000_000)
        .map_err(|m| fail("amountOutstanding".into(), m))?;
    if invoice.lines.is_empty() {
        return Err(Error::invalid(
            &record(),
            "lines",
            "needs at least one line",
        ));
    }
    for (i, line) in invoice.lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        if line.description.chars().count() > 4000 {
            return Err(Error::invalid(
                &record(),
                field("description"),
                "at most 4000 characters",
            ));
        }
        if line.description.trim().is_empty() && line.product_id.is_none() {
            return Err(Error::invalid(
                &record(),
                field("description"),
                "must not be empty on a line without a product",
            ));
        }
        max_places(line.quantity, 4).map_err(|m| fail(field("quantity"), m))?;
        max_places(line.list_price, 4).map_err(|m| fail(field("listPrice"), m))?;
        // Bounds keep every product and sum far from Decimal's range (no input panics).
        within(line.quantity, 1_000_000_000).map_err(|m| fail(field("quantity"), m))?;
        within(line.list_price, 1_000_000_000_000).map_err(|m| fail(field("listPrice"), m))?;
        if invoice.kind == InvoiceKind::CreditNote
            && (line.quantity.is_sign_negative() || line.list_price.is_sign_negative())
        {
            return Err(Error::invalid(
                &record(),
                field("quantity"),
                "credit-note lines must not be negative",
            ));
        }
        if let Some(discount) = &line.discount {
            match (discount.percent, discount.amount) {
                (Some(_), Some(_)) => {
                    return Err(Error::invalid(
                        &record(),
                        field("discount"),
                        "give either percent or amount, not both",
                    ))
                }
                (Some(p), None) if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                    return Err(Error::invalid(
                        &record(),
                        field("discount.percent"),
                        format!("must be 0 to 100, got {p}"),
                    ))
                }
                (None, Some(a)) if a.is_sign_negative() && !a.is_zero() => {
                    return Err(Error::invalid(
                        &record(),
                        field("discount.amount"),
                        format!("must not be negative, got {a}"),
                    ))
                }
                (None, Some(a)) => {
                    let gross = line.quantity * line.list_price;
                    if gross >= Decimal::ZERO && a > gross {
                        let message = format!("{a} is larger than the line ({gross})");
                        return Err(Error::invalid(&record(), field("discount.amount"), message));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}
