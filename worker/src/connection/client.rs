//! The Worker's side of the connection Durable Object: one JSON call per operation, answers `{ok}` or `{err}`.

use serde::de::DeserializeOwned;
use serde_json::Value;
use worker::{Env, Headers, Method, Request, RequestInit};

use crate::error::ProxyError;

/// Header naming the CRM organisation on calls into the object.
pub const ORG_HEADER: &str = "x-xerosync-org";

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
