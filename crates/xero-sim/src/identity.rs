//! Xero Identity: the consent page, the token endpoint (authorization_code and refresh_token grants, HTTP Basic
//! client authentication), revocation, and `GET/DELETE /connections`.
//!
//! Token rules (xero-api-notes, "OAuth 2.0"): access tokens live 30 minutes; refresh tokens rotate on every use and
//! die after 60 days unused; the previous refresh token may be reused for 30 minutes (the answer was lost) and then
//! gets the current pair again; any older token is reuse of a stolen or raced token: `invalid_grant`, and the whole
//! grant dies (so two refreshes racing with different tokens end the connection, as Xero's do).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::ClientApp;
use crate::state::Sim;

/// Access-token lifetime.
pub const ACCESS_TTL: Duration = Duration::minutes(30);
/// How long an unused refresh token lives.
pub const REFRESH_IDLE: Duration = Duration::days(60);
/// How long the previous refresh token still works after a rotation.
pub const REUSE_GRACE: Duration = Duration::minutes(30);
/// How long an authorization code can be exchanged.
pub const CODE_TTL: Duration = Duration::minutes(5);

/// An authorization code waiting to be exchanged.
#[derive(Debug, Clone)]
pub struct AuthCode {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    auth_event_id: Uuid,
    issued: DateTime<Utc>,
    code_challenge: Option<String>,
}

/// One consent's chain of refresh tokens.
#[derive(Debug, Clone)]
pub struct Grant {
    client_id: String,
    scopes: Vec<String>,
    auth_event_id: Uuid,
    current: Option<String>,
    current_issued: DateTime<Utc>,
    previous: Option<(String, DateTime<Utc>)>,
    /// The access token issued with `current` (handed out again on a grace-window reuse).
    current_access: Option<String>,
    alive: bool,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The grant it belongs to.
    pub grant: Uuid,
    /// The app.
    pub client_id: String,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// When it stops working.
    pub expires: DateTime<Utc>,
}

/// A connection between the app and an organisation.
#[derive(Debug, Clone)]
pub struct Connection {
    id: Uuid,
    client_id: String,
    tenant_id: Uuid,
    auth_event_id: Uuid,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
}

/// Clients, codes, grants, tokens and connections.
#[derive(Debug, Default)]
pub struct IdentityState {
    /// Registered apps.
    pub clients: Vec<ClientApp>,
    codes: HashMap<String, AuthCode>,
    grants: HashMap<Uuid, Grant>,
    refresh_index: HashMap<String, Uuid>,
    access: HashMap<String, AccessToken>,
    connections: Vec<Connection>,
}

impl IdentityState {
    /// Whether the app has a live connection to the organisation.
    pub fn is_connected(&self, client_id: &str, tenant_id: Uuid) -> bool {
        self.connections
            .iter()
            .any(|c| c.client_id == client_id && c.tenant_id == tenant_id)
    }

    fn kill_grant(&mut self, grant_id: Uuid) {
        if let Some(g) = self.grants.get_mut(&grant_id) {
            g.alive = false;
            g.current = None;
            g.previous = None;
            let event = g.auth_event_id;
            self.access.retain(|_, t| t.grant != grant_id);
            self.connections.retain(|c| c.auth_event_id != event);
        }
    }

