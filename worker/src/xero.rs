//! The one place that calls `Fetch`: Xero's identity endpoints and the Accounting API, at the configured URLs.
//! Tokens go into headers and form bodies here and nowhere else; nothing here logs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use std::time::Duration;

use futures_util::future::{self, Either};
use worker::js_sys::{ArrayBuffer, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, Response, ResponseBody,
};

use crate::config::Config;
use crate::error::ProxyError;
use crate::relay_rules::{percent_encode, RelayCall};

/// A token answer.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenSet {
    /// Bearer token for API calls.
    pub access_token: String,
    /// Rotating refresh token.
    #[serde(default)]
    pub refresh_token: String,
    /// Seconds until the access token expires.
    #[serde(default = "default_expiry")]
    pub expires_in: u64,
}

fn default_expiry() -> u64 {
    1800
}

/// One organisation a consent granted (Xero's `GET /connections`): the proxy contract's own type, so the Durable
/// Object's `/tenants` answer and the Worker's reading of it are one struct.
pub use xerosync_core::proxy_contract::GrantedTenant as Tenant;

/// Why a refresh failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshFailure {
    /// Xero said `invalid_grant`: the connection is dead.
    InvalidGrant(String),
    /// Anything else: try again later with the same refresh token.
    Transient(String),
}

/// A body as the JS runtime holds it (an `ArrayBuffer`, or none): handed from one request or response to the next
/// without entering Rust's memory; [`Body::bytes`] and [`Body::text`] copy it in only where Rust must read it.
#[derive(Debug, Clone, Default)]
pub struct Body(Option<ArrayBuffer>);

impl Body {
    /// No body.
    pub fn none() -> Self {
        Self(None)
    }

    /// A body from Rust text (copied into the runtime once).
    pub fn from_text(text: &str) -> Self {
        Self(Some(Uint8Array::from(text.as_bytes()).buffer()))
    }

    /// Reads a request's whole body inside the runtime.
    pub async fn of_request(req: &Request) -> worker::Result<Self> {
        let buf = JsFuture::from(req.inner().array_buffer()?).await?;
        Ok(Self::of_buffer(buf))
    }

    /// Reads a response's whole body inside the runtime.
    pub async fn of_response(resp: &Response) -> worker::Result<Self> {
        let stream = match resp.body() {
            ResponseBody::Stream(s) => s,
            ResponseBody::Empty => return Ok(Self(None)),
            ResponseBody::Body(b) => return Ok(Self(Some(Uint8Array::from(&b[..]).buffer()))),
        };
        let inner = worker::web_sys::Response::new_with_opt_readable_stream(Some(stream))?;
        let buf = JsFuture::from(inner.array_buffer()?).await?;
        Ok(Self::of_buffer(buf))
    }

    fn of_buffer(buf: JsValue) -> Self {
        let buf: ArrayBuffer = buf.unchecked_into();
        Self((buf.byte_length() > 0).then_some(buf))
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |b| b.byte_length() as usize)
    }

    /// Whether there is no body (or an empty one).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body for a `RequestInit` or a `Response` (the same buffer, not a copy).
    pub fn js(&self) -> Option<JsValue> {
        self.0.as_ref().map(|b| b.clone().into())
    }

    /// A copy of the bytes in Rust.
    pub fn bytes(&self) -> Vec<u8> {
        self.0
            .as_ref()
            .map(|b| Uint8Array::new(b).to_vec())
            .unwrap_or_default()
    }

    /// A copy as text (invalid UTF-8 replaced, as `Response.text()` does).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }

    /// A response with this body (the runtime's buffer), `status` and `headers`.
    pub fn response(&self, status: u16, headers: &Headers) -> worker::Result<Response> {
        let init = worker::web_sys::ResponseInit::new();
        init.set_status(status);
        init.set_headers(&headers.0);
        let resp = match &self.0 {
            Some(b) => {
                worker::web_sys::Response::new_with_opt_buffer_source_and_init(Some(b), &init)?
            }
            None => worker::web_sys::Response::new_with_opt_str_and_init(None, &init)?,
        };
        Ok(Response::from(resp))
    }
}

