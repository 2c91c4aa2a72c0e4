//! The Worker's configuration: Xero's URLs and the app's ids from `[vars]` (so local runs point at the
//! simulator), credentials from secrets. Read once per isolate (vars and secrets are fixed for its life); an
//! incomplete configuration is not kept, so it is read again on each request.

use std::cell::RefCell;

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
    /// The `iss` every session token must carry (the CRM's back end).
    pub session_issuer: String,
    /// The `aud` every session token must carry (this proxy).
    pub session_audience: String,
    /// The longest a session token may live, `exp − iat` (seconds; default 12 h).
    pub session_max_lifetime_secs: u64,
    /// Every call to Xero gives up after this long (milliseconds; default 30 s), so a hung call frees its slot.
    pub xero_timeout_ms: u64,
    /// How long a connect ticket waits for its navigation (seconds; default 60).
    pub ticket_ttl_secs: u64,
    /// Older `TOKEN_ENCRYPTION_KEY`s still accepted for opening sealed blobs (key rotation), newest first.
    pub previous_encryption_keys: Vec<String>,
}

/// The shortest secret accepted for signing sessions or sealing tokens (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// Whether every Xero URL and the redirect point at this machine: the only configuration in which the demo's
/// session route may exist (rule C1: a deployment never has a dev door). Pure.
pub fn all_loopback(urls: &[&str]) -> bool {
    urls.iter().all(|u| {
        let Ok(url) = worker::Url::parse(u) else {
            return false;
        };
        let host = url.host_str().unwrap_or("");
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

// Secrets come from `wrangler secret put` (deployed) or `.dev.vars` (local); the committed `[vars]` never hold
// one (a test reads wrangler.toml to keep it so).
fn secret(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
}

fn strong_secret(env: &Env, name: &str) -> Result<String, ProxyError> {
    let v = required(secret(env, name), name)?;
    if v.len() < MIN_SECRET_BYTES {
        return Err(ProxyError::Config(format!(
            "{name} must be at least {MIN_SECRET_BYTES} bytes"
        )));
    }
    Ok(v)
}

fn required(v: Option<String>, name: &str) -> Result<String, ProxyError> {
    v.ok_or_else(|| ProxyError::Config(format!("{name} is not set")))
}

fn number(env: &Env, name: &str, default: u64) -> u64 {
    var(env, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

thread_local! {
    /// The configuration as this isolate first read it complete. Vars and secrets are fixed for the life of an
    /// isolate (a new deployment or secret is a new isolate), so it is read once, not twice per relayed call
    /// (Worker and connection object) at ~30 crossings into JS each; an incomplete one is read again every time.
    static READ: RefCell<Option<Config>> = const { RefCell::new(None) };
}

impl Config {
    /// The configuration; a missing value is a `config_error` naming it.
    pub fn from_env(env: &Env) -> Result<Self, ProxyError> {
        if let Some(cfg) = READ.with(|r| r.borrow().clone()) {
            return Ok(cfg);
        }
        let cfg = Self::read(env)?;
        READ.with(|r| *r.borrow_mut() = Some(cfg.clone()));
        Ok(cfg)
    }

    /// Reads every var and secret.
    fn read(env: &Env) -> Result<Self, ProxyError> {
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
            session_secret: strong_secret(env, "CRM_SESSION_SECRET")?,
            encryption_key: strong_secret(env, "TOKEN_ENCRYPTION_KEY")?,
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
            session_issuer: required(var(env, "SESSION_ISSUER"), "SESSION_ISSUER")?,
            session_audience: required(var(env, "SESSION_AUDIENCE"), "SESSION_AUDIENCE")?,
            session_max_lifetime_secs: number(env, "SESSION_MAX_LIFETIME_SECS", 12 * 3600),
            xero_timeout_ms: number(env, "XERO_TIMEOUT_MS", 30_000).max(1),
            ticket_ttl_secs: number(env, "CONNECT_TICKET_TTL_SECS", 60).clamp(1, 600),
            previous_encryption_keys: secret(env, "TOKEN_ENCRYPTION_KEY_PREVIOUS")
                .unwrap_or_default()
                .split(',')
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty())
                .collect(),
            poll_interval_secs: number(env, "POLL_INTERVAL_SECS", 900),
            sync_continue_secs: number(env, "SYNC_CONTINUE_SECS", 20),
            sync_retry_secs: number(env, "SYNC_RETRY_SECS", 60),
        })
    }

    /// Whether the demo's routes exist (`POST /dev/session`, and `POST /dev/clock` with the connection object's
    /// `/dev-clock`): `DEV_MODE` set **and** every Xero URL and the redirect on loopback. Sessions it minted
    /// (`dev: true`) are accepted only then.
    pub fn dev_sessions(&self) -> bool {
        self.dev_mode
            && all_loopback(&[
                &self.authorize_url,
                &self.token_url,
                &self.revoke_url,
                &self.connections_url,
                &self.api_url,
                &self.redirect_uri,
            ])
    }

    /// What a session token must satisfy.
    pub fn session_policy(&self) -> crate::jwt::Policy<'_> {
        crate::jwt::Policy {
            secret: self.session_secret.as_bytes(),
            issuer: &self.session_issuer,
            audience: &self.session_audience,
            max_lifetime_secs: self.session_max_lifetime_secs,
            allow_dev: self.dev_sessions(),
        }
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

/// How long the proxy keeps what it records (see `retention`). Read on its own, without [`Config`]'s secrets, so
/// pruning never depends on the rest of the configuration being complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days of `xero_log` kept (`LOG_RETENTION_DAYS`, default 400: a financial year and its audit, with margin).
    pub log_days: u64,
    /// Days of the change feed kept (`FEED_RETENTION_DAYS`, default 30: a reader further behind re-reads in full).
    pub feed_days: u64,
}

impl Retention {
    /// Default of `LOG_RETENTION_DAYS`.
    pub const LOG_DAYS: u64 = 400;
    /// Default of `FEED_RETENTION_DAYS`.
    pub const FEED_DAYS: u64 = 30;

    /// Reads both; a missing or unparsable value takes the default (`0` keeps nothing older than the run).
    pub fn from_env(env: &Env) -> Self {
        Self {
            log_days: number(env, "LOG_RETENTION_DAYS", Self::LOG_DAYS),
            feed_days: number(env, "FEED_RETENTION_DAYS", Self::FEED_DAYS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_c1_the_dev_door_needs_every_url_on_loopback() {
        let local = [
            "http://127.0.0.1:4010/connect/token",
            "http://localhost:8787/oauth/callback",
            "http://[::1]:9/x",
            "http://127.8.9.10/",
        ];
        assert!(all_loopback(&local));
        for remote in [
            "https://identity.xero.com/connect/token",
            "http://127.0.0.1.evil.test/x",
            "http://localhost.evil.test/x",
            "http://10.0.0.1/x",
            "not a url",
        ] {
            let mut urls = local.to_vec();
            urls.push(remote);
            assert!(!all_loopback(&urls), "{remote}");
        }
    }

    /// No secret may sit in the committed `[vars]`, where it would be plaintext in the repository and the
    /// dashboard: they are `wrangler secret put` values only.
    #[test]
    fn no_secret_in_the_committed_vars() {
        let toml = include_str!("../wrangler.toml");
        let vars = toml.split("[vars]").nth(1).unwrap_or("");
        for name in [
            "CRM_SESSION_SECRET",
            "TOKEN_ENCRYPTION_KEY",
            "TOKEN_ENCRYPTION_KEY_PREVIOUS",
            "XERO_CLIENT_SECRET",
            "XERO_WEBHOOK_KEY",
        ] {
            assert!(
                !vars.lines().any(|l| l.trim_start().starts_with(name)),
                "{name} in [vars]"
            );
        }
    }
}
