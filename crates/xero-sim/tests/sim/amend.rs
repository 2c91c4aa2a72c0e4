//! Cancelling and amending sent invoices (rules S10, S11, S8) and the money behind a balance on reads (rule U7):
//! DELETED for drafts, VOIDED for unpaid approved ones, Xero's refusal once a payment or credit has arrived, edits in
//! place while unpaid, and `Payments` / `CreditNotes` on single and list reads.

use serde_json::{json, Value};

use crate::common::*;

const HAS_PAYMENT: &str =
    "This document cannot be edited as it has a payment or credit note allocated to it.";
const BAD_STATUS: &str = "Invoice not of valid status for modification";

async fn authorised(h: &H, number: &str, unit: &str) -> String {
    let mut body = invoice(number, vec![line("1", unit, "OUTPUT2")]);
    body["Status"] = json!("AUTHORISED");
    h.create_invoice(body).await["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn pay(h: &H, id: &str, amount: &str, reference: &str) {
    let body = json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" }, "Date": "2026-11-20",
        "Amount": num(amount), "Reference": reference });
    let r = h.put("/Payments", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// POSTs one invoice element with summarizeErrors=false, as a client cancelling by number does.
async fn post_one(h: &H, element: Value) -> Value {
    let r = h
        .post(
            "/Invoices?summarizeErrors=false",
            json!({ "Invoices": [element] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Invoices", &r.body);
    r.records("Invoices")[0].clone()
}

fn messages(element: &Value) -> Vec<&str> {
    element["ValidationErrors"]
        .as_array()
        .map(|v| v.iter().map(|m| m["Message"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn cancelling_deletes_drafts_and_voids_unpaid_approved_invoices_rule_s10() {
    let h = H::start().await;
    let mut submitted = invoice("C-SUB", vec![line("1", "5", "OUTPUT2")]);
    submitted["Status"] = json!("SUBMITTED");
    h.create_invoice(submitted).await;
    let deleted = post_one(&h, json!({ "InvoiceNumber": "C-SUB", "Status": "DELETED" })).await;
    assert_eq!(
        (deleted["Status"].as_str(), dec(&deleted["AmountDue"])),
        (Some("DELETED"), d("0"))
    );
    authorised(&h, "C-AUTH", "50").await;
    let refused = post_one(
        &h,
        json!({ "InvoiceNumber": "C-AUTH", "Status": "DELETED" }),
    )
    .await;
    assert_eq!(
        messages(&refused),
        vec![BAD_STATUS],
        "an approved invoice is voided, not deleted"
    );
    let voided = post_one(&h, json!({ "InvoiceNumber": "C-AUTH", "Status": "VOIDED" })).await;
    assert_eq!(
        (voided["Status"].as_str(), dec(&voided["AmountDue"])),
        (Some("VOIDED"), d("0"))
    );
    assert_eq!(
        dec(&voided["Total"]),
        d("60.00"),
        "the total stays on a voided invoice"
    );
    let again = post_one(
        &h,
        json!({ "InvoiceNumber": "C-AUTH", "Reference": "too late" }),
    )
    .await;
    assert_eq!(messages(&again), vec![BAD_STATUS]);
}

#[tokio::test]
async fn a_payment_or_allocated_credit_stops_voiding_and_editing_with_xeros_message_rule_s10() {
    let h = H::start().await;
    let paid = authorised(&h, "C-PAID", "100").await;
    pay(&h, &paid, "10.00", "first instalment").await;
    let credited = authorised(&h, "C-CRED", "100").await;
    let cn = h
        .put("/CreditNotes", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "CreditNoteNumber": "C-CN",
            "Contact": { "Name": "Acme Ltd" }, "Status": "AUTHORISED", "LineItems": [line("1", "10", "OUTPUT2")] }] }))
        .await;
    assert_eq!(cn.status, 200, "{}", cn.text);
    let alloc = h
        .put(
            "/CreditNotes/C-CN/Allocations",
            json!({ "Allocations": [{ "Invoice": { "InvoiceID": credited }, "Amount": 12.0, "Date": "2026-11-20" }] }),
        )
        .await;
    assert_eq!(alloc.status, 200, "{}", alloc.text);
    let r = h
        .post(
            "/Invoices?summarizeErrors=false",
            json!({ "Invoices": [
                { "InvoiceNumber": "C-PAID", "Status": "VOIDED" },
                { "InvoiceID": credited, "Status": "VOIDED" },
                { "InvoiceNumber": "C-PAID", "LineItems": [line("1", "90", "OUTPUT2")] },
            ] }),
        )
        .await;
    assert_eq!(r.status, 200, "one element each, never a 400: {}", r.text);
    for i in 0..3 {
        assert_eq!(r.records("Invoices")[i]["StatusAttributeString"], "ERROR");
        assert_eq!(r.messages("Invoices", i), vec![HAS_PAYMENT], "element {i}");
    }
    // The credit note that was allocated cannot be voided either.
    let cn_void = h
        .post(
            "/CreditNotes/C-CN?summarizeErrors=false",
            json!({ "Status": "VOIDED" }),
        )
        .await;
    assert_eq!(cn_void.messages("CreditNotes", 0), vec![HAS_PAYMENT]);
    let still = h.get(&format!("/Invoices/{paid}")).await;
    assert_eq!(still.records("Invoices")[0]["Status"], "AUTHORISED");
}

#[tokio::test]
async fn an_unpaid_approved_invoice_is_edited_in_place_rule_s11() {
    let h = H::start().await;
    let id = authorised(&h, "A-1", "100").await;
    let edited = post_one(
        &h,
        json!({ "InvoiceID": id, "Reference": "PO 7", "Date": "2026-11-05", "DueDate": "2026-12-05",
            "LineItems": [line("2", "45.50", "OUTPUT2")] }),
    )
    .await;
    assert_eq!(edited["StatusAttributeString"], "OK", "{edited}");
    assert_eq!(
        (
            edited["Status"].as_str(),
            edited["Reference"].as_str(),
            edited["InvoiceID"].as_str()
        ),
        (Some("AUTHORISED"), Some("PO 7"), Some(id.as_str()))
    );
    assert_eq!(
        (dec(&edited["Total"]), dec(&edited["AmountDue"])),
        (d("109.20"), d("109.20"))
    );
    assert_eq!(edited["Date"], "/Date(1793836800000+0000)/", "2026-11-05");
    // An unapproved credit note can be edited and deleted like a draft invoice.
    let cn = h
        .put("/CreditNotes?summarizeErrors=false", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT",
            "CreditNoteNumber": "A-CN", "Contact": { "Name": "Acme Ltd" }, "LineItems": [line("1", "10", "OUTPUT2")] }] }))
        .await;
    assert_eq!(cn.records("CreditNotes")[0]["Status"], "DRAFT");
    let del = h
        .post(
            "/CreditNotes/A-CN?summarizeErrors=false",
            json!({ "Status": "DELETED" }),
        )
        .await;
    assert_eq!(
        del.records("CreditNotes")[0]["Status"],
        "DELETED",
        "{}",
        del.text
    );
}

