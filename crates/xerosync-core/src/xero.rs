//! Xero's wire format for what we write: PascalCase, spelled exactly as `components.schemas` of
//! `xero_accounting.yaml` (`Invoice`, `CreditNote`, `LineItem`, `Contact`, `Item`, `Purchase`).
//!
//! Money goes out as JSON numbers carrying exactly the decimal's digits (see [`crate::decimal::json_number`]).

use crate::decimal::exact_f64;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

#[cfg(doc)]
use crate::decimal::json_number;

/// The same number as [`json_number`] writes, serialised without building a `serde_json::Value`.
fn number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let normalized = value.normalize();
    if normalized.scale() == 0 {
        if let Some(i) = normalized.to_i64() {
            return serializer.serialize_i64(i);
        }
    }
    match exact_f64(&normalized).or_else(|| normalized.to_string().parse::<f64>().ok()) {
        Some(f) if f.is_finite() => serializer.serialize_f64(f),
        _ => serializer.serialize_none(),
    }
}

fn opt_number<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => number(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// `components.schemas.LineItem` (the fields we write; never `LineAmount`, never both discounts).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroLineItem"))]
pub struct LineItem {
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Quantity", serialize_with = "number")]
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub quantity: Decimal,
    #[serde(rename = "UnitAmount", serialize_with = "number")]
    #[cfg_attr(feature = "ts", ts(as = "f64"))]
    pub unit_amount: Decimal,
    #[serde(rename = "ItemCode", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub item_code: Option<String>,
    #[serde(rename = "AccountCode", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub account_code: Option<String>,
    #[serde(rename = "TaxType", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tax_type: Option<String>,
    #[serde(
        rename = "DiscountRate",
        serialize_with = "opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub discount_rate: Option<Decimal>,
    #[serde(
        rename = "DiscountAmount",
        serialize_with = "opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub discount_amount: Option<Decimal>,
    /// Rule S6a: an explicit tax that Xero uses instead of its own per-line figure.
    #[serde(
        rename = "TaxAmount",
        serialize_with = "opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub tax_amount: Option<Decimal>,
    /// Rule K1: tracking category and option names.
    #[serde(rename = "Tracking", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tracking: Vec<LineTracking>,
}

/// `components.schemas.LineItemTracking`, by names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroLineTracking"))]
pub struct LineTracking {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Option")]
    pub option: String,
}

/// `components.schemas.Contact`, as a full record (Contacts endpoint) or a reference inside an invoice.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroDocumentContact"))]
pub struct Contact {
    #[serde(rename = "ContactID", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contact_id: Option<String>,
    #[serde(rename = "ContactNumber", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub contact_number: Option<String>,
    #[serde(rename = "AccountNumber", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub account_number: Option<String>,
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    #[serde(rename = "FirstName", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub first_name: Option<String>,
    #[serde(rename = "LastName", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_name: Option<String>,
    #[serde(rename = "EmailAddress", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub email_address: Option<String>,
    #[serde(rename = "TaxNumber", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tax_number: Option<String>,
    #[serde(rename = "DefaultCurrency", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub default_currency: Option<String>,
    #[serde(rename = "Addresses", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub addresses: Vec<ContactAddress>,
    #[serde(rename = "Phones", skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub phones: Vec<Phone>,
}

/// `components.schemas.Address`: Xero keeps one per `AddressType` and updates the one sent (rule S3b).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroAddress"))]
pub struct ContactAddress {
    #[serde(rename = "AddressType")]
    pub address_type: String,
    #[serde(rename = "AddressLine1", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line1: Option<String>,
    #[serde(rename = "AddressLine2", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line2: Option<String>,
    #[serde(rename = "AddressLine3", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line3: Option<String>,
    #[serde(rename = "AddressLine4", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line4: Option<String>,
    #[serde(rename = "City", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub city: Option<String>,
    #[serde(rename = "Region", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub region: Option<String>,
    #[serde(rename = "PostalCode", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub postal_code: Option<String>,
    #[serde(rename = "Country", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub country: Option<String>,
}

/// `components.schemas.Phone`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroPhone"))]
pub struct Phone {
    #[serde(rename = "PhoneType")]
    pub phone_type: String,
    #[serde(rename = "PhoneNumber")]
    pub phone_number: String,
}

/// `components.schemas.Invoice` (ACCREC, DRAFT: rule S4).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroInvoice"))]
pub struct Invoice {
    #[serde(rename = "Type")]
    #[cfg_attr(feature = "ts", ts(type = "\"ACCREC\""))]
    pub kind: String,
    #[serde(rename = "InvoiceID", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub invoice_id: Option<String>,
    #[serde(rename = "InvoiceNumber")]
    pub invoice_number: String,
    #[serde(rename = "Reference", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reference: Option<String>,
    #[serde(rename = "Contact")]
    pub contact: Contact,
    #[serde(rename = "Date")]
    pub date: String,
    #[serde(rename = "DueDate", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub due_date: Option<String>,
    #[serde(rename = "CurrencyCode")]
    pub currency_code: String,
    #[serde(rename = "LineAmountTypes")]
    pub line_amount_types: String,
    /// Rule M1: the rate the CRM fixed.
    #[serde(
        rename = "CurrencyRate",
        serialize_with = "opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub currency_rate: Option<Decimal>,
    /// Rule K2.
    #[serde(rename = "BrandingThemeID", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub branding_theme_id: Option<String>,
    /// `DRAFT` on creation; absent on an update, so Xero keeps the document's status.
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<String>,
    #[serde(rename = "LineItems")]
    pub line_items: Vec<LineItem>,
}

/// `components.schemas.CreditNote` (ACCRECCREDIT, DRAFT: rule S4).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroCreditNote"))]
pub struct CreditNote {
    #[serde(rename = "Type")]
    #[cfg_attr(feature = "ts", ts(type = "\"ACCRECCREDIT\""))]
    pub kind: String,
    #[serde(rename = "CreditNoteID", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub credit_note_id: Option<String>,
    #[serde(rename = "CreditNoteNumber")]
    pub credit_note_number: String,
    #[serde(rename = "Reference", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reference: Option<String>,
    #[serde(rename = "Contact")]
    pub contact: Contact,
    #[serde(rename = "Date")]
    pub date: String,
    #[serde(rename = "DueDate", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub due_date: Option<String>,
    #[serde(rename = "CurrencyCode")]
    pub currency_code: String,
    #[serde(rename = "LineAmountTypes")]
    pub line_amount_types: String,
    /// Rule M1: the rate the CRM fixed.
    #[serde(
        rename = "CurrencyRate",
        serialize_with = "opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<f64>", optional))]
    pub currency_rate: Option<Decimal>,
    /// Rule K2.
    #[serde(rename = "BrandingThemeID", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub branding_theme_id: Option<String>,
    /// `DRAFT` on creation; absent on an update, so Xero keeps the document's status.
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<String>,
    #[serde(rename = "LineItems")]
    pub line_items: Vec<LineItem>,
}

/// An invoice or a credit note, serialised as itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Document {
    Invoice(Invoice),
    CreditNote(CreditNote),
}

impl Document {
    /// The Xero id when the document is known to Xero (an update), `None` for a new one.
    pub fn xero_id(&self) -> Option<&str> {
        match self {
            Document::Invoice(i) => i.invoice_id.as_deref(),
            Document::CreditNote(c) => c.credit_note_id.as_deref(),
        }
    }
}

/// `components.schemas.Purchase`, used as an item's `SalesDetails`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purchase {
    #[serde(rename = "UnitPrice", serialize_with = "number")]
    pub unit_price: Decimal,
    #[serde(rename = "AccountCode", skip_serializing_if = "Option::is_none")]
    pub account_code: Option<String>,
    #[serde(rename = "TaxType", skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
}

/// `components.schemas.Item` (rule S2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Description", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "IsSold")]
    pub is_sold: bool,
    #[serde(rename = "SalesDetails")]
    pub sales_details: Purchase,
}

/// A Xero id as Xero writes them: 8-4-4-4-12 hex digits. The one definition: the core's runs, its payload checks and
/// the proxy's relay rules all ask this.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// A string field of a Xero object, trimmed; `None` when absent or blank.
pub(crate) fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
