//! `POST /oauth/ticket`, `GET /oauth/connect` and `GET /oauth/callback` (rules C3, C7): the authorization-code
//! flow. The page never puts its session in a URL: it asks (with its bearer session) for a one-use ticket that
//! lives a minute, and navigates with that. The navigation must come from an allowed CRM origin. The OAuth
//! `state` is short-lived, signed, bound to the user and their browser, and used once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{Env, Request, Response, Url};

use super::{internal, json_body, json_response, now_secs, redirect, Call};
use crate::config::Config;
use crate::connection::client;
use crate::crypto;
use crate::db;
use crate::error::ProxyError;
use crate::jwt;
use crate::state::{self, OAuthState, STATE_TTL_SECS};

/// The cookie binding a connect attempt to the browser that started it.
pub const BINDING_COOKIE: &str = "xerosync_oauth";

/// What the connection object keeps for a ticket until it is redeemed (once) or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// The CRM user who asked for it.
    pub sub: String,
    /// Their role when they asked.
    pub role: String,
    /// Where the browser goes back to afterwards (already checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<String>,
}

fn checked_return(cfg: &Config, ret: Option<&str>) -> Result<Option<String>, ProxyError> {
    let Some(r) = ret.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let origin = Url::parse(r)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    if !cfg.origin_allowed(&origin) {
        return Err(ProxyError::invalid(
            "return",
            "must be a URL on an allowed CRM origin",
        ));
    }
    Ok(Some(r.to_owned()))
}

/// `POST /oauth/ticket` `{return?}`: a one-use ticket (a minute by default) and the URL to navigate to.
pub async fn ticket(mut call: Call) -> Result<Response, ProxyError> {
    let body = json_body(&mut call.req).await?;
    let ret = checked_return(&call.cfg, body.get("return").and_then(Value::as_str))?;
    let nonce = crypto::random_token()?;
    let exp = now_secs() + call.cfg.ticket_ttl_secs;
    let t = Ticket {
        exp,
        sub: call.session.sub.clone(),
        role: call.session.role.clone(),
        ret,
    };
    client::call::<Value>(
        &call.env,
        &call.session.org,
        "/ticket",
        Some(json!({ "nonce": nonce, "ticket": t })),
    )
    .await?;
    let ticket = format!("{}.{nonce}", URL_SAFE_NO_PAD.encode(&call.session.org));
    let mut url = call.req.url().map_err(internal)?;
    url.set_path("/oauth/connect");
    url.set_query(None);
    url.query_pairs_mut().append_pair("ticket", &ticket);
    json_response(
        200,
        &json!({ "ticket": ticket, "expiresAt": exp, "url": url.as_str() }),
    )
}

/// Whether a top-level navigation to `/oauth/connect` came from the CRM page: its `Origin`, else its `Referer`,
/// must be an allowed CRM origin; with neither, only a same-site navigation passes. A typed or bookmarked URL
/// (`Sec-Fetch-Site: none`) never does. Pure.
pub fn navigation_allowed(
    cfg: &Config,
    origin: Option<&str>,
    referer: Option<&str>,
    sec_fetch_site: Option<&str>,
) -> Result<(), ProxyError> {
    let refuse = |what: &str| Err(ProxyError::ForbiddenOrigin(what.to_owned()));
    if sec_fetch_site == Some("none") {
        return refuse("a navigation that did not come from the CRM page");
    }
    if let Some(o) = origin.filter(|o| *o != "null") {
        return if cfg.origin_allowed(o) {
            Ok(())
        } else {
            refuse(o)
        };
    }
    if let Some(r) = referer {
        let o = Url::parse(r)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        return if cfg.origin_allowed(&o) {
            Ok(())
        } else {
            refuse(&o)
        };
    }
    match sec_fetch_site {
        Some("same-origin" | "same-site") => Ok(()),
        _ => refuse("a navigation without Origin or Referer"),
    }
}

/// `GET /oauth/connect?ticket=`: redeems the ticket (once), remembers a one-use nonce in the organisation's
/// connection object, sets the binding cookie and redirects to Xero's authorize page.
pub async fn connect(req: Request, env: &Env) -> Result<Response, ProxyError> {
    let cfg = Config::from_env(env)?;
    let h = |name: &str| req.headers().get(name).ok().flatten();
    navigation_allowed(
        &cfg,
        h("origin").as_deref(),
        h("referer").as_deref(),
        h("sec-fetch-site").as_deref(),
    )?;
    let url = req.url().map_err(internal)?;
    let raw = url
        .query_pairs()
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let bad = || ProxyError::InvalidTicket("malformed".into());
    let (org, nonce) = raw.split_once('.').ok_or_else(bad)?;
    let org =
        String::from_utf8(URL_SAFE_NO_PAD.decode(org).map_err(|_| bad())?).map_err(|_| bad())?;
    let t: Ticket = client::call(env, &org, "/redeem", Some(json!({ "nonce": nonce }))).await?;
    // The role is checked again: a user demoted since asking gets no further.
    jwt::authorize_role(&t.role)?;
    let binding = crypto::random_token()?;
    let nonce = crypto::random_token()?;
    let exp = now_secs() + STATE_TTL_SECS;
    let st = OAuthState {
        org: org.clone(),
        sub: t.sub.clone(),
        nonce: nonce.clone(),
        bind: state::binding_hash(&binding),
        ret: t.ret,
        exp,
    };
    let signed = state::sign(&st, cfg.session_secret.as_bytes())?;
    client::call::<Value>(
        env,
        &st.org,
        "/begin",
        Some(json!({ "nonce": nonce, "exp": exp })),
    )
    .await?;
    let mut authorize = Url::parse(&cfg.authorize_url)
        .map_err(|_| ProxyError::Config("XERO_AUTHORIZE_URL is not a URL".into()))?;
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &cfg.client_id)
        .append_pair("redirect_uri", &cfg.redirect_uri)
        .append_pair("scope", &cfg.scopes)
        .append_pair("state", &signed);
    let mut resp = redirect(authorize.as_str())?;
    let secure = if cfg.redirect_uri.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{BINDING_COOKIE}={binding}; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age={STATE_TTL_SECS}{secure}");
    resp.headers_mut()
        .set("set-cookie", &cookie)
        .map_err(internal)?;
    resp.headers_mut()
        .set("cache-control", "no-store")
        .map_err(internal)?;
    Ok(resp)
}

fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .map(str::trim)
        .find_map(|c| c.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

/// Xero sends the browser back here: checks the state, consumes it once, exchanges the code and reads the
/// organisations. Answers with a redirect to the CRM page (`?xero=connected|pick|error`) or a small JSON body.
pub async fn callback(req: Request, env: &Env) -> Result<Response, ProxyError> {
    let cfg = Config::from_env(env)?;
    let url = req.url().map_err(internal)?;
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    let cookie_header = req
        .headers()
        .get("cookie")
        .ok()
        .flatten()
        .unwrap_or_default();
    let binding = cookie_value(&cookie_header, BINDING_COOKIE);
    let st = state::verify(
        &q("state").unwrap_or_default(),
        cfg.session_secret.as_bytes(),
        binding,
        now_secs(),
    )?;
    if let Some(err) = q("error") {
        return back(&st, "error", Some(&err));
    }
    let code = q("code").ok_or_else(|| ProxyError::invalid("code", "missing"))?;
    let body = serde_json::json!({ "nonce": st.nonce, "code": code, "sub": st.sub });
    let view: Value = match client::call(env, &st.org, "/callback", Some(body)).await {
        Ok(v) => v,
        // A browser that came from the CRM page goes back there with the reason's code (never its message).
        Err(e) if st.ret.is_some() => return back(&st, "error", Some(e.code())),
        Err(e) => return Err(e),
    };
    let status = view.get("status").and_then(Value::as_str).unwrap_or("");
    let db = db::database(env)?;
    let tenant = view.get("tenantId").and_then(Value::as_str);
    db::connection_index(
        &db,
        &st.org,
        status,
        tenant,
        &crate::time::iso(worker::Date::now().as_millis()),
    )
    .await?;
    back(
        &st,
        if status == "connected" {
            "connected"
        } else {
            "pick"
        },
        None,
    )
}

fn back(st: &OAuthState, outcome: &str, error: Option<&str>) -> Result<Response, ProxyError> {
    let clear = format!("{BINDING_COOKIE}=; Path=/oauth; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut resp = match &st.ret {
        Some(r) => {
            let mut u = Url::parse(r).map_err(|_| ProxyError::invalid("return", "not a URL"))?;
            u.query_pairs_mut().append_pair("xero", outcome);
            if let Some(e) = error {
                u.query_pairs_mut().append_pair("xeroError", e);
            }
            redirect(u.as_str())?
        }
        None => Response::from_json(&serde_json::json!({ "xero": outcome, "error": error }))
            .map_err(internal)?,
    };
    resp.headers_mut()
        .set("set-cookie", &clear)
        .map_err(internal)?;
    resp.headers_mut()
        .set("cache-control", "no-store")
        .map_err(internal)?;
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> Config {
        Config {
            authorize_url: String::new(),
            token_url: String::new(),
            revoke_url: String::new(),
            connections_url: String::new(),
            api_url: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            redirect_uri: String::new(),
            scopes: String::new(),
            session_secret: String::new(),
            encryption_key: String::new(),
            allowed_origins: vec!["https://crm.test".into()],
            dev_mode: false,
            keepalive_after_secs: 0,
            poll_overlap_secs: 0,
            full_reread_secs: 0,
            session_issuer: String::new(),
            session_audience: String::new(),
            session_max_lifetime_secs: 0,
            xero_timeout_ms: 1,
            ticket_ttl_secs: 60,
            poll_interval_secs: 900,
            sync_continue_secs: 20,
            sync_retry_secs: 60,
            previous_encryption_keys: Vec::new(),
        }
    }

    #[test]
    fn rule_c3_the_connect_navigation_comes_from_the_crm_page() {
        let c = cfg();
        let ok = |o, r, s| navigation_allowed(&c, o, r, s).is_ok();
        assert!(ok(
            None,
            Some("https://crm.test/settings"),
            Some("cross-site")
        ));
        assert!(ok(Some("https://crm.test"), None, Some("cross-site")));
        assert!(ok(None, None, Some("same-site")));
        assert!(!ok(None, Some("https://evil.test/x"), Some("cross-site")));
        assert!(!ok(
            Some("https://evil.test"),
            Some("https://crm.test/"),
            None
        ));
        assert!(!ok(None, None, Some("cross-site")), "no Origin, no Referer");
        assert!(!ok(None, None, None));
        assert!(
            !ok(None, Some("https://crm.test/"), Some("none")),
            "typed or bookmarked"
        );
    }

    #[test]
    fn rule_c3_binding_cookie_is_found_among_others() {
        assert_eq!(
            cookie_value("a=1; xerosync_oauth=abc; b=2", BINDING_COOKIE),
            Some("abc")
        );
        assert_eq!(cookie_value("xerosync_oauthx=abc", BINDING_COOKIE), None);
    }
}
