//! The demo organisations (always present) and their data: `--seed demo` fills the UK and NZ demo organisations,
//! `--seed lived-in` fills `Lived-in Ltd (UK)` ([`lived_in`]).

pub mod lived_in;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use crate::accounting::writes::{self, WriteMode};
use crate::config::Seeds;
use crate::state::World;
use crate::store::{DocKind, Tenant, Tier, TrackingCategory};
use crate::taxrates::Country;

/// `Demo Company (UK)`: a UK organisation (VAT, GBP).
pub const DEMO_UK: Uuid = Uuid::from_u128(0x7f3c_1a2b_4d5e_4f60_8a71_b2c3_d4e5_f601);
/// `Demo Company (NZ)`: a New Zealand organisation (GST, NZD).
pub const DEMO_NZ: Uuid = Uuid::from_u128(0x7f3c_1a2b_4d5e_4f60_8a71_b2c3_d4e5_f602);
/// `Starter Shop (UK)`: a UK organisation on Xero's Starter tier (1,000 calls a day).
pub const DEMO_STARTER: Uuid = Uuid::from_u128(0x7f3c_1a2b_4d5e_4f60_8a71_b2c3_d4e5_f603);

/// `Lived-in Ltd (UK)`: a UK organisation with years of customers, items and invoices (`--seed lived-in`).
pub const LIVED_IN: Uuid = Uuid::from_u128(0x7f3c_1a2b_4d5e_4f60_8a71_b2c3_d4e5_f604);

/// Creates the four organisations, empty.
pub fn organisations(world: &mut World, now: DateTime<Utc>) {
    world.tenants = vec![
        Tenant::new(
            DEMO_UK,
            "Demo Company (UK)",
            Country::Uk,
            Tier::Standard,
            now,
        ),
        Tenant::new(
            DEMO_NZ,
            "Demo Company (NZ)",
            Country::Nz,
            Tier::Standard,
            now,
        ),
        Tenant::new(
            DEMO_STARTER,
            "Starter Shop (UK)",
            Country::Uk,
            Tier::Starter,
            now,
        ),
        Tenant::new(
            LIVED_IN,
            "Lived-in Ltd (UK)",
            Country::Uk,
            Tier::Standard,
            now,
        ),
    ];
}

/// Adds contacts, items, invoices (draft, authorised, part paid, paid) and a credit note to the UK and NZ demo
/// organisations, through the same validation as the API.
pub fn demo_data(world: &mut World, now: DateTime<Utc>) {
    for tenant in world.tenants.iter_mut() {
        if tenant.id == DEMO_UK || tenant.id == DEMO_NZ {
            seed_tenant(tenant, now);
        }
    }
    world.events.clear();
}

/// Adds the lived-in organisation's data (see [`lived_in`]).
pub fn lived_in_data(world: &mut World, now: DateTime<Utc>) {
    if let Some(tenant) = world.tenant_mut(LIVED_IN) {
        settings(tenant);
        let refused = lived_in::seed(tenant, now);
        // The module's own test keeps this empty; a refusal here means the API's rules moved under the data.
        debug_assert!(refused.is_empty(), "lived-in seed refused: {refused:?}");
    }
    world.events.clear();
}

/// Seeds what `seeds` asks for.
pub fn apply(world: &mut World, seeds: Seeds, now: DateTime<Utc>) {
    if seeds.demo {
        demo_data(world, now);
    }
    if seeds.lived_in {
        lived_in_data(world, now);
    }
}

/// Currencies beyond the base one and the tracking categories `Region` (North, South, East) and `Department`
/// (Sales, Support), plus an archived `Old Projects` (rules M1, K1).
pub fn settings(tenant: &mut Tenant) {
    match tenant.country {
        Country::Uk => tenant.enable_currencies(&["EUR", "USD"]),
        Country::Nz => tenant.enable_currencies(&["AUD", "USD"]),
    }
    let id = tenant.id;
    let mut old = TrackingCategory::new(id, "Old Projects", &["Alpha"]);
    old.status = "ARCHIVED".to_owned();
    tenant.tracking = vec![
        TrackingCategory::new(id, "Region", &["North", "South", "East"]),
        TrackingCategory::new(id, "Department", &["Sales", "Support"]),
        old,
    ];
}

