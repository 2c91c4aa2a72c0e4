//! Records as Xero's JSON shows them (field names from `third_party/xero-openapi/xero_accounting.yaml`).

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use crate::json::{money, ms_date, ms_date_time};
use crate::maths::{self, Discount};
use crate::store::{Allocation, Contact, Doc, DocKind, Item, Payment, Tenant, Typed};

/// How much of a document to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Everything (single reads, write answers, paged lists).
    Full,
    /// No line items (unpaged lists, as Xero answers them).
    Summary,
}

fn contact_ref(tenant: &Tenant, id: uuid::Uuid) -> Value {
    match tenant.contact(id) {
        Some(c) => json!({ "ContactID": c.id, "Name": c.name, "ContactStatus": c.status }),
        None => json!({ "ContactID": id }),
    }
}

/// An invoice or credit note. `unit_dp` is 2, or 4 with `unitdp=4`.
pub fn doc(tenant: &Tenant, d: &Doc, unit_dp: u32, detail: Detail) -> Value {
    let mut v = Map::new();
    let mut put = |k: &str, val: Value| {
        v.insert(k.to_owned(), val);
    };
    put("Type", json!(d.doc_type));
    put(d.kind.id_field(), json!(d.id));
    put(d.kind.number_field(), json!(d.number));
    if let Some(r) = &d.reference {
        put("Reference", json!(r));
    }
    put("Contact", contact_ref(tenant, d.contact_id));
    put("Date", json!(ms_date(d.date)));
    if let Some(due) = d.due_date {
        put("DueDate", json!(ms_date(due)));
    }
    put("Status", json!(d.status.as_str()));
    put("LineAmountTypes", json!(d.amounts_are.as_str()));
    if detail == Detail::Full {
        put(
            "LineItems",
            Value::Array(d.lines.iter().map(|l| line(l, unit_dp)).collect()),
        );
    }
    put("SubTotal", money(d.sub_total));
    put("TotalTax", money(d.total_tax));
    put("Total", money(d.total));
    put("UpdatedDateUTC", json!(ms_date_time(d.updated)));
    put("CurrencyCode", json!(d.currency));
    put("CurrencyRate", money(d.currency_rate));
    if let Some(theme) = d.branding_theme {
        put("BrandingThemeID", json!(theme));
    }
    match d.kind {
        DocKind::Invoice => {
            put("TotalDiscount", money(d.total_discount));
            put(
                "IsDiscounted",
                json!(d.lines.iter().any(|l| l.discount != Discount::None)),
            );
            put("AmountDue", money(d.amount_due()));
            put("AmountPaid", money(d.amount_paid));
            put("AmountCredited", money(d.amount_credited));
            put(
                "UpdatedDateUTCString",
                json!(d.updated.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            );
            if d.sent_to_contact {
                put("SentToContact", json!(true));
            }
            if let Some(url) = &d.url {
                put("Url", json!(url));
            }
        }
        DocKind::CreditNote => {
            put("RemainingCredit", money(d.amount_due()));
        }
    }
    if let Some(paid) = d.fully_paid_on {
        put("FullyPaidOnDate", json!(ms_date(paid)));
    }
    // Payments and allocated credit come with every read, lists included (only line items wait for a single read
    // or a paged list): a client reading balances needs the money behind them (rule U7).
    {
        let payments: Vec<Value> = tenant
            .payments
            .iter()
            .filter(|p| p.doc_id == d.id)
            .map(|p| {
                json!({ "PaymentID": p.id, "Date": ms_date(p.date), "Amount": money(p.amount),
                "Reference": p.reference.clone().unwrap_or_default() })
            })
            .collect();
        put("Payments", Value::Array(payments));
        let allocations: Vec<&Allocation> = tenant
            .allocations
            .iter()
            .filter(|a| a.invoice_id == d.id || a.credit_note_id == d.id)
            .collect();
        match d.kind {
            DocKind::Invoice => {
                let notes = allocations
                    .iter()
                    .filter_map(|a| tenant.doc(a.credit_note_id).map(|cn| (a, cn)))
                    .map(|(a, cn)| json!({ "CreditNoteID": cn.id, "CreditNoteNumber": cn.number,
                        "AppliedAmount": money(a.amount), "Total": money(cn.total), "Date": ms_date(a.date) }))
                    .collect();
                put("CreditNotes", Value::Array(notes));
            }
            DocKind::CreditNote => {
                let list = allocations.iter().map(|a| allocation(tenant, a)).collect();
                put("Allocations", Value::Array(list));
            }
        }
    }
    put("HasAttachments", json!(false));
    put("HasErrors", json!(false));
    Value::Object(v)
}

fn line(l: &crate::store::Line, unit_dp: u32) -> Value {
    let mut v = json!({
        "LineItemID": l.id,
        "Description": l.description,
        "Quantity": money(l.quantity),
        "UnitAmount": money(maths::round_to(l.unit_amount, unit_dp)),
        "TaxType": l.tax_type,
        "TaxAmount": money(l.tax_amount),
        "LineAmount": money(l.line_amount),
        "Tracking": l.tracking.iter().map(|t| json!({ "TrackingCategoryID": t.category_id,
            "TrackingOptionID": t.option_id, "Name": t.name, "Option": t.option })).collect::<Vec<_>>(),
    });
    if let Some(code) = &l.item_code {
        v["ItemCode"] = json!(code);
    }
    if let Some(code) = &l.account_code {
        v["AccountCode"] = json!(code);
    }
    match l.discount {
        Discount::Rate(r) => v["DiscountRate"] = money(maths::round2(r)),
        Discount::Amount(a) => v["DiscountAmount"] = money(a),
        Discount::None => {}
    }
    v
}

/// A credit-note allocation.
pub fn allocation(tenant: &Tenant, a: &Allocation) -> Value {
    let invoice = tenant
        .doc(a.invoice_id)
        .map(|i| json!({ "InvoiceID": i.id, "InvoiceNumber": i.number }))
        .unwrap_or_else(|| json!({ "InvoiceID": a.invoice_id }));
    json!({ "AllocationID": a.id, "Amount": money(a.amount), "Date": ms_date(a.date), "Invoice": invoice,
        "CreditNote": { "CreditNoteID": a.credit_note_id } })
}

/// A contact; `balances` adds `Balances.AccountsReceivable` (single reads and paged lists).
pub fn contact(tenant: &Tenant, c: &Contact, balances: Option<NaiveDate>) -> Value {
    let mut v = json!({
        "ContactID": c.id,
        "ContactStatus": c.status,
        "Name": c.name,
        "ContactPersons": c.persons.iter().map(|p| {
            let mut o = Map::new();
            if let Some(f) = &p.first_name { o.insert("FirstName".into(), json!(f)); }
            if let Some(l) = &p.last_name { o.insert("LastName".into(), json!(l)); }
            if let Some(e) = &p.email { o.insert("EmailAddress".into(), json!(e)); }
            o.insert("IncludeInEmails".into(), json!(p.include_in_emails));
            Value::Object(o)
        }).collect::<Vec<_>>(),
        "UpdatedDateUTC": ms_date_time(c.updated),
        "IsSupplier": tenant.docs.iter().any(|d| d.contact_id == c.id && d.doc_type == "ACCPAY"),
        "IsCustomer": tenant.docs.iter().any(|d| d.contact_id == c.id && d.doc_type == "ACCREC"),
        "Addresses": typed(&c.addresses, "AddressType"),
        "Phones": typed(&c.phones, "PhoneType"),
        "ContactGroups": [],
        "HasAttachments": false,
        "HasValidationErrors": false,
    });
    for (key, value) in [
        ("ContactNumber", &c.number),
        ("AccountNumber", &c.account_number),
        ("FirstName", &c.first_name),
        ("LastName", &c.last_name),
        ("EmailAddress", &c.email),
        ("CompanyNumber", &c.company_number),
        ("TaxNumber", &c.tax_number),
        ("DefaultCurrency", &c.default_currency),
    ] {
        if let Some(x) = value {
            v[key] = json!(x);
        }
    }
    if let Some(today) = balances {
        let (outstanding, overdue) = tenant.receivable_balance(c.id, today);
        v["Balances"] = json!({
            "AccountsReceivable": { "Outstanding": money(outstanding), "Overdue": money(overdue) },
            "AccountsPayable": { "Outstanding": 0.0, "Overdue": 0.0 },
        });
    }
    v
}

/// Addresses or phones: `[{ AddressType|PhoneType, …fields }]`.
fn typed(list: &[Typed], type_key: &str) -> Value {
    list.iter()
        .map(|t| {
            let mut o = Map::new();
            o.insert(type_key.to_owned(), json!(t.kind));
            for (k, v) in &t.fields {
                o.insert(k.clone(), json!(v));
            }
            Value::Object(o)
        })
        .collect()
}

/// An item.
pub fn item(i: &Item, unit_dp: u32) -> Value {
    let mut sales = Map::new();
    if let Some(p) = i.sales_price {
        sales.insert("UnitPrice".into(), money(maths::round_to(p, unit_dp)));
    }
    if let Some(a) = &i.sales_account {
        sales.insert("AccountCode".into(), json!(a));
    }
    if let Some(t) = &i.sales_tax_type {
        sales.insert("TaxType".into(), json!(t));
    }
    let mut v = json!({
        "ItemID": i.id,
        "Code": i.code,
        "Name": i.name,
        "IsSold": i.is_sold,
        "IsPurchased": i.is_purchased,
        "IsTrackedAsInventory": false,
        "SalesDetails": Value::Object(sales),
        "PurchaseDetails": {},
        "UpdatedDateUTC": ms_date_time(i.updated),
    });
    if let Some(d) = &i.description {
        v["Description"] = json!(d);
    }
    v
}

/// A payment.
pub fn payment(tenant: &Tenant, p: &Payment) -> Value {
    let target = tenant.doc(p.doc_id);
    let (key, doc) = match p.doc_kind {
        DocKind::Invoice => (
            "Invoice",
            target.map(|d| {
                json!({ "InvoiceID": d.id, "InvoiceNumber": d.number,
            "Type": d.doc_type, "Contact": contact_ref(tenant, d.contact_id) })
            }),
        ),
        DocKind::CreditNote => (
            "CreditNote",
            target.map(|d| {
                json!({ "CreditNoteID": d.id,
            "CreditNoteNumber": d.number, "Type": d.doc_type })
            }),
        ),
    };
    let mut v = json!({
        "PaymentID": p.id,
        "Date": ms_date(p.date),
        "Amount": money(p.amount),
        "CurrencyRate": 1.0,
        "Status": "AUTHORISED",
        "PaymentType": if p.doc_kind == DocKind::Invoice { "ACCRECPAYMENT" } else { "ARCREDITPAYMENT" },
        "Account": { "Code": p.account_code },
        "IsReconciled": false,
        "UpdatedDateUTC": ms_date_time(p.updated),
        "HasAccount": true,
        "HasValidationErrors": false,
    });
    if let Some(doc) = doc {
        v[key] = doc;
    }
    if let Some(r) = &p.reference {
        v["Reference"] = json!(r);
    }
    v
}

/// The organisation.
pub fn organisation(t: &Tenant) -> Value {
    json!({
        "OrganisationID": t.id,
        "APIKey": t.id.simple().to_string().to_uppercase(),
        "Name": t.name,
        "LegalName": t.name,
        "PaysTax": true,
        "Version": t.country.version(),
        "OrganisationType": "COMPANY",
        "BaseCurrency": t.currency(),
        "CountryCode": t.country.country_code(),
        "IsDemoCompany": true,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": ms_date_time(t.created),
        "OrganisationEntityType": "COMPANY",
        "ShortCode": format!("!{}", &t.id.simple().to_string()[..5]),
        "Edition": "BUSINESS",
        "Class": if t.tier == crate::store::Tier::Starter { "STARTER" } else { "STANDARD" },
    })
}
