//! The sync client in headless Chromium against the real proxy (`wrangler dev`) and the Xero simulator. Run by
//! tests/client/run.mjs, which starts both and bakes their URLs and the CRM session tokens into this build.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The settings are baked in by run.mjs; without them the test says how to run it.
#![allow(clippy::option_env_unwrap)]

use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, Object, Promise, Reflect, JSON};
use serde_json::{json, Value};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use xerosync_core::proxy_contract::ProxyErrorCode;
use xerosync_wasm::XeroClient;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! setting {
    ($name:literal) => {
        option_env!($name).expect(concat!(
            $name,
            " is not set: run crates/xerosync-wasm/tests/client/run.mjs"
        ))
    };
}

fn to_js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap()
}

fn to_json(value: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(value).unwrap())).unwrap()
}

async fn settle(promise: Promise) -> Value {
    match JsFuture::from(promise).await {
        Ok(v) => to_json(&v),
        Err(e) => panic!("rejected: {:?}", e),
    }
}

fn client(token: &str) -> XeroClient {
    let options = Object::new();
    Reflect::set(
        &options,
        &"proxyUrl".into(),
        &setting!("XEROSYNC_TEST_PROXY").into(),
    )
    .unwrap();
    let body = format!("return {};", serde_json::to_string(token).unwrap());
    Reflect::set(
        &options,
        &"sessionToken".into(),
        &Function::new_no_args(&body),
    )
    .unwrap();
    XeroClient::new(options.into()).unwrap()
}

/// Options with an `onProgress` callback (and more fields from `extra`).
fn options(extra: Value, on_progress: Option<Box<dyn FnMut(Value)>>) -> JsValue {
    let object = to_js(&extra);
    if let Some(mut callback) = on_progress {
        let closure = Closure::wrap(
            Box::new(move |p: JsValue| callback(to_json(&p))) as Box<dyn FnMut(JsValue)>
        );
        Reflect::set(&object, &"onProgress".into(), &closure.into_js_value()).unwrap();
    }
    object
}

