//! `summarizeErrors`: false gives 200 with one element per record in request order, each with
//! `StatusAttributeString`; true (the default) gives a 400 when one record is bad, **while the good records are still
//! created** (the trap the notes warn about).

use serde_json::json;

use crate::common::*;

fn batch() -> Vec<serde_json::Value> {
    vec![
        invoice("SE-1", vec![line("1", "10", "OUTPUT2")]),
        invoice("SE-2", vec![line("1", "10", "BOGUS")]),
        invoice("SE-3", vec![line("1", "10", "OUTPUT2")]),
    ]
}

async fn created(h: &H) -> Vec<String> {
    let dump = h.dump(UK).await;
    dump["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["InvoiceNumber"].as_str())
        .filter(|n| n.starts_with("SE-"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn summarised_errors_are_a_400_while_the_good_records_are_created() {
    let h = H::start().await;
    let r = h.put("/Invoices", json!({ "Invoices": batch() })).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_valid_answer("Invoices", &r.body);
    assert_eq!(
        (r.body["ErrorNumber"].as_i64(), r.body["Type"].as_str()),
        (Some(10), Some("ValidationException"))
    );
    assert_eq!(r.body["Message"], "A validation exception occurred");
    let elements = r.body["Elements"].as_array().unwrap();
    assert_eq!(elements.len(), 1, "only the failed record is listed");
    assert_eq!(elements[0]["InvoiceNumber"], "SE-2");
    assert!(elements[0]["ValidationErrors"][0]["Message"]
        .as_str()
        .unwrap()
        .contains("BOGUS"));
    // The trap: SE-1 and SE-3 exist although the answer was a 400 and carried no ids for them.
    assert_eq!(created(&h).await, vec!["SE-1", "SE-3"]);
    assert!(!r.text.contains("InvoiceID"), "their ids are lost");
}

#[tokio::test]
async fn per_element_answers_keep_request_order_and_status_attribute_strings() {
    let h = H::start().await;
    let r = h
        .put(
            "/Invoices?summarizeErrors=false",
            json!({ "Invoices": batch() }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_valid_answer("Invoices", &r.body);
    let list = r.records("Invoices");
    let statuses: Vec<_> = list
        .iter()
        .map(|i| i["StatusAttributeString"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["OK", "ERROR", "OK"]);
    let numbers: Vec<_> = list
        .iter()
        .map(|i| i["InvoiceNumber"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, vec!["SE-1", "SE-2", "SE-3"]);
    assert_eq!(list[1]["HasErrors"], true);
    assert!(list[0]["InvoiceID"].is_string() && list[2]["InvoiceID"].is_string());
    assert!(list[1].get("InvoiceID").is_none());
    assert!(
        list[0].get("ValidationErrors").is_none()
            || list[0]["ValidationErrors"].as_array().unwrap().is_empty()
    );
    assert_eq!(created(&h).await, vec!["SE-1", "SE-3"]);
}

#[tokio::test]
async fn all_good_is_200_either_way_and_contacts_flag_has_validation_errors() {
    let h = H::start().await;
    let r = h
        .put(
            "/Invoices",
            json!({ "Invoices": [invoice("SE-9", vec![line("1", "1", "OUTPUT2")])] }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.records("Invoices")[0]
        .get("StatusAttributeString")
        .is_none());
    let c = h
        .put(
            "/Contacts",
            json!({ "Contacts": [{ "Name": "Fresh Co" }, { "Name": "Fresh Co" }] }),
        )
        .await;
    assert_eq!(c.status, 400);
    assert_valid_answer("Contacts", &c.body);
    assert_eq!(c.body["Elements"][0]["HasValidationErrors"], true);
    // A single object without the collection wrapper is accepted too.
    let single = h.put("/Contacts", json!({ "Name": "Solo Ltd" })).await;
    assert_eq!(single.status, 200, "{}", single.text);
}
