//! The harness: a simulator per test, a token for the demo client, calls that return status, headers and JSON,
//! and checks of every answer against Xero's OpenAPI schemas (crate xero-schema).

use std::str::FromStr;

use reqwest::header::HeaderMap;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;
use xero_schema::{format_violations, Options, XeroSchemas};
use xero_sim::seed::{DEMO_NZ, DEMO_STARTER, DEMO_UK};
use xero_sim::{Config, RunningSim};

pub use xero_sim::config::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

pub const UK: Uuid = DEMO_UK;
pub const NZ: Uuid = DEMO_NZ;
pub const STARTER: Uuid = DEMO_STARTER;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The records of a collection answer.
    pub fn records(&self, collection: &str) -> &Vec<Value> {
        self.body[collection]
            .as_array()
            .unwrap_or_else(|| panic!("no {collection} in {}", self.text))
    }
    /// The validation messages of element `i` (summarizeErrors=false) or of the 400's Elements.
    pub fn messages(&self, collection: &str, i: usize) -> Vec<String> {
        let list = if self.status == 400 {
            &self.body["Elements"]
        } else {
            &self.body[collection]
        };
        list[i]["ValidationErrors"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|m| m["Message"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub struct H {
    /// Kept so the server lives as long as the harness (dropping it stops the server).
    pub _running: RunningSim,
    pub url: String,
    pub http: reqwest::Client,
    pub token: String,
    pub refresh: String,
    pub tenant: Uuid,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl H {
    /// Strict mode, control on, demo data, limits on.
    pub async fn start() -> H {
        H::start_with(Config::for_tests()).await
    }

    pub async fn start_with(config: Config) -> H {
        let sim = xero_sim::start(config).await.unwrap();
        let url = sim.base_url.clone();
        let http = client();
        let tokens: Value = http
            .post(format!("{url}/_sim/tokens"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        H {
            token: tokens["access_token"].as_str().unwrap().to_owned(),
            refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
            _running: sim,
            url,
            http,
            tenant: UK,
        }
    }

    /// A new token pair (after moving the clock past the access token's 30 minutes).
    pub async fn fresh_token(&mut self) {
        let tokens = self.control(Method::POST, "/tokens", Value::Null).await;
        self.token = tokens["access_token"].as_str().unwrap().to_owned();
        self.refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    }

    /// A call to the Accounting API (`path` after `/api.xro/2.0`), as the demo tenant unless `tenant` is set.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.call_as(method, path, body, self.tenant, &[]).await
    }

    pub async fn call_as(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        tenant: Uuid,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}/api.xro/2.0{path}", self.url))
            .bearer_auth(&self.token)
            .header("xero-tenant-id", tenant.to_string())
            .header("accept", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    /// A control-API call; panics unless it answers 2xx.
    pub async fn control(&self, method: Method, path: &str, body: Value) -> Value {
        let r = send(
            self.http
                .request(method, format!("{}/_sim{path}", self.url))
                .body(body.to_string()),
        )
        .await;
        assert!(r.status < 300, "control {path}: {} {}", r.status, r.text);
        r.body
    }

    pub async fn advance(&self, seconds: i64) {
        self.control(Method::POST, "/clock", json!({ "advanceSeconds": seconds }))
            .await;
    }

    pub async fn dump(&self, tenant: Uuid) -> Value {
        self.control(Method::GET, &format!("/tenants/{tenant}/dump"), Value::Null)
            .await
    }

    pub async fn no_limits(&self) {
        self.control(Method::POST, "/limits", json!({ "enabled": false }))
            .await;
    }

    /// PUTs invoices with summarizeErrors=false and checks the answer against the schema.
    pub async fn put_invoices(&self, invoices: Vec<Value>) -> Resp {
        let r = self
            .put(
                "/Invoices?summarizeErrors=false",
                json!({ "Invoices": invoices }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_valid_answer("Invoices", &r.body);
        r
    }

    /// Creates one invoice and returns it (panics on a validation error).
    pub async fn create_invoice(&self, invoice: Value) -> Value {
        let r = self.put_invoices(vec![invoice]).await;
        let inv = r.records("Invoices")[0].clone();
        assert_eq!(inv["StatusAttributeString"], "OK", "{}", r.text);
        inv
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Resp {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        text,
    }
}

pub fn schemas() -> &'static XeroSchemas {
    XeroSchemas::shared().expect("Xero's OpenAPI description beside the repository")
}

/// Checks an answer against `components.schemas[schema]` in strict response mode. A 400 `ValidationException`
/// carries the failed records in `Elements` (as Xero's own examples show): each is checked against the record's
/// schema, and the rest against `Error`.
pub fn assert_valid_answer(schema: &str, body: &Value) {
    if body.get("Type").and_then(Value::as_str) == Some("ValidationException") {
        let mut top = body.clone();
        let elements = top["Elements"].take();
        top.as_object_mut().unwrap().remove("Elements");
        check("Error", &top);
        let record = schema.trim_end_matches('s');
        for e in elements.as_array().unwrap() {
            check(record, e);
        }
        return;
    }
    check(schema, body);
}

fn check(schema: &str, body: &Value) {
    if let Err(v) = schemas().validate_with(schema, body, Options::response()) {
        panic!(
            "answer is not a valid `{schema}`:\n{}\n{body:#}",
            format_violations(&v)
        );
    }
}

/// A draft ACCREC invoice for an existing demo contact with the given lines.
pub fn invoice(number: &str, lines: Vec<Value>) -> Value {
    json!({ "Type": "ACCREC", "InvoiceNumber": number, "Contact": { "Name": "Acme Ltd" },
        "Date": "2026-11-01", "DueDate": "2026-12-01", "LineAmountTypes": "Exclusive", "LineItems": lines })
}

/// A line with account 200 and the given tax type.
pub fn line(qty: &str, unit: &str, tax: &str) -> Value {
    json!({ "Description": "Widget", "Quantity": num(qty), "UnitAmount": num(unit), "AccountCode": "200", "TaxType": tax })
}

pub fn num(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

/// A JSON number as an exact decimal (Xero's 2 dp numbers print back exactly from an f64).
pub fn dec(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Percent-encodes a query value (every byte but ASCII letters and digits), e.g. a `where` expression.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Creates one contact (PUT, summarizeErrors=false) and returns it (panics on a validation error).
pub async fn create_contact(h: &H, contact: Value) -> Value {
    let r = h
        .put(
            "/Contacts?summarizeErrors=false",
            json!({ "Contacts": [contact] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_valid_answer("Contacts", &r.body);
    let c = r.records("Contacts")[0].clone();
    assert_eq!(c["StatusAttributeString"], "OK", "{}", r.text);
    c
}
