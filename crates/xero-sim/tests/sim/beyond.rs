//! More of an organisation (issue 10): currencies (M1), tracking categories (K1) and branding themes (K2), read and
//! used on invoice writes.

use reqwest::Method;
use serde_json::{json, Value};
use xero_sim::store::{THEME_SPECIAL, THEME_STANDARD};

use crate::common::*;

#[tokio::test]
async fn currencies_are_the_base_and_the_enabled_ones_rule_m1() {
    let h = H::start().await;
    let r = h.get("/Currencies").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Currencies", &r.body);
    let codes: Vec<&str> = r
        .records("Currencies")
        .iter()
        .map(|c| c["Code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["GBP", "EUR", "USD"]);
    assert_eq!(r.records("Currencies")[0]["Description"], "British Pound");
    let nz = h
        .call_as(reqwest::Method::GET, "/Currencies", None, NZ, &[])
        .await;
    assert_eq!(nz.records("Currencies")[0]["Code"], "NZD");
}

#[tokio::test]
async fn an_invoice_in_a_currency_not_enabled_is_refused_per_element_rule_m1() {
    let h = H::start().await;
    let mut good = invoice("M1-OK", vec![line("1", "100", "OUTPUT2")]);
    good["CurrencyCode"] = json!("USD");
    good["CurrencyRate"] = json!(1.25);
    let mut bad = invoice("M1-JPY", vec![line("1", "100", "OUTPUT2")]);
    bad["CurrencyCode"] = json!("JPY");
    let r = h.put_invoices(vec![good, bad]).await;
    let invoices = r.records("Invoices");
    assert_eq!(invoices[0]["StatusAttributeString"], "OK", "{}", r.text);
    assert_eq!(invoices[0]["CurrencyCode"], "USD");
    assert_eq!(dec(&invoices[0]["CurrencyRate"]), d("1.25"));
    assert_eq!(invoices[1]["StatusAttributeString"], "ERROR");
    assert_eq!(
        r.messages("Invoices", 1),
        ["Organisation is not subscribed to currency JPY"]
    );
    let mut credit = json!({ "Type": "ACCRECCREDIT", "Contact": { "Name": "Acme Ltd" }, "CurrencyCode": "CHF",
        "LineItems": [line("1", "5", "OUTPUT2")] });
    credit["Status"] = json!("DRAFT");
    let r = h
        .put(
            "/CreditNotes?summarizeErrors=false",
            json!({ "CreditNotes": [credit] }),
        )
        .await;
    assert_eq!(
        r.messages("CreditNotes", 0),
        ["Organisation is not subscribed to currency CHF"]
    );
}

#[tokio::test]
async fn a_foreign_invoice_without_a_rate_gets_a_fixed_daily_rate_rule_m1() {
    let h = H::start().await;
    let mut euro = invoice("M1-EUR", vec![line("2", "50", "OUTPUT2")]);
    euro["CurrencyCode"] = json!("EUR");
    let a = h.create_invoice(euro.clone()).await;
    let rate = dec(&a["CurrencyRate"]);
    assert!(rate > d("1.1") && rate < d("1.2"), "{rate}");
    euro["InvoiceNumber"] = json!("M1-EUR-2");
    let b = h.create_invoice(euro).await;
    assert_eq!(
        dec(&b["CurrencyRate"]),
        rate,
        "the same rate on the same day"
    );
    let home = h
        .create_invoice(invoice("M1-GBP", vec![line("1", "1", "OUTPUT2")]))
        .await;
    assert_eq!(home["CurrencyCode"], "GBP");
    assert_eq!(dec(&home["CurrencyRate"]), d("1"));
    let mut zero = invoice("M1-ZERO", vec![line("1", "1", "OUTPUT2")]);
    zero["CurrencyCode"] = json!("USD");
    zero["CurrencyRate"] = json!(0);
    let r = h.put_invoices(vec![zero]).await;
    assert_eq!(
        r.messages("Invoices", 0),
        ["CurrencyRate must be greater than zero."]
    );
    let read = h
        .get(&format!("/Invoices/{}", a["InvoiceID"].as_str().unwrap()))
        .await;
    assert_eq!(read.records("Invoices")[0]["CurrencyCode"], "EUR");
    assert_eq!(dec(&read.records("Invoices")[0]["CurrencyRate"]), rate);
}

async fn categories(h: &H) -> Vec<Value> {
    let r = h.get("/TrackingCategories").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("TrackingCategories", &r.body);
    r.records("TrackingCategories").clone()
}

#[tokio::test]
async fn tracking_categories_are_two_active_with_options_rule_k1() {
    let h = H::start().await;
    let cats = categories(&h).await;
    let names: Vec<&str> = cats.iter().map(|c| c["Name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Region", "Department"]);
    assert!(cats.iter().all(|c| c["Status"] == "ACTIVE"));
    let regions: Vec<&str> = cats[0]["Options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["Name"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["North", "South", "East"]);
    let all = h.get("/TrackingCategories?includeArchived=true").await;
    assert_eq!(all.records("TrackingCategories").len(), 3);
    assert_eq!(all.records("TrackingCategories")[2]["Status"], "ARCHIVED");
    assert_eq!(categories(&h).await, cats, "the ids are stable");
}

#[tokio::test]
async fn a_lines_tracking_is_validated_and_read_back_with_ids_rule_k1() {
    let h = H::start().await;
    let cats = categories(&h).await;
    let dept = &cats[1];
    let support = &dept["Options"][1];
    let mut l = line("1", "10", "OUTPUT2");
    l["Tracking"] = json!([{ "Name": "Region", "Option": "North" },
        { "TrackingCategoryID": dept["TrackingCategoryID"], "TrackingOptionID": support["TrackingOptionID"] }]);
    let inv = h.create_invoice(invoice("K1-1", vec![l])).await;
    let tracking = &inv["LineItems"][0]["Tracking"];
    assert_eq!(tracking.as_array().unwrap().len(), 2);
    assert_eq!(tracking[0]["Name"], "Region");
    assert_eq!(tracking[0]["Option"], "North");
    assert_eq!(
        tracking[0]["TrackingCategoryID"],
        cats[0]["TrackingCategoryID"]
    );
    assert_eq!(
        tracking[0]["TrackingOptionID"],
        cats[0]["Options"][0]["TrackingOptionID"]
    );
    assert_eq!(tracking[1]["Option"], "Support");
    let read = h
        .get(&format!("/Invoices/{}", inv["InvoiceID"].as_str().unwrap()))
        .await;
    assert_eq!(
        &read.records("Invoices")[0]["LineItems"][0]["Tracking"],
        tracking
    );

    let mut unknown_cat = line("1", "10", "OUTPUT2");
    unknown_cat["Tracking"] = json!([{ "Name": "Colour", "Option": "Red" }]);
    let mut unknown_opt = line("1", "10", "OUTPUT2");
    unknown_opt["Tracking"] = json!([{ "Name": "Region", "Option": "West" }]);
    let mut archived = line("1", "10", "OUTPUT2");
    archived["Tracking"] = json!([{ "Name": "Old Projects", "Option": "Alpha" }]);
    let r = h
        .put_invoices(vec![
            invoice("K1-2", vec![unknown_cat]),
            invoice("K1-3", vec![unknown_opt]),
            invoice("K1-4", vec![archived]),
        ])
        .await;
    assert_eq!(
        r.messages("Invoices", 0),
        ["The tracking category 'Colour' does not exist."]
    );
    assert_eq!(
        r.messages("Invoices", 1),
        ["The tracking option 'West' does not exist in the tracking category 'Region'."]
    );
    assert_eq!(
        r.messages("Invoices", 2),
        ["The tracking category 'Old Projects' does not exist."]
    );
}

#[tokio::test]
async fn branding_themes_are_listed_and_checked_on_invoices_rule_k2() {
    let h = H::start().await;
    let r = h.get("/BrandingThemes").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("BrandingThemes", &r.body);
    let ids: Vec<&str> = r
        .records("BrandingThemes")
        .iter()
        .map(|t| t["BrandingThemeID"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [THEME_STANDARD.to_string(), THEME_SPECIAL.to_string()]);
    let mut themed = invoice("K2-1", vec![line("1", "10", "OUTPUT2")]);
    themed["BrandingThemeID"] = json!(THEME_SPECIAL);
    let inv = h.create_invoice(themed).await;
    assert_eq!(inv["BrandingThemeID"], json!(THEME_SPECIAL));
    let read = h
        .get(&format!("/Invoices/{}", inv["InvoiceID"].as_str().unwrap()))
        .await;
    assert_eq!(
        read.records("Invoices")[0]["BrandingThemeID"],
        json!(THEME_SPECIAL)
    );
    let mut bad = invoice("K2-2", vec![line("1", "10", "OUTPUT2")]);
    let unknown = "0b7a2f7e-1111-4222-8333-944455556666";
    bad["BrandingThemeID"] = json!(unknown);
    let r = h.put_invoices(vec![bad]).await;
    assert_eq!(
        r.messages("Invoices", 0),
        [format!("The BrandingThemeID '{unknown}' does not exist.")]
    );
}

#[tokio::test]
async fn currencies_are_never_added_up_as_they_are_rule_m1() {
    let h = H::start().await;
    let contact = create_contact(&h, json!({ "Name": "Dollar Buyer Inc" })).await;
    let cid = contact["ContactID"].as_str().unwrap().to_owned();
    let mut usd = invoice("M1-BAL-1", vec![line("1", "250", "NONE")]);
    usd["Contact"] = json!({ "ContactID": cid });
    usd["Status"] = json!("AUTHORISED");
    usd["CurrencyCode"] = json!("USD");
    usd["CurrencyRate"] = json!(1.25);
    let inv = h.create_invoice(usd).await;
    let mut gbp = invoice("M1-BAL-2", vec![line("1", "10", "NONE")]);
    gbp["Contact"] = json!({ "ContactID": cid });
    gbp["Status"] = json!("AUTHORISED");
    h.create_invoice(gbp).await;
    let read = h.get(&format!("/Contacts/{cid}")).await;
    let outstanding = &read.records("Contacts")[0]["Balances"]["AccountsReceivable"]["Outstanding"];
    assert_eq!(
        dec(outstanding),
        d("210"),
        "250 USD at 1.25 is 200 GBP, plus 10 GBP"
    );
    let credit = json!({ "Type": "ACCRECCREDIT", "Contact": { "ContactID": cid }, "Status": "AUTHORISED",
        "LineItems": [line("1", "5", "NONE")] });
    let r = h
        .put("/CreditNotes", json!({ "CreditNotes": [credit] }))
        .await;
    let cn = r.records("CreditNotes")[0]["CreditNoteID"]
        .as_str()
        .unwrap()
        .to_owned();
    let alloc = json!({ "Allocations": [{ "Invoice": { "InvoiceID": inv["InvoiceID"] }, "Amount": 5,
        "Date": "2026-11-02" }] });
    let r = h
        .call(
            Method::PUT,
            &format!("/CreditNotes/{cn}/Allocations?summarizeErrors=false"),
            Some(alloc),
        )
        .await;
    assert!(
        r.text.contains("must be in the same currency"),
        "{}",
        r.text
    );
}
