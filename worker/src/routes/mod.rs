//! The router: CORS and the session check (rule C1) in one place, then one module per route group.
//!
//! | route | module |
//! |---|---|
//! | `GET /health` | [`health`] |
//! | `POST /dev/session` (only with `DEV_MODE` and every Xero URL on loopback) | [`session`] |
//! | `POST /dev/clock` (the same, and a session): the caller's organisation's clock moved ahead | [`session`] |
//! | `POST /oauth/ticket`, `GET /oauth/connect?ticket=`, `GET /oauth/callback` | [`oauth`] |
//! | `GET /connection`, `GET /connections`, `POST /connections/select`, `POST /connection/disconnect` | [`connection`] |
//! | `GET|PUT|POST /xero/{Resource}[/{id}[/{action}]]` | [`relay`] |
//! | `GET|PUT /settings` | [`settings`] |
//! | `GET /log` | [`log`] |
//! | `POST /log/refusals` | [`refusals`] |
//! | `GET /changes?after=` | [`changes`] |
//! | `POST /webhooks/xero` | [`webhooks`] |

pub mod changes;
pub mod connection;
pub mod health;
pub mod log;
pub mod oauth;
pub mod refusals;
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

/// Largest JSON body of the proxy's own routes (settings, select, tickets).
pub const JSON_BODY_CAP: u64 = 64 * 1024;
/// Largest webhook delivery read (Xero's are far smaller; a 1,000-event delivery is about 300 kB).
pub const WEBHOOK_BODY_CAP: u64 = 1024 * 1024;

/// Handles one request.
pub async fn handle(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let origin = req.headers().get("origin")?;
    let path = req.path();
    let method = req.method();
    let seen = Seen {
        method: method.to_string(),
        path: path.clone(),
        org: None,
    };
    // Xero and the browser's top-level navigations: no CORS, their own checks.
    match (method.clone(), path.as_str()) {
        (Method::Post, "/webhooks/xero") => {
            return finish(webhooks::receive(req, &env).await, None, &seen)
        }
        (Method::Get, "/oauth/connect") => {
            return finish(oauth::connect(req, &env).await, None, &seen)
        }
        (Method::Get, "/oauth/callback") => {
            return finish(oauth::callback(req, &env).await, None, &seen)
        }
        (Method::Get, "/health") => return finish(health::check(&env).await, None, &seen),
        _ => {}
    }
    let cfg = match Config::from_env(&env) {
        Ok(c) => c,
        Err(e) => return finish(Err(e), None, &seen),
    };
    let allowed_origin = match origin {
        Some(o) if cfg.origin_allowed(&o) => Some(o),
        Some(o) => return finish(Err(ProxyError::ForbiddenOrigin(o)), None, &seen),
        None => None,
    };
    if method == Method::Options {
        return finish(
            Ok(Response::empty()?.with_status(204)),
            allowed_origin.as_deref(),
            &seen,
        );
    }
    if path == "/dev/session" {
        // Outside the demo the route does not exist at all (404, not 401).
        let r = if method == Method::Post && cfg.dev_sessions() {
            session::mint(req, &cfg).await
        } else {
            Err(ProxyError::NotFound)
        };
        return finish(r, allowed_origin.as_deref(), &seen);
    }
    let session = match authenticate(&req, &cfg) {
        Ok(s) => s,
        Err(e) => return finish(Err(e), allowed_origin.as_deref(), &seen),
    };
    let seen = Seen {
        org: Some(session.org.clone()),
        ..seen
    };
    let call = Call {
        env,
        cfg,
        session,
        req,
        ctx,
    };
    let result = if path == "/dev/clock" {
        // Outside the demo it does not exist (404), like /dev/session.
        if method == Method::Post && call.cfg.dev_sessions() {
            session::advance_clock(call).await
        } else {
            Err(ProxyError::NotFound)
        }
    } else {
        route(call, method, &path).await
    };
    finish(result, allowed_origin.as_deref(), &seen)
}

