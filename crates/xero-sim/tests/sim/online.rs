//! An approved invoice's online link (O1) and emailing it through Xero (O2), with the daily email limit.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

async fn id_of(h: &H, number: &str) -> String {
    let r = h.get(&format!("/Invoices/{number}")).await;
    r.records("Invoices")[0]["InvoiceID"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_approved_invoice_has_an_online_link_on_the_simulators_host_rule_o1() {
    let h = H::start().await;
    for number in ["DEMO-1002", "DEMO-1004"] {
        let id = id_of(&h, number).await;
        let r = h.get(&format!("/Invoices/{id}/OnlineInvoice")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_valid_answer("OnlineInvoices", &r.body);
        let url = r.records("OnlineInvoices")[0]["OnlineInvoiceUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(url.starts_with(&format!("{}/online/", h.url)), "{url}");
        let again = h.get(&format!("/Invoices/{id}/OnlineInvoice")).await;
        assert_eq!(
            again.records("OnlineInvoices")[0]["OnlineInvoiceUrl"],
            json!(url)
        );
        let page = send(h.http.get(&url)).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains(number), "{}", page.text);
    }
}

#[tokio::test]
async fn a_draft_has_no_online_link_rule_o1() {
    let h = H::start().await;
    let id = id_of(&h, "DEMO-1001").await;
    let r = h.get(&format!("/Invoices/{id}/OnlineInvoice")).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["Type"], "ValidationException");
    assert!(
        r.body["Message"].as_str().unwrap().contains("DRAFT"),
        "{}",
        r.text
    );
    let missing = h
        .get("/Invoices/00000000-0000-4000-8000-000000000000/OnlineInvoice")
        .await;
    assert_eq!(missing.status, 404);
}

async fn email(h: &H, id: &str) -> Resp {
    h.call(
        Method::POST,
        &format!("/Invoices/{id}/Email"),
        Some(json!({})),
    )
    .await
}

fn emails(dump: &Value) -> usize {
    dump["Emails"].as_array().unwrap().len()
}

#[tokio::test]
async fn an_approved_invoice_is_emailed_to_its_contact_rule_o2() {
    let h = H::start().await;
    let id = id_of(&h, "DEMO-1002").await;
    let r = email(&h, &id).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.text.is_empty());
    let dump = h.dump(UK).await;
    assert_eq!(dump["Emails"][0]["InvoiceID"], json!(id));
    assert_eq!(dump["Emails"][0]["To"], "hank@globex.test");
    let counters = h.control(Method::GET, "/counters", Value::Null).await;
    assert_eq!(counters["emailsByTenant"][UK.to_string()], 1);
    let read = h.get(&format!("/Invoices/{id}")).await;
    assert_eq!(read.records("Invoices")[0]["SentToContact"], true);
    assert_valid_answer("Invoices", &read.body);
}

#[tokio::test]
async fn a_draft_or_a_contact_without_email_is_refused_rule_o2() {
    let h = H::start().await;
    let draft = id_of(&h, "DEMO-1001").await;
    let r = email(&h, &draft).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.body["Type"], "ValidationException");
    assert!(
        r.body["Message"].as_str().unwrap().contains("DRAFT"),
        "{}",
        r.text
    );
    let mut quiet = invoice("O2-1", vec![line("1", "10", "OUTPUT2")]);
    quiet["Contact"] = json!({ "Name": "No Email Ltd" });
    quiet["Status"] = json!("AUTHORISED");
    let inv = h.create_invoice(quiet).await;
    let r = email(&h, inv["InvoiceID"].as_str().unwrap()).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.body["Message"]
            .as_str()
            .unwrap()
            .contains("no email address"),
        "{}",
        r.text
    );
    assert_eq!(emails(&h.dump(UK).await), 0);
}

#[tokio::test]
async fn emails_count_against_a_daily_limit_rule_o2() {
    let mut h = H::start().await;
    let limits = h
        .control(Method::POST, "/limits", json!({ "emailsPerDay": 2 }))
        .await;
    assert_eq!(limits["emailsPerDay"], 2);
    let id = id_of(&h, "DEMO-1002").await;
    assert_eq!(email(&h, &id).await.status, 204);
    assert_eq!(email(&h, &id).await.status, 204);
    let third = email(&h, &id).await;
    assert_eq!(third.status, 400, "{}", third.text);
    assert!(third.body["Message"]
        .as_str()
        .unwrap()
        .contains("daily limit"));
    h.control(Method::POST, "/clock", json!({ "advanceDays": 1 }))
        .await;
    h.fresh_token().await;
    assert_eq!(email(&h, &id).await.status, 204, "a new day");
    assert_eq!(emails(&h.dump(UK).await), 3);
}
