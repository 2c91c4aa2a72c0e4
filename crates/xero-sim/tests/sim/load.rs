//! Load: 200 concurrent clients and a 1,000-invoice batch, with nothing lost and nothing duplicated.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_clients_lose_nothing_and_duplicate_nothing() {
    let h = Arc::new(H::start().await);
    let mut tasks = Vec::new();
    for i in 0..200 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            // Each client its own connection pool, as separate users would be.
            let http = client();
            let tenant = if i % 2 == 0 { UK } else { NZ };
            let body = json!({ "Invoices": [{ "Type": "ACCREC", "InvoiceNumber": format!("CC-{i}"), "Contact": { "Name": "Acme Ltd" },
                "LineItems": [line("1", "10", "OUTPUT2")] }] });
            let r = send(http.put(format!("{}/api.xro/2.0/Invoices", h.url)).bearer_auth(&h.token).header("xero-tenant-id", tenant.to_string()).body(body.to_string())).await;
            (i, r.status, r.header("x-rate-limit-problem").map(str::to_owned))
        }));
    }
    let mut ok = Vec::new();
    for t in tasks {
        let (i, status, problem) = t.await.unwrap();
        match status {
            200 => ok.push(i),
            429 => assert!(problem.is_some()),
            other => panic!("client {i}: {other}"),
        }
    }
    assert!(!ok.is_empty());
    let mut created: Vec<i64> = Vec::new();
    for tenant in [UK, NZ] {
        let dump = h.dump(tenant).await;
        created.extend(dump["Invoices"].as_array().unwrap().iter().filter_map(|i| {
            i["InvoiceNumber"]
                .as_str()?
                .strip_prefix("CC-")?
                .parse::<i64>()
                .ok()
        }));
    }
    created.sort();
    ok.sort();
    assert_eq!(
        created,
        ok.iter().map(|&i| i as i64).collect::<Vec<_>>(),
        "exactly the acknowledged ones exist, once"
    );
    // Without limits, every one of 200 concurrent writes lands.
    h.no_limits().await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({ "Invoices": [invoice(&format!("CL-{i}"), vec![line("1", "1", "OUTPUT2")])] });
            h.call(Method::PUT, "/Invoices", Some(body)).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let list = h.get("/Invoices?page=1&pageSize=1000").await;
    let n = list
        .records("Invoices")
        .iter()
        .filter(|i| i["InvoiceNumber"].as_str().unwrap().starts_with("CL-"))
        .count();
    assert_eq!(n, 200);
}

#[tokio::test]
async fn a_thousand_invoice_batch_is_created_in_one_call() {
    let h = H::start().await;
    let invoices: Vec<Value> = (0..1000)
        .map(|i| {
            invoice(
                &format!("B-{i:04}"),
                vec![line("2", "12.34", "OUTPUT2"), line("1", "0.99", "RROUTPUT")],
            )
        })
        .collect();
    let r = h.put_invoices(invoices).await;
    let list = r.records("Invoices");
    assert_eq!(list.len(), 1000);
    assert!(list.iter().all(|i| i["StatusAttributeString"] == "OK"));
    // 24.68 × 20 % = 4.94 (4.936); 0.99 × 5 % = 0.05 (0.0495).
    assert!(list.iter().all(|i| dec(&i["Total"]) == d("30.66")));
    // 1,000 new drafts plus the demo draft: two pages of at most 1,000.
    let mut seen = 0;
    for page in 1..=2 {
        let r = h
            .get(&format!(
                "/Invoices?page={page}&pageSize=1000&Statuses=DRAFT"
            ))
            .await;
        seen += r
            .records("Invoices")
            .iter()
            .filter(|i| i["InvoiceNumber"].as_str().unwrap().starts_with("B-"))
            .count();
    }
    assert_eq!(seen, 1000);
}

#[tokio::test]
async fn a_body_over_3_5_mb_is_refused_and_nothing_is_created() {
    let h = H::start().await;
    let description = "x".repeat(3_900);
    let invoices: Vec<Value> = (0..1000)
        .map(|i| {
            let mut l = line("1", "1", "OUTPUT2");
            l["Description"] = json!(description);
            invoice(&format!("BIG-{i}"), vec![l])
        })
        .collect();
    let body = json!({ "Invoices": invoices });
    assert!(body.to_string().len() > 3_500_000);
    let r = h.put("/Invoices", body).await;
    assert_eq!(r.status, 413);
    let dump = h.dump(UK).await;
    assert!(!dump["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["InvoiceNumber"].as_str().unwrap().starts_with("BIG-")));
}
