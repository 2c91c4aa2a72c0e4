//! The Worker's configuration: Xero's URLs and the app's ids from `[vars]` (so local runs point at the
//! simulator), credentials from secrets. Read once per request.

use worker::Env;

use crate::error::ProxyError;

/// Everything configurable.
#[derive(Debug, Clone)]
pub struct Config {
    /// Xero's authorize page.
    pub authorize_url: String,
    /// Token endpoint (code exchange and refresh).
    pub token_url: String,
    /// Revocation endpoint.
    pub revoke_url: String,
    /// `GET /connections`.
    pub connections_url: String,
    /// The Accounting API base, e.g. `https://api.xero.com/api.xro/2.0`.
    pub api_url: String,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret (secret).
    pub client_secret: String,
    /// Where Xero sends the browser back (`…/oauth/callback`).
    pub redirect_uri: String,
    /// Requested scopes.
    pub scopes: String,
    /// Key of the CRM's session tokens (secret).
    pub session_secret: String,
    /// Key for tokens at rest (secret).
    pub encryption_key: String,
    /// CRM origins allowed to call (CORS).
    pub allowed_origins: Vec<String>,
    /// Whether the dev-only session route exists.
    pub dev_mode: bool,
    /// The alarm refreshes a connection whose last refresh is older than this (seconds).
    pub keepalive_after_secs: u64,
    /// Each poll window re-reads this much before the last one's start (seconds).
    pub poll_overlap_secs: u64,
    /// Everything is re-read this often (seconds).
    pub full_reread_secs: u64,
    /// Each organisation's alarm opens a poll window this often (seconds; see `schedule`).
    pub poll_interval_secs: u64,
    /// A poll window left unfinished by one alarm continues after this (seconds).
    pub sync_continue_secs: u64,
    /// The first retry after a failed refresh or page (seconds; doubled per failure, capped).
    pub sync_retry_secs: u64,
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .ok()
        .map(|v| v.to_string())
        .or_else(|| var(env, name))
        .filter(|v| !v.is_empty())
}

fn required(v: Option<String>, name: &str) -> Result<String, ProxyError> {
    v.ok_or_else(|| ProxyError::Config(format!("{name} is not set")))
}

fn number(env: &Env, name: &str, default: u64) -> u64 {
    var(env, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

impl Config {
    /// Reads the configuration; a missing value is a `config_error` naming it.
    pub fn from_env(env: &Env) -> Result<Self, ProxyError> {
        Ok(Self {
            authorize_url: required(var(env, "XERO_AUTHORIZE_URL"), "XERO_AUTHORIZE_URL")?,
            token_url: required(var(env, "XERO_TOKEN_URL"), "XERO_TOKEN_URL")?,
            revoke_url: required(var(env, "XERO_REVOKE_URL"), "XERO_REVOKE_URL")?,
            connections_url: required(var(env, "XERO_CONNECTIONS_URL"), "XERO_CONNECTIONS_URL")?,
            api_url: required(var(env, "XERO_API_URL"), "XERO_API_URL")?.trim_end_matches('/').to_owned(),
            client_id: required(var(env, "XERO_CLIENT_ID"), "XERO_CLIENT_ID")?,
            client_secret: required(secret(env, "XERO_CLIENT_SECRET"), "XERO_CLIENT_SECRET")?,
            redirect_uri: required(var(env, "XERO_REDIRECT_URI"), "XERO_REDIRECT_URI")?,
            scopes: var(env, "XERO_SCOPES").unwrap_or_else(|| {
                "offline_access accounting.invoices accounting.payments accounting.contacts accounting.settings".into()
            }),
            session_secret: required(secret(env, "CRM_SESSION_SECRET"), "CRM_SESSION_SECRET")?,
            encryption_key: required(secret(env, "TOKEN_ENCRYPTION_KEY"), "TOKEN_ENCRYPTION_KEY")?,
            allowed_origins: var(env, "ALLOWED_ORIGINS")
                .unwrap_or_default()
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            dev_mode: var(env, "DEV_MODE").is_some_and(|v| v == "true" || v == "1"),
            keepalive_after_secs: number(env, "KEEPALIVE_AFTER_SECS", 7 * 86_400),
            poll_overlap_secs: number(env, "POLL_OVERLAP_SECS", 300),
            full_reread_secs: number(env, "FULL_REREAD_SECS", 7 * 86_400),
            poll_interval_secs: number(env, "POLL_INTERVAL_SECS", 900),
            sync_continue_secs: number(env, "SYNC_CONTINUE_SECS", 20),
            sync_retry_secs: number(env, "SYNC_RETRY_SECS", 60),
        })
    }

    /// The webhook key (secret), only needed by `/webhooks/xero`.
    pub fn webhook_key(env: &Env) -> Result<String, ProxyError> {
        required(secret(env, "XERO_WEBHOOK_KEY"), "XERO_WEBHOOK_KEY")
    }

    /// Whether `origin` is one of the configured CRM origins (exact match).
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}
