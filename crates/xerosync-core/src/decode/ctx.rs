//! The context every function that builds for Xero needs (`{ companies, products, taxRates, settings, currencies }`),
//! each record decoded from its own JSON text (rule L2: a malformed one fails only the invoices that use it).

use super::{
    decode_record_text, is_currency_code, json_kind, message_of, non_empty, record_ref_of,
};
use crate::error::{Error, RecordKind, RecordRef};
use crate::records::{Company, Product, Settings, TaxRate};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// A context's records as the JSON text of each.
struct CtxTexts<S> {
    companies: Vec<S>,
    products: Vec<S>,
    tax_rates: Vec<S>,
}

/// `ctx.settings` from its text (absent or `null`: the defaults); a bad field is an options error.
fn decode_settings(text: Option<&str>) -> Result<Settings, Error> {
    let Some(text) = text.filter(|t| t.trim() != "null") else {
        return Ok(Settings::default());
    };
    decode_record_text::<Settings>(text, RecordKind::Settings, 0).map_err(|e| match e {
        Error::InvalidField { field, message, .. } => {
            Error::options(RecordKind::Settings, field, message)
        }
        other => other,
    })
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

/// The members of a list argument (`ctx.companies`) as the JSON text of each; absent or `null` → none.
fn list_texts(value: Option<&Value>, name: &str) -> Result<Vec<String>, Error> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => Ok(list.iter().map(Value::to_string).collect()),
        Some(other) => Err(Error::options(
            RecordKind::Options,
            format!("ctx.{name}"),
            format!("expected an array, got {}", json_kind(other)),
        )),
    }
}

/// Each record of a context list decoded and checked on its own, by id (the first of a repeated id is kept).
fn keyed<T: DeserializeOwned>(
    list: &[impl AsRef<str>],
    kind: RecordKind,
    check: fn(&T, &RecordRef) -> Result<(), Error>,
    id_of: fn(&T) -> &str,
) -> HashMap<String, Result<T, Error>> {
    let mut out = HashMap::new();
    for (index, text) in list.iter().enumerate() {
        let text = text.as_ref();
        let decoded = decode_record_text::<T>(text, kind, index).and_then(|r| {
            let id = id_of(&r);
            let record = if id.trim().is_empty() {
                RecordRef::at_index(kind, index)
            } else {
                RecordRef::new(kind, id)
            };
            check(&r, &record).map(|()| r)
        });
        let key = match &decoded {
            Ok(r) => id_of(r).to_string(),
            // A failed record is kept under the id its text gives, if any (read again: failures only).
            Err(_) => {
                let value = serde_json::from_str(text).unwrap_or(Value::Null);
                record_ref_of(&value, kind, index).id.unwrap_or_default()
            }
        };
        out.entry(key).or_insert(decoded);
    }
    out
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
        // Settings first: their error is the one answered when the lists are malformed too.
        let settings = value
            .get("settings")
            .filter(|s| !s.is_null())
            .map(Value::to_string);
        let settings = decode_settings(settings.as_deref())?;
        Ctx::from_parts(
            settings,
            CtxTexts {
                companies: list_texts(value.get("companies"), "companies")?,
                products: list_texts(value.get("products"), "products")?,
                tax_rates: list_texts(value.get("taxRates"), "taxRates")?,
            },
            value.get("currencies"),
        )
    }

    /// [`Ctx::from_json`] of the context's JSON text (what the bindings hold): each record decoded from its own
    /// text, no `Value` tree built of the records. Anything but a plain shape (a list that is no list, a repeated
    /// key, text that is no JSON object) is read by [`Ctx::from_json`], which words those errors.
    pub fn from_text(text: &str) -> Result<Ctx, Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Shape<'a> {
            #[serde(borrow, default)]
            companies: Option<Vec<&'a RawValue>>,
            #[serde(borrow, default)]
            products: Option<Vec<&'a RawValue>>,
            #[serde(borrow, default)]
            tax_rates: Option<Vec<&'a RawValue>>,
            #[serde(borrow, default)]
            settings: Option<&'a RawValue>,
            #[serde(borrow, default)]
            currencies: Option<&'a RawValue>,
        }
        let shape = text
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str::<Shape>(text).ok())
            .flatten();
        let Some(shape) = shape else {
            let value: Value = serde_json::from_str(text)
                .map_err(|e| Error::options(RecordKind::Options, "ctx", e.to_string()))?;
            return Ctx::from_json(&value);
        };
        fn texts(list: Option<Vec<&RawValue>>) -> Vec<&str> {
            list.unwrap_or_default()
                .into_iter()
                .map(RawValue::get)
                .collect()
        }
        let settings = decode_settings(shape.settings.map(RawValue::get))?;
        let currencies = match shape.currencies {
            Some(raw) => Some(serde_json::from_str::<Value>(raw.get()).map_err(|e| {
                Error::options(RecordKind::Options, "ctx.currencies", message_of(&e))
            })?),
            None => None,
        };
        Ctx::from_parts(
            settings,
            CtxTexts {
                companies: texts(shape.companies),
                products: texts(shape.products),
                tax_rates: texts(shape.tax_rates),
            },
            currencies.as_ref(),
        )
    }

    fn from_parts<S: AsRef<str>>(
        settings: Settings,
        texts: CtxTexts<S>,
        currencies_value: Option<&Value>,
    ) -> Result<Ctx, Error> {
        Ok(Ctx {
            companies: keyed(
                &texts.companies,
                RecordKind::Company,
                check_company,
                |c: &Company| &c.id,
            ),
            products: keyed(
                &texts.products,
                RecordKind::Product,
                no_check,
                |p: &Product| &p.id,
            ),
            tax_rates: keyed(
                &texts.tax_rates,
                RecordKind::TaxRate,
                check_tax_rate,
                |t: &TaxRate| &t.id,
            ),
            currencies: currencies(currencies_value)?,
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
