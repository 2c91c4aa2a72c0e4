//! Accounting: Xero's line maths (computed here from the notes' numbers, not from any code), validation messages,
//! statuses and balances as payments and credit arrive, reads with filters and paging. Every answer is checked
//! against the OpenAPI schemas.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn tax_is_per_line_rounded_then_summed_as_in_xeros_example() {
    let mut h = H::start().await;
    h.tenant = NZ;
    let inv = h
        .create_invoice(json!({ "Type": "ACCREC", "InvoiceNumber": "NZ-1", "Contact": { "Name": "Acme Ltd" },
            "LineItems": [line("1", "25.06", "OUTPUT2"), line("1", "25.61", "OUTPUT2"), line("1", "25.63", "OUTPUT2")] }))
        .await;
    assert_eq!(
        dec(&inv["TotalTax"]),
        d("11.44"),
        "not the 11.45 of the subtotal"
    );
    assert_eq!(dec(&inv["SubTotal"]), d("76.30"));
    assert_eq!(dec(&inv["Total"]), d("87.74"));
    let taxes: Vec<_> = inv["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["TaxAmount"]))
        .collect();
    assert_eq!(taxes, vec![d("3.76"), d("3.84"), d("3.84")]);
    assert_eq!(inv["CurrencyCode"], "NZD");
}

#[tokio::test]
async fn discounts_by_rate_and_by_amount_and_inclusive_and_no_tax() {
    let h = H::start().await;
    let mut rate = line("3", "30.00", "OUTPUT2");
    rate["DiscountRate"] = json!(10);
    let mut amount = line("3", "30.00", "OUTPUT2");
    amount["DiscountAmount"] = json!(5);
    let mut odd = line("1", "9.99", "OUTPUT2");
    odd["DiscountRate"] = json!(12.5);
    let inv = h
        .create_invoice(invoice("D-1", vec![rate, amount, odd]))
        .await;
    let amounts: Vec<_> = inv["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["LineAmount"]))
        .collect();
    // 90 × 0.9 = 81.00; 90 − 5 = 85.00; 9.99 × 0.875 = 8.74125 → 8.74.
    assert_eq!(amounts, vec![d("81.00"), d("85.00"), d("8.74")]);
    // Tax at 20 % per line: 16.20 + 17.00 + 1.748 → 1.75.
    assert_eq!(dec(&inv["TotalTax"]), d("34.95"));
    assert_eq!(dec(&inv["Total"]), d("209.69"));
    assert_eq!(dec(&inv["TotalDiscount"]), d("15.25"));
    assert_eq!(inv["LineItems"][2]["DiscountRate"], json!(12.5));

    let mut incl = invoice(
        "D-2",
        vec![
            line("1", "120.00", "OUTPUT2"),
            line("1", "10.01", "OUTPUT2"),
        ],
    );
    incl["LineAmountTypes"] = json!("Inclusive");
    let inv = h.create_invoice(incl).await;
    // Tax inside the line: 120 × 20/120 = 20.00; 10.01 × 20/120 = 1.668 → 1.67.
    assert_eq!(
        (
            dec(&inv["TotalTax"]),
            dec(&inv["SubTotal"]),
            dec(&inv["Total"])
        ),
        (d("21.67"), d("108.34"), d("130.01"))
    );

    let mut none = invoice("D-3", vec![line("2", "10.00", "OUTPUT2")]);
    none["LineAmountTypes"] = json!("NoTax");
    let inv = h.create_invoice(none).await;
    assert_eq!(
        (dec(&inv["TotalTax"]), dec(&inv["Total"])),
        (d("0"), d("20.00"))
    );
}

#[tokio::test]
async fn unitdp_4_keeps_four_places_and_reads_need_it_too() {
    let h = H::start().await;
    let r = h
        .put(
            "/Invoices?summarizeErrors=false&unitdp=4",
            json!({ "Invoices": [invoice("U-1", vec![line("3", "10.1234", "OUTPUT2")])] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let inv = &r.records("Invoices")[0];
    assert_eq!(dec(&inv["LineItems"][0]["UnitAmount"]), d("10.1234"));
    assert_eq!(
        dec(&inv["LineItems"][0]["LineAmount"]),
        d("30.37"),
        "3 × 10.1234 = 30.3702"
    );
    let id = inv["InvoiceID"].as_str().unwrap();
    let plain = h.get(&format!("/Invoices/{id}")).await;
    assert_eq!(
        dec(&plain.records("Invoices")[0]["LineItems"][0]["UnitAmount"]),
        d("10.12")
    );
    let four = h.get(&format!("/Invoices/{id}?unitdp=4")).await;
    assert_eq!(
        dec(&four.records("Invoices")[0]["LineItems"][0]["UnitAmount"]),
        d("10.1234")
    );
    // Without unitdp=4 a 4-dp unit amount is rounded to 2 dp before the maths.
    let two = h
        .create_invoice(invoice("U-2", vec![line("3", "10.1234", "OUTPUT2")]))
        .await;
    assert_eq!(dec(&two["LineItems"][0]["LineAmount"]), d("30.36"));
}

#[tokio::test]
async fn refused_discounts_each_get_a_message() {
    let h = H::start().await;
    let with = |k: &str, v: Value| {
        let mut l = line("1", "10.00", "OUTPUT2");
        l[k] = v;
        l
    };
    let mut both = with("DiscountRate", json!(10));
    both["DiscountAmount"] = json!(1);
    let cases = vec![
        (
            with("DiscountRate", json!(0)),
            "DiscountRate must be greater than zero.",
        ),
        (
            with("DiscountRate", json!(100)),
            "DiscountRate must be less than 100%.",
        ),
        (
            with("DiscountAmount", json!(10)),
            "The DiscountAmount cannot be equal to or greater than the line amount.",
        ),
        (
            with("DiscountAmount", json!(0)),
            "DiscountAmount must be greater than zero.",
        ),
        (
            both,
            "A line item can have a DiscountRate or a DiscountAmount, not both.",
        ),
    ];
    let expected: Vec<&str> = cases.iter().map(|(_, m)| *m).collect();
    let invoices: Vec<Value> = cases
        .into_iter()
        .enumerate()
        .map(|(i, (l, _))| invoice(&format!("BD-{i}"), vec![l]))
        .collect();
    let r = h.put_invoices(invoices).await;
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(
            r.messages("Invoices", i),
            vec![want.to_string()],
            "case {i}"
        );
    }
    let mut tiny = line("1", "0.01", "OUTPUT2");
    tiny["DiscountRate"] = json!(60);
    let r = h.put_invoices(vec![invoice("BD-9", vec![tiny])]).await;
    assert_eq!(
        r.messages("Invoices", 0),
        vec!["The line amount after discount cannot be zero."]
    );
    // Credit notes take no discount (rule S7's reason).
    let mut l = line("1", "10.00", "OUTPUT2");
    l["DiscountRate"] = json!(10);
    let cn = h.put("/CreditNotes?summarizeErrors=false", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "Contact": { "Name": "Acme Ltd" }, "LineItems": [l] }] })).await;
    assert_eq!(
        cn.messages("CreditNotes", 0),
        vec!["Discounts are not supported on credit notes."]
    );
}

