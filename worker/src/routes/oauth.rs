//! `GET /oauth/connect` and `GET /oauth/callback` (rules C3, C7): the authorization-code flow with a state that
//! is short-lived, signed, bound to the user and their browser, and used once.

use serde_json::Value;
use worker::{Env, Request, Response, Url};

use super::{internal, now_secs, redirect, Call};
use crate::config::Config;
use crate::connection::client;
use crate::crypto;
use crate::db;
use crate::error::ProxyError;
use crate::state::{self, OAuthState, STATE_TTL_SECS};

/// The cookie binding a connect attempt to the browser that started it.
pub const BINDING_COOKIE: &str = "xerosync_oauth";

/// Starts the flow: remembers a one-use nonce in the organisation's connection object, sets the binding cookie
/// and redirects to Xero's authorize page. `?return=` (an allowed CRM origin URL) is where the browser goes after.
pub async fn connect(call: Call) -> Result<Response, ProxyError> {
    let url = call.req.url().map_err(internal)?;
    let ret = url
        .query_pairs()
        .find(|(k, _)| k == "return")
        .map(|(_, v)| v.into_owned());
    if let Some(r) = &ret {
        let origin = Url::parse(r)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        if !call.cfg.origin_allowed(&origin) {
            return Err(ProxyError::invalid(
                "return",
                "must be a URL on an allowed CRM origin",
            ));
        }
    }
    let binding = crypto::random_token()?;
    let nonce = crypto::random_token()?;
    let exp = now_secs() + STATE_TTL_SECS;
    let st = OAuthState {
        org: call.session.org.clone(),
        sub: call.session.sub.clone(),
        nonce: nonce.clone(),
        bind: state::binding_hash(&binding),
        ret,
        exp,
    };
    let signed = state::sign(&st, call.cfg.session_secret.as_bytes())?;
    client::call::<Value>(
        &call.env,
        &st.org,
        "/begin",
        Some(serde_json::json!({ "nonce": nonce, "exp": exp })),
    )
    .await?;
    let mut authorize = Url::parse(&call.cfg.authorize_url)
        .map_err(|e| ProxyError::Config(format!("XERO_AUTHORIZE_URL: {e}")))?;
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &call.cfg.client_id)
        .append_pair("redirect_uri", &call.cfg.redirect_uri)
        .append_pair("scope", &call.cfg.scopes)
        .append_pair("state", &signed);
    let mut resp = redirect(authorize.as_str())?;
    let secure = if call.cfg.redirect_uri.starts_with("https://") {
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
            let mut u = Url::parse(r).map_err(|e| ProxyError::invalid("return", e.to_string()))?;
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

    #[test]
    fn rule_c3_binding_cookie_is_found_among_others() {
        assert_eq!(
            cookie_value("a=1; xerosync_oauth=abc; b=2", BINDING_COOKIE),
            Some("abc")
        );
        assert_eq!(cookie_value("xerosync_oauthx=abc", BINDING_COOKIE), None);
    }
}