fn seed_tenant(tenant: &mut Tenant, now: DateTime<Utc>) {
    settings(tenant);
    let mut events = Vec::new();
    let mut ctx = writes::WriteCtx {
        tenant,
        now,
        unit_dp: 2,
        events: &mut events,
    };
    for (name, number, first, last, email) in [
        ("Acme Ltd", "ACME01", "Ann", "Lee", "ann@acme.test"),
        (
            "Globex Corporation",
            "GLOBEX",
            "Hank",
            "Scorpio",
            "hank@globex.test",
        ),
        (
            "Initech",
            "INITECH",
            "Bill",
            "Lumbergh",
            "bill@initech.test",
        ),
    ] {
        let body = json!({ "Name": name, "ContactNumber": number, "FirstName": first, "LastName": last,
            "EmailAddress": email });
        let _ = writes::contact(&mut ctx, &body, WriteMode::Create, None);
    }
    for (code, name, price) in [
        ("WIDGET-B", "Widget, blue", 30.0),
        ("GADGET", "Gadget", 12.5),
        ("CONSULT-H", "Consulting hour", 95.0),
    ] {
        let body = json!({ "Code": code, "Name": name, "Description": name,
            "SalesDetails": { "UnitPrice": price, "AccountCode": "200", "TaxType": "OUTPUT2" } });
        let _ = writes::item(&mut ctx, &body, WriteMode::Create, None);
    }
    let today = now.date_naive();
    let due = today + chrono::Duration::days(30);
    let invoices = [
        ("DEMO-1001", "Acme Ltd", "DRAFT", 3, "WIDGET-B", Some(10.0)),
        (
            "DEMO-1002",
            "Globex Corporation",
            "AUTHORISED",
            2,
            "CONSULT-H",
            None,
        ),
        ("DEMO-1003", "Initech", "AUTHORISED", 4, "GADGET", None),
        ("DEMO-1004", "Acme Ltd", "AUTHORISED", 1, "CONSULT-H", None),
    ];
    let mut ids = Vec::new();
    for (number, contact, status, qty, item, discount) in invoices {
        let mut line = json!({ "ItemCode": item, "Quantity": qty });
        if let Some(rate) = discount {
            line["DiscountRate"] = json!(rate);
        }
        let body = json!({ "Type": "ACCREC", "InvoiceNumber": number, "Contact": { "Name": contact },
            "Date": today.to_string(), "DueDate": due.to_string(), "Status": status,
            "LineAmountTypes": "Exclusive", "LineItems": [line] });
        if let Ok(id) = writes::doc(&mut ctx, DocKind::Invoice, &body, WriteMode::Create, None) {
            ids.push(id);
        }
    }
    // DEMO-1003 part paid, DEMO-1004 paid in full.
    for (index, fraction) in [(2usize, 0.5f64), (3, 1.0)] {
        if let Some(&id) = ids.get(index) {
            let total = ctx.tenant.doc(id).map(|d| d.total).unwrap_or_default();
            let amount = (total
                * rust_decimal::Decimal::from_f64_retain(fraction).unwrap_or_default())
            .round_dp(2);
            let body = json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" },
                "Date": today.to_string(), "Amount": crate::json::money(amount) });
            let _ = writes::payment(&mut ctx, &body);
        }
    }
    let body = json!({ "Type": "ACCRECCREDIT", "CreditNoteNumber": "DEMO-CN-1", "Contact": { "Name": "Globex Corporation" },
        "Date": today.to_string(), "Status": "AUTHORISED",
        "LineItems": [{ "ItemCode": "GADGET", "Quantity": 1 }] });
    let _ = writes::doc(
        &mut ctx,
        DocKind::CreditNote,
        &body,
        WriteMode::Create,
        None,
    );
}
