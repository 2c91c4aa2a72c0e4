//! The one place that calls the proxy (gloo-net `fetch`): `/xero/…` relays a core request description and returns
//! Xero's answer as the core reads it; the other routes (`/connection`, `/settings`, `/changes`, `/log/refusals`)
//! answer JSON.
//! Every call carries `Authorization: Bearer <the CRM session token>`, read from the page's function each time.

use super::js::error;
use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, Promise};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;
use xerosync_core::plan::refusals::RefusalReport;
use xerosync_core::plan::{XeroAnswer, XeroRequest};
use xerosync_core::proxy_contract::routes;

/// The proxy's base URL and the page's session-token function.
#[derive(Clone)]
pub struct Proxy {
    base: Rc<str>,
    session_token: Function,
}

/// Query values percent-encoded (the proxy decodes strictly).
fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// The headers of a relayed request the proxy passes on (the others are the proxy's business).
const PASSED_HEADERS: [&str; 4] = [
    "Accept",
    "Content-Type",
    "Idempotency-Key",
    "If-Modified-Since",
];

impl Proxy {
    pub fn new(base: &str, session_token: Function) -> Proxy {
        Proxy {
            base: base.trim_end_matches('/').into(),
            session_token,
        }
    }

    /// The current CRM session token (the page's function may return it or a promise of it).
    pub async fn token(&self) -> Result<String, JsValue> {
        let mut value = self.session_token.call0(&JsValue::NULL)?;
        if let Some(promise) = value.dyn_ref::<Promise>() {
            value = JsFuture::from(promise.clone()).await?;
        }
        value.as_string().filter(|t| !t.is_empty()).ok_or_else(|| {
            error(
                xerosync_core::proxy_contract::ProxyErrorCode::MissingSession.as_str(),
                "sessionToken() returned no token",
            )
        })
    }

    /// Relays one core request to Xero through `/xero{path}`. `Err` is a lost answer (network error, aborted):
    /// the run decides what Xero may have done (rule S8).
    pub async fn xero(
        &self,
        request: &XeroRequest,
        action: &str,
        signal: &AbortSignal,
    ) -> Result<XeroAnswer, String> {
        let token = self
            .token()
            .await
            .map_err(|e| format!("session token: {e:?}"))?;
        let query: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let mut url = format!("{}{}{}", self.base, routes::RELAY, request.path);
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        let method = match request.method.as_str() {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            _ => Method::GET,
        };
        let mut builder = RequestBuilder::new(&url)
            .method(method)
            .header("Authorization", &format!("Bearer {token}"))
            .header("X-Xerosync-Action", action)
            .abort_signal(Some(signal));
        for (name, value) in &request.headers {
            if PASSED_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                builder = builder.header(name, value);
            }
        }
        let built = match &request.body {
            Some(body) => builder.body(body.to_string()),
            None => builder.build(),
        };
        let response = built
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers();
        let retry_after = headers.get("retry-after");
        let rate_limit_problem = headers.get("x-rate-limit-problem");
        // As bytes, copied into wasm at once: `text()` would cross as a JS string, which wasm-bindgen copies one
        // character at a time (issue 13: the answers of a send are megabytes). Decoded as `text()` decodes: invalid
        // UTF-8 becomes U+FFFD and a leading byte order mark is dropped.
        let bytes = response.binary().await.map_err(|e| e.to_string())?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        Ok(XeroAnswer {
            request_id: request.id.clone(),
            status,
            body: Value::String(text),
            retry_after,
            rate_limit_problem,
        })
    }

    /// A proxy route answering JSON (`GET /connection`, …): the body, or a thrown error with the proxy's code.
    pub async fn get_json(
        &self,
        path: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<Value, JsValue> {
        self.json(Method::GET, path, None, signal).await
    }

    /// Rule L1a: one refusal report (`POST /log/refusals`), answered `{ stored }`.
    pub async fn report_refusals(&self, report: &RefusalReport) -> Result<Value, JsValue> {
        let body = serde_json::to_string(report).map_err(|e| error("internal", &e.to_string()))?;
        self.json(Method::POST, routes::REFUSALS, Some(body), None)
            .await
    }

    /// `POST`/`PUT` of a JSON body to one of the proxy's own routes: the JSON answer, or an error with its code.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Value, JsValue> {
        self.json(method, path, Some(body.to_string()), None).await
    }

    /// A `GET` answered with text (the log's CSV): the text and the file name the proxy suggests.
    pub async fn get_text(&self, path: &str) -> Result<(String, Option<String>), JsValue> {
        let (text, disposition) = self.call(Method::GET, path, None, None).await?;
        let filename = disposition.and_then(|d| {
            let start = d.find("filename=")? + "filename=".len();
            Some(
                d[start..]
                    .trim_matches(|c| c == '"' || c == ';' || c == ' ')
                    .to_owned(),
            )
        });
        Ok((text, filename))
    }

    /// A call to one of the proxy's own routes: the JSON body, or an error with the proxy's code.
    async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        signal: Option<&AbortSignal>,
    ) -> Result<Value, JsValue> {
        let (text, _) = self.call(method, path, body, signal).await?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// One call to the proxy's own routes: the body's text and `Content-Disposition` of a 2xx answer, or an error
    /// with the proxy's code.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        signal: Option<&AbortSignal>,
    ) -> Result<(String, Option<String>), JsValue> {
        let token = self.token().await?;
        let verb = method.to_string();
        let builder = RequestBuilder::new(&format!("{}{path}", self.base))
            .method(method)
            .header("Authorization", &format!("Bearer {token}"))
            .abort_signal(signal);
        let request = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body),
            None => builder.build(),
        };
        let response = request
            .map_err(|e| error("internal", &format!("{verb} {path}: {e}")))?
            .send()
            .await
            .map_err(|e| {
                error(
                    crate::error::PROXY_UNREACHABLE,
                    &format!("{verb} {path}: {e}"),
                )
            })?;
        let status = response.status();
        let disposition = response.headers().get("content-disposition");
        let text = response.text().await.map_err(|e| {
            error(
                crate::error::PROXY_UNREACHABLE,
                &format!("{verb} {path}: {e}"),
            )
        })?;
        if (200..300).contains(&status) {
            return Ok((text, disposition));
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or(crate::error::PROXY_ERROR);
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{verb} {path}: HTTP {status}"), str::to_string);
        let thrown = error(code, &message);
        // Rule X2: a rate-limited call says when to try again, as a number a page can wait on.
        if let Some(seconds) = body.pointer("/error/retryAfter").and_then(Value::as_f64) {
            let _ =
                js_sys::Reflect::set(&thrown, &"retryAfter".into(), &JsValue::from_f64(seconds));
        }
        Err(thrown)
    }
}
