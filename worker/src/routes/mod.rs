//! The router: CORS and the session check (rule C1) in one place, then one module per route group.
//!
//! | route | module |
//! |---|---|
//! | `GET /health` | here |
//! | `POST /dev/session` (only with `DEV_MODE`) | [`session`] |
//! | `GET /oauth/connect`, `GET /oauth/callback` | [`oauth`] |
//! | `GET /connection`, `GET /connections`, `POST /connections/select`, `POST /connection/disconnect` | [`connection`] |
//! | `GET|PUT|POST /xero/{Resource}[/{id}]` | [`relay`] |
//! | `GET|PUT /settings` | [`settings`] |
//! | `GET /log` | [`log`] |
//! | `GET /changes?after=` | [`changes`] |
//! | `POST /webhooks/xero` | [`webhooks`] |

pub mod changes;
pub mod connection;
pub mod log;
pub mod oauth;
pub mod relay;
pub mod session;
pub mod settings;
pub mod webhooks;

use serde_json::{json, Value};
use worker::{Context, Env, Headers, Method, Request, Response};

use crate::config::Config;
use crate::error::ProxyError;
use crate::jwt::{self, Session};

/// What a handler gets.
#[derive(Debug)]
pub struct Call {
    /// Bindings.
    pub env: Env,
    /// Configuration.
    pub cfg: Config,
    /// The caller's session (after rule C1).
    pub session: Session,
    /// The request.
    pub req: Request,
    /// For work after the answer (the log).
    pub ctx: Context,
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    worker::Date::now().as_millis() / 1000
}

/// Handles one request.
pub async fn handle(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let origin = req.headers().get("origin")?;
    let path = req.path();
    let method = req.method();
    // Xero and the browser's top-level navigation: no CORS, their own checks.
    match (method.clone(), path.as_str()) {
        (Method::Post, "/webhooks/xero") => {
            return finish(webhooks::receive(req, &env).await, None)
        }
        (Method::Get, "/oauth/callback") => return finish(oauth::callback(req, &env).await, None),
        (Method::Get, "/health") => {
            return finish(Ok(Response::from_json(&json!({"ok": true}))?), None)
        }
        _ => {}
    }
    let cfg = match Config::from_env(&env) {
        Ok(c) => c,
        Err(e) => return finish(Err(e), None),
    };
    let allowed_origin = match origin {
        Some(o) if cfg.origin_allowed(&o) => Some(o),
        Some(o) => return finish(Err(ProxyError::ForbiddenOrigin(o)), None),
        None => None,
    };
    if method == Method::Options {
        return finish(
            Ok(Response::empty()?.with_status(204)),
            allowed_origin.as_deref(),
        );
    }
    if method == Method::Post && path == "/dev/session" {
        let r = if cfg.dev_mode {
            session::mint(req, &cfg).await
        } else {
            Err(ProxyError::NotFound)
        };
        return finish(r, allowed_origin.as_deref());
    }
    let session = match authenticate(&req, &cfg, path == "/oauth/connect") {
        Ok(s) => s,
        Err(e) => return finish(Err(e), allowed_origin.as_deref()),
    };
    let call = Call {
        env,
        cfg,
        session,
        req,
        ctx,
    };
    let result = route(call, method, &path).await;
    finish(result, allowed_origin.as_deref())
}

/// Rule C1: a valid, unexpired session of a finance or admin user.
fn authenticate(req: &Request, cfg: &Config, allow_query: bool) -> Result<Session, ProxyError> {
    let header = req.headers().get("authorization").ok().flatten();
    // `/oauth/connect` is a top-level navigation, which cannot carry a header: it may take `?session=`.
    let from_query = if allow_query && header.is_none() {
        req.url().ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "session")
                .map(|(_, v)| v.into_owned())
        })
    } else {
        None
    };
    let token = match &from_query {
        Some(t) => t.as_str(),
        None => jwt::bearer(header.as_deref())?,
    };
    let session = jwt::verify(token, cfg.session_secret.as_bytes(), now_secs())?;
    jwt::authorize(&session)?;
    Ok(session)
}

async fn route(call: Call, method: Method, path: &str) -> Result<Response, ProxyError> {
    if let Some(rest) = path.strip_prefix("/xero") {
        return relay::relay(call, rest.to_owned()).await;
    }
    match (method, path) {
        (Method::Get, "/oauth/connect") => oauth::connect(call).await,
        (Method::Get, "/connection") => connection::status(call).await,
        (Method::Get, "/connections") => connection::tenants(call).await,
        (Method::Post, "/connections/select") => connection::select(call).await,
        (Method::Post, "/connection/disconnect") | (Method::Delete, "/connection") => {
            connection::disconnect(call).await
        }
        (Method::Get, "/settings") => settings::read(call).await,
        (Method::Put, "/settings") => settings::write(call).await,
        (Method::Get, "/log") => log::read(call).await,
        (Method::Get, "/changes") => changes::read(call).await,
        (
            _,
            "/oauth/connect"
            | "/connection"
            | "/connections"
            | "/connections/select"
            | "/settings"
            | "/log"
            | "/changes",
        ) => Err(ProxyError::MethodNotAllowed),
        _ => Err(ProxyError::NotFound),
    }
}

/// A JSON answer.
pub fn json_response(status: u16, body: &Value) -> Result<Response, ProxyError> {
    Ok(Response::from_json(body)
        .map_err(internal)?
        .with_status(status))
}

/// A 302 to `location` (built by hand: `Response::redirect` has immutable headers, so no cookie could be set).
pub fn redirect(location: &str) -> Result<Response, ProxyError> {
    let headers = Headers::new();
    headers.set("location", location).map_err(internal)?;
    Ok(Response::empty()
        .map_err(internal)?
        .with_status(302)
        .with_headers(headers))
}

/// Maps worker errors.
pub fn internal(e: worker::Error) -> ProxyError {
    ProxyError::Internal(e.to_string())
}

/// Reads a JSON body, naming the problem.
pub async fn json_body(req: &mut Request) -> Result<Value, ProxyError> {
    let text = req.text().await.map_err(internal)?;
    serde_json::from_str(&text).map_err(|e| ProxyError::invalid("body", format!("not JSON: {e}")))
}

fn finish(result: Result<Response, ProxyError>, origin: Option<&str>) -> worker::Result<Response> {
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            let mut r = Response::from_json(&e.body())?.with_status(e.status());
            if let ProxyError::RateLimited {
                retry_after,
                problem,
            } = &e
            {
                r.headers_mut()
                    .set("retry-after", &retry_after.to_string())?;
                r.headers_mut().set("x-rate-limit-problem", problem)?;
            }
            r
        }
    };
    let Some(origin) = origin else {
        return Ok(resp);
    };
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        headers.append(&k, &v)?;
    }
    headers.set("access-control-allow-origin", origin)?;
    headers.set(
        "access-control-allow-methods",
        "GET, PUT, POST, DELETE, OPTIONS",
    )?;
    headers.set(
        "access-control-allow-headers",
        "authorization, content-type, idempotency-key, if-modified-since, x-xerosync-action",
    )?;
    headers.set(
        "access-control-expose-headers",
        "retry-after, x-daylimit-remaining, x-minlimit-remaining, x-rate-limit-problem, content-disposition",
    )?;
    headers.set("access-control-max-age", "600")?;
    headers.append("vary", "Origin")?;
    Ok(resp.with_headers(headers))
}
