//! Xero Identity: the consent page, the token endpoint (authorization_code and refresh_token grants, HTTP Basic
//! client authentication), revocation, and `GET/DELETE /connections`.
//!
//! Token rules (xero-api-notes, "OAuth 2.0"): access tokens live 30 minutes; refresh tokens rotate on every use and
//! die after 60 days unused; the previous refresh token may be reused for 30 minutes (the answer was lost) and then
//! gets the current pair again; any older token is reuse of a stolen or raced token: `invalid_grant`, and the whole
//! grant dies (so two refreshes racing with different tokens end the connection, as Xero's do).

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
        let access = access_jwt(&grant.client_id, &grant.scopes, grant.auth_event_id, now);
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

/// An access token shaped as Xero's: a JWT whose claims name the consent it came from
/// (`authentication_event_id`, which `GET /connections?authEventId=` filters by), the app and the scopes.
/// Xero signs with RS256; an integration never verifies its own access token (it got it straight from the token
/// endpoint), so the simulator signs with a per-token random key: the shape is Xero's, the signature is opaque.
fn access_jwt(
    client_id: &str,
    scopes: &[String],
    auth_event_id: Uuid,
    now: DateTime<Utc>,
) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let header = b64(json!({ "alg": "RS256", "kid": "sim", "typ": "JWT" })
        .to_string()
        .as_bytes());
    let claims = json!({
        "nbf": now.timestamp(), "exp": (now + ACCESS_TTL).timestamp(), "iss": "https://identity.xero.com",
        "aud": "https://identity.xero.com/resources", "client_id": client_id, "sub": SIM_USER_SUB,
        "auth_time": now.timestamp(), "xero_userid": SIM_USER_ID, "global_session_id": Uuid::new_v4().simple().to_string(),
        "jti": Uuid::new_v4().simple().to_string(), "authentication_event_id": auth_event_id, "scope": scopes,
    });
    let payload = b64(claims.to_string().as_bytes());
    let sig =
        b64(Sha256::digest(format!("{header}.{payload}.{}", Uuid::new_v4()).as_bytes()).as_slice());
    format!("{header}.{payload}.{sig}")
}

/// The one Xero user of the simulator (every consent is theirs).
const SIM_USER_ID: &str = "00000000-0000-4000-8000-00000000a11c";
const SIM_USER_SUB: &str = "sim-user";

fn id_token(client_id: &str, now: DateTime<Utc>) -> String {
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = b64(json!({ "alg": "none", "typ": "JWT" }));
    let payload = b64(
        json!({ "iss": "https://identity.xero.com", "aud": client_id, "sub": SIM_USER_SUB,
        "xero_userid": SIM_USER_ID, "email": "demo.user@xerosync.test",
        "given_name": "Demo", "family_name": "User", "iat": now.timestamp(), "exp": (now + ACCESS_TTL).timestamp() }),
    );
    format!("{header}.{payload}.")
}

/// The identity routes.
pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route(
            "/identity/connect/authorize",
            get(consent::authorize_page).post(consent::authorize_decision),
        )
        .route("/connect/token", post(token::token))
        .route("/connect/revocation", post(token::revoke))
        .route("/connections", get(connections::list_connections))
        .route("/Connections", get(connections::list_connections))
        .route("/connections/{id}", delete(connections::delete_connection))
        .route("/Connections/{id}", delete(connections::delete_connection))
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

impl IdentityState {
    fn issue_access_only(&mut self, grant_id: Uuid, now: DateTime<Utc>) -> serde_json::Value {
        let Some(grant) = self.grants.get(&grant_id) else {
            return json!({ "error": "invalid_grant" });
        };
        let access = access_jwt(&grant.client_id, &grant.scopes, grant.auth_event_id, now);
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

mod connections;
mod consent;
mod token;

pub use connections::{check_bearer, Bearer};