    /// A connection for every (app, organisation), without a consent (the control API's shortcut).
    pub fn connect_directly(
        &mut self,
        client_id: &str,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Uuid {
        self.upsert_connection(client_id, tenant_id, Uuid::new_v4(), now)
    }

    fn upsert_connection(
        &mut self,
        client_id: &str,
        tenant_id: Uuid,
        event: Uuid,
        now: DateTime<Utc>,
    ) -> Uuid {
        if let Some(c) = self
            .connections
            .iter_mut()
            .find(|c| c.client_id == client_id && c.tenant_id == tenant_id)
        {
            c.auth_event_id = event;
            c.updated = now;
            return c.id;
        }
        let id = Uuid::new_v4();
        self.connections.push(Connection {
            id,
            client_id: client_id.to_owned(),
            tenant_id,
            auth_event_id: event,
            created: now,
            updated: now,
        });
        id
    }

    /// Issues a token pair for a grant directly (the control API's shortcut for tests that skip the consent page).
    pub fn issue_direct(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
        tenants: &[Uuid],
        now: DateTime<Utc>,
    ) -> serde_json::Value {
        let event = Uuid::new_v4();
        for t in tenants {
            self.upsert_connection(client_id, *t, event, now);
        }
        let grant_id = Uuid::new_v4();
        self.grants.insert(
            grant_id,
            Grant {
                client_id: client_id.to_owned(),
                scopes,
                auth_event_id: event,
                current: None,
                current_issued: now,
                previous: None,
                current_access: None,
                alive: true,
            },
        );
        self.issue(grant_id, now, false)
    }

    /// Issues a new access token (and, with `offline_access`, a new refresh token) for a grant.
    fn issue(
        &mut self,
        grant_id: Uuid,
        now: DateTime<Utc>,
        rotate_from_current: bool,
    ) -> serde_json::Value {
        let Some(grant) = self.grants.get_mut(&grant_id) else {
            return json!({ "error": "invalid_grant" });
        };
        let access = random_token("at");
        self.access.insert(
            access.clone(),
            AccessToken {
                grant: grant_id,
                client_id: grant.client_id.clone(),
                scopes: grant.scopes.clone(),
                expires: now + ACCESS_TTL,
            },
        );
        let mut body = json!({
            "access_token": access,
            "expires_in": ACCESS_TTL.num_seconds(),
            "token_type": "Bearer",
            "scope": grant.scopes.join(" "),
        });
        if grant.scopes.iter().any(|s| s == "openid") {
            body["id_token"] = json!(id_token(&grant.client_id, now));
        }
        if grant.scopes.iter().any(|s| s == "offline_access") {
            let refresh = random_token("rt");
            if rotate_from_current {
                grant.previous = grant.current.take().map(|old| (old, now));
            }
            grant.current = Some(refresh.clone());
            grant.current_issued = now;
            self.refresh_index.insert(refresh.clone(), grant_id);
            body["refresh_token"] = json!(refresh);
        }
        grant.current_access = Some(access);
        body
    }
}

fn random_token(prefix: &str) -> String {
    format!(
        "sim_{prefix}_{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    )
}

fn id_token(client_id: &str, now: DateTime<Utc>) -> String {
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = b64(json!({ "alg": "none", "typ": "JWT" }));
    let payload = b64(
        json!({ "iss": "https://identity.xero.com", "aud": client_id, "sub": "sim-user",
        "xero_userid": "00000000-0000-4000-8000-00000000a11c", "email": "demo.user@xerosync.test",
        "given_name": "Demo", "family_name": "User", "iat": now.timestamp(), "exp": (now + ACCESS_TTL).timestamp() }),
    );
    format!("{header}.{payload}.")
}

/// The identity routes.
pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/identity/connect/authorize",
            get(authorize_page).post(authorize_decision),
        )
        .route("/connect/token", post(token))
        .route("/connect/revocation", post(revoke))
        .route("/connections", get(list_connections))
        .route("/Connections", get(list_connections))
        .route("/connections/{id}", delete(delete_connection))
        .route("/Connections/{id}", delete(delete_connection))
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    format!("{uri}{sep}{}", q.join("&"))
}

/// Checks the authorize request; `Err` is an error page (a bad client or redirect is never redirected to).
fn check_authorize(
    sim: &Sim,
    q: &[(String, String)],
) -> Result<(String, String, Vec<String>), Response> {
    let page = |msg: &str| {
        (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><title>Error</title><h1>Sorry, something went wrong</h1><p>{}</p>",
                html_escape(msg)
            )),
        )
            .into_response()
    };
    let client_id = first(q, "client_id").ok_or_else(|| page("client_id is missing"))?;
    if !sim
        .world()
        .identity
        .clients
        .iter()
        .any(|c| c.id == client_id)
    {
        return Err(page("unauthorized_client: unknown client_id"));
    }
    let redirect = first(q, "redirect_uri").ok_or_else(|| page("redirect_uri is missing"))?;
    if !(redirect.starts_with("http://") || redirect.starts_with("https://")) {
        return Err(page("invalid redirect_uri"));
    }
    if first(q, "response_type") != Some("code") {
        return Err(page("unsupported_response_type: only response_type=code"));
    }
    let scopes: Vec<String> = first(q, "scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err(page("invalid_scope: scope is missing"));
    }
    Ok((client_id.to_owned(), redirect.to_owned(), scopes))
}

