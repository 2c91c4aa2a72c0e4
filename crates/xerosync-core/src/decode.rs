//! Decoding and checking CRM records (rule L2): one record at a time, so an error names the record and the field.

use crate::decimal::places;
use crate::error::{Error, RecordKind, RecordRef};
use crate::records::{Company, Invoice, InvoiceKind, Product, Settings, TaxRate};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// Reads the record's id for error messages, before the record itself is decoded.
fn record_ref_of(value: &Value, kind: RecordKind, index: usize) -> RecordRef {
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

/// Decodes one record of type `T`; errors carry the record and the JSON path of the field.
///
/// Two passes, for speed: the record is decoded directly first (the common case: good input), and only when that
/// fails is it decoded again through `serde_path_to_error`, which tracks the path of every field it visits (several
/// times slower) to name the bad one.
pub fn decode_record<T: DeserializeOwned>(
    value: &Value,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    if value.is_object() {
        if let Ok(decoded) = T::deserialize(value) {
            return Ok(decoded);
        }
    }
    decode_record_slowly(value, kind, index)
}

/// The failure path of [`decode_record`]: the error names the record and the JSON path of the field.
#[cold]
fn decode_record_slowly<T: DeserializeOwned>(
    value: &Value,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    let record = record_ref_of(value, kind, index);
    if !value.is_object() {
        return Err(Error::invalid(
            &record,
            "(record)",
            format!("expected an object, got {}", json_kind(value)),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
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
        Error::invalid(&record, field, message)
    })
}

fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// An ISO 4217 code as xerosync takes it: three upper-case letters (`GBP`).
fn is_currency_code(code: &str) -> bool {
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
    let invoice: Invoice = decode_record(value, RecordKind::Invoice, index)?;
    validate_invoice(&invoice)?;
    Ok(invoice)
}

/// Decodes a list of invoices, each on its own (rule L2: a bad one does not stop the others).
pub fn decode_invoices(value: &Value) -> Result<Vec<Result<Invoice, Error>>, Error> {
    let list = value.as_array().ok_or_else(|| {
        Error::options(
            RecordKind::Invoice,
            "invoices",
            format!("expected an array, got {}", json_kind(value)),
        )
    })?;
    Ok(list
        .iter()
        .enumerate()
        .map(|(index, item)| decode_invoice(item, index))
        .collect())
}

// The checks below answer only the message; the caller names the record and the field on failure, so a good
// invoice costs no string formatting (issue 13: eager field names were a tenth of a batch's time).

fn non_empty(text: &str, max_chars: usize) -> Result<(), String> {
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

/// The context every function that builds for Xero needs: `{ companies, products, taxRates, settings }`.
///
/// Each company, product and tax rate is decoded on its own; a malformed one is kept as its error and only the
/// invoices that use it fail (rule L2).
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    companies: HashMap<String, Result<Company, Error>>,
    products: HashMap<String, Result<Product, Error>>,
    tax_rates: HashMap<String, Result<TaxRate, Error>>,
    pub settings: Settings,
    /// Rule M1: the currency codes the Xero organisation has enabled (`ctx.currencies`, from `GET /Currencies`);
    /// `None` when the caller did not say (Xero itself then refuses another currency, per invoice).
    pub currencies: Option<BTreeSet<String>>,
}

fn keyed<T: DeserializeOwned>(
    value: Option<&Value>,
    name: &str,
    kind: RecordKind,
    check: fn(&T, &RecordRef) -> Result<(), Error>,
    id_of: fn(&T) -> &str,
) -> Result<HashMap<String, Result<T, Error>>, Error> {
    let mut out = HashMap::new();
    let list = match value {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(Error::options(
                RecordKind::Options,
                format!("ctx.{name}"),
                format!("expected an array, got {}", json_kind(other)),
            ))
        }
    };
    for (index, item) in list.iter().enumerate() {
        let record = record_ref_of(item, kind, index);
        let decoded =
            decode_record::<T>(item, kind, index).and_then(|r| check(&r, &record).map(|()| r));
        let key = match &decoded {
            Ok(r) => id_of(r).to_string(),
            Err(_) => record.id.clone().unwrap_or_default(),
        };
        out.entry(key).or_insert(decoded);
    }
    Ok(out)
}

/// `ctx.currencies`: ISO codes (`"EUR"`) or Xero's `{ code }` / `{ Code }` objects, as `organisationOptions` and
/// `GET /Currencies` give them.
fn currencies(value: Option<&Value>) -> Result<Option<BTreeSet<String>>, Error> {
    let list = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(Error::options(
                RecordKind::Options,
                "ctx.currencies",
                format!(
                    "expected an array of currency codes, got {}",
                    json_kind(other)
                ),
            ))
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let code = item
                .as_str()
                .or_else(|| item.get("code").and_then(Value::as_str))
                .or_else(|| item.get("Code").and_then(Value::as_str))
                .map(|c| c.trim().to_ascii_uppercase())
                .filter(|c| is_currency_code(c));
            code.ok_or_else(|| {
                Error::options(
                    RecordKind::Options,
                    format!("ctx.currencies[{i}]"),
                    "expected a three-letter currency code",
                )
            })
        })
        .collect::<Result<BTreeSet<_>, _>>()
        .map(Some)
}

