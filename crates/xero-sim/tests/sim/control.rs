//! The control API: reset, seed, clock, faults (500/503/429, latency, commit-then-drop), counters, dumps; and that
//! it is absent without the flag.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn reset_and_seed_and_tenants() {
    let h = H::start().await;
    let tenants = h.control(Method::GET, "/tenants", Value::Null).await;
    assert_eq!(tenants.as_array().unwrap().len(), 4);
    let uk = tenants
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenantId"] == UK.to_string())
        .unwrap();
    assert_eq!(uk["invoices"], 4, "demo seed: four invoices");
    h.create_invoice(invoice("R-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    h.control(Method::POST, "/reset", json!({ "seed": "none" }))
        .await;
    let dump = h.dump(UK).await;
    assert!(
        dump["Invoices"].as_array().unwrap().is_empty()
            && dump["Contacts"].as_array().unwrap().is_empty()
    );
    assert_eq!(
        h.get("/Organisation").await.status,
        401,
        "tokens are gone after a reset"
    );
    h.control(Method::POST, "/seed", json!({ "name": "demo" }))
        .await;
    let dump = h.dump(UK).await;
    let invoices = dump["Invoices"].as_array().unwrap();
    let status =
        |n: &str| invoices.iter().find(|i| i["InvoiceNumber"] == n).unwrap()["Status"].clone();
    assert_eq!(
        (
            status("DEMO-1001"),
            status("DEMO-1003"),
            status("DEMO-1004")
        ),
        (json!("DRAFT"), json!("AUTHORISED"), json!("PAID"))
    );
    let created = h
        .control(
            Method::POST,
            "/tenants",
            json!({ "name": "Extra NZ", "country": "NZ", "tier": "starter" }),
        )
        .await;
    assert_eq!(created["country"], "NZ");
    let unknown = send(h.http.get(format!(
        "{}/_sim/tenants/{}/dump",
        h.url,
        uuid::Uuid::new_v4()
    )))
    .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_clock_moves_forward_and_can_be_set() {
    let mut h = H::start().await;
    let c = h
        .control(Method::POST, "/clock", json!({ "advanceDays": 2 }))
        .await;
    assert!(c["offsetMs"].as_i64().unwrap() >= 2 * 86_400_000 - 1000);
    let c = h
        .control(
            Method::POST,
            "/clock",
            json!({ "set": "2027-01-15T10:00:00Z" }),
        )
        .await;
    assert!(
        c["now"].as_str().unwrap().starts_with("2027-01-15T10:00"),
        "{c}"
    );
    h.fresh_token().await;
    let inv = h.create_invoice(json!({ "Type": "ACCREC", "Contact": { "Name": "Acme Ltd" }, "LineItems": [line("1", "1", "OUTPUT2")] })).await;
    assert_eq!(
        inv["Date"],
        xero_sim::json::ms_date(chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()),
        "Date defaults to the simulated today"
    );
}

#[tokio::test]
async fn queued_faults_give_500_503_and_429_then_normal_service() {
    let h = H::start().await;
    h.control(Method::POST, "/faults", json!({ "queue": [{ "fault": "error500" }, { "fault": "error503" }, { "fault": "extra429", "path": "/Invoices" }] })).await;
    let a = h.get("/Organisation").await;
    assert_eq!(a.status, 500);
    let b = h.get("/Organisation").await;
    assert_eq!(b.status, 503);
    assert!(b.body.is_null(), "503 bodies are not JSON");
    assert_eq!(
        h.get("/Organisation").await.status,
        200,
        "the 429 waits for an /Invoices call"
    );
    let c = h.get("/Invoices").await;
    assert_eq!(
        (
            c.status,
            c.header("x-rate-limit-problem"),
            c.header("retry-after")
        ),
        (429, Some("minute"), Some("1"))
    );
    assert_eq!(h.get("/Invoices").await.status, 200);
}

#[tokio::test]
async fn fault_rates_are_reproducible_from_the_seed() {
    let h = H::start().await;
    let first = fault_run(&h).await;
    h.control(Method::POST, "/limits", json!({ "clear": true }))
        .await;
    let second = fault_run(&h).await;
    assert_eq!(first, second);
    assert!(
        first.contains(&500) && first.contains(&503) && first.contains(&200),
        "{first:?}"
    );
}

#[tokio::test]
async fn commit_then_drop_the_connection_leaves_the_write_done_and_unanswered() {
    let h = H::start().await;
    h.control(
        Method::POST,
        "/faults",
        json!({ "queue": [{ "fault": "dropAfterCommit", "path": "/Invoices" }] }),
    )
    .await;
    let body = json!({ "Invoices": [invoice("DROP-1", vec![line("1", "1", "OUTPUT2")])] });
    let result = h
        .http
        .put(format!("{}/api.xro/2.0/Invoices", h.url))
        .bearer_auth(&h.token)
        .header("xero-tenant-id", UK.to_string())
        .body(body.to_string())
        .send()
        .await;
    assert!(result.is_err(), "the client gets no answer: {result:?}");
    let found = h.get("/Invoices?InvoiceNumbers=DROP-1").await;
    assert_eq!(
        found.records("Invoices").len(),
        1,
        "but the invoice was created"
    );
}

#[tokio::test]
async fn counters_per_endpoint_and_tenant() {
    let h = H::start().await;
    h.control(Method::DELETE, "/counters", Value::Null).await;
    h.get("/Invoices").await;
    h.get("/Invoices").await;
    h.call_as(Method::GET, "/Contacts", None, NZ, &[]).await;
    let inv = h
        .create_invoice(invoice("CT-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    h.get(&format!("/Invoices/{}", inv["InvoiceID"].as_str().unwrap()))
        .await;
    let c = h.control(Method::GET, "/counters", Value::Null).await;
    assert_eq!(c["byEndpoint"]["GET /api.xro/2.0/Invoices"], 2);
    assert_eq!(c["byEndpoint"]["PUT /api.xro/2.0/Invoices"], 1);
    assert_eq!(c["byEndpoint"]["GET /api.xro/2.0/Invoices/{id}"], 1);
    assert_eq!(c["byTenant"][UK.to_string()], 4);
    assert_eq!(c["byTenant"][NZ.to_string()], 1);
    assert_eq!(
        c["byTenantEndpoint"][NZ.to_string()]["GET /api.xro/2.0/Contacts"],
        1
    );
    assert_eq!(c["byStatus"]["200"], 5);
}

#[tokio::test]
async fn the_control_api_is_off_without_the_flag() {
    let mut config = xero_sim::Config::for_tests();
    config.control = false;
    let sim = xero_sim::start(config).await.unwrap();
    let r = send(client().post(format!("{}/_sim/reset", sim.base_url))).await;
    assert_eq!(r.status, 404);
    let page = send(client().get(format!("{}/", sim.base_url))).await;
    assert_eq!(page.status, 200);
    sim.stop().await;
}

async fn fault_run(h: &H) -> Vec<u16> {
    h.control(
        Method::POST,
        "/faults",
        json!({ "rate500": 0.3, "rate503": 0.2, "seed": 42 }),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(
            h.call_as(Method::GET, "/Organisation", None, NZ, &[])
                .await
                .status,
        );
    }
    statuses
}