/// `GET /identity/connect/authorize`: the consent page (or, with `sim_auto_approve=true`, an immediate approval of
/// all organisations or of `sim_tenants=id,id`).
async fn authorize_page(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let (client_id, redirect, scopes) = match check_authorize(&sim, &q) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if first(&q, "sim_auto_approve").is_some_and(|v| v == "true" || v == "1") {
        let tenants: Vec<Uuid> = match first(&q, "sim_tenants") {
            Some(list) => list
                .split(',')
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .collect(),
            None => sim.world().tenants.iter().map(|t| t.id).collect(),
        };
        return approve(&sim, &q, &client_id, &redirect, scopes, &tenants);
    }
    let tenants: Vec<(Uuid, String)> = sim
        .world()
        .tenants
        .iter()
        .map(|t| (t.id, t.name.clone()))
        .collect();
    let hidden: String = q
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();
    let boxes: String = tenants
        .iter()
        .map(|(id, name)| format!("<li><label><input type=\"checkbox\" name=\"tenant\" value=\"{id}\" checked> {}</label></li>", html_escape(name)))
        .collect();
    let scope_list: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", html_escape(s)))
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Xero (simulated) – Allow access</title>\
<style>body{{font-family:sans-serif;max-width:34rem;margin:3rem auto}}button{{font-size:1rem;padding:.5rem 1.2rem}}</style></head>\
<body><h1>Allow <em>{app}</em> to access your Xero data?</h1><p>This is the xero-sim consent page.</p>\
<form method=\"post\" action=\"/identity/connect/authorize\">{hidden}<h2>Organisations</h2><ul>{boxes}</ul>\
<h2>Permissions</h2><ul>{scope_list}</ul>\
<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow access</button> \
<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Cancel</button></form></body></html>",
        app = html_escape(&client_id)
    ))
    .into_response()
}

/// `POST /identity/connect/authorize`: the consent form's answer.
async fn authorize_decision(
    State(sim): State<Arc<Sim>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (client_id, redirect, scopes) = match check_authorize(&sim, &form) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let state = first(&form, "state").unwrap_or("");
    if first(&form, "decision") != Some("allow") {
        return Redirect::to(&with_query(
            &redirect,
            &[("error", "access_denied"), ("state", state)],
        ))
        .into_response();
    }
    let tenants: Vec<Uuid> = form
        .iter()
        .filter(|(k, _)| k == "tenant")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .collect();
    approve(&sim, &form, &client_id, &redirect, scopes, &tenants)
}

