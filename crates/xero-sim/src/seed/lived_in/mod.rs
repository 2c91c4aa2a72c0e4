//! `Lived-in Ltd (UK)` with `--seed lived-in`: an organisation that has used Xero for years before xerosync arrives.
//! A few hundred customers (some archived, some with addresses, phones and VAT numbers), items, and invoices in every
//! state, plus records that collide with the demo CRM (`www/src/demo-data.js`, seed 20261126) the way a real
//! organisation's do: contacts named like CRM companies (other case and spacing, some archived), contact and account
//! numbers equal to CRM company ids and account numbers, two contacts sharing a CRM person's email, items with CRM
//! product codes but other names and prices, and invoices numbered like CRM invoices (typed in by hand long ago).
//!
//! Everything goes through the API's own validation (`writes::*`), so the data is what the API could have made.
//! Deterministic: names, numbers, amounts and date offsets come from arithmetic on the index; only record ids and the
//! dates (relative to the simulated today) differ between runs.

mod build;

pub use build::seed;

#[rustfmt::skip]
pub(super) const PLACES: [&str; 20] = [
    "Ashcombe", "Brockley", "Carrow", "Dunstan", "Eskdale", "Fernhill", "Glenrock", "Hawthorn", "Ivybridge", "Kelso",
    "Langford", "Marston", "Newbury", "Orwell", "Penrith", "Redmire", "Stourton", "Tilbury", "Ulverston", "Wexcombe",
];
#[rustfmt::skip]
pub(super) const TRADES: [&str; 15] = [
    "Joinery", "Plumbing", "Dental Care", "Bakery", "Motors", "Florists", "Accountants", "Cafe", "Electrical",
    "Roofing", "Kennels", "Opticians", "Print Shop", "Removals", "Tiling",
];
pub(super) const FIRST: [&str; 8] = ["Alex", "Bea", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal"];
pub(super) const LAST: [&str; 7] = ["Archer", "Brook", "Cole", "Dale", "Elms", "Ford", "Grey"];

/// How many ordinary customers (`PLACES` × `TRADES`).
pub const CUSTOMERS: usize = PLACES.len() * TRADES.len();

/// The i-th ordinary customer's name: `Ashcombe Joinery`, `Ashcombe Plumbing Ltd`, …
pub fn customer_name(i: usize) -> String {
    let name = format!("{} {}", PLACES[i / TRADES.len()], TRADES[i % TRADES.len()]);
    if i % 3 == 1 {
        format!("{name} Ltd")
    } else {
        name
    }
}

/// Every 17th ordinary customer is archived (the first is index 0).
pub fn customer_archived(i: usize) -> bool {
    i.is_multiple_of(17)
}

/// A contact colliding with a CRM company: (Name as stored in Xero, ContactNumber, AccountNumber, EmailAddress,
/// archived).
pub type Lookalike = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    bool,
);

const REDFERN_EMAIL: Option<&str> = Some("yusuf.fraser@redfern-and-hale-solicitors.example");
const UPLAND_EMAIL: Option<&str> = Some("kieran.khan@upland-veterinary-practice.example");

/// The contacts that collide with the demo CRM's companies (`co-N`, account numbers and primary emails as
/// `www/src/demo-data.js` makes them), one rule S3a case each.
#[rustfmt::skip]
pub const CRM_LOOKALIKES: &[Lookalike] = &[
    // co-1 Harbourline Logistics: one active contact, matched by number and by name alike.
    ("Harbourline Logistics", Some("co-1"), None, None, false),
    // co-2 Kestrel Dental Group: the same name in other case and spacing.
    ("  kestrel DENTAL   group ", None, None, None, false),
    // co-3 Millbrook Bakery: only an archived namesake.
    ("MILLBROOK BAKERY", None, None, None, true),
    // co-4 Northgate Architects: an archived namesake and an active one.
    ("Northgate Architects", None, None, None, true),
    ("northgate  architects", None, None, None, false),
    // co-5 Pennine Outdoor: another name, ContactNumber = the CRM company id.
    ("Pennine Outdoor Ltd", Some("co-5"), None, None, false),
    // co-6 Quayside Marine Supplies: another name, AccountNumber = the CRM account number.
    ("Quayside Marine", None, Some("QUAY06"), None, false),
    // co-7 Redfern & Hale Solicitors: two active contacts with the primary person's email.
    ("Redfern and Hale LLP", None, None, REDFERN_EMAIL, false),
    ("R&H Solicitors (old ledger)", None, None, REDFERN_EMAIL, false),
    // co-8 Saltmarsh Brewing Co: the company id on one contact, the name on another.
    ("Saltmarsh Brewery", Some("co-8"), None, None, false),
    ("SALTMARSH brewing co", None, None, None, false),
    // co-9 Thistle Print Works: archived, with the CRM account number.
    ("Thistle Print Works", None, Some("THIS09"), None, true),
    // co-10 Upland Veterinary Practice: another name, the primary person's email.
    ("Upland Vets", None, None, UPLAND_EMAIL, false),
];

/// Items with CRM product codes, other names and prices: (Code, Name, UnitPrice, AccountCode).
pub const CRM_CODE_ITEMS: &[(&str, &str, &str, &str)] = &[
    ("CONS-HOUR", "Consulting (2019 rate)", "75.00", "200"),
    ("TRAIN-SEAT", "Course place", "225.00", "200"),
    ("HW-ROUTER", "Router - legacy stock", "199.00", "200"),
    ("DOMAIN-UK", "Domain renewal", "12.00", "260"),
];
pub(super) const OWN_ITEMS: &[(&str, &str, &str, &str)] = &[
    ("LI-SERVICE", "Service call", "60.00", "200"),
    ("LI-PARTS", "Parts", "15.50", "200"),
    ("LI-RETAINER", "Monthly retainer", "250.00", "200"),
];

/// Invoices numbered like CRM invoices, on ordinary customers: (InvoiceNumber, Status, paid in full / part / none).
pub const CRM_NUMBERED_INVOICES: &[(&str, &str, Paid)] = &[
    ("INV-1001", "DRAFT", Paid::None),
    ("INV-1002", "AUTHORISED", Paid::None),
    ("INV-1003", "AUTHORISED", Paid::Part),
    ("INV-1004", "AUTHORISED", Paid::Full),
];

/// How much of an invoice the seed pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paid {
    /// Nothing.
    None,
    /// 40 %, rounded to the penny.
    Part,
    /// All of it (status PAID).
    Full,
}

/// How many `LI-0001`… invoices (statuses cycle DRAFT, AUTHORISED, part paid, PAID, overdue AUTHORISED).
pub const LI_INVOICES: usize = 60;