/// An Accounting API answer.
#[derive(Debug, Clone)]
pub struct XeroAnswer {
    /// HTTP status.
    pub status: u16,
    /// Headers worth passing on (content type, limits, `Retry-After`).
    pub headers: Vec<(String, String)>,
    /// The body, as the runtime holds it.
    pub body: Body,
}

impl XeroAnswer {
    /// A header by (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Headers of Xero's answers that the caller gets.
pub const PASSED_HEADERS: [&str; 6] = [
    "content-type",
    "retry-after",
    "x-rate-limit-problem",
    "x-minlimit-remaining",
    "x-daylimit-remaining",
    "x-appminlimit-remaining",
];

fn upstream(e: worker::Error) -> ProxyError {
    ProxyError::Upstream(e.to_string())
}

/// The one `Fetch`: every call to Xero gives up after `timeout_ms` (and is aborted), so a hung call frees its
/// in-flight slot and a hung refresh does not hold its waiters forever. The answer's body is read whole within the
/// timeout, inside the runtime.
async fn send_body(
    timeout_ms: u64,
    method: Method,
    url: &str,
    headers: Headers,
    body: &Body,
) -> Result<(u16, Headers, Body), ProxyError> {
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    init.with_body(body.js());
    let req = Request::new_with_init(url, &init).map_err(upstream)?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let call = async {
        let resp = Fetch::Request(req)
            .send_with_signal(&signal)
            .await
            .map_err(upstream)?;
        let body = Body::of_response(&resp).await.map_err(upstream)?;
        Ok((resp.status_code(), resp.headers().clone(), body))
    };
    let timer = Delay::from(Duration::from_millis(timeout_ms));
    futures_util::pin_mut!(call);
    match future::select(call, timer).await {
        Either::Left((answer, _)) => answer,
        Either::Right(_) => {
            controller.abort();
            Err(ProxyError::UpstreamTimeout(timeout_ms))
        }
    }
}

/// [`send_body`] with Rust text in and out (the identity endpoints).
async fn send(
    timeout_ms: u64,
    method: Method,
    url: &str,
    headers: Headers,
    body: Option<String>,
) -> Result<(u16, Headers, String), ProxyError> {
    let body = body.map_or_else(Body::none, |b| Body::from_text(&b));
    let (status, headers, answer) = send_body(timeout_ms, method, url, headers, &body).await?;
    Ok((status, headers, answer.text()))
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn basic_auth(cfg: &Config) -> Result<Headers, ProxyError> {
    let h = Headers::new();
    let creds = STANDARD.encode(format!("{}:{}", cfg.client_id, cfg.client_secret));
    h.set("authorization", &format!("Basic {creds}"))
        .map_err(upstream)?;
    h.set("content-type", "application/x-www-form-urlencoded")
        .map_err(upstream)?;
    h.set("accept", "application/json").map_err(upstream)?;
    Ok(h)
}

async fn token_call(cfg: &Config, body: String) -> Result<TokenSet, RefreshFailure> {
    let headers = basic_auth(cfg).map_err(|e| RefreshFailure::Transient(e.to_string()))?;
    let (status, _, text) = send(
        cfg.xero_timeout_ms,
        Method::Post,
        &cfg.token_url,
        headers,
        Some(body),
    )
    .await
    .map_err(|e| RefreshFailure::Transient(e.to_string()))?;
    if (200..300).contains(&status) {
        return serde_json::from_str(&text)
            .map_err(|_| RefreshFailure::Transient("token answer is not JSON".into()));
    }
    let error = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_default();
    if error == "invalid_grant" {
        Err(RefreshFailure::InvalidGrant(format!(
            "Xero answered {status} invalid_grant"
        )))
    } else {
        Err(RefreshFailure::Transient(format!(
            "token endpoint answered {status} {error}"
        )))
    }
}

/// Exchanges an authorization code.
pub async fn exchange_code(cfg: &Config, code: &str) -> Result<TokenSet, ProxyError> {
    let body = form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &cfg.redirect_uri),
    ]);
    token_call(cfg, body).await.map_err(|e| match e {
        RefreshFailure::InvalidGrant(m) | RefreshFailure::Transient(m) => {
            ProxyError::Upstream(format!("code exchange failed: {m}"))
        }
    })
}