/// Rule C1: a valid, unexpired session of a finance or admin user, from the `Authorization` header only (never
/// a URL, where it would reach logs and history).
fn authenticate(req: &Request, cfg: &Config) -> Result<Session, ProxyError> {
    let header = req.headers().get("authorization").ok().flatten();
    let token = jwt::bearer(header.as_deref())?;
    let session = jwt::verify(token, &cfg.session_policy(), now_secs())?;
    jwt::authorize(&session)?;
    Ok(session)
}

/// Refuses a body before reading it: `Content-Length` is required with a body and at most `limit`.
pub fn body_cap(req: &Request, limit: u64) -> Result<(), ProxyError> {
    let length = req.headers().get("content-length").ok().flatten();
    match length.map(|l| l.trim().parse::<u64>()) {
        None => Err(ProxyError::LengthRequired),
        Some(Ok(n)) if n <= limit => Ok(()),
        Some(Ok(_)) => Err(ProxyError::PayloadTooLarge { limit }),
        Some(Err(_)) => Err(ProxyError::invalid("content-length", "not a number")),
    }
}

async fn route(call: Call, method: Method, path: &str) -> Result<Response, ProxyError> {
    use xerosync_core::proxy_contract::routes::*;
    if let Some(rest) = path.strip_prefix(RELAY) {
        return relay::relay(call, rest.to_owned()).await;
    }
    match (method, path) {
        (Method::Post, TICKET) => oauth::ticket(call).await,
        (Method::Get, CONNECTION) => connection::status(call).await,
        (Method::Get, CONNECTIONS) => connection::tenants(call).await,
        (Method::Post, SELECT) => connection::select(call).await,
        (Method::Post, DISCONNECT) | (Method::Delete, CONNECTION) => {
            connection::disconnect(call).await
        }
        (Method::Get, SETTINGS) => settings::read(call).await,
        (Method::Put, SETTINGS) => settings::write(call).await,
        (Method::Get, LOG) => log::read(call).await,
        (Method::Post, REFUSALS) => refusals::store(call).await,
        (Method::Get, CHANGES) => changes::read(call).await,
        (_, TICKET | CONNECTION | CONNECTIONS | SELECT | SETTINGS | LOG | REFUSALS | CHANGES) => {
            Err(ProxyError::MethodNotAllowed)
        }
        _ => Err(ProxyError::NotFound),
    }
}

/// A JSON answer.
pub fn json_response<T: serde::Serialize>(status: u16, body: &T) -> Result<Response, ProxyError> {
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

/// Reads a JSON body of at most [`JSON_BODY_CAP`] bytes (refused before reading when larger).
pub async fn json_body(req: &mut Request) -> Result<Value, ProxyError> {
    json_body_capped(req, JSON_BODY_CAP).await
}

/// Reads a JSON body of at most `cap` bytes (a route whose body is a list has its own cap).
pub async fn json_body_capped(req: &mut Request, cap: u64) -> Result<Value, ProxyError> {
    body_cap(req, cap)?;
    let text = req.text().await.map_err(internal)?;
    if text.len() as u64 > cap {
        return Err(ProxyError::PayloadTooLarge { limit: cap });
    }
    serde_json::from_str(&text).map_err(|_| ProxyError::invalid("body", "not JSON"))
}

/// What the structured log line of a refused or failed request names (never a query, header or body).
struct Seen {
    method: String,
    path: String,
    org: Option<String>,
}

fn finish(
    result: Result<Response, ProxyError>,
    origin: Option<&str>,
    seen: &Seen,
) -> worker::Result<Response> {
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            // One line per refused (4xx) or failed (5xx) request, for Workers Logs: the code and the route, and
            // the internal detail only for 5xx (their bodies carry a fixed message).
            let line = json!({
                "level": if e.status() >= 500 { "error" } else { "warn" },
                "status": e.status(), "code": e.code(), "method": seen.method, "path": seen.path,
                "org": seen.org, "detail": (e.status() >= 500).then(|| e.to_string()),
            });
            if e.status() >= 500 {
                worker::console_error!("{line}");
            } else {
                worker::console_warn!("{line}");
            }
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
