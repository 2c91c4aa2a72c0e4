//! The organisations (tenants) and their records. Everything lives in one `World` behind one mutex: handlers do their
//! whole read-validate-write step while holding it, so concurrent requests see Xero's per-request atomicity.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::taxrates::{self, Country, TaxRate};

mod org;
mod records;

pub use org::{
    branding_themes, BrandingTheme, LineTracking, SentEmail, TrackingCategory, TrackingOption,
    THEME_SPECIAL, THEME_STANDARD,
};

pub use records::{
    Account, Allocation, Contact, Doc, DocKind, Item, Line, Payment, Person, Status, Tier, Typed,
};

/// A contact name as Xero compares names: case-insensitive, surrounding and repeated spaces ignored
/// (`"  ACME   ltd "` and `"Acme Ltd"` are the same name). Used by the uniqueness rule among active contacts, by an
/// invoice naming its contact, and by `GET /Contacts?where=Name=="…"`.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
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
    /// Enabled currencies (`GET /Currencies`), the base currency first.
    pub currencies: Vec<String>,
    /// Tracking categories (at most 2 ACTIVE).
    pub tracking: Vec<TrackingCategory>,
    /// Branding themes.
    pub themes: Vec<BrandingTheme>,
    /// Invoices emailed, in order.
    pub emails: Vec<SentEmail>,
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
            currencies: vec![country.currency().to_owned()],
            tracking: Vec::new(),
            themes: branding_themes(now),
            emails: Vec::new(),
        }
    }

    /// The organisation's currency.
    pub fn currency(&self) -> &'static str {
        self.country.currency()
    }

    /// Enables more currencies (ignoring those already enabled).
    pub fn enable_currencies(&mut self, codes: &[&str]) {
        for code in codes {
            if !self.currencies.iter().any(|c| c == code) {
                self.currencies.push((*code).to_owned());
            }
        }
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

    /// An active contact by name, as Xero compares names ([`name_key`]).
    pub fn active_contact_named(&self, name: &str) -> Option<&Contact> {
        let name = name_key(name);
        self.contacts
            .iter()
            .find(|c| c.status == "ACTIVE" && name_key(&c.name) == name)
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
    /// unallocated sales credit, in the base currency (foreign documents converted at their `CurrencyRate`).
    pub fn receivable_balance(&self, contact_id: Uuid, today: NaiveDate) -> (Decimal, Decimal) {
        let mut outstanding = Decimal::ZERO;
        let mut overdue = Decimal::ZERO;
        for doc in self
            .docs
            .iter()
            .filter(|d| d.contact_id == contact_id && d.status == Status::Authorised)
        {
            // In the base currency: a foreign document's amount divided by its rate (rule M1: never added up as is).
            let due = if doc.currency == self.currency() || doc.currency_rate <= Decimal::ZERO {
                doc.amount_due()
            } else {
                (doc.amount_due() / doc.currency_rate).round_dp(2)
            };
            match doc.doc_type.as_str() {
                "ACCREC" => {
                    outstanding += due;
                    if doc.due_date.is_some_and(|d| d < today) {
                        overdue += due;
                    }
                }
                "ACCRECCREDIT" => outstanding -= due,
                _ => {}
            }
        }
        (outstanding, overdue)
    }
}
