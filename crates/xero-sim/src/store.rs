//! The organisations (tenants) and their records. Everything lives in one `World` behind one mutex: handlers do their
//! whole read-validate-write step while holding it, so concurrent requests see Xero's per-request atomicity.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::maths::{AmountsAre, Discount};
use crate::taxrates::{self, Country, TaxRate};

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

/// A contact.
#[derive(Debug, Clone, PartialEq)]
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

/// One organisation and its records.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// `tenantId` = `OrganisationID`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// UK or NZ: tax rates, currency, version.
    pub country: Country,
    /// Rate-limit tier.
    pub tier: Tier,
    /// When the organisation was created.
    pub created: DateTime<Utc>,
    /// Invoices and credit notes, in creation order.
    pub docs: Vec<Doc>,
    /// Index: document id → position in `docs`.
    pub doc_by_id: HashMap<Uuid, usize>,
    /// Index: (kind, lower-case number) → position in `docs` (ACCREC and ACCRECCREDIT numbers).
    pub doc_by_number: HashMap<(DocKind, String), usize>,
    /// Contacts, in creation order.
    pub contacts: Vec<Contact>,
    /// Index: contact id → position.
    pub contact_by_id: HashMap<Uuid, usize>,
    /// Items, in creation order.
    pub items: Vec<Item>,
    /// Payments, in creation order.
    pub payments: Vec<Payment>,
    /// Allocations, in creation order.
    pub allocations: Vec<Allocation>,
    /// The tax rates.
    pub tax_rates: Vec<TaxRate>,
    /// The chart of accounts.
    pub accounts: Vec<Account>,
    /// Next automatic invoice number.
    pub next_invoice_number: u32,
    /// Next automatic credit-note number.
    pub next_credit_note_number: u32,
}

impl Tenant {
    /// A new, empty organisation with its country's tax rates and accounts.
    pub fn new(id: Uuid, name: &str, country: Country, tier: Tier, now: DateTime<Utc>) -> Self {
        Self {
            id,
            name: name.to_owned(),
            country,
            tier,
            created: now,
            docs: Vec::new(),
            doc_by_id: HashMap::new(),
            doc_by_number: HashMap::new(),
            contacts: Vec::new(),
            contact_by_id: HashMap::new(),
            items: Vec::new(),
            payments: Vec::new(),
            allocations: Vec::new(),
            tax_rates: taxrates::for_country(country),
            accounts: taxrates::accounts(country),
            next_invoice_number: 1,
            next_credit_note_number: 1,
        }
    }

    /// The organisation's currency.
    pub fn currency(&self) -> &'static str {
        self.country.currency()
    }

    /// A document by id.
    pub fn doc(&self, id: Uuid) -> Option<&Doc> {
        self.doc_by_id.get(&id).map(|&i| &self.docs[i])
    }

    /// A document by id, mutably.
    pub fn doc_mut(&mut self, id: Uuid) -> Option<&mut Doc> {
        self.doc_by_id.get(&id).map(|&i| &mut self.docs[i])
    }

    /// A receivable document of this kind by its number (case-insensitive, as Xero compares them).
    pub fn doc_by_number(&self, kind: DocKind, number: &str) -> Option<&Doc> {
        self.doc_by_number
            .get(&(kind, number.to_lowercase()))
            .map(|&i| &self.docs[i])
    }

    /// Stores a new document or replaces the one with the same id, keeping the indexes right.
    pub fn put_doc(&mut self, doc: Doc) {
        let numbered = matches!(doc.doc_type.as_str(), "ACCREC" | "ACCRECCREDIT");
        let key = (doc.kind, doc.number.to_lowercase());
        match self.doc_by_id.get(&doc.id).copied() {
            Some(i) => {
                let old_key = (self.docs[i].kind, self.docs[i].number.to_lowercase());
                if self.doc_by_number.get(&old_key) == Some(&i) {
                    self.doc_by_number.remove(&old_key);
                }
                if numbered {
                    self.doc_by_number.insert(key, i);
                }
                self.docs[i] = doc;
            }
            None => {
                let i = self.docs.len();
                self.doc_by_id.insert(doc.id, i);
                if numbered {
                    self.doc_by_number.insert(key, i);
                }
                self.docs.push(doc);
            }
        }
    }

    /// A contact by id.
    pub fn contact(&self, id: Uuid) -> Option<&Contact> {
        self.contact_by_id.get(&id).map(|&i| &self.contacts[i])
    }

    /// An active contact by name (case-insensitive).
    pub fn active_contact_named(&self, name: &str) -> Option<&Contact> {
        let name = name.trim().to_lowercase();
        self.contacts
            .iter()
            .find(|c| c.status == "ACTIVE" && c.name.trim().to_lowercase() == name)
    }

    /// Stores a new contact or replaces the one with the same id.
    pub fn put_contact(&mut self, contact: Contact) {
        match self.contact_by_id.get(&contact.id).copied() {
            Some(i) => self.contacts[i] = contact,
            None => {
                self.contact_by_id.insert(contact.id, self.contacts.len());
                self.contacts.push(contact);
            }
        }
    }

    /// An item by its code (case-insensitive).
    pub fn item_by_code(&self, code: &str) -> Option<&Item> {
        let code = code.to_lowercase();
        self.items.iter().find(|i| i.code.to_lowercase() == code)
    }

    /// A tax rate by its `TaxType`.
    pub fn tax_rate(&self, tax_type: &str) -> Option<&TaxRate> {
        self.tax_rates.iter().find(|t| t.tax_type == tax_type)
    }

    /// An account by code.
    pub fn account(&self, code: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.code == code)
    }

    /// The next free automatic number, `INV-0001` or `CN-0001`.
    pub fn next_number(&mut self, kind: DocKind) -> String {
        loop {
            let (prefix, n) = match kind {
                DocKind::Invoice => ("INV", &mut self.next_invoice_number),
                DocKind::CreditNote => ("CN", &mut self.next_credit_note_number),
            };
            let candidate = format!("{prefix}-{:04}", *n);
            *n += 1;
            if self.doc_by_number(kind, &candidate).is_none() {
                return candidate;
            }
        }
    }

    /// `Balances.AccountsReceivable`: (outstanding, overdue) of a contact's authorised sales invoices, less its
    /// unallocated sales credit.
    pub fn receivable_balance(&self, contact_id: Uuid, today: NaiveDate) -> (Decimal, Decimal) {
        let mut outstanding = Decimal::ZERO;
        let mut overdue = Decimal::ZERO;
        for doc in self
            .docs
            .iter()
            .filter(|d| d.contact_id == contact_id && d.status == Status::Authorised)
        {
            match doc.doc_type.as_str() {
                "ACCREC" => {
                    outstanding += doc.amount_due();
                    if doc.due_date.is_some_and(|due| due < today) {
                        overdue += doc.amount_due();
                    }
                }
                "ACCRECCREDIT" => outstanding -= doc.amount_due(),
                _ => {}
            }
        }
        (outstanding, overdue)
    }
}
