//! The CRM records of contract.md: camelCase JSON in, `rust_decimal` inside.
//!
//! Decode them with [`crate::decode`]: it reads one record at a time, so an error names that record and the field.

use crate::date::IsoDate;
use crate::decimal::{de_decimal, de_opt_decimal};
use crate::error::{RecordKind, RecordRef};
use crate::tax_strategy::TaxStrategy;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An invoice or a credit note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub kind: InvoiceKind,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub company_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    pub issue_date: IsoDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<IsoDate>,
    pub currency: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub amounts_are: AmountsAre,
    pub status: InvoiceStatus,
    pub lines: Vec<Line>,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub total: Decimal,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub amount_outstanding: Decimal,
    /// Rule M1: the exchange rate the CRM fixed (units of `currency` per base-currency unit); absent: Xero's daily.
    #[serde(
        default,
        deserialize_with = "de_opt_decimal",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::DecimalInput>"))]
    pub currency_rate: Option<Decimal>,
    /// Rule K2: this invoice's branding theme; absent: the company's, then the settings'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding_theme_id: Option<String>,
    #[serde(default, deserialize_with = "de_bool_or_null")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional = nullable))]
    pub sent_to_accounts: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to_accounts_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xero_id: Option<String>,
    /// Rule U7: the payments behind the balance, as Xero last reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<Payment>>,
    /// Rule U7: the credit notes allocated to it, as Xero last reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Vec<Credit>>,
    /// Rule U7: Xero's `FullyPaidOnDate` of a paid invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_paid_on_date: Option<IsoDate>,
    /// Rule U6: discrepancies a person dismissed; exactly these no longer block U2 (a new one still does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub dismissed_discrepancies: Vec<String>,
    /// Rule S11: the chain of documents that amended it in Xero after it had payments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub amendments: Vec<Amendment>,
    /// Rule O1: the customer's online invoice, once read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_invoice_url: Option<String>,
}

/// A document that amends a paid invoice in Xero (rule S11): a credit note for a decrease, a further invoice for an
/// increase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Amendment {
    pub kind: InvoiceKind,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_id: Option<String>,
    /// The amount it moves the total by (tax included), positive.
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub amount: Decimal,
}

impl Invoice {
    /// What the amendments already sent moved Xero's total by (rule S11): increases less credits.
    pub fn amended_by(&self) -> Decimal {
        self.amendments
            .iter()
            .map(|a| match a.kind {
                InvoiceKind::Invoice => a.amount,
                InvoiceKind::CreditNote => -a.amount,
            })
            .sum()
    }
}

/// A payment made in Xero against an invoice (rule U7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub date: IsoDate,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub amount: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reference: Option<String>,
}

/// A credit note allocated in Xero to an invoice (rule U7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Credit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub date: Option<IsoDate>,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::Decimal"))]
    pub amount: Decimal,
}

impl Invoice {
    /// How errors name this record: `invoice inv-1` or `credit note cn-1`.
    pub fn record_ref(&self) -> RecordRef {
        RecordRef::new(self.kind.record_kind(), self.id.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum InvoiceKind {
    #[default]
    Invoice,
    CreditNote,
}

impl InvoiceKind {
    pub fn record_kind(self) -> RecordKind {
        match self {
            InvoiceKind::Invoice => RecordKind::Invoice,
            InvoiceKind::CreditNote => RecordKind::CreditNote,
        }
    }
}

/// Xero's `LineAmountTypes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum AmountsAre {
    #[default]
    Exclusive,
    Inclusive,
    NoTax,
}

impl AmountsAre {
    /// The spelling of Xero's `LineAmountTypes` enum.
    pub fn xero_name(self) -> &'static str {
        match self {
            AmountsAre::Exclusive => "Exclusive",
            AmountsAre::Inclusive => "Inclusive",
            AmountsAre::NoTax => "NoTax",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "CrmInvoiceStatus"))]
pub enum InvoiceStatus {
    Created,
    Pending,
    Live,
    #[serde(rename = "Part Paid")]
    PartPaid,
    Paid,
    Cancelled,
}

impl InvoiceStatus {
    /// The CRM's spelling (`"Part Paid"`).
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Created => "Created",
            InvoiceStatus::Pending => "Pending",
            InvoiceStatus::Live => "Live",
            InvoiceStatus::PartPaid => "Part Paid",
            InvoiceStatus::Paid => "Paid",
            InvoiceStatus::Cancelled => "Cancelled",
        }
    }
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Line {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub description: String,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub quantity: Decimal,
    /// Undiscounted unit price.
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub list_price: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_code: Option<String>,
    /// Rule K1: CRM field → value (`{ "Region": "North" }`), mapped to Xero tracking by `settings.trackingMapping`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tracking: BTreeMap<String, String>,
}

