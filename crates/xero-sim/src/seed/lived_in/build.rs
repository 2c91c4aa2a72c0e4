//! Building the lived-in organisation through the API's own write functions, from the tables in the parent module.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{
    customer_archived, customer_name, Paid, CRM_CODE_ITEMS, CRM_LOOKALIKES, CRM_NUMBERED_INVOICES,
    CUSTOMERS, FIRST, LAST, LI_INVOICES, OWN_ITEMS, PLACES, TRADES,
};
use crate::accounting::writes::{self, WriteCtx, WriteMode};
use crate::store::{DocKind, Tenant};

/// Seeds `tenant`; returns the refusals (none, unless the API's rules and this data disagree).
pub fn seed(tenant: &mut Tenant, now: DateTime<Utc>) -> Vec<String> {
    let mut events = Vec::new();
    let mut ctx = WriteCtx {
        tenant,
        now,
        unit_dp: 2,
        events: &mut events,
    };
    let mut refused = Vec::new();
    let mut check = |what: String, outcome: Result<Uuid, Vec<String>>| match outcome {
        Ok(id) => Some(id),
        Err(e) => {
            refused.push(format!("{what}: {}", e.join(" ")));
            None
        }
    };
    for i in 0..CUSTOMERS {
        let body = customer(i);
        check(
            customer_name(i),
            writes::contact(&mut ctx, &body, WriteMode::Create, None),
        );
    }
    for &(name, number, account, email, archived) in CRM_LOOKALIKES {
        let mut body =
            json!({ "Name": name, "ContactStatus": if archived { "ARCHIVED" } else { "ACTIVE" } });
        for (key, value) in [
            ("ContactNumber", number),
            ("AccountNumber", account),
            ("EmailAddress", email),
        ] {
            if let Some(v) = value {
                body[key] = json!(v);
            }
        }
        check(
            name.to_owned(),
            writes::contact(&mut ctx, &body, WriteMode::Create, None),
        );
    }
    for &(code, name, price, account) in CRM_CODE_ITEMS.iter().chain(OWN_ITEMS) {
        let body = json!({ "Code": code, "Name": name, "Description": name,
            "SalesDetails": { "UnitPrice": price, "AccountCode": account, "TaxType": "OUTPUT2" } });
        check(
            code.to_owned(),
            writes::item(&mut ctx, &body, WriteMode::Create, None),
        );
    }
    let today = now.date_naive();
    let mut invoices: Vec<(String, String, Paid, i64, String)> = CRM_NUMBERED_INVOICES
        .iter()
        .enumerate()
        .map(|(k, &(n, s, p))| {
            (
                n.to_owned(),
                s.to_owned(),
                p,
                200 + 30 * k as i64,
                active_customer(k * 7 + 2),
            )
        })
        .collect();
    invoices.push((
        "LI-HARB-1".into(),
        "AUTHORISED".into(),
        Paid::Part,
        20,
        "Harbourline Logistics".into(),
    ));
    invoices.push((
        "LI-NORT-1".into(),
        "AUTHORISED".into(),
        Paid::None,
        10,
        "northgate  architects".into(),
    ));
    for i in 0..LI_INVOICES {
        let (status, paid, age) = match i % 5 {
            0 => ("DRAFT", Paid::None, 3),
            1 => ("AUTHORISED", Paid::None, 10),
            2 => ("AUTHORISED", Paid::Part, 25),
            3 => ("AUTHORISED", Paid::Full, 40),
            _ => ("AUTHORISED", Paid::None, 75),
        };
        invoices.push((
            format!("LI-{:04}", i + 1),
            status.into(),
            paid,
            age + (i as i64 % 9),
            active_customer(i * 4),
        ));
    }
    for (k, (number, status, paid, age, contact)) in invoices.iter().enumerate() {
        let date = today - Duration::days(*age);
        let body = invoice_body(k, number, status, contact, date);
        let Some(id) = check(
            number.clone(),
            writes::doc(&mut ctx, DocKind::Invoice, &body, WriteMode::Create, None),
        ) else {
            continue;
        };
        let total = ctx.tenant.doc(id).map(|d| d.total).unwrap_or_default();
        let amount = match paid {
            Paid::None => continue,
            Paid::Part => (total * Decimal::new(4, 1)).round_dp(2),
            Paid::Full => total,
        };
        let body = json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" },
            "Date": (date + Duration::days(5)).to_string(), "Amount": amount.to_string(),
            "Reference": format!("BACS {number}") });
        check(
            format!("payment on {number}"),
            writes::payment(&mut ctx, &body),
        );
    }
    // Cancelled ones: a voided invoice and a deleted draft.
    for (number, status) in [("LI-0900", "VOIDED"), ("LI-0901", "DELETED")] {
        let first = if status == "VOIDED" {
            "AUTHORISED"
        } else {
            "DRAFT"
        };
        let body = invoice_body(
            1,
            number,
            first,
            &active_customer(5),
            today - Duration::days(50),
        );
        if check(
            number.to_owned(),
            writes::doc(&mut ctx, DocKind::Invoice, &body, WriteMode::Create, None),
        )
        .is_some()
        {
            let cancel = json!({ "InvoiceNumber": number, "Status": status });
            check(
                number.to_owned(),
                writes::doc(
                    &mut ctx,
                    DocKind::Invoice,
                    &cancel,
                    WriteMode::CreateOrUpdate,
                    None,
                ),
            );
        }
    }
    // Credit: LI-CN-1 (20.00 + VAT) allocated 10.00 to LI-0002; LI-CN-2 left unallocated.
    for (number, contact) in [
        ("LI-CN-1", active_customer(4)),
        ("LI-CN-2", active_customer(8)),
    ] {
        let body = json!({ "Type": "ACCRECCREDIT", "CreditNoteNumber": number, "Contact": { "Name": contact },
            "Date": today.to_string(), "Status": "AUTHORISED",
            "LineItems": [{ "Description": "Goodwill credit", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200", "TaxType": "OUTPUT2" }] });
        check(
            number.to_owned(),
            writes::doc(
                &mut ctx,
                DocKind::CreditNote,
                &body,
                WriteMode::Create,
                None,
            ),
        );
    }
    let body = json!({ "Invoice": { "InvoiceNumber": "LI-0002" }, "Amount": "10.00", "Date": today.to_string() });
    check(
        "LI-CN-1 allocation".into(),
        writes::allocation(&mut ctx, "LI-CN-1", &body),
    );
    refused
}

/// The name of an active ordinary customer at or after index `i`.
fn active_customer(i: usize) -> String {
    let i = (i..)
        .find(|&k| !customer_archived(k % CUSTOMERS))
        .unwrap_or(1);
    customer_name(i % CUSTOMERS)
}

fn customer(i: usize) -> Value {
    let name = customer_name(i);
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut body = json!({
        "Name": name,
        "FirstName": FIRST[i % FIRST.len()],
        "LastName": LAST[(i / 3) % LAST.len()],
        "EmailAddress": format!("accounts@{slug}.test"),
        "ContactStatus": if customer_archived(i) { "ARCHIVED" } else { "ACTIVE" },
    });
    if i.is_multiple_of(2) {
        body["AccountNumber"] = json!(format!("LI{:04}", i + 1));
    }
    if i.is_multiple_of(3) {
        body["Addresses"] = json!([
            { "AddressType": "POBOX", "AddressLine1": format!("PO Box {}", 100 + i), "City": PLACES[i / TRADES.len()],
              "PostalCode": format!("LV{} {}AB", i % 90 + 1, i % 9), "Country": "United Kingdom" },
            { "AddressType": "STREET", "AddressLine1": format!("{} Market Street", i % 120 + 1), "City": PLACES[i / TRADES.len()] }
        ]);
    }
    if i.is_multiple_of(4) {
        body["Phones"] =
            json!([{ "PhoneType": "DEFAULT", "PhoneNumber": format!("01632 {:06}", 960_000 + i) }]);
    }
    if i.is_multiple_of(5) {
        body["TaxNumber"] = json!(format!("GB{:09}", 100_000_000 + i * 7919));
        body["DefaultCurrency"] = json!("GBP");
    }
    body
}

fn invoice_body(k: usize, number: &str, status: &str, contact: &str, date: NaiveDate) -> Value {
    let code = ["LI-SERVICE", "CONS-HOUR", "LI-RETAINER"][k % 3];
    let mut lines = vec![json!({ "ItemCode": code, "Quantity": k % 4 + 1 })];
    if k % 2 == 1 {
        lines.push(json!({ "ItemCode": "LI-PARTS", "Quantity": k % 7 + 1, "DiscountRate": 10 }));
    }
    json!({ "Type": "ACCREC", "InvoiceNumber": number, "Contact": { "Name": contact },
        "Date": date.to_string(), "DueDate": (date + Duration::days(30)).to_string(), "Status": status,
        "Reference": format!("Job {}", 4000 + k), "LineAmountTypes": "Exclusive", "LineItems": lines })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::lived_in::{customer_name, CRM_LOOKALIKES, CUSTOMERS, LI_INVOICES};
    use crate::store::{name_key, Tier};
    use crate::taxrates::Country;

    #[test]
    fn everything_seeds_without_a_refusal_and_only_the_lookalikes_collide() {
        let mut t = Tenant::new(Uuid::nil(), "t", Country::Uk, Tier::Standard, Utc::now());
        assert_eq!(seed(&mut t, Utc::now()), Vec::<String>::new());
        assert_eq!(t.contacts.len(), CUSTOMERS + CRM_LOOKALIKES.len());
        // The ordinary customers never collide with a CRM company name.
        let crm = [
            "Harbourline Logistics",
            "Kestrel Dental Group",
            "Driftwood Cafe",
            "Ironbridge Joinery",
        ];
        for i in 0..CUSTOMERS {
            assert!(crm
                .iter()
                .all(|c| name_key(c) != name_key(&customer_name(i))));
        }
        assert!(t.docs.iter().filter(|d| d.kind == DocKind::Invoice).count() >= LI_INVOICES + 6);
    }
}