#[tokio::test]
async fn unknown_item_tax_type_account_and_archived_tax_are_refused() {
    let h = H::start().await;
    let mut item = line("1", "5", "OUTPUT2");
    item["ItemCode"] = json!("NOPE");
    let r = h
        .put_invoices(vec![
            invoice("V-1", vec![item]),
            invoice("V-2", vec![line("1", "5", "BOGUS")]),
            invoice("V-3", vec![json!({ "Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "999", "TaxType": "OUTPUT2" })]),
            invoice("V-4", vec![line("1", "5", "OUTPUT")]),
            invoice("V-5", vec![line("1", "5", "INPUT2")]),
        ])
        .await;
    assert_eq!(
        r.messages("Invoices", 0),
        vec!["Item code 'NOPE' is not valid."]
    );
    assert_eq!(r.messages("Invoices", 1), vec!["The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction."]);
    assert_eq!(
        r.messages("Invoices", 2),
        vec!["Account code '999' is not a valid code for this document."]
    );
    assert!(
        r.messages("Invoices", 3)[0].contains("'OUTPUT'"),
        "archived 17.5 % rate"
    );
    assert!(
        r.messages("Invoices", 4)[0].contains("'INPUT2'"),
        "an expense rate on a sales invoice"
    );
    let dump = h.dump(UK).await;
    assert!(
        dump["Invoices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i["InvoiceNumber"].as_str().unwrap().starts_with("V-")),
        "nothing half-created"
    );
}

#[tokio::test]
async fn item_codes_fill_lines_and_invoice_numbers_are_unique() {
    let h = H::start().await;
    let inv = h
        .create_invoice(invoice(
            "N-1",
            vec![json!({ "ItemCode": "WIDGET-B", "Quantity": 2 })],
        ))
        .await;
    let l = &inv["LineItems"][0];
    assert_eq!(
        (
            l["Description"].as_str(),
            l["AccountCode"].as_str(),
            l["TaxType"].as_str()
        ),
        (Some("Widget, blue"), Some("200"), Some("OUTPUT2"))
    );
    assert_eq!(dec(&l["LineAmount"]), d("60.00"));
    let dup = h
        .put_invoices(vec![invoice("n-1", vec![line("1", "1", "OUTPUT2")])])
        .await;
    assert_eq!(
        dup.messages("Invoices", 0),
        vec!["Invoice # must be unique."],
        "case-insensitive"
    );
    // POST with the same number updates that invoice (rule S8: never a second one).
    let upd = h
        .post(
            "/Invoices?summarizeErrors=false",
            json!({ "Invoices": [invoice("N-1", vec![line("1", "7", "OUTPUT2")])] }),
        )
        .await;
    assert_eq!(upd.status, 200);
    assert_eq!(upd.records("Invoices")[0]["InvoiceID"], inv["InvoiceID"]);
    assert_eq!(dec(&upd.records("Invoices")[0]["Total"]), d("8.40"));
    let found = h.get("/Invoices?InvoiceNumbers=N-1").await;
    assert_eq!(found.records("Invoices").len(), 1);
    // No number: Xero numbers it.
    let mut unnumbered = invoice("", vec![line("1", "1", "OUTPUT2")]);
    unnumbered.as_object_mut().unwrap().remove("InvoiceNumber");
    let auto = h.create_invoice(unnumbered).await;
    assert!(auto["InvoiceNumber"].as_str().unwrap().starts_with("INV-"));
}

#[tokio::test]
async fn payments_move_status_amounts_and_fully_paid_date() {
    let h = H::start().await;
    let mut body = invoice("P-1", vec![line("1", "100.00", "OUTPUT2")]);
    body["Status"] = json!("AUTHORISED");
    let inv = h.create_invoice(body).await;
    let id = inv["InvoiceID"].as_str().unwrap().to_owned();
    let contact = inv["Contact"]["ContactID"].as_str().unwrap().to_owned();
    let before = h.get(&format!("/Contacts/{contact}")).await;
    let outstanding_before =
        dec(&before.records("Contacts")[0]["Balances"]["AccountsReceivable"]["Outstanding"]);
    let pay = |amount: &str| json!({ "Payments": [{ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" }, "Date": "2026-11-20", "Amount": num(amount) }] });
    let r = h.put("/Payments", pay("20.00")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Payments", &r.body);
    let part = h.get(&format!("/Invoices/{id}")).await;
    assert_valid_answer("Invoices", &part.body);
    let p = &part.records("Invoices")[0];
    assert_eq!(
        (
            p["Status"].as_str(),
            dec(&p["AmountPaid"]),
            dec(&p["AmountDue"])
        ),
        (Some("AUTHORISED"), d("20.00"), d("100.00"))
    );
    assert!(p.get("FullyPaidOnDate").is_none());
    assert_eq!(p["Payments"].as_array().unwrap().len(), 1);
    let after = h.get(&format!("/Contacts/{contact}")).await;
    assert_eq!(
        dec(&after.records("Contacts")[0]["Balances"]["AccountsReceivable"]["Outstanding"]),
        outstanding_before - d("20.00")
    );
    // Over-paying is refused; paying the rest makes it PAID on the payment's date.
    let over = h
        .put("/Payments?summarizeErrors=false", pay("100.01"))
        .await;
    assert!(
        over.messages("Payments", 0)[0].contains("exceeds the amount outstanding"),
        "{}",
        over.text
    );
    h.put("/Payments", pay("100.00")).await;
    let paid = &h.get(&format!("/Invoices/{id}")).await.records("Invoices")[0].clone();
    assert_eq!(
        (paid["Status"].as_str(), dec(&paid["AmountDue"])),
        (Some("PAID"), d("0"))
    );
    assert_eq!(
        paid["FullyPaidOnDate"],
        xero_sim::json::ms_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
    );
    // Editing a paid invoice is refused.
    let edit = h
        .post(
            &format!("/Invoices/{id}?summarizeErrors=false"),
            json!({ "Reference": "late edit" }),
        )
        .await;
    assert_eq!(
        edit.messages("Invoices", 0),
        vec!["This document cannot be edited as it has a payment or credit note allocated to it."]
    );
    // Drafts cannot be paid.
    let draft = h
        .create_invoice(invoice("P-2", vec![line("1", "5", "OUTPUT2")]))
        .await;
    let r = h.put("/Payments?summarizeErrors=false", json!({ "Payments": [{ "Invoice": { "InvoiceID": draft["InvoiceID"] }, "Account": { "Code": "090" }, "Amount": 1 }] })).await;
    assert_eq!(
        r.messages("Payments", 0),
        vec!["Invoice not of valid status for payment"]
    );
}

#[tokio::test]
async fn credit_note_allocations_credit_the_invoice_until_paid() {
    let h = H::start().await;
    let mut body = invoice("C-1", vec![line("1", "50.00", "OUTPUT2")]);
    body["Status"] = json!("AUTHORISED");
    let inv = h.create_invoice(body).await;
    let cn = h
        .put("/CreditNotes", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "CreditNoteNumber": "CN-X1", "Status": "AUTHORISED",
            "Contact": { "Name": "Acme Ltd" }, "LineItems": [line("1", "100.00", "OUTPUT2")] }] }))
        .await;
    assert_eq!(cn.status, 200, "{}", cn.text);
    assert_valid_answer("CreditNotes", &cn.body);
    let cn_id = cn.records("CreditNotes")[0]["CreditNoteID"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        dec(&cn.records("CreditNotes")[0]["RemainingCredit"]),
        d("120.00")
    );
    let alloc = |amount: &str| json!({ "Allocations": [{ "Invoice": { "InvoiceID": inv["InvoiceID"] }, "Amount": num(amount), "Date": "2026-11-21" }] });
    let r = h
        .put(&format!("/CreditNotes/{cn_id}/Allocations"), alloc("10.00"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Allocations", &r.body);
    let i = h
        .get(&format!("/Invoices/{}", inv["InvoiceID"].as_str().unwrap()))
        .await
        .records("Invoices")[0]
        .clone();
    assert_eq!(
        (
            i["Status"].as_str(),
            dec(&i["AmountCredited"]),
            dec(&i["AmountDue"])
        ),
        (Some("AUTHORISED"), d("10.00"), d("50.00"))
    );
    assert_eq!(i["CreditNotes"][0]["CreditNoteNumber"], "CN-X1");
    let too_much = h
        .put(
            &format!("/CreditNotes/{cn_id}/Allocations?summarizeErrors=false"),
            alloc("50.01"),
        )
        .await;
    assert!(
        too_much.messages("Allocations", 0)[0].contains("exceeds the amount due"),
        "{}",
        too_much.text
    );
    h.put(&format!("/CreditNotes/{cn_id}/Allocations"), alloc("50.00"))
        .await;
    let i = h
        .get(&format!("/Invoices/{}", inv["InvoiceID"].as_str().unwrap()))
        .await
        .records("Invoices")[0]
        .clone();
    assert_eq!(
        (
            i["Status"].as_str(),
            dec(&i["AmountDue"]),
            dec(&i["AmountPaid"])
        ),
        (Some("PAID"), d("0"), d("0"))
    );
    assert!(i["FullyPaidOnDate"].is_string());
    let c = h.get(&format!("/CreditNotes/{cn_id}")).await;
    assert_valid_answer("CreditNotes", &c.body);
    let c = &c.records("CreditNotes")[0];
    assert_eq!(
        (c["Status"].as_str(), dec(&c["RemainingCredit"])),
        (Some("AUTHORISED"), d("60.00"))
    );
    assert_eq!(c["Allocations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn statuses_void_and_delete_follow_xeros_transitions() {
    let h = H::start().await;
    let draft = h
        .create_invoice(invoice("S-1", vec![line("1", "5", "OUTPUT2")]))
        .await;
    let id = draft["InvoiceID"].as_str().unwrap();
    let void_draft = h
        .post(
            &format!("/Invoices/{id}?summarizeErrors=false"),
            json!({ "Status": "VOIDED" }),
        )
        .await;
    assert_eq!(
        void_draft.messages("Invoices", 0),
        vec!["Invoice not of valid status for modification"]
    );
    let del = h
        .post(
            &format!("/Invoices/{id}?summarizeErrors=false"),
            json!({ "Status": "DELETED" }),
        )
        .await;
    assert_eq!(del.records("Invoices")[0]["Status"], "DELETED");
    let mut auth = invoice("S-2", vec![line("1", "5", "OUTPUT2")]);
    auth["Status"] = json!("AUTHORISED");
    let a = h.create_invoice(auth).await;
    let aid = a["InvoiceID"].as_str().unwrap();
    let back = h
        .post(
            &format!("/Invoices/{aid}?summarizeErrors=false"),
            json!({ "Status": "DRAFT" }),
        )
        .await;
    assert_eq!(
        back.records("Invoices")[0]["StatusAttributeString"],
        "ERROR"
    );
    let void = h
        .post(
            &format!("/Invoices/{aid}?summarizeErrors=false"),
            json!({ "Status": "VOIDED" }),
        )
        .await;
    let v = &void.records("Invoices")[0];
    assert_eq!(
        (v["Status"].as_str(), dec(&v["AmountDue"])),
        (Some("VOIDED"), d("0"))
    );
    let mut no_account = invoice(
        "S-3",
        vec![json!({ "Description": "x", "Quantity": 1, "UnitAmount": 1, "TaxType": "OUTPUT2" })],
    );
    no_account["Status"] = json!("AUTHORISED");
    let r = h.put_invoices(vec![no_account]).await;
    assert_eq!(
        r.messages("Invoices", 0),
        vec!["AccountCode must be specified on every line of an approved document."]
    );
}

#[tokio::test]
async fn contacts_are_unique_by_name_keep_their_person_and_show_balances() {
    let h = H::start().await;
    let r = h.put("/Contacts?summarizeErrors=false", json!({ "Contacts": [
        { "Name": "Wayne Enterprises", "ContactNumber": "crm-co-9", "FirstName": "Bruce", "LastName": "Wayne", "EmailAddress": "bruce@wayne.test",
          "ContactPersons": [{ "FirstName": "Alfred", "LastName": "Pennyworth", "EmailAddress": "alfred@wayne.test", "IncludeInEmails": true }] },
        { "Name": "acme ltd" },
    ] })).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Contacts", &r.body);
    let created = &r.records("Contacts")[0];
    assert_eq!(created["StatusAttributeString"], "OK");
    assert_eq!(r.messages("Contacts", 1), vec!["The contact name acme ltd is already assigned to another contact. The contact name must be unique across all active contacts."]);
    assert_eq!(r.records("Contacts")[1]["HasValidationErrors"], true);
    let id = created["ContactID"].as_str().unwrap();
    // S3: a later send with another person overwrites the person, no second contact.
    let upd = h
        .post(
            "/Contacts",
            json!({ "Contacts": [{ "ContactID": id, "FirstName": "Lucius", "LastName": "Fox" }] }),
        )
        .await;
    assert_eq!(upd.status, 200);
    let one = h.get(&format!("/Contacts/{id}")).await;
    assert_valid_answer("Contacts", &one.body);
    let c = &one.records("Contacts")[0];
    assert_eq!(
        (c["FirstName"].as_str(), c["Name"].as_str()),
        (Some("Lucius"), Some("Wayne Enterprises"))
    );
    assert_eq!(
        dec(&c["Balances"]["AccountsReceivable"]["Outstanding"]),
        d("0")
    );
    let by_number = h.get("/Contacts/crm-co-9").await;
    assert_eq!(by_number.records("Contacts")[0]["ContactID"], id);
    // Unpaged lists leave Balances out; read one contact to be sure.
    let list = h.get("/Contacts").await;
    assert!(list
        .records("Contacts")
        .iter()
        .all(|c| c.get("Balances").is_none()));
    let paged = h.get("/Contacts?page=1").await;
    assert!(paged
        .records("Contacts")
        .iter()
        .all(|c| c.get("Balances").is_some()));
}

#[tokio::test]
async fn items_validate_code_length_uniqueness_and_sales_details() {
    // Not strict: the 31-char code reaches Xero's own validation instead of the schema check.
    let mut config = xero_sim::Config::for_tests();
    config.strict = false;
    let h = H::start_with(config).await;
    let r = h.put("/Items?summarizeErrors=false", json!({ "Items": [
        { "Code": "X".repeat(31), "Name": "Too long" },
        { "Code": "WIDGET-B", "Name": "Duplicate" },
        { "Code": "NEW-1", "Name": "New", "SalesDetails": { "UnitPrice": 12.345, "AccountCode": "200", "TaxType": "OUTPUT2" } },
        { "Code": "NEW-2", "SalesDetails": { "TaxType": "INPUT2" } },
    ] })).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.messages("Items", 0),
        vec!["The Item Code must be no more than 30 characters long."]
    );
    assert_eq!(
        r.messages("Items", 1),
        vec!["Item code 'WIDGET-B' already exists."]
    );
    assert_eq!(
        dec(&r.records("Items")[2]["SalesDetails"]["UnitPrice"]),
        d("12.35")
    );
    assert!(r.messages("Items", 3)[0].contains("'INPUT2'"));
    // POST by code updates (S2: create or update).
    let upd = h
        .post(
            "/Items",
            json!({ "Items": [{ "Code": "NEW-1", "Name": "Renamed" }] }),
        )
        .await;
    assert_eq!(
        upd.records("Items")[0]["ItemID"],
        r.records("Items")[2]["ItemID"]
    );
    let one = h.get("/Items/NEW-1").await;
    assert_eq!(one.records("Items")[0]["Name"], "Renamed");
    assert_valid_answer("Items", &one.body);
}

#[tokio::test]
async fn strict_mode_rejects_a_misspelled_field_before_xero_sees_it() {
    let h = H::start().await;
    let mut l = line("1", "5", "OUTPUT2");
    l["Quantty"] = json!(2);
    let r = h
        .put(
            "/Invoices",
            json!({ "Invoices": [invoice("Z-1", vec![l])] }),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["Type"], "PostDataInvalidException");
    assert!(r.text.contains("Quantty"), "{}", r.text);
    let long = h
        .put("/Items", json!({ "Items": [{ "Code": "X".repeat(31) }] }))
        .await;
    assert_eq!(long.body["Type"], "PostDataInvalidException");
    let not_json = send(
        h.http
            .put(format!("{}/api.xro/2.0/Invoices", h.url))
            .bearer_auth(&h.token)
            .header("xero-tenant-id", UK.to_string())
            .body("{nope"),
    )
    .await;
    assert_eq!(
        (not_json.status, not_json.body["ErrorNumber"].as_i64()),
        (400, Some(14))
    );
}

#[tokio::test]
async fn list_filters_paging_and_if_modified_since() {
    let h = H::start().await;
    let a = h
        .create_invoice(invoice("F-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let mut other = invoice("F-2", vec![line("1", "2", "OUTPUT2")]);
    other["Contact"] = json!({ "Name": "Initech" });
    other["Status"] = json!("AUTHORISED");
    let b = h.create_invoice(other).await;
    let by_ids = h
        .get(&format!(
            "/Invoices?IDs={},{}",
            a["InvoiceID"].as_str().unwrap(),
            b["InvoiceID"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_ids.records("Invoices").len(), 2);
    assert_valid_answer("Invoices", &by_ids.body);
    let by_number = h.get("/Invoices?InvoiceNumbers=F-1,F-2,NONE").await;
    assert_eq!(by_number.records("Invoices").len(), 2);
    let by_contact = h
        .get(&format!(
            "/Invoices?ContactIDs={}",
            b["Contact"]["ContactID"].as_str().unwrap()
        ))
        .await;
    assert!(by_contact
        .records("Invoices")
        .iter()
        .all(|i| i["Contact"]["Name"] == "Initech"));
    let by_status = h.get("/Invoices?Statuses=DRAFT").await;
    assert!(by_status
        .records("Invoices")
        .iter()
        .all(|i| i["Status"] == "DRAFT"));
    assert!(by_status
        .records("Invoices")
        .iter()
        .any(|i| i["InvoiceNumber"] == "F-1"));
    // Unpaged lists come without line items; paged ones with them, and a pagination object.
    let all = h.get("/Invoices").await;
    let total = all.records("Invoices").len();
    assert!(all
        .records("Invoices")
        .iter()
        .all(|i| i.get("LineItems").is_none()));
    let page = h.get("/Invoices?page=2&pageSize=2").await;
    assert_valid_answer("Invoices", &page.body);
    assert_eq!(page.records("Invoices").len(), 2.min(total - 2));
    assert!(page.records("Invoices")[0]["LineItems"].is_array());
    assert_eq!(page.body["pagination"]["itemCount"], total);
    assert_eq!(page.body["pagination"]["pageCount"], total.div_ceil(2));
    assert_eq!(h.get("/Invoices?page=1&pageSize=1001").await.status, 400);
    // If-Modified-Since: only what changed after the timestamp.
    h.advance(120).await;
    let since = chrono::Utc::now() + chrono::Duration::seconds(60);
    h.advance(60).await;
    h.post(
        &format!("/Invoices/{}", a["InvoiceID"].as_str().unwrap()),
        json!({ "Reference": "touched" }),
    )
    .await;
    let r = h
        .call_as(
            Method::GET,
            "/Invoices",
            None,
            UK,
            &[(
                "If-Modified-Since",
                &since.format("%Y-%m-%dT%H:%M:%S").to_string(),
            )],
        )
        .await;
    let numbers: Vec<_> = r
        .records("Invoices")
        .iter()
        .map(|i| i["InvoiceNumber"].clone())
        .collect();
    assert_eq!(numbers, vec![json!("F-1")]);
}

#[tokio::test]
async fn updated_date_utc_is_in_ms_date_form_and_follows_the_clock() {
    let h = H::start().await;
    let inv = h
        .create_invoice(invoice("T-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let ms = |v: &Value| -> i64 {
        let s = v.as_str().unwrap();
        assert!(s.starts_with("/Date(") && s.ends_with("+0000)/"), "{s}");
        s[6..s.len() - 7].parse().unwrap()
    };
    let first = ms(&inv["UpdatedDateUTC"]);
    h.advance(1200).await;
    let id = inv["InvoiceID"].as_str().unwrap();
    let upd = h
        .post(&format!("/Invoices/{id}"), json!({ "Reference": "later" }))
        .await;
    let second = ms(&upd.records("Invoices")[0]["UpdatedDateUTC"]);
    assert!(second - first >= 1_200_000, "{first} → {second}");
    assert_eq!(
        inv["Date"], "/Date(1793491200000+0000)/",
        "2026-11-01 at midnight UTC"
    );
}

#[tokio::test]
async fn tax_rates_organisation_per_tenant_data() {
    let h = H::start().await;
    let uk = h.get("/TaxRates").await;
    assert_valid_answer("TaxRates", &uk.body);
    let rate = |r: &Resp, t: &str| {
        r.records("TaxRates")
            .iter()
            .find(|x| x["TaxType"] == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(dec(&rate(&uk, "OUTPUT2")["EffectiveRate"]), d("20"));
    assert_eq!(rate(&uk, "OUTPUT")["Status"], "ARCHIVED");
    assert_eq!(rate(&uk, "INPUT2")["CanApplyToRevenue"], false);
    let nz = h.call_as(Method::GET, "/TaxRates", None, NZ, &[]).await;
    assert_eq!(dec(&rate(&nz, "OUTPUT2")["EffectiveRate"]), d("15"));
    let org = h.call_as(Method::GET, "/Organisation", None, NZ, &[]).await;
    assert_valid_answer("Organisations", &org.body);
    let o = &org.records("Organisations")[0];
    assert_eq!(
        (
            o["Version"].as_str(),
            o["BaseCurrency"].as_str(),
            o["OrganisationID"].as_str()
        ),
        (Some("NZ"), Some("NZD"), Some(NZ.to_string().as_str()))
    );
    // Each organisation has its own records.
    h.create_invoice(invoice("OWN-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let nz_list = h
        .call_as(Method::GET, "/Invoices?InvoiceNumbers=OWN-1", None, NZ, &[])
        .await;
    assert!(nz_list.records("Invoices").is_empty());
    let starter = h
        .call_as(Method::GET, "/Organisation", None, STARTER, &[])
        .await;
    assert_eq!(starter.records("Organisations")[0]["Class"], "STARTER");
    assert_eq!(
        h.get(&format!("/Invoices/{}", uuid::Uuid::new_v4()))
            .await
            .status,
        404
    );
}
