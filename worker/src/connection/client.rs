//! The Worker's side of the connection Durable Object: one JSON call per operation, answers `{ok}` or `{err}`.

use serde::de::DeserializeOwned;
use serde_json::Value;
use worker::{Env, Headers, Method, Request, RequestInit, Response};

use crate::xero::{Body, XeroAnswer, PASSED_HEADERS};

use crate::error::ProxyError;

/// Header naming the CRM organisation on calls into the object.
pub const ORG_HEADER: &str = "x-xerosync-org";
/// Relayed call: method.
pub const RELAY_METHOD: &str = "x-relay-method";
/// Relayed call: raw path after `/xero`.
pub const RELAY_PATH: &str = "x-relay-path";
/// Relayed call: raw query.
pub const RELAY_QUERY: &str = "x-relay-query";
const RELAY_ERROR: &str = "x-relay-error";

/// A relayed call's facts, handed to the object (which checks them again).
#[derive(Debug, Clone, Default)]
pub struct RelayRequest {
    /// `GET`, `PUT`, `POST`.
    pub method: String,
    /// Raw path after `/xero`.
    pub path: String,
    /// Raw query.
    pub query: Option<String>,
    /// `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
    /// The JSON body of a write, as the runtime holds it (passed on, not copied).
    pub body: Body,
}

fn stub(env: &Env, org: &str) -> Result<worker::Stub, ProxyError> {
    let internal = |e: worker::Error| ProxyError::Internal(format!("connection object: {e}"));
    env.durable_object("CONNECTION")
        .map_err(internal)?
        .id_from_name(org)
        .map_err(internal)?
        .get_stub()
        .map_err(internal)
}

/// Whether a status may carry a body (a Response with a body and one of these statuses throws).
fn null_body(status: u16) -> bool {
    matches!(status, 101 | 204 | 205 | 304)
}

/// Xero's answer as a response (status, passed headers, the body as the runtime holds it: no copy into Rust).
pub fn answer_response(answer: &XeroAnswer) -> worker::Result<Response> {
    let headers = Headers::new();
    for (k, v) in &answer.headers {
        headers.set(k, v)?;
    }
    if null_body(answer.status) {
        return Ok(Response::empty()?
            .with_status(answer.status)
            .with_headers(headers));
    }
    answer.body.response(answer.status, &headers)
}

/// An error as the object answers it.
pub fn error_response(e: &ProxyError) -> worker::Result<Response> {
    let mut r = Response::from_json(&serde_json::json!({ "err": e }))?;
    r.headers_mut().set(RELAY_ERROR, "1")?;
    Ok(r)
}

/// Relays one call through `org`'s connection object.
pub async fn relay(env: &Env, org: &str, call: &RelayRequest) -> Result<XeroAnswer, ProxyError> {
    let internal = |e: worker::Error| ProxyError::Internal(format!("connection object: {e}"));
    let headers = Headers::new();
    headers.set(ORG_HEADER, org).map_err(internal)?;
    headers.set(RELAY_METHOD, &call.method).map_err(internal)?;
    headers.set(RELAY_PATH, &call.path).map_err(internal)?;
    if let Some(q) = &call.query {
        headers.set(RELAY_QUERY, q).map_err(internal)?;
    }
    if let Some(k) = &call.idempotency_key {
        headers.set("idempotency-key", k).map_err(internal)?;
    }
    if let Some(d) = &call.if_modified_since {
        headers.set("if-modified-since", d).map_err(internal)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers);
    init.with_body(call.body.js());
    let req = Request::new_with_init("https://connection/relay", &init).map_err(internal)?;
    let mut resp = stub(env, org)?
        .fetch_with_request(req)
        .await
        .map_err(internal)?;
    if resp.headers().get(RELAY_ERROR).ok().flatten().is_some() {
        let answer: Value = resp.json().await.map_err(internal)?;
        let e: ProxyError =
            serde_json::from_value(answer.get("err").cloned().unwrap_or(Value::Null))
                .map_err(|e| ProxyError::Internal(e.to_string()))?;
        return Err(e);
    }
    let status = resp.status_code();
    let headers = PASSED_HEADERS
        .iter()
        .filter_map(|name| {
            resp.headers()
                .get(name)
                .ok()
                .flatten()
                .map(|v| ((*name).to_owned(), v))
        })
        .collect();
    let body = if null_body(status) {
        Body::none()
    } else {
        Body::of_response(&resp).await.map_err(internal)?
    };
    Ok(XeroAnswer {
        status,
        headers,
        body,
    })
}

/// Calls operation `op` (e.g. `/status`) on `org`'s connection object.
pub async fn call<T: DeserializeOwned>(
    env: &Env,
    org: &str,
    op: &str,
    body: Option<Value>,
) -> Result<T, ProxyError> {
    let internal = |e: worker::Error| ProxyError::Internal(format!("connection object: {e}"));
    let stub = env
        .durable_object("CONNECTION")
        .map_err(internal)?
        .id_from_name(org)
        .map_err(internal)?
        .get_stub()
        .map_err(internal)?;
    let headers = Headers::new();
    headers.set(ORG_HEADER, org).map_err(internal)?;
    let mut init = RequestInit::new();
    init.with_headers(headers);
    match body {
        Some(b) => {
            init.with_method(Method::Post)
                .with_body(Some(b.to_string().into()));
        }
        None => {
            init.with_method(Method::Get);
        }
    }
    let req =
        Request::new_with_init(&format!("https://connection{op}"), &init).map_err(internal)?;
    let mut resp = stub.fetch_with_request(req).await.map_err(internal)?;
    let answer: Value = resp.json().await.map_err(internal)?;
    if let Some(err) = answer.get("err") {
        let e: ProxyError =
            serde_json::from_value(err.clone()).map_err(|e| ProxyError::Internal(e.to_string()))?;
        return Err(e);
    }
    serde_json::from_value(answer.get("ok").cloned().unwrap_or(Value::Null))
        .map_err(|e| ProxyError::Internal(e.to_string()))
}
