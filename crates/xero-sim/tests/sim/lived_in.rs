//! `--seed lived-in`: Lived-in Ltd (UK), an organisation with years of data, some of it colliding with the demo CRM
//! (`www/src/demo-data.js`) the way rule S3a has to cope with: namesakes in other case and spacing, archived ones,
//! CRM ids and account numbers on other contacts, a shared email, CRM product codes and invoice numbers.

use reqwest::Method;
use serde_json::{json, Value};
use xero_sim::seed::LIVED_IN;
use xero_sim::Config;

use crate::common::*;

async fn lived_in(demo: bool) -> H {
    let mut h = H::start_with(Config {
        seed_demo: demo,
        seed_lived_in: true,
        ..Config::for_tests()
    })
    .await;
    h.tenant = LIVED_IN;
    h.no_limits().await;
    h
}

async fn contacts(h: &H, expr: &str, archived: bool) -> Vec<Value> {
    let extra = if archived {
        "&includeArchived=true"
    } else {
        ""
    };
    let r = h
        .get(&format!("/Contacts?where={}{extra}", enc(expr)))
        .await;
    assert_eq!(r.status, 200, "{expr}: {}", r.text);
    assert_valid_answer("Contacts", &r.body);
    r.records("Contacts").clone()
}

fn names(list: &[Value]) -> Vec<&str> {
    let mut v: Vec<&str> = list.iter().map(|c| c["Name"].as_str().unwrap()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn crm_companies_meet_namesakes_numbers_and_a_shared_email_rule_s3a() {
    let h = lived_in(false).await;
    // co-2: one active namesake in other case and spacing.
    let kestrel = contacts(&h, r#"Name=="Kestrel Dental Group""#, false).await;
    assert_eq!(names(&kestrel), vec!["kestrel DENTAL   group"]);
    // co-3: only an archived namesake, invisible without includeArchived.
    assert!(contacts(&h, r#"Name=="Millbrook Bakery""#, false)
        .await
        .is_empty());
    let millbrook = contacts(&h, r#"Name=="Millbrook Bakery""#, true).await;
    assert_eq!(millbrook.len(), 1);
    assert_eq!(millbrook[0]["ContactStatus"], "ARCHIVED");
    // co-4: an active and an archived namesake.
    assert_eq!(
        contacts(&h, r#"Name=="Northgate Architects""#, false)
            .await
            .len(),
        1
    );
    assert_eq!(
        contacts(&h, r#"Name=="Northgate Architects""#, true)
            .await
            .len(),
        2
    );
    // co-5 by ContactNumber, co-6 by AccountNumber, on contacts with other names.
    assert_eq!(
        names(&contacts(&h, r#"ContactNumber=="co-5""#, false).await),
        vec!["Pennine Outdoor Ltd"]
    );
    assert_eq!(
        names(&contacts(&h, r#"AccountNumber=="QUAY06""#, false).await),
        vec!["Quayside Marine"]
    );
    // co-7: two active contacts share the CRM primary person's email.
    let shared = r#"EmailAddress=="Yusuf.Fraser@redfern-and-hale-solicitors.example""#;
    assert_eq!(
        names(&contacts(&h, shared, false).await),
        vec!["R&H Solicitors (old ledger)", "Redfern and Hale LLP"]
    );
    // co-8: the whole S3a look-up in one call finds two different contacts.
    let saltmarsh = r#"ContactNumber=="co-8" OR AccountNumber=="SALT08" OR Name=="Saltmarsh Brewing Co" OR EmailAddress=="wendy.hughes@saltmarsh-brewing-co.example""#;
    assert_eq!(
        names(&contacts(&h, saltmarsh, false).await),
        vec!["SALTMARSH brewing co", "Saltmarsh Brewery"]
    );
    // co-9: archived, with the CRM account number.
    assert!(contacts(&h, r#"AccountNumber=="THIS09""#, false)
        .await
        .is_empty());
    assert_eq!(
        contacts(&h, r#"AccountNumber=="THIS09""#, true).await[0]["ContactStatus"],
        "ARCHIVED"
    );
    // co-1: number and name lead to the same single contact.
    let harbour = contacts(
        &h,
        r#"ContactNumber=="co-1" OR Name=="harbourline logistics""#,
        false,
    )
    .await;
    assert_eq!(harbour.len(), 1);
}

#[tokio::test]
async fn a_few_hundred_customers_with_details_some_archived() {
    let h = lived_in(false).await;
    let active = h.get("/Contacts?page=1&pageSize=1000").await;
    let all = h
        .get("/Contacts?page=1&pageSize=1000&includeArchived=true")
        .await;
    assert_valid_answer("Contacts", &all.body);
    let (active, all) = (active.records("Contacts"), all.records("Contacts"));
    assert!(all.len() >= 300, "{}", all.len());
    let archived = all
        .iter()
        .filter(|c| c["ContactStatus"] == "ARCHIVED")
        .count();
    assert_eq!(active.len() + archived, all.len());
    assert!(archived >= 15, "{archived}");
    assert!(all
        .iter()
        .any(|c| c["Addresses"].as_array().is_some_and(|a| a.len() == 2)));
    assert!(all.iter().any(|c| c["Phones"][0]["PhoneType"] == "DEFAULT"));
    assert!(all
        .iter()
        .any(|c| c["TaxNumber"].as_str().is_some_and(|t| t.starts_with("GB"))));
    // Some customers owe money (authorised invoices), which a paged list shows in Balances.
    assert!(active
        .iter()
        .any(|c| dec(&c["Balances"]["AccountsReceivable"]["Outstanding"]) > d("0")));
}

#[tokio::test]
async fn crm_product_codes_and_invoice_numbers_are_already_taken() {
    let h = lived_in(false).await;
    let item = h.get("/Items/CONS-HOUR").await;
    assert_eq!(item.status, 200, "{}", item.text);
    let item = &item.records("Items")[0];
    assert_eq!(
        item["Name"], "Consulting (2019 rate)",
        "not the CRM's Consultancy"
    );
    assert_eq!(
        dec(&item["SalesDetails"]["UnitPrice"]),
        d("75.00"),
        "not the CRM's 85.00"
    );
    let r = h
        .get("/Invoices?InvoiceNumbers=INV-1001,INV-1002,INV-1003,INV-1004")
        .await;
    assert_valid_answer("Invoices", &r.body);
    let by = |n: &str| {
        r.records("Invoices")
            .iter()
            .find(|i| i["InvoiceNumber"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by("INV-1001")["Status"], "DRAFT");
    assert_eq!(
        (
            by("INV-1002")["Status"].as_str(),
            dec(&by("INV-1002")["AmountPaid"])
        ),
        (Some("AUTHORISED"), d("0"))
    );
    let part = by("INV-1003");
    assert!(dec(&part["AmountPaid"]) > d("0") && dec(&part["AmountDue"]) > d("0"));
    assert_eq!(part["Payments"].as_array().unwrap().len(), 1);
    let paid = by("INV-1004");
    assert_eq!(paid["Status"], "PAID");
    assert!(paid["FullyPaidOnDate"].is_string());
    // Not on a CRM company's contact: entered by hand, on some other customer.
    assert!(!by("INV-1002")["Contact"]["Name"]
        .as_str()
        .unwrap()
        .contains("Kestrel"));
    // Approved invoices with and without payments, and credit allocated to one.
    let authorised = h.get("/Invoices?Statuses=AUTHORISED").await;
    let list = authorised.records("Invoices");
    assert!(list.iter().any(|i| dec(&i["AmountPaid"]) == d("0")));
    assert!(list.iter().any(|i| dec(&i["AmountPaid"]) > d("0")));
    let credited = h.get("/Invoices/LI-0002").await;
    assert_eq!(
        dec(&credited.records("Invoices")[0]["AmountCredited"]),
        d("10.00")
    );
    assert_eq!(
        h.get("/Invoices?Statuses=VOIDED")
            .await
            .records("Invoices")
            .len(),
        1
    );
}

#[tokio::test]
async fn lived_in_is_its_own_organisation_and_combines_with_demo() {
    let h = lived_in(true).await;
    let demo = h
        .call_as(
            Method::GET,
            "/Invoices?InvoiceNumbers=DEMO-1001",
            None,
            UK,
            &[],
        )
        .await;
    assert_eq!(demo.records("Invoices").len(), 1, "demo data too");
    assert!(h
        .get("/Invoices?InvoiceNumbers=DEMO-1001")
        .await
        .records("Invoices")
        .is_empty());
    let org = h.get("/Organisation").await;
    assert_eq!(org.records("Organisations")[0]["Name"], "Lived-in Ltd (UK)");
    // A reset can choose the seeds (tokens go with it).
    let mut h = h;
    h.control(Method::POST, "/reset", json!({ "seed": "lived-in" }))
        .await;
    h.fresh_token().await;
    h.no_limits().await;
    let uk = h.call_as(Method::GET, "/Invoices", None, UK, &[]).await;
    assert!(uk.records("Invoices").is_empty(), "no demo data");
    assert_eq!(
        h.get("/Invoices?InvoiceNumbers=INV-1003")
            .await
            .records("Invoices")
            .len(),
        1
    );
    let bogus = send(
        h.http
            .post(format!("{}/_sim/reset", h.url))
            .body(r#"{"seed":"bogus"}"#),
    )
    .await;
    assert_eq!(bogus.status, 400, "{}", bogus.text);
}

#[test]
fn seed_flags_add_up() {
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let seeds = |s: &str| {
        let c = Config::from_args(args(s)).unwrap();
        (c.seed_demo, c.seed_lived_in)
    };
    assert_eq!(seeds("--seed demo"), (true, false));
    assert_eq!(seeds("--seed lived-in"), (false, true));
    assert_eq!(seeds("--seed demo,lived-in"), (true, true));
    assert_eq!(
        seeds("--seed demo --seed lived-in"),
        (true, true),
        "the demo harness adds lived-in"
    );
    assert_eq!(seeds("--seed demo --seed none"), (false, false));
    let e = Config::from_args(args("--seed everything")).unwrap_err();
    assert!(e.to_string().contains("lived-in"), "{e}");
}
