//! `POST /connect/token` (authorization_code and refresh_token grants) and `POST /connect/revocation`.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{first, oauth_error, Grant, CODE_TTL, REFRESH_IDLE, REUSE_GRACE};
use crate::state::Sim;

/// The client from HTTP Basic (or, as a fallback, the form), checked against the registered apps.
fn client_auth(
    sim: &Sim,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<String, Response> {
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        });
    let (id, secret) = match basic {
        Some(p) => p,
        None => match (first(form, "client_id"), first(form, "client_secret")) {
            (Some(i), Some(s)) => (i.to_owned(), s.to_owned()),
            _ => return Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_client")),
        },
    };
    let ok = sim
        .world()
        .identity
        .clients
        .iter()
        .any(|c| c.id == id && c.secret == secret);
    if ok {
        Ok(id)
    } else {
        Err(oauth_error(StatusCode::BAD_REQUEST, "invalid_client"))
    }
}

/// `POST /connect/token`.
pub(super) async fn token(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let client_id = match client_auth(&sim, &headers, &form) {
        Ok(c) => c,
        Err(r) => {
            sim.count("POST /connect/token", None, r.status().as_u16());
            return r;
        }
    };
    let now = sim.clock.now();
    let resp = match first(&form, "grant_type") {
        Some("authorization_code") => exchange_code(&sim, &client_id, &form, now),
        Some("refresh_token") => refresh(&sim, &client_id, &form, now),
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    };
    sim.count("POST /connect/token", None, resp.status().as_u16());
    resp
}

fn exchange_code(
    sim: &Sim,
    client_id: &str,
    form: &[(String, String)],
    now: DateTime<Utc>,
) -> Response {
    let Some(code) = first(form, "code") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let mut world = sim.world();
    let id = &mut world.identity;
    // Single use: removed whatever happens next.
    let Some(auth) = id.codes.remove(code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if auth.client_id != client_id
        || now - auth.issued > CODE_TTL
        || first(form, "redirect_uri") != Some(auth.redirect_uri.as_str())
    {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    if let Some(challenge) = &auth.code_challenge {
        let verifier = first(form, "code_verifier").unwrap_or("");
        let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        if &computed != challenge {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
        }
    }
    let grant_id = Uuid::new_v4();
    id.grants.insert(
        grant_id,
        Grant {
            client_id: client_id.to_owned(),
            scopes: auth.scopes,
            auth_event_id: auth.auth_event_id,
            current: None,
            current_issued: now,
            previous: None,
            current_access: None,
            alive: true,
        },
    );
    Json(id.issue(grant_id, now, false)).into_response()
}

fn refresh(sim: &Sim, client_id: &str, form: &[(String, String)], now: DateTime<Utc>) -> Response {
    let Some(presented) = first(form, "refresh_token") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let mut world = sim.world();
    let id = &mut world.identity;
    let Some(&grant_id) = id.refresh_index.get(presented) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let Some(grant) = id.grants.get(&grant_id).cloned() else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    if !grant.alive || grant.client_id != client_id {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    if grant.current.as_deref() == Some(presented) {
        if now - grant.current_issued > REFRESH_IDLE {
            id.kill_grant(grant_id);
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
        }
        return Json(id.issue(grant_id, now, true)).into_response();
    }
    match &grant.previous {
        Some((old, rotated)) if old == presented && now - *rotated <= REUSE_GRACE => {
            // The answer to the rotation was lost: hand out the current refresh token again, with a new access token.
            let mut body = id.issue_access_only(grant_id, now);
            body["refresh_token"] = json!(grant.current);
            Json(body).into_response()
        }
        _ => {
            id.kill_grant(grant_id);
            oauth_error(StatusCode::BAD_REQUEST, "invalid_grant")
        }
    }
}

/// `POST /connect/revocation`: revokes a refresh token's grant (its access tokens and connections go with it).
pub(super) async fn revoke(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let client_id = match client_auth(&sim, &headers, &form) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(token) = first(&form, "token") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let mut world = sim.world();
    let id = &mut world.identity;
    let grant = id
        .refresh_index
        .get(token)
        .copied()
        .or_else(|| id.access.get(token).map(|a| a.grant));
    if let Some(g) = grant {
        if id.grants.get(&g).is_some_and(|g| g.client_id == client_id) {
            id.kill_grant(g);
        }
    }
    StatusCode::OK.into_response()
}