#[tokio::test]
async fn reads_carry_payments_and_allocated_credit_notes_rule_u7() {
    let h = H::start().await;
    let id = authorised(&h, "U7-1", "100").await;
    pay(&h, &id, "20.00", "BACS 1").await;
    let cn = h
        .put("/CreditNotes", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "CreditNoteNumber": "U7-CN",
            "Contact": { "Name": "Acme Ltd" }, "Status": "AUTHORISED", "LineItems": [line("1", "25", "OUTPUT2")] }] }))
        .await;
    let cn_id = cn.records("CreditNotes")[0]["CreditNoteID"].clone();
    h.put("/CreditNotes/U7-CN/Allocations", json!({ "Allocations": [{ "Invoice": { "InvoiceID": id }, "Amount": 30.0, "Date": "2026-11-21" }] }))
        .await;
    pay(&h, &id, "70.00", "BACS 2").await;
    let single = h.get(&format!("/Invoices/{id}")).await;
    let list = h.get("/Invoices?InvoiceNumbers=U7-1").await;
    for (what, r) in [("single", &single), ("list", &list)] {
        assert_valid_answer("Invoices", &r.body);
        let inv = &r.records("Invoices")[0];
        assert_eq!(inv["Status"], "PAID", "{what}");
        assert_eq!(
            (
                dec(&inv["AmountPaid"]),
                dec(&inv["AmountCredited"]),
                dec(&inv["AmountDue"])
            ),
            (d("90.00"), d("30.00"), d("0")),
            "{what}"
        );
        assert_eq!(
            inv["FullyPaidOnDate"], "/Date(1795132800000+0000)/",
            "{what}: 2026-11-20, the last payment's date"
        );
        let payments = inv["Payments"].as_array().unwrap();
        let refs: Vec<_> = payments
            .iter()
            .map(|p| (p["Reference"].as_str().unwrap(), dec(&p["Amount"])))
            .collect();
        assert_eq!(
            refs,
            vec![("BACS 1", d("20.00")), ("BACS 2", d("70.00"))],
            "{what}"
        );
        assert!(payments
            .iter()
            .all(|p| p["PaymentID"].is_string() && p["Date"].is_string()));
        let credit = &inv["CreditNotes"][0];
        assert_eq!(
            (&credit["CreditNoteID"], dec(&credit["AppliedAmount"])),
            (&cn_id, d("30.00")),
            "{what}"
        );
        assert_eq!(inv["CreditNotes"].as_array().unwrap().len(), 1);
    }
    assert!(
        list.records("Invoices")[0].get("LineItems").is_none(),
        "lists still leave out lines"
    );
}