fn approve(
    sim: &Sim,
    q: &[(String, String)],
    client_id: &str,
    redirect: &str,
    scopes: Vec<String>,
    tenants: &[Uuid],
) -> Response {
    let now = sim.clock.now();
    let code = random_token("code");
    let event = Uuid::new_v4();
    {
        let mut world = sim.world();
        let known: Vec<Uuid> = tenants
            .iter()
            .copied()
            .filter(|t| world.tenant(*t).is_some())
            .collect();
        for t in &known {
            world.identity.upsert_connection(client_id, *t, event, now);
        }
        world.identity.codes.insert(
            code.clone(),
            AuthCode {
                client_id: client_id.to_owned(),
                redirect_uri: redirect.to_owned(),
                scopes: scopes.clone(),
                auth_event_id: event,
                issued: now,
                code_challenge: first(q, "code_challenge").map(str::to_owned),
            },
        );
    }
    let state = first(q, "state").unwrap_or("");
    let scope = scopes.join(" ");
    Redirect::to(&with_query(
        redirect,
        &[
            ("code", &code),
            ("scope", &scope),
            ("state", state),
            ("session_state", "sim"),
        ],
    ))
    .into_response()
}

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
async fn token(
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

impl IdentityState {
    fn issue_access_only(&mut self, grant_id: Uuid, now: DateTime<Utc>) -> serde_json::Value {
        let Some(grant) = self.grants.get(&grant_id) else {
            return json!({ "error": "invalid_grant" });
        };
        let access = random_token("at");
        let body = json!({ "access_token": access, "expires_in": ACCESS_TTL.num_seconds(), "token_type": "Bearer",
            "scope": grant.scopes.join(" ") });
        self.access.insert(
            access,
            AccessToken {
                grant: grant_id,
                client_id: grant.client_id.clone(),
                scopes: grant.scopes.clone(),
                expires: now + ACCESS_TTL,
            },
        );
        body
    }
}

/// `POST /connect/revocation`: revokes a refresh token's grant (its access tokens and connections go with it).
async fn revoke(
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

/// The verified bearer token of a request.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The app.
    pub client_id: String,
    /// Its scopes.
    pub scopes: Vec<String>,
}

fn unauthorized(detail: &str) -> Response {
    let body = json!({ "Type": null, "Title": "Unauthorized", "Status": 401, "Detail": detail,
        "Instance": Uuid::new_v4(), "Extensions": {} });
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", "Bearer error=\"invalid_token\"")],
        Json(body),
    )
        .into_response()
}

/// Checks `Authorization: Bearer …`: 401 `TokenExpired` after 30 minutes, 401 `AuthenticationUnsuccessful` when
/// unknown or revoked.
pub fn check_bearer(
    sim: &Sim,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<Bearer, Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
    let world = sim.world();
    let access = world
        .identity
        .access
        .get(token)
        .ok_or_else(|| unauthorized("AuthenticationUnsuccessful"))?;
    if now >= access.expires {
        return Err(unauthorized(&format!(
            "TokenExpired: token expired at {}",
            access.expires.format("%m/%d/%Y %H:%M:%S")
        )));
    }
    Ok(Bearer {
        client_id: access.client_id.clone(),
        scopes: access.scopes.clone(),
    })
}

fn connection_json(sim: &Sim, c: &Connection) -> serde_json::Value {
    let world = sim.world();
    let name = world
        .tenant(c.tenant_id)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let fmt = |t: DateTime<Utc>| format!("{}0", t.format("%Y-%m-%dT%H:%M:%S%.6f"));
    json!({ "id": c.id, "authEventId": c.auth_event_id, "tenantId": c.tenant_id, "tenantType": "ORGANISATION",
        "tenantName": name, "createdDateUtc": fmt(c.created), "updatedDateUtc": fmt(c.updated) })
}

/// `GET /connections` (optionally `?authEventId=`).
async fn list_connections(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let now = sim.clock.now();
    let bearer = match check_bearer(&sim, &headers, now) {
        Ok(b) => b,
        Err(r) => {
            sim.count("GET /connections", None, 401);
            return r;
        }
    };
    let event = first(&q, "authEventId").and_then(|e| Uuid::parse_str(e).ok());
    let list: Vec<Connection> = sim
        .world()
        .identity
        .connections
        .iter()
        .filter(|c| c.client_id == bearer.client_id && event.is_none_or(|e| e == c.auth_event_id))
        .cloned()
        .collect();
    sim.count("GET /connections", None, 200);
    Json(
        list.iter()
            .map(|c| connection_json(&sim, c))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

/// `DELETE /connections/{id}`: 204, or 404 when the app has no such connection.
async fn delete_connection(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = sim.clock.now();
    let bearer = match check_bearer(&sim, &headers, now) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut world = sim.world();
    let before = world.identity.connections.len();
    world
        .identity
        .connections
        .retain(|c| !(c.id == id && c.client_id == bearer.client_id));
    let removed = world.identity.connections.len() < before;
    drop(world);
    sim.count(
        "DELETE /connections/{id}",
        None,
        if removed { 204 } else { 404 },
    );
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}
