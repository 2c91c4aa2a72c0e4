//! The record types: documents (invoices and credit notes) with their lines, contacts, items, payments,
//! allocations, accounts.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::maths::{AmountsAre, Discount};

/// Xero's document statuses (invoices and credit notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Draft.
    Draft,
    /// Awaiting approval.
    Submitted,
    /// Approved: payments and allocations may arrive.
    Authorised,
    /// Fully paid (or fully credited).
    Paid,
    /// Voided (was authorised).
    Voided,
    /// Deleted (was a draft).
    Deleted,
}

impl Status {
    /// Parses Xero's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "DRAFT" => Self::Draft,
            "SUBMITTED" => Self::Submitted,
            "AUTHORISED" => Self::Authorised,
            "PAID" => Self::Paid,
            "VOIDED" => Self::Voided,
            "DELETED" => Self::Deleted,
            _ => return None,
        })
    }

    /// Xero's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Submitted => "SUBMITTED",
            Self::Authorised => "AUTHORISED",
            Self::Paid => "PAID",
            Self::Voided => "VOIDED",
            Self::Deleted => "DELETED",
        }
    }
}

/// Invoice or credit note: they share maths, statuses and most fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// `/Invoices`.
    Invoice,
    /// `/CreditNotes`.
    CreditNote,
}

impl DocKind {
    /// The collection name (`Invoices` / `CreditNotes`): the JSON key and the URL segment.
    pub fn collection(self) -> &'static str {
        match self {
            Self::Invoice => "Invoices",
            Self::CreditNote => "CreditNotes",
        }
    }
    /// The id field (`InvoiceID` / `CreditNoteID`).
    pub fn id_field(self) -> &'static str {
        match self {
            Self::Invoice => "InvoiceID",
            Self::CreditNote => "CreditNoteID",
        }
    }
    /// The number field (`InvoiceNumber` / `CreditNoteNumber`).
    pub fn number_field(self) -> &'static str {
        match self {
            Self::Invoice => "InvoiceNumber",
            Self::CreditNote => "CreditNoteNumber",
        }
    }
    /// The webhook event category.
    pub fn event_category(self) -> &'static str {
        match self {
            Self::Invoice => "INVOICE",
            Self::CreditNote => "CREDITNOTE",
        }
    }
}

/// One stored line item.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// `LineItemID`.
    pub id: Uuid,
    /// `Description`.
    pub description: String,
    /// `Quantity` (up to 4 dp).
    pub quantity: Decimal,
    /// `UnitAmount` as stored (up to 4 dp; shown at 2 dp without `unitdp=4`).
    pub unit_amount: Decimal,
    /// `ItemCode`.
    pub item_code: Option<String>,
    /// `AccountCode`.
    pub account_code: Option<String>,
    /// `TaxType`.
    pub tax_type: String,
    /// `TaxAmount` (2 dp).
    pub tax_amount: Decimal,
    /// `LineAmount` (2 dp).
    pub line_amount: Decimal,
    /// The discount as given.
    pub discount: Discount,
    /// `Tracking` (at most one option per category).
    pub tracking: Vec<super::LineTracking>,
}

/// An invoice or a credit note.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Invoice or credit note.
    pub kind: DocKind,
    /// `InvoiceID` / `CreditNoteID`.
    pub id: Uuid,
    /// `Type`: ACCREC, ACCPAY, ACCRECCREDIT, ACCPAYCREDIT.
    pub doc_type: String,
    /// `InvoiceNumber` / `CreditNoteNumber`.
    pub number: String,
    /// `Reference`.
    pub reference: Option<String>,
    /// The contact.
    pub contact_id: Uuid,
    /// `Date`.
    pub date: NaiveDate,
    /// `DueDate`.
    pub due_date: Option<NaiveDate>,
    /// `Status`.
    pub status: Status,
    /// `LineAmountTypes`.
    pub amounts_are: AmountsAre,
    /// `LineItems`.
    pub lines: Vec<Line>,
    /// `CurrencyCode`.
    pub currency: String,
    /// `CurrencyRate`: units of `currency` per unit of the base currency (1 in the base currency).
    pub currency_rate: Decimal,
    /// `BrandingThemeID`.
    pub branding_theme: Option<Uuid>,
    /// `SubTotal`.
    pub sub_total: Decimal,
    /// `TotalTax`.
    pub total_tax: Decimal,
    /// `Total`.
    pub total: Decimal,
    /// `TotalDiscount`.
    pub total_discount: Decimal,
    /// `AmountPaid` (payments; refunds on credit notes).
    pub amount_paid: Decimal,
    /// Invoices: `AmountCredited` (credit notes allocated). Credit notes: the amount allocated to invoices.
    pub amount_credited: Decimal,
    /// `FullyPaidOnDate`.
    pub fully_paid_on: Option<NaiveDate>,
    /// `Url`.
    pub url: Option<String>,
    /// `SentToContact`: emailed through `POST /Invoices/{id}/Email`.
    pub sent_to_contact: bool,
    /// `UpdatedDateUTC`.
    pub updated: DateTime<Utc>,
    /// Payments applied, in order.
    pub payments: Vec<Uuid>,
    /// Allocations (credit note → invoice), in order.
    pub allocations: Vec<Uuid>,
}