fn check_company(company: &Company, record: &RecordRef) -> Result<(), Error> {
    non_empty(&company.name, 255).map_err(|m| Error::invalid(record, "name", m))?;
    if let Some(number) = &company.account_number {
        if number.chars().count() > 50 {
            return Err(Error::invalid(
                record,
                "accountNumber",
                "at most 50 characters",
            ));
        }
    }
    // Rule S3b: Xero's limits on the contact fields the company fills.
    for (field, value, max) in [
        ("phone", &company.phone, 50),
        ("taxNumber", &company.tax_number, 50),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(Error::invalid(
                record,
                field,
                format!("at most {max} characters"),
            ));
        }
    }
    if let Some(currency) = company
        .currency
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if !is_currency_code(currency) {
            return Err(Error::invalid(
                record,
                "currency",
                format!("expected a 3-letter ISO code, got {currency:?}"),
            ));
        }
    }
    if company.id.chars().count() > 50 {
        return Err(Error::invalid(
            record,
            "id",
            "at most 50 characters (it becomes Xero's ContactNumber)",
        ));
    }
    Ok(())
}

fn check_tax_rate(rate: &TaxRate, record: &RecordRef) -> Result<(), Error> {
    if (rate.percent.is_sign_negative() && !rate.percent.is_zero())
        || rate.percent > Decimal::ONE_THOUSAND
    {
        return Err(Error::invalid(
            record,
            "percent",
            format!("must be 0 to 1000, got {}", rate.percent),
        ));
    }
    Ok(())
}

fn no_check<T>(_: &T, _: &RecordRef) -> Result<(), Error> {
    Ok(())
}

impl Ctx {
    /// A context from typed records (the Worker's entry point).
    pub fn new(
        companies: Vec<Company>,
        products: Vec<Product>,
        tax_rates: Vec<TaxRate>,
        settings: Settings,
    ) -> Ctx {
        Ctx {
            companies: companies
                .into_iter()
                .map(|c| (c.id.clone(), Ok(c)))
                .collect(),
            products: products
                .into_iter()
                .map(|p| (p.id.clone(), Ok(p)))
                .collect(),
            tax_rates: tax_rates
                .into_iter()
                .map(|t| (t.id.clone(), Ok(t)))
                .collect(),
            settings,
            currencies: None,
        }
    }

    /// Reads `{ companies, products, taxRates, settings }`; only a malformed shape or settings is an error here.
    pub fn from_json(value: &Value) -> Result<Ctx, Error> {
        if !value.is_object() {
            return Err(Error::options(
                RecordKind::Options,
                "ctx",
                format!("expected an object, got {}", json_kind(value)),
            ));
        }
        let settings = match value.get("settings") {
            None | Some(Value::Null) => Settings::default(),
            Some(s) => {
                decode_record::<Settings>(s, RecordKind::Settings, 0).map_err(|e| match e {
                    Error::InvalidField { field, message, .. } => {
                        Error::options(RecordKind::Settings, field, message)
                    }
                    other => other,
                })?
            }
        };
        Ok(Ctx {
            companies: keyed(
                value.get("companies"),
                "companies",
                RecordKind::Company,
                check_company,
                |c: &Company| &c.id,
            )?,
            products: keyed(
                value.get("products"),
                "products",
                RecordKind::Product,
                no_check,
                |p: &Product| &p.id,
            )?,
            tax_rates: keyed(
                value.get("taxRates"),
                "taxRates",
                RecordKind::TaxRate,
                check_tax_rate,
                |t: &TaxRate| &t.id,
            )?,
            currencies: currencies(value.get("currencies"))?,
            settings,
        })
    }

    fn find<'a, T>(
        map: &'a HashMap<String, Result<T, Error>>,
        id: &str,
        from: &RecordRef,
        field: &str,
        target: &str,
    ) -> Result<&'a T, Error> {
        match map.get(id) {
            Some(Ok(found)) => Ok(found),
            Some(Err(err)) => Err(err.clone()),
            None => Err(Error::UnknownReference {
                record: from.clone(),
                field: field.to_string(),
                target: target.to_string(),
                target_id: id.to_string(),
            }),
        }
    }

    pub fn company(&self, id: &str, from: &RecordRef, field: &str) -> Result<&Company, Error> {
        Ctx::find(&self.companies, id, from, field, "company")
    }
    pub fn product(&self, id: &str, from: &RecordRef, field: &str) -> Result<&Product, Error> {
        Ctx::find(&self.products, id, from, field, "product")
    }
    pub fn tax_rate(&self, id: &str, from: &RecordRef, field: &str) -> Result<&TaxRate, Error> {
        Ctx::find(&self.tax_rates, id, from, field, "tax rate")
    }
    /// A tax rate's decoded record or its decoding error.
    pub fn tax_rate_entry(&self, id: &str) -> Option<&Result<TaxRate, Error>> {
        self.tax_rates.get(id)
    }
    /// A product's decoded record or its decoding error (for the S2 product report).
    pub fn company_entry(&self, id: &str) -> Option<&Result<Company, Error>> {
        self.companies.get(id)
    }
    pub fn product_entry(&self, id: &str) -> Option<&Result<Product, Error>> {
        self.products.get(id)
    }
}
