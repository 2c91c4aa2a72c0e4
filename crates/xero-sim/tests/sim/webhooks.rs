//! Webhooks: intent to receive, signed event batches (verified here with an HMAC-SHA256 written from sha2 by the
//! RFC 2104 construction, independent of the simulator's `hmac` crate), retries, and disabling after a day.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

/// HMAC-SHA256 by RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), 64-byte blocks.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

#[test]
fn the_test_hmac_matches_rfc_4231_case_2() {
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Checks the signature: 200 or 401, as a real receiver.
    Verify,
    /// Answers 200 to anything (fails the intent-to-receive check).
    AlwaysOk,
    /// Verifies, but answers 500 to the first n event deliveries.
    FailFirst(usize),
}

#[derive(Clone)]
struct Receiver {
    key: String,
    mode: Mode,
    received: Arc<Mutex<Vec<Value>>>,
    failures: Arc<Mutex<usize>>,
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if r.mode == Mode::AlwaysOk {
        return StatusCode::OK;
    }
    let expected =
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(r.key.as_bytes(), &body));
    let given = headers
        .get("x-xero-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if given != expected {
        return StatusCode::UNAUTHORIZED;
    }
    let v: Value = serde_json::from_slice(&body).unwrap();
    let is_event = !v["events"].as_array().unwrap().is_empty();
    if let Mode::FailFirst(n) = r.mode {
        let mut f = r.failures.lock().unwrap();
        if is_event && *f < n {
            *f += 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    if is_event {
        r.received.lock().unwrap().push(v);
    }
    StatusCode::OK
}

async fn receiver(mode: Mode) -> (String, Receiver, tokio::task::JoinHandle<()>) {
    let r = Receiver {
        key: "whsec-test-key-1".to_owned(),
        mode,
        received: Arc::default(),
        failures: Arc::default(),
    };
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, r, task)
}

async fn wait_for(mut ok: impl FnMut() -> bool) {
    for _ in 0..100 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for the webhook");
}

#[tokio::test]
async fn signed_events_arrive_for_invoice_contact_and_credit_note_changes() {
    let h = H::start().await;
    let (url, r, task) = receiver(Mode::Verify).await;
    let sub = h
        .control(
            Method::POST,
            "/webhooks",
            json!({ "url": url, "key": r.key }),
        )
        .await;
    assert_eq!(sub["status"], "OK");
    let inv = h.create_invoice(json!({ "Type": "ACCREC", "InvoiceNumber": "WH-1", "Contact": { "Name": "Brand New Ltd" },
        "LineItems": [line("1", "10", "OUTPUT2")] })).await;
    h.put("/CreditNotes", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "Contact": { "Name": "Acme Ltd" }, "LineItems": [line("1", "1", "OUTPUT2")] }] })).await;
    let received = r.received.clone();
    wait_for(|| {
        received
            .lock()
            .unwrap()
            .iter()
            .map(|b| b["events"].as_array().unwrap().len())
            .sum::<usize>()
            >= 3
    })
    .await;
    let batches = received.lock().unwrap().clone();
    let events: Vec<Value> = batches
        .iter()
        .flat_map(|b| b["events"].as_array().unwrap().clone())
        .collect();
    let has = |cat: &str, typ: &str| {
        events
            .iter()
            .any(|e| e["eventCategory"] == cat && e["eventType"] == typ)
    };
    assert!(
        has("INVOICE", "CREATE") && has("CONTACT", "CREATE") && has("CREDITNOTE", "CREATE"),
        "{events:#?}"
    );
    let ev = events
        .iter()
        .find(|e| e["eventCategory"] == "INVOICE")
        .unwrap();
    assert_eq!(ev["resourceId"], inv["InvoiceID"]);
    assert_eq!(ev["tenantId"], UK.to_string());
    assert_eq!(ev["tenantType"], "ORGANISATION");
    assert!(ev["resourceUrl"].as_str().unwrap().ends_with(&format!(
        "/api.xro/2.0/Invoices/{}",
        inv["InvoiceID"].as_str().unwrap()
    )));
    let first = &batches[0];
    assert!(first["firstEventSequence"].as_u64().unwrap() >= 1 && first["entropy"].is_string());
    // A payment is an UPDATE of the invoice.
    let mut auth = invoice("WH-2", vec![line("1", "10", "OUTPUT2")]);
    auth["Status"] = json!("AUTHORISED");
    let a = h.create_invoice(auth).await;
    h.put("/Payments", json!({ "Payments": [{ "Invoice": { "InvoiceID": a["InvoiceID"] }, "Account": { "Code": "090" }, "Amount": 1 }] })).await;
    let id = a["InvoiceID"].clone();
    wait_for(|| {
        received
            .lock()
            .unwrap()
            .iter()
            .flat_map(|b| b["events"].as_array().unwrap().clone())
            .any(|e| e["resourceId"] == id && e["eventType"] == "UPDATE")
    })
    .await;
    task.abort();
}

#[tokio::test]
async fn intent_to_receive_fails_for_a_receiver_that_ignores_signatures() {
    let h = H::start().await;
    let (url, _r, task) = receiver(Mode::AlwaysOk).await;
    let resp = send(
        h.http
            .post(format!("{}/_sim/webhooks", h.url))
            .body(json!({ "url": url, "key": "k" }).to_string()),
    )
    .await;
    assert_eq!(resp.status, 409);
    assert_eq!(resp.body["status"], "intent_to_receive_failed");
    assert_eq!(
        h.control(Method::GET, "/webhooks", Value::Null).await["enabled"],
        false
    );
    task.abort();
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_they_succeed() {
    let h = H::start().await;
    let (url, r, task) = receiver(Mode::FailFirst(2)).await;
    h.control(
        Method::POST,
        "/webhooks",
        json!({ "url": url, "key": r.key }),
    )
    .await;
    h.create_invoice(invoice("WH-R", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let received = r.received.clone();
    wait_for(|| !received.lock().unwrap().is_empty()).await;
    let status = h.control(Method::GET, "/webhooks", Value::Null).await;
    let attempts: Vec<_> = status["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, vec![500, 500, 200]);
    assert_eq!(status["enabled"], true);
    task.abort();
}

#[tokio::test]
async fn a_webhook_failing_for_a_day_is_disabled() {
    let h = H::start().await;
    let (url, r, task) = receiver(Mode::FailFirst(usize::MAX)).await;
    h.control(
        Method::POST,
        "/webhooks",
        json!({ "url": url, "key": r.key }),
    )
    .await;
    h.create_invoice(invoice("WH-D", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let sim = h.url.clone();
    let http = h.http.clone();
    let first_failure = || async {
        let s: Value = http
            .get(format!("{sim}/_sim/webhooks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        s["attempts"].as_array().unwrap().len()
    };
    for _ in 0..100 {
        if first_failure().await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.advance(25 * 3600).await;
    for _ in 0..100 {
        let s = h.control(Method::GET, "/webhooks", Value::Null).await;
        if s["disabled"] == true {
            assert_eq!(s["enabled"], false);
            task.abort();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not disabled");
}