/// Refreshes with a refresh token (rotated in the answer).
pub async fn refresh(cfg: &Config, refresh_token: &str) -> Result<TokenSet, RefreshFailure> {
    token_call(
        cfg,
        form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ]),
    )
    .await
}

/// Revokes a refresh token (and with it the connection's access).
pub async fn revoke(cfg: &Config, refresh_token: &str) -> Result<u16, ProxyError> {
    let headers = basic_auth(cfg)?;
    let body = form(&[
        ("token", refresh_token),
        ("token_type_hint", "refresh_token"),
    ]);
    Ok(send(
        cfg.xero_timeout_ms,
        Method::Post,
        &cfg.revoke_url,
        headers,
        Some(body),
    )
    .await?
    .0)
}

fn bearer(access_token: &str) -> Result<Headers, ProxyError> {
    let h = Headers::new();
    h.set("authorization", &format!("Bearer {access_token}"))
        .map_err(upstream)?;
    h.set("accept", "application/json").map_err(upstream)?;
    Ok(h)
}

/// The organisations one consent granted: `GET /connections?authEventId=` (the caller filters the answer again,
/// see [`crate::tenancy`]).
pub async fn connections(
    cfg: &Config,
    access_token: &str,
    auth_event_id: &str,
) -> Result<Vec<Tenant>, ProxyError> {
    let url = format!(
        "{}?authEventId={}",
        cfg.connections_url,
        percent_encode(auth_event_id)
    );
    let (status, _, text) = send(
        cfg.xero_timeout_ms,
        Method::Get,
        &url,
        bearer(access_token)?,
        None,
    )
    .await?;
    if status != 200 {
        return Err(ProxyError::Upstream(format!(
            "GET /connections answered {status}"
        )));
    }
    serde_json::from_str(&text)
        .map_err(|_| ProxyError::Upstream("GET /connections: not a list of connections".into()))
}

/// `DELETE /connections/{id}`: removes one organisation from the app's connections at Xero.
pub async fn delete_connection(
    cfg: &Config,
    access_token: &str,
    connection_id: &str,
) -> Result<u16, ProxyError> {
    let url = format!(
        "{}/{}",
        cfg.connections_url.trim_end_matches('/'),
        percent_encode(connection_id)
    );
    Ok(send(
        cfg.xero_timeout_ms,
        Method::Delete,
        &url,
        bearer(access_token)?,
        None,
    )
    .await?
    .0)
}

/// One Accounting API call, with the bearer token and the chosen tenant.
pub async fn api(
    cfg: &Config,
    access_token: &str,
    tenant_id: &str,
    call: &RelayCall,
    body: &Body,
) -> Result<XeroAnswer, ProxyError> {
    let headers = bearer(access_token)?;
    headers.set("xero-tenant-id", tenant_id).map_err(upstream)?;
    if let Some(k) = &call.idempotency_key {
        headers.set("idempotency-key", k).map_err(upstream)?;
    }
    if let Some(d) = &call.if_modified_since {
        headers.set("if-modified-since", d).map_err(upstream)?;
    }
    if !body.is_empty() {
        headers
            .set("content-type", "application/json")
            .map_err(upstream)?;
    }
    let method = match call.method {
        "PUT" => Method::Put,
        "POST" => Method::Post,
        _ => Method::Get,
    };
    let url = format!("{}{}", cfg.api_url, call.upstream_path());
    let (status, h, body) = send_body(cfg.xero_timeout_ms, method, &url, headers, body).await?;
    let headers = PASSED_HEADERS
        .iter()
        .filter_map(|name| h.get(name).ok().flatten().map(|v| ((*name).to_owned(), v)))
        .collect();
    Ok(XeroAnswer {
        status,
        headers,
        body,
    })
}
