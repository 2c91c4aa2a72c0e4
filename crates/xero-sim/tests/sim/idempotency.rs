//! `Idempotency-Key`: a replay within about 6 minutes returns the first answer; later it is new work.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn put_with_key(h: &H, key: &str, number: &str) -> Resp {
    let body = json!({ "Invoices": [invoice(number, vec![line("1", "10", "OUTPUT2")])] });
    h.call_as(
        Method::PUT,
        "/Invoices?summarizeErrors=false",
        Some(body),
        UK,
        &[("Idempotency-Key", key)],
    )
    .await
}

async fn count(h: &H, number: &str) -> usize {
    h.dump(UK).await["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["InvoiceNumber"] == number)
        .count()
}

#[tokio::test]
async fn a_replay_within_six_minutes_returns_the_first_answer_and_creates_nothing() {
    let h = H::start().await;
    let first = put_with_key(&h, "send-inv-1001-attempt", "IK-1").await;
    assert_eq!(first.status, 200);
    assert!(first.header("x-sim-idempotent-replay").is_none());
    h.advance(5 * 60).await;
    let replay = put_with_key(&h, "send-inv-1001-attempt", "IK-1").await;
    assert_eq!(replay.status, 200);
    assert_eq!(replay.text, first.text, "byte-for-byte the first answer");
    assert_eq!(replay.header("x-sim-idempotent-replay"), Some("true"));
    assert_eq!(count(&h, "IK-1").await, 1);
    // After the window the retry is new work: Xero checks the number again.
    h.advance(2 * 60).await;
    let late = put_with_key(&h, "send-inv-1001-attempt", "IK-1").await;
    assert_eq!(
        late.messages("Invoices", 0),
        vec!["Invoice # must be unique."]
    );
    assert_eq!(count(&h, "IK-1").await, 1);
}

#[tokio::test]
async fn keys_are_per_request_kind_and_at_most_128_characters() {
    let h = H::start().await;
    let long = "k".repeat(129);
    let r = put_with_key(&h, &long, "IK-2").await;
    assert_eq!(r.status, 400);
    assert_eq!(count(&h, "IK-2").await, 0);
    assert_eq!(put_with_key(&h, &"k".repeat(128), "IK-2").await.status, 200);
    let elsewhere = h
        .call_as(
            Method::PUT,
            "/Contacts",
            Some(json!({ "Contacts": [{ "Name": "Other" }] })),
            UK,
            &[("Idempotency-Key", &"k".repeat(128))],
        )
        .await;
    assert_eq!(
        elsewhere.status, 400,
        "the key was used for another request: {}",
        elsewhere.text
    );
    // A summarised 400 is replayed as a 400 too (the good records are not created twice).
    let bad = json!({ "Invoices": [invoice("IK-3", vec![line("1", "1", "OUTPUT2")]), invoice("IK-4", vec![line("1", "1", "NOPE")])] });
    let a = h
        .call_as(
            Method::PUT,
            "/Invoices",
            Some(bad.clone()),
            UK,
            &[("Idempotency-Key", "batch-7")],
        )
        .await;
    let b = h
        .call_as(
            Method::PUT,
            "/Invoices",
            Some(bad),
            UK,
            &[("Idempotency-Key", "batch-7")],
        )
        .await;
    assert_eq!((a.status, b.status), (400, 400));
    assert_eq!(count(&h, "IK-3").await, 1);
}

#[tokio::test]
async fn a_retry_after_a_dropped_answer_gets_the_committed_result_not_a_duplicate() {
    let h = H::start().await;
    h.control(
        Method::POST,
        "/faults",
        json!({ "queue": [{ "fault": "dropAfterCommit", "path": "/Invoices" }] }),
    )
    .await;
    let body = json!({ "Invoices": [invoice("IK-DROP", vec![line("1", "10", "OUTPUT2")])] });
    let lost = h
        .http
        .put(format!(
            "{}/api.xro/2.0/Invoices?summarizeErrors=false",
            h.url
        ))
        .bearer_auth(&h.token)
        .header("xero-tenant-id", UK.to_string())
        .header("Idempotency-Key", "send-ik-drop")
        .body(body.to_string())
        .send()
        .await;
    assert!(lost.is_err(), "the answer was dropped");
    let retry = put_with_key(&h, "send-ik-drop", "IK-DROP").await;
    assert_eq!(retry.status, 200);
    assert_eq!(
        retry.records("Invoices")[0]["StatusAttributeString"],
        "OK",
        "the first (committed) answer, not a uniqueness error"
    );
    assert_eq!(retry.header("x-sim-idempotent-replay"), Some("true"));
    assert_eq!(count(&h, "IK-DROP").await, 1);
}