/// A line discount: a percentage, or an amount off the whole line (exactly one; checked by validation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discount {
    #[serde(
        default,
        deserialize_with = "de_opt_decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub percent: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "de_opt_decimal",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Company {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xero_contact_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "de_opt_decimal",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "ts", ts(as = "Option<crate::ts::DecimalInput>"))]
    pub balance: Option<Decimal>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub people: Vec<Person>,
    /// Rule S3b: what the CRM knows of the company goes on its contact; absent means "the CRM does not know" and
    /// never blanks Xero's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// The contact's default currency (ISO 4217, e.g. `GBP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Rule S3a: a person chose *create new* over the Xero contacts that matched this company.
    #[serde(default, deserialize_with = "de_bool_or_null")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional = nullable))]
    pub create_xero_contact: bool,
    /// Rule K2: the branding theme of this company's invoices (else the settings').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding_theme_id: Option<String>,
}

/// A company's postal address (rule S3b).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub lines: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Company {
    /// The primary person, else the first one.
    pub fn primary_person(&self) -> Option<&Person> {
        self.people
            .iter()
            .find(|p| p.primary)
            .or_else(|| self.people.first())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub first_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "de_bool_or_null")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional = nullable))]
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub unit_price: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_account_code: Option<String>,
}

/// A CRM tax rate and its Xero mapping (rule T1); `xeroTaxType` absent or null means unmapped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TaxRate {
    pub id: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub name: String,
    #[serde(deserialize_with = "de_decimal")]
    #[cfg_attr(feature = "ts", ts(as = "crate::ts::DecimalInput"))]
    pub percent: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xero_tax_type: Option<String>,
}

impl TaxRate {
    /// `vat20 (VAT 20%)`: how messages name a tax rate.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.name)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    #[serde(default, deserialize_with = "de_bool_or_null")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional = nullable))]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_sales_account_code: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub discount_strategy: DiscountStrategy,
    /// Rule S6a: `xero` (the default) leaves tax to Xero; `matchCrm` sends line `TaxAmount`s that reach the CRM's.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tax_strategy: TaxStrategy,
    /// Rule K2: the default branding theme (`BrandingThemeID`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branding_theme_id: Option<String>,
    /// Rule K1: CRM line field → Xero tracking category and its options.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub tracking_mapping: BTreeMap<String, TrackingMap>,
}

/// Rule K1: one CRM field mapped to a Xero tracking category: CRM value → Xero option name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TrackingMap {
    pub category: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub options: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            default_sales_account_code: None,
            discount_strategy: DiscountStrategy::Auto,
            tax_strategy: TaxStrategy::Xero,
            branding_theme_id: None,
            tracking_mapping: BTreeMap::new(),
        }
    }
}

/// How a line discount reaches Xero (rules S5, S6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum DiscountStrategy {
    /// A percentage where it reproduces the CRM line to the cent, else `DiscountAmount`.
    #[default]
    Auto,
    /// Always a percentage (2 dp); differences are reported.
    Rate,
    /// A percentage where it reproduces the CRM line, else the invoice is held back.
    Hold,
}

pub(crate) fn de_bool_or_null<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(deserializer)?.unwrap_or(false))
}
