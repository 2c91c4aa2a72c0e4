//! `POST /dev/session`: mints a session token for the demo page, as the CRM's back end would. Body:
//! `{sub, name, role, org, ttlSecs?}`. The route exists only where [`Config::dev_sessions`] holds (`DEV_MODE` and
//! every Xero URL on loopback), and its tokens say `dev: true`, which a deployment refuses.
//!
//! `POST /dev/clock` `{advanceMs}`, under the same condition and with a session: moves the clock of the session's
//! organisation (its limiter and token checks) ahead, as the simulator's `/clock` moves Xero's, so a bench can let a
//! day pass (a Starter organisation's spent day, rule X2) without waiting for it.

use serde_json::{json, Value};
use worker::{Request, Response};

use super::{json_body, json_response, now_secs, Call};
use crate::config::Config;
use crate::connection::client;
use crate::error::ProxyError;
use crate::jwt::{self, Session};

/// Mints a session.
pub async fn mint(mut req: Request, cfg: &Config) -> Result<Response, ProxyError> {
    let body = json_body(&mut req).await?;
    let field = |k: &str| -> Result<String, ProxyError> {
        match body.get(k).and_then(Value::as_str) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(ProxyError::invalid(format!("body.{k}"), "required string")),
        }
    };
    let ttl = body
        .get("ttlSecs")
        .and_then(Value::as_u64)
        .unwrap_or(3600)
        .min(cfg.session_max_lifetime_secs);
    let now = now_secs();
    let session = Session {
        sub: field("sub")?,
        name: body
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        role: field("role")?,
        org: field("org")?,
        exp: now + ttl,
        iat: now,
        nbf: None,
        iss: cfg.session_issuer.clone(),
        aud: cfg.session_audience.clone(),
        dev: true,
    };
    let token = jwt::sign(&session, cfg.session_secret.as_bytes())?;
    json_response(200, &json!({ "token": token, "expiresAt": session.exp }))
}

/// Moves the caller's organisation's clock ahead by `advanceMs`; answers `{aheadMs}`, the total so far.
pub async fn advance_clock(mut call: Call) -> Result<Response, ProxyError> {
    let body = json_body(&mut call.req).await?;
    let ahead = body
        .get("advanceMs")
        .and_then(Value::as_u64)
        .ok_or_else(|| ProxyError::invalid("body.advanceMs", "required whole number"))?;
    let answer: Value = client::call(
        &call.env,
        &call.session.org,
        "/dev-clock",
        Some(json!({ "advanceMs": ahead })),
    )
    .await?;
    json_response(200, &answer)
}