impl Doc {
    /// `AmountDue` (invoices) / `RemainingCredit` (credit notes).
    pub fn amount_due(&self) -> Decimal {
        match self.status {
            Status::Voided | Status::Deleted => Decimal::ZERO,
            _ => self.total - self.amount_paid - self.amount_credited,
        }
    }
}

/// A contact person.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// `FirstName`.
    pub first_name: Option<String>,
    /// `LastName`.
    pub last_name: Option<String>,
    /// `EmailAddress`.
    pub email: Option<String>,
    /// `IncludeInEmails`.
    pub include_in_emails: bool,
}

/// An address or a phone number of a contact: its type (`AddressType` POBOX/STREET, `PhoneType` DEFAULT/MOBILE/…)
/// and its text fields in the order given (`AddressLine1`, `City`, … or `PhoneNumber`, `PhoneAreaCode`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Typed {
    /// `AddressType` / `PhoneType`.
    pub kind: String,
    /// The other fields, as (Xero's field name, value).
    pub fields: Vec<(String, String)>,
}

/// A contact.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contact {
    /// `ContactID`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// `ContactNumber`.
    pub number: Option<String>,
    /// `AccountNumber`.
    pub account_number: Option<String>,
    /// `ContactStatus`: ACTIVE or ARCHIVED.
    pub status: String,
    /// The primary person: `FirstName`, `LastName`, `EmailAddress`.
    pub first_name: Option<String>,
    /// See `first_name`.
    pub last_name: Option<String>,
    /// See `first_name`.
    pub email: Option<String>,
    /// `ContactPersons` (at most 5).
    pub persons: Vec<Person>,
    /// `CompanyNumber` (company registration number, ≤ 50).
    pub company_number: Option<String>,
    /// `TaxNumber` (VAT / GST number, ≤ 50).
    pub tax_number: Option<String>,
    /// `DefaultCurrency`.
    pub default_currency: Option<String>,
    /// `Addresses`, at most one per `AddressType`.
    pub addresses: Vec<Typed>,
    /// `Phones`, at most one per `PhoneType`.
    pub phones: Vec<Typed>,
    /// `UpdatedDateUTC`.
    pub updated: DateTime<Utc>,
}

/// An item (product).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// `ItemID`.
    pub id: Uuid,
    /// `Code` (≤ 30).
    pub code: String,
    /// `Name` (≤ 50).
    pub name: String,
    /// `Description` (sales, ≤ 4000).
    pub description: Option<String>,
    /// `SalesDetails.UnitPrice`.
    pub sales_price: Option<Decimal>,
    /// `SalesDetails.AccountCode`.
    pub sales_account: Option<String>,
    /// `SalesDetails.TaxType`.
    pub sales_tax_type: Option<String>,
    /// `IsSold`.
    pub is_sold: bool,
    /// `IsPurchased`.
    pub is_purchased: bool,
    /// `UpdatedDateUTC`.
    pub updated: DateTime<Utc>,
}

/// A payment against an invoice (or a refund against a credit note).
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    /// `PaymentID`.
    pub id: Uuid,
    /// The document paid.
    pub doc_id: Uuid,
    /// Which kind of document.
    pub doc_kind: DocKind,
    /// `Account.Code` of the bank account.
    pub account_code: String,
    /// `Date`.
    pub date: NaiveDate,
    /// `Amount`.
    pub amount: Decimal,
    /// `Reference`.
    pub reference: Option<String>,
    /// `UpdatedDateUTC`.
    pub updated: DateTime<Utc>,
}

/// A credit note allocated to an invoice.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// `AllocationID`.
    pub id: Uuid,
    /// The credit note.
    pub credit_note_id: Uuid,
    /// The invoice.
    pub invoice_id: Uuid,
    /// `Amount`.
    pub amount: Decimal,
    /// `Date`.
    pub date: NaiveDate,
}

/// A chart-of-accounts entry (only what validation needs).
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// `Code`.
    pub code: &'static str,
    /// `Name`.
    pub name: &'static str,
    /// `Type`: REVENUE, BANK, EXPENSE, SALES.
    pub kind: &'static str,
    /// The tax type lines on this account default to.
    pub default_tax: &'static str,
}

/// The rate-limit tier of an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// 5,000 calls a day.
    Standard,
    /// Xero's Starter tier: 1,000 calls a day.
    Starter,
}
