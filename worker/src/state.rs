//! The OAuth `state` (rule C3): short-lived, signed, bound to the user who started the connect and to their
//! browser (a cookie whose hash the state carries), and used once (the connection's Durable Object remembers
//! the nonce until it is consumed or expires). Pure: `now` and randomness are arguments.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ProxyError;

/// How long a connect attempt may take, in seconds.
pub const STATE_TTL_SECS: u64 = 600;

/// What the state carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthState {
    /// CRM organisation.
    pub org: String,
    /// CRM user who started the connect.
    pub sub: String,
    /// One-use nonce.
    pub nonce: String,
    /// base64url(SHA-256(browser binding cookie)).
    pub bind: String,
    /// Where the browser goes back to afterwards (already checked against the allowed origins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ret: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Signs a state with a key derived from the session secret (domain-separated from session tokens).
pub fn sign(state: &OAuthState, secret: &[u8]) -> Result<String, ProxyError> {
    let payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(state).map_err(|e| ProxyError::Internal(e.to_string()))?);
    let sig = URL_SAFE_NO_PAD.encode(tag(secret, payload.as_bytes())?);
    Ok(format!("{payload}.{sig}"))
}

/// Checks signature, expiry and the browser binding; the caller still consumes the nonce once.
pub fn verify(
    token: &str,
    secret: &[u8],
    binding_cookie: Option<&str>,
    now: u64,
) -> Result<OAuthState, ProxyError> {
    let (payload, sig) = token
        .split_once('.')
        .ok_or(ProxyError::InvalidState("malformed".into()))?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| ProxyError::InvalidState("malformed".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&derived_key(secret))
        .map_err(|e| ProxyError::Config(e.to_string()))?;
    mac.update(payload.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| ProxyError::InvalidState("bad signature".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| ProxyError::InvalidState("malformed".into()))?;
    let state: OAuthState =
        serde_json::from_slice(&bytes).map_err(|_| ProxyError::InvalidState("malformed".into()))?;
    if state.exp <= now {
        return Err(ProxyError::InvalidState("expired".into()));
    }
    let cookie = binding_cookie.ok_or(ProxyError::InvalidState(
        "started in another browser".into(),
    ))?;
    if !constant_time_eq(binding_hash(cookie).as_bytes(), state.bind.as_bytes()) {
        return Err(ProxyError::InvalidState(
            "started in another browser or by another user".into(),
        ));
    }
    Ok(state)
}

/// The hash the state carries for a binding cookie value.
pub fn binding_hash(cookie: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(cookie.as_bytes()))
}

/// Constant-time comparison of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn derived_key(secret: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"xerosync oauth state v1\0");
    h.update(secret);
    h.finalize().to_vec()
}

fn tag(secret: &[u8], data: &[u8]) -> Result<Vec<u8>, ProxyError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&derived_key(secret))
        .map_err(|e| ProxyError::Config(e.to_string()))?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn state(exp: u64) -> OAuthState {
        OAuthState {
            org: "o".into(),
            sub: "u".into(),
            nonce: "n1".into(),
            bind: binding_hash("cookie-a"),
            ret: None,
            exp,
        }
    }

    #[test]
    fn rule_c3_state_round_trip() {
        let s = sign(&state(100), b"secret").unwrap();
        assert_eq!(
            verify(&s, b"secret", Some("cookie-a"), 50).unwrap(),
            state(100)
        );
    }

    #[test]
    fn rule_c3_state_refusals() {
        let s = sign(&state(100), b"secret").unwrap();
        assert_eq!(
            verify(&s, b"secret", Some("cookie-a"), 100)
                .unwrap_err()
                .code(),
            "invalid_state"
        );
        assert!(
            verify(&s, b"secret", Some("cookie-b"), 1).is_err(),
            "foreign browser"
        );
        assert!(verify(&s, b"secret", None, 1).is_err(), "no binding cookie");
        assert!(verify(&s, b"other", Some("cookie-a"), 1).is_err(), "forged");
        let (p, sig) = s.split_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(p).unwrap();
        bytes[3] ^= 1;
        assert!(verify(
            &format!("{}.{sig}", URL_SAFE_NO_PAD.encode(bytes)),
            b"secret",
            Some("cookie-a"),
            1
        )
        .is_err());
        assert!(verify("nodot", b"secret", Some("cookie-a"), 1).is_err());
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