async fn http(
    method: Method,
    url: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut builder = RequestBuilder::new(url).method(method);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let request = match body {
        Some(b) => builder
            .header("content-type", "application/json")
            .body(b.to_string())
            .unwrap(),
        None => builder.build().unwrap(),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn sim_control(method: Method, path: &str, body: Option<Value>) -> Value {
    let (status, body) = http(
        method,
        &format!("{}/_sim{path}", setting!("XEROSYNC_TEST_SIM")),
        body,
        &[],
    )
    .await;
    assert!(status < 300, "/_sim{path}: {status} {body}");
    body
}

async fn dump(tenant: &str) -> Value {
    sim_control(Method::GET, &format!("/tenants/{tenant}/dump"), None).await
}

/// A call to the simulator's Xero API as another Xero user would make it (for payments made in Xero).
async fn in_xero(tenant: &str, method: Method, path: &str, body: Value) -> Value {
    let tokens = sim_control(
        Method::POST,
        "/tokens",
        Some(json!({ "tenants": [tenant] })),
    )
    .await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let url = format!("{}/api.xro/2.0{path}", setting!("XEROSYNC_TEST_SIM"));
    let (status, answer) = http(
        method,
        &url,
        Some(body),
        &[("authorization", &bearer), ("xero-tenant-id", tenant)],
    )
    .await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

fn invoice(i: usize, products: usize, companies: usize) -> Value {
    json!({
        "id": format!("inv-{i}"), "kind": "invoice", "number": format!("CRM-{i:05}"),
        "companyId": format!("co-{}", i % companies), "issueDate": "2026-11-01", "dueDate": "2026-12-01",
        "currency": "GBP", "amountsAre": "exclusive", "status": "Created",
        "lines": [{ "productId": format!("pr-{}", i % products), "description": "Widget", "quantity": "2",
                    "listPrice": "10.00", "taxRateId": "vat20" }],
        "total": "24.00", "amountOutstanding": "24.00", "sentToAccounts": false
    })
}

fn ctx(products: usize, companies: usize) -> Value {
    json!({
        "companies": companies_list(companies),
        "products": (0..products).map(|p| json!({ "id": format!("pr-{p}"), "code": format!("W-{p}"),
            "name": format!("Widget {p}"), "unitPrice": "10.00", "taxRateId": "vat20", "salesAccountCode": "200" }))
            .collect::<Vec<_>>(),
        "taxRates": [{ "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" }],
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
    })
}

fn companies_list(companies: usize) -> Vec<Value> {
    (0..companies)
        .map(|c| {
            json!({ "id": format!("co-{c}"), "name": format!("Company {c}"), "balance": "0.00",
            "people": [{ "id": format!("p-{c}"), "firstName": "Ann", "lastName": format!("Lee{c}"),
                         "email": format!("ann{c}@example.test"), "primary": true }] })
        })
        .collect()
}

/// The CRM after storing a send result: every sent invoice's changes applied.
fn stored(invoices: &[Value], result: &Value) -> Vec<Value> {
    let mut out = invoices.to_vec();
    for (i, r) in result["invoices"].as_array().unwrap().iter().enumerate() {
        if let Some(changes) = r["changes"].as_object() {
            for (k, v) in changes {
                out[i][k.as_str()] = v.clone();
            }
            out[i]["status"] = json!("Live");
        }
    }
    out
}

fn numbers_in(dump: &Value) -> Vec<String> {
    dump["Invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["InvoiceNumber"].as_str().unwrap().to_string())
        .collect()
}

/// Rule L1: one `xero_log` row per Xero call the client made (rows without a CRM reference are the call rows).
async fn call_rows(token: &str, expected: u64) -> u64 {
    let bearer = format!("Bearer {token}");
    let mut count = 0;
    for _ in 0..50 {
        count = 0;
        // Paged by key: each page names the next one's `before`, null at the end.
        let mut before = String::new();
        loop {
            let url = format!(
                "{}/log?pageSize=500{before}",
                setting!("XEROSYNC_TEST_PROXY")
            );
            let (status, body) = http(Method::GET, &url, None, &[("authorization", &bearer)]).await;
            assert_eq!(status, 200, "{body}");
            let rows = body["rows"].as_array().unwrap();
            count += rows
                .iter()
                .filter(|r| {
                    r.get("crmRef")
                        .or_else(|| r.get("crm_ref"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .is_empty()
                })
                // The proxy logs its own limiter's refusals too (rule X2); they are not Xero calls, and the run
                // does not count them as calls.
                .filter(|r| {
                    let refused = format!("{}:", ProxyErrorCode::RateLimited.as_str());
                    !r["message"].as_str().unwrap_or("").starts_with(&refused)
                })
                .count() as u64;
            match body["nextBefore"].as_i64() {
                Some(next) => before = format!("&before={next}"),
                None => break,
            }
        }
        if count >= expected {
            break;
        }
        // The proxy writes the log after answering: give it a moment.
        JsFuture::from(Promise::new(&mut |resolve, _| {
            web_sys_set_timeout(&resolve, 200);
        }))
        .await
        .unwrap();
    }
    count
}

async fn sleep_ms(ms: i32) {
    JsFuture::from(Promise::new(&mut |resolve, _| {
        web_sys_set_timeout(&resolve, ms)
    }))
    .await
    .unwrap();
}

fn web_sys_set_timeout(callback: &Function, ms: i32) {
    let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
        .unwrap()
        .into();
    set_timeout
        .call2(&JsValue::NULL, callback, &ms.into())
        .unwrap();
}

/// One test, three phases in order: the simulator's faults are global, so the phases must not overlap.
#[wasm_bindgen_test]
async fn send_update_fault_run_and_resume_through_the_proxy() {
    let (crm, companies) =
        connection_tax_rates_send_and_update_rules_c6_t1_s1_s3_s9_u2_u3_a2().await;
    beyond_the_peers_rules_m1_o1_o2_rc1(crm, companies).await;
    the_fault_run_sends_each_invoice_once_rules_r1_s8_x2_l1().await;
    a_cancelled_run_resumes_and_finishes_rule_a3().await;
}

/// A rejected promise's `{ code, message }`.
async fn rejection(promise: Promise) -> Value {
    match JsFuture::from(promise).await {
        Ok(v) => panic!("resolved: {}", to_json(&v)),
        Err(e) => {
            let text = |key: &str| {
                Reflect::get(&e, &key.into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            json!({ "code": text("code"), "message": text("message") })
        }
    }
}

/// Rules M1, K1, K2, O1, O2, RC1 through the proxy: the pickers' options, a link, an email (and a draft's refusal
/// with its own code), and a reconciliation of what the first test sent.
async fn beyond_the_peers_rules_m1_o1_o2_rc1(crm: Vec<Value>, companies: Value) {
    let token = setting!("XEROSYNC_TEST_BASIC_TOKEN");
    let tenant = setting!("XEROSYNC_TEST_BASIC_TENANT");
    let xero = client(token);
    let options = settle(xero.organisation_options()).await;
    assert_eq!(options["baseCurrency"], "GBP", "{options}");
    assert_eq!(
        options["currencies"][0]["code"], "GBP",
        "base first: {options}"
    );
    assert!(options["brandingThemes"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
    assert!(options["trackingCategories"].is_array());
    // Rule O1 on demand: the same link the update read.
    let link = settle(xero.online_invoice(to_js(&crm[0]))).await;
    assert!(
        link["changes"]["onlineInvoiceUrl"]
            .as_str()
            .unwrap()
            .contains("/online/"),
        "{link}"
    );
    // Rule O2: emailed once, recorded by Xero; a draft is refused with its own code and a sentence.
    let emailed = settle(xero.email_invoice(to_js(&crm[0]))).await;
    assert_eq!(emailed["emailed"], true, "{emailed}");
    let emails = dump(tenant).await["Emails"].clone();
    let id = crm[0]["xeroId"].as_str().unwrap();
    assert_eq!(
        emails
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["InvoiceID"] == id)
            .count(),
        1,
        "{emails}"
    );
    let draft = rejection(xero.email_invoice(to_js(&crm[2]))).await;
    assert_eq!(draft["code"], "not_approved", "{draft}");
    assert!(
        draft["message"].as_str().unwrap().contains("approved"),
        "{draft}"
    );
    let not_sent = rejection(xero.online_invoice(to_js(&invoice(99, 2, 2)))).await;
    assert_eq!(not_sent["code"], "not_approved", "{not_sent}");
    // Rule RC1: the three sent invoices, as the CRM stores them after the update, agree with Xero.
    let report = settle(xero.reconcile(
        to_js(&Value::Array(crm.clone())),
        options_value(json!({ "companies": companies, "from": "2026-11-01", "to": "2026-11-30" })),
    ))
    .await;
    assert_eq!(report["finished"], true, "{report}");
    assert!(
        report["calls"].as_u64().unwrap() >= 2,
        "a page of invoices and one of credit notes: {report}"
    );
    let named = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|f| crm.iter().any(|i| i["id"] == f["id"]))
            .count()
    };
    assert_eq!(named(&report["differing"]), 0, "{report}");
    assert_eq!(named(&report["onlyInCrm"]), 0, "{report}");
    assert!(report["matched"].as_u64().unwrap() >= 3, "{report}");
    assert!(report["csv"].as_str().unwrap().starts_with("Finding,"));
    the_whole_proxy_through_the_client_rules_c3_c7_l1(&xero, tenant).await;
}

/// Issue 12: connecting, the organisation, the settings and the log through `XeroClient` (the page writes none of
/// it); disconnecting last, as the basic organisation's tests are over.
async fn the_whole_proxy_through_the_client_rules_c3_c7_l1(xero: &XeroClient, tenant: &str) {
    let connection = settle(xero.connection()).await;
    assert_eq!(
        connection["organisations"][0]["tenantId"], tenant,
        "{connection}"
    );
    let picked = settle(xero.select_organisation(JsValue::from_str(tenant))).await;
    assert_eq!(picked["status"], "connected", "rule C7: {picked}");
    let settings = settle(xero.settings()).await;
    assert_eq!(settings["enabled"], true, "{settings}");
    let saved = settle(xero.save_settings(to_js(&settings))).await;
    assert_eq!(saved, settings);
    let mut bad = settings.clone();
    bad["discountStrategy"] = json!("sometimes");
    let refused = rejection(xero.save_settings(to_js(&bad))).await;
    assert_eq!(refused["code"], "invalid_request", "{refused}");
    // Rule L1: key paging through the client, newest first, and the filters the proxy reads back.
    let first = settle(xero.log(
        to_js(&json!({ "outcome": "ok" })),
        to_js(&json!({ "pageSize": 2 })),
    ))
    .await;
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{first}");
    assert!(rows.iter().all(|r| r["outcome"] == "ok"));
    let before = first["nextBefore"].as_u64().expect("a next page");
    let second = settle(xero.log(
        to_js(&json!({ "outcome": "ok" })),
        to_js(&json!({ "pageSize": 2, "before": before })),
    ))
    .await;
    assert!(second["rows"][0]["id"].as_u64().unwrap() < rows[1]["id"].as_u64().unwrap() + 1);
    let email = settle(xero.log(
        to_js(&json!({ "actionContains": "email", "to": "2999-12-31" })),
        JsValue::UNDEFINED,
    ))
    .await;
    assert!(
        email["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"].as_str().unwrap().contains("Email")),
        "{email}"
    );
    let csv = settle(xero.log_csv(to_js(&json!({ "outcome": "ok" })))).await;
    assert!(csv["filename"].as_str().unwrap().ends_with(".csv"), "{csv}");
    assert!(csv["csv"].as_str().unwrap().lines().count() > 2, "{csv}");
    // Rule C3: a one-use ticket URL, then disconnecting.
    let url = JsFuture::from(xero.connect_url(JsValue::UNDEFINED))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(url.contains("/oauth/connect?ticket="), "{url}");
    let gone = settle(xero.disconnect()).await;
    assert_eq!(gone["status"], "not_connected", "{gone}");
    assert_eq!(gone["canSync"], false);
}

fn options_value(value: Value) -> JsValue {
    to_js(&value)
}

/// Returns the three sent invoices as the CRM stores them after the update, and their companies.
async fn connection_tax_rates_send_and_update_rules_c6_t1_s1_s3_s9_u2_u3_a2() -> (Vec<Value>, Value)
{
    let token = setting!("XEROSYNC_TEST_BASIC_TOKEN");
    let tenant = setting!("XEROSYNC_TEST_BASIC_TENANT");
    let xero = client(token);
    let connection = settle(xero.connection()).await;
    assert_eq!(connection["status"], "connected", "{connection}");
    assert_eq!(connection["canSync"], true, "rule C6: {connection}");
    let rates = settle(xero.tax_rates()).await;
    assert!(
        rates
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["taxType"] == "OUTPUT2"),
        "rule T1: {rates}"
    );

    let mut invoices: Vec<Value> = (0..4).map(|i| invoice(i, 2, 2)).collect();
    invoices[3]["amountOutstanding"] = json!("10.00"); // rule S1: payments made, skipped
                                                       // Rule S6: the preview a page shows before sending.
    let preview = xero
        .preview(
            to_js(&Value::Array(invoices.clone())),
            to_js(&ctx(2, 2)),
            JsValue::UNDEFINED,
        )
        .unwrap();
    let preview = to_json(&preview);
    assert_eq!(
        preview["invoices"][0]["preview"]["total"], "24.00",
        "{preview}"
    );
    assert_eq!(preview["invoices"][3]["rule"], "S1");
    assert_eq!(preview["matchesCrm"], true);
    let seen = Rc::new(Cell::new(0usize));
    let counter = seen.clone();
    let on_progress: Box<dyn FnMut(Value)> = Box::new(move |p| {
        assert_eq!(p["total"], 4);
        counter.set(counter.get() + 1);
    });
    let result = settle(xero.send(
        to_js(&Value::Array(invoices.clone())),
        to_js(&ctx(2, 2)),
        options(json!({}), Some(on_progress)),
    ))
    .await;
    assert_eq!(result["finished"], true, "{result}");
    assert_eq!(result["cancelled"], false);
    assert!(result.get("checkpoint").is_none());
    assert!(seen.get() >= 3, "rule A3: progress reported");
    let outcomes: Vec<&str> = result["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["sent", "sent", "sent", "skipped"], "{result}");
    assert_eq!(result["invoices"][3]["rule"], "S1");
    assert_eq!(
        result["invoices"][0]["changes"]["sentToAccounts"], true,
        "rule S9"
    );
    assert_eq!(result["companies"].as_array().unwrap().len(), 2, "rule S3");
    // Rule S3a: one search for the two companies' existing contacts, then items, contacts, invoices.
    assert_eq!(result["calls"], 4);
    let mut in_xero_now = numbers_in(&dump(tenant).await);
    in_xero_now.sort();
    assert_eq!(in_xero_now, ["CRM-00000", "CRM-00001", "CRM-00002"]);

    // Rule S8: two tabs send the same invoice at once: one Xero invoice.
    let other = client(token);
    let tab = Value::Array(vec![invoice(7, 2, 2)]);
    let (a, b) = futures_join(
        xero.send(to_js(&tab), to_js(&ctx(2, 2)), JsValue::UNDEFINED),
        other.send(to_js(&tab), to_js(&ctx(2, 2)), JsValue::UNDEFINED),
    )
    .await;
    assert_eq!(
        a["invoices"][0]["changes"]["xeroId"],
        b["invoices"][0]["changes"]["xeroId"]
    );
    assert_eq!(
        numbers_in(&dump(tenant).await)
            .iter()
            .filter(|n| *n == "CRM-00007")
            .count(),
        1
    );

    // Rule A1: *Send all live* leaves a paid invoice alone, without a call.
    let mut paid = invoice(9, 2, 2);
    paid["status"] = json!("Paid");
    let live =
        settle(xero.send_all_live(to_js(&json!([paid])), to_js(&ctx(2, 2)), JsValue::UNDEFINED))
            .await;
    assert_eq!(live["invoices"][0]["rule"], "A1", "{live}");
    assert_eq!(live["calls"], 0);
    assert!(live.get("refusalsLogged").is_none(), "a skip is no refusal");

    // Rule L1a: an invoice refused before any call (an unmapped tax rate) is in the proxy's log as `refused`,
    // attributed to the session's user.
    let mut unmapped = invoice(11, 2, 2);
    unmapped["lines"][0]["taxRateId"] = json!("vat5");
    let mut ctx5 = ctx(2, 2);
    ctx5["taxRates"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "vat5", "name": "VAT 5%", "percent": "5" }));
    let refused =
        settle(xero.send(to_js(&json!([unmapped])), to_js(&ctx5), JsValue::UNDEFINED)).await;
    assert_eq!(refused["invoices"][0]["outcome"], "failed", "{refused}");
    assert_eq!(refused["calls"], 0);
    assert_eq!(
        refused["refusalsLogged"],
        json!({ "reported": 1, "stored": 1 }),
        "{refused}"
    );
    let url = format!(
        "{}/log?outcome=refused&ref=inv-11",
        setting!("XEROSYNC_TEST_PROXY")
    );
    let bearer = format!("Bearer {token}");
    let (status, log) = http(Method::GET, &url, None, &[("authorization", &bearer)]).await;
    assert_eq!(status, 200, "{log}");
    let rows = log["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{log}");
    assert_eq!(rows[0]["userId"], "u-basic");
    assert_eq!(rows[0]["action"], "send");
    assert_eq!(rows[0]["recordKind"], "invoice");
    assert_eq!(rows[0]["xeroId"], "");
    let message = rows[0]["message"].as_str().unwrap();
    assert!(
        message.contains("vat5") && message.contains("T1"),
        "{message}"
    );

    // Xero's webhooks reach the proxy's change feed (rule B1).
    let hook = format!("{}/webhooks/xero", setting!("XEROSYNC_TEST_PROXY"));
    sim_control(
        Method::POST,
        "/webhooks",
        Some(json!({ "url": hook, "key": setting!("XEROSYNC_TEST_WEBHOOK_KEY"), "skipIntent": true })),
    )
    .await;
    // Payments in Xero: part of CRM-00000, all of CRM-00001 (rule U2).
    let crm = stored(&invoices[..3], &result);
    for (i, amount) in [(0usize, "5.00"), (1, "24.00")] {
        let id = crm[i]["xeroId"].as_str().unwrap();
        in_xero(
            tenant,
            Method::POST,
            "/Invoices",
            json!({ "Invoices": [{ "InvoiceID": id, "Status": "AUTHORISED" }] }),
        )
        .await;
        in_xero(
            tenant,
            Method::PUT,
            "/Payments",
            json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" },
            "Date": "2026-11-20", "Amount": amount }),
        )
        .await;
    }
    let companies = json!(companies_list(2)
        .into_iter()
        .enumerate()
        .map(|(c, mut company)| {
            company["xeroContactId"] = result["companies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == format!("co-{c}"))
                .unwrap()["xeroContactId"]
                .clone();
            company
        })
        .collect::<Vec<_>>());
    let updated = settle(xero.update(
        to_js(&Value::Array(crm.clone())),
        options(json!({ "companies": companies }), None),
    ))
    .await;
    assert_eq!(updated["finished"], true, "{updated}");
    // Rule O1: both invoices Xero approved get their customer link, read once; the draft does not.
    let links: Vec<String> = (0..2)
        .map(|i| {
            updated["invoices"][i]["changes"]["onlineInvoiceUrl"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert!(
        links.iter().all(|l| l.contains("/online/")),
        "rule O1: {links:?}"
    );
    let mut updated = updated;
    for i in 0..2 {
        updated["invoices"][i]["changes"]
            .as_object_mut()
            .unwrap()
            .remove("onlineInvoiceUrl");
    }
    assert_eq!(
        updated["invoices"][0]["changes"],
        json!({ "status": "Part Paid", "amountOutstanding": "19.00",
                "payments": [{ "date": "2026-11-20", "amount": "5.00" }] }),
        "{updated}: rule U7, the payment behind the balance"
    );
    assert_eq!(
        updated["invoices"][1]["changes"],
        json!({ "status": "Paid", "amountOutstanding": "0.00", "fullyPaidOnDate": "2026-11-20",
                "payments": [{ "date": "2026-11-20", "amount": "24.00" }] }),
        "{updated}"
    );
    assert_eq!(updated["invoices"][2]["outcome"], "unchanged");
    assert_eq!(
        updated["calls"], 3,
        "one IDs= read for three invoices, and rule O1's two links"
    );
    // Rule B1: the same changes through the change feed (webhook entries carry no record: the client reads them).
    let mut feed = Value::Null;
    for _ in 0..50 {
        feed =
            settle(xero.changes(JsValue::from(0), options(json!({ "invoices": crm }), None))).await;
        if feed["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == "inv-0" && e["changes"].is_object())
        {
            break;
        }
        sleep_ms(200).await;
    }
    let entry = feed["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "inv-0")
        .cloned();
    // The feed reads what changed like Update from Xero does, the approved invoice's link included (rule O1).
    assert_eq!(
        entry.map(|e| e["changes"].clone()),
        Some(json!({ "status": "Part Paid", "amountOutstanding": "19.00",
                     "payments": [{ "date": "2026-11-20", "amount": "5.00" }],
                     "onlineInvoiceUrl": links[0] })),
        "rule B1: {feed}"
    );
    assert!(feed["cursor"].as_i64().unwrap() > 0);
    let all = settle(xero.update_all(
        to_js(&Value::Array(crm.clone())),
        options(json!({ "companies": companies }), None),
    ))
    .await;
    assert_eq!(all["finished"], true, "{all}");
    let balances: Vec<&str> = all["companies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["balance"].as_str())
        .collect();
    assert!(!balances.is_empty(), "rule A2: company balances: {all}");
    assert!(all["since"].is_string());
    let stored: Vec<Value> = crm
        .iter()
        .enumerate()
        .map(|(i, invoice)| {
            let mut invoice = invoice.clone();
            if let Some(changes) = updated["invoices"][i]["changes"].as_object() {
                for (k, v) in changes {
                    invoice[k] = v.clone();
                }
            }
            invoice
        })
        .collect();
    (stored, companies)
}

async fn futures_join(a: Promise, b: Promise) -> (Value, Value) {
    let both = Promise::all(&js_sys::Array::of2(&a, &b));
    let pair = settle(both).await;
    (pair[0].clone(), pair[1].clone())
}

async fn the_fault_run_sends_each_invoice_once_rules_r1_s8_x2_l1() {
    let token = setting!("XEROSYNC_TEST_FAULTS_TOKEN");
    let tenant = setting!("XEROSYNC_TEST_FAULTS_TENANT");
    let xero = client(token);
    let (n, products, companies) = (1_000, 100, 200);
    let invoices: Vec<Value> = (0..n).map(|i| invoice(i, products, companies)).collect();
    // 10% 5xx, 5% 429, 2% written then the answer lost; no latency.
    sim_control(
        Method::POST,
        "/faults",
        Some(
            json!({ "rate500": 0.05, "rate503": 0.05, "rate429": 0.05, "drop": 0.02,
        "latencyMs": 0, "seed": 20_261_126 }),
        ),
    )
    .await;
    // Mid-run, the access token expires (the simulator's clock moves past its 30 minutes).
    let expired = Rc::new(Cell::new(false));
    let flag = expired.clone();
    let on_progress: Box<dyn FnMut(Value)> = Box::new(move |p| {
        if !flag.get() && p["done"].as_u64().unwrap_or(0) >= 300 {
            flag.set(true);
            wasm_bindgen_futures::spawn_local(async {
                sim_control(
                    Method::POST,
                    "/clock",
                    Some(json!({ "advanceMinutes": 31 })),
                )
                .await;
            });
        }
    });
    let result = settle(xero.send(
        to_js(&Value::Array(invoices)),
        to_js(&ctx(products, companies)),
        options(json!({}), Some(on_progress)),
    ))
    .await;
    sim_control(Method::DELETE, "/faults", None).await;
    assert!(
        expired.get(),
        "the token expired mid-run: {} {}",
        result["progress"],
        result["stopped"]
    );
    assert_eq!(result["finished"], true, "{}", result["stopped"]);
    let rows = result["invoices"].as_array().unwrap();
    assert_eq!(rows.len(), n);
    // Every CRM invoice is sent, or reported with a reason.
    for r in rows {
        match r["outcome"].as_str().unwrap() {
            "sent" => assert!(r["changes"]["xeroId"].is_string()),
            _ => assert!(r["message"].as_str().is_some_and(|m| !m.is_empty()), "{r}"),
        }
    }
    let sent: Vec<&Value> = rows.iter().filter(|r| r["outcome"] == "sent").collect();
    assert_eq!(
        sent.len(),
        n,
        "with 8 attempts each, every invoice gets through"
    );
    // Exactly one Xero invoice per CRM invoice.
    let mut numbers = numbers_in(&dump(tenant).await);
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(
        (before, numbers.len()),
        (n, n),
        "one Xero invoice per CRM invoice"
    );
    let calls = result["calls"].as_u64().unwrap();
    assert!(calls > 26, "faults cost retries: {calls}");
    assert_eq!(
        call_rows(token, calls).await,
        calls,
        "rule L1: a xero_log row per call"
    );
}

async fn a_cancelled_run_resumes_and_finishes_rule_a3() {
    let token = setting!("XEROSYNC_TEST_RESUME_TOKEN");
    let tenant = setting!("XEROSYNC_TEST_RESUME_TENANT");
    let xero = Rc::new(client(token));
    let (n, products, companies) = (1_000, 100, 200);
    let invoices: Vec<Value> = (0..n).map(|i| invoice(i, products, companies)).collect();
    let canceller = xero.clone();
    let cancelled_at = Rc::new(Cell::new(0u64));
    let mark = cancelled_at.clone();
    let on_progress: Box<dyn FnMut(Value)> = Box::new(move |p| {
        let done = p["done"].as_u64().unwrap_or(0);
        if mark.get() == 0 && done >= 300 {
            mark.set(done);
            canceller.cancel();
        }
    });
    let first = settle(xero.send(
        to_js(&Value::Array(invoices)),
        to_js(&ctx(products, companies)),
        options(json!({}), Some(on_progress)),
    ))
    .await;
    assert_eq!(
        first["cancelled"], true,
        "{} {}",
        first["progress"], first["stopped"]
    );
    assert_eq!(first["finished"], false);
    let sent_first = first["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "sent")
        .count();
    assert!(sent_first >= 300 && sent_first < n, "{sent_first}");
    // The checkpoint is plain JSON: it survives a page reload (localStorage).
    let checkpoint: Value = serde_json::from_str(&first["checkpoint"].to_string()).unwrap();
    let second = settle(xero.send(
        JsValue::NULL,
        JsValue::NULL,
        options(json!({ "checkpoint": checkpoint }), None),
    ))
    .await;
    assert_eq!(
        second["finished"], true,
        "{} {}",
        second["progress"], second["stopped"]
    );
    assert!(second["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["outcome"] == "sent"));
    // Nothing redone: the resumed run makes only the calls that were left (plus look-ups of the ones in flight).
    let resumed_calls = second["calls"].as_u64().unwrap() - first["calls"].as_u64().unwrap();
    assert!(
        resumed_calls <= 20 - (sent_first as u64 / 50) + 5,
        "resumed calls {resumed_calls}"
    );
    let d = dump(tenant).await;
    let mut numbers = numbers_in(&d);
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        (d["Invoices"].as_array().unwrap().len(), numbers.len()),
        (n, n)
    );
    assert_eq!(
        d["Contacts"].as_array().unwrap().len(),
        companies,
        "no contact created twice"
    );
}
