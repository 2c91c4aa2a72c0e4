//! Writes: validation messages, uniqueness, statuses and balances as payments and credit arrive. Every answer is
//! checked against the OpenAPI schemas.

use serde_json::json;

use crate::common::*;

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
    // The balance moved; the contact's UpdatedDateUTC did not (poll invoices, not contacts, for balances).
    assert_eq!(
        after.records("Contacts")[0]["UpdatedDateUTC"],
        before.records("Contacts")[0]["UpdatedDateUTC"]
    );
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
async fn allocations_need_the_same_contact_and_an_authorised_invoice() {
    let h = H::start().await;
    let cn = h
        .put(
            "/CreditNotes",
            json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "Status": "AUTHORISED",
            "Contact": { "Name": "Initech" }, "LineItems": [line("1", "10.00", "OUTPUT2")] }] }),
        )
        .await;
    let cn_id = cn.records("CreditNotes")[0]["CreditNoteID"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut other = invoice("AL-1", vec![line("1", "50", "OUTPUT2")]);
    other["Status"] = json!("AUTHORISED");
    let other = h.create_invoice(other).await;
    let draft = h
        .create_invoice(
            json!({ "Type": "ACCREC", "InvoiceNumber": "AL-2", "Contact": { "Name": "Initech" },
        "LineItems": [line("1", "50", "OUTPUT2")] }),
        )
        .await;
    let alloc = |inv: &serde_json::Value| json!({ "Allocations": [{ "Invoice": { "InvoiceID": inv["InvoiceID"] }, "Amount": 1, "Date": "2026-11-21" }] });
    let r = h
        .put(
            &format!("/CreditNotes/{cn_id}/Allocations?summarizeErrors=false"),
            alloc(&other),
        )
        .await;
    assert_eq!(
        r.messages("Allocations", 0),
        vec!["The credit note and the invoice must belong to the same contact."]
    );
    let r = h
        .put(
            &format!("/CreditNotes/{cn_id}/Allocations?summarizeErrors=false"),
            alloc(&draft),
        )
        .await;
    assert_eq!(
        r.messages("Allocations", 0),
        vec!["Invoice not of valid status for allocation"]
    );
    let dump = h.dump(UK).await;
    assert!(dump["Allocations"].as_array().unwrap().is_empty());
}
