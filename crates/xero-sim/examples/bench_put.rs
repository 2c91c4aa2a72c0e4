//! `npm run bench` (scripts/bench.sh): requests per second of the simulator for a 50-invoice PUT, against a
//! baseline measured in the same run (a GET of the organisation: routing, auth, limits and JSON, no writes).
//! Prints one figure a line: `name: value unit (goal …)`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use xero_sim::seed::DEMO_UK;

const CLIENTS: usize = 8;
const RUN: Duration = Duration::from_secs(2);

struct Target {
    url: String,
    token: String,
}

fn invoices(batch: usize) -> Value {
    let list: Vec<Value> = (0..50)
        .map(|i| {
            json!({ "Type": "ACCREC", "InvoiceNumber": format!("BENCH-{batch}-{i}"), "Contact": { "Name": "Acme Ltd" },
                "Date": "2026-11-01", "DueDate": "2026-12-01", "LineItems": [
                    { "Description": "Widget", "Quantity": 3, "UnitAmount": 30.0, "DiscountRate": 10, "AccountCode": "200", "TaxType": "OUTPUT2" },
                    { "ItemCode": "GADGET", "Quantity": 2 }] })
        })
        .collect();
    json!({ "Invoices": list })
}

/// Runs `CLIENTS` loops for `RUN` and returns requests per second; every answer must be a 200.
async fn rate(target: Arc<Target>, put: bool) -> Result<f64, String> {
    let done = Arc::new(AtomicUsize::new(0));
    let batch = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (target, done, batch) = (target.clone(), done.clone(), batch.clone());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while start.elapsed() < RUN {
                let req = if put {
                    let n = batch.fetch_add(1, Ordering::Relaxed);
                    http.put(format!(
                        "{}/api.xro/2.0/Invoices?summarizeErrors=false",
                        target.url
                    ))
                    .body(invoices(n).to_string())
                } else {
                    http.get(format!("{}/api.xro/2.0/Organisation", target.url))
                };
                let resp = req
                    .bearer_auth(&target.token)
                    .header("xero-tenant-id", DEMO_UK.to_string())
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if resp.status() != 200 {
                    return Err(format!("answer {}", resp.status()));
                }
                resp.bytes().await.map_err(|e| e.to_string())?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

async fn start(strict: bool) -> Result<(xero_sim::RunningSim, Arc<Target>), String> {
    let mut config = xero_sim::Config::for_tests();
    config.strict = strict;
    config.limits.enabled = false;
    let sim = xero_sim::start(config).await.map_err(|e| e.to_string())?;
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/_sim/tokens", sim.base_url))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let token = tokens["access_token"]
        .as_str()
        .ok_or("no token")?
        .to_owned();
    let target = Arc::new(Target {
        url: sim.base_url.clone(),
        token,
    });
    Ok((sim, target))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let (sim, target) = start(false).await?;
    let baseline = rate(target.clone(), false).await?;
    let put = rate(target, true).await?;
    sim.stop().await;
    let (strict_sim, strict_target) = start(true).await?;
    let put_strict = rate(strict_target, true).await?;
    strict_sim.stop().await;
    println!("sim_get_organisation: {baseline:.0} req/s (baseline, {CLIENTS} clients)");
    println!("sim_put_50_invoices: {put:.0} req/s (goal >= 20 req/s, i.e. 1,000 invoices/s)");
    println!(
        "sim_put_50_invoices_strict: {put_strict:.0} req/s (goal >= 10 req/s with schema checks)"
    );
    println!("sim_put_50_invoices_vs_get: {:.3} ratio (goal >= 0.01: a 50-record write costs at most 100 reads)", put / baseline);
    Ok(())
}
