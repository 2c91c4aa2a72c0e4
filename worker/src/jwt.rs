//! The CRM session token (rule C1): an HS256 JWT the CRM's back end signs with `CRM_SESSION_SECRET`.
//! Pure: the caller passes `now` (seconds since the epoch).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::ProxyError;

type HmacSha256 = Hmac<Sha256>;

/// Roles that may use anything Xero (rule C1).
pub const XERO_ROLES: [&str; 2] = ["finance", "admin"];

/// What the session says about the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The CRM user id.
    pub sub: String,
    /// The user's display name (for the log).
    #[serde(default)]
    pub name: String,
    /// The CRM role.
    pub role: String,
    /// The CRM organisation (one Xero connection per organisation).
    pub org: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Issued at, seconds since the epoch.
    #[serde(default)]
    pub iat: u64,
}

/// Signs a session (the dev-only minting route and the tests use it; the CRM's back end does the same).
pub fn sign(session: &Session, secret: &[u8]) -> Result<String, ProxyError> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = serde_json::to_vec(session).map_err(|e| ProxyError::Internal(e.to_string()))?;
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
    let mut mac = mac(secret)?;
    mac.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{signing_input}.{sig}"))
}

/// Checks signature (constant time), algorithm, expiry and claims; does not check the role.
pub fn verify(token: &str, secret: &[u8], now: u64) -> Result<Session, ProxyError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ProxyError::InvalidSession("not a JWT".into()));
    };
    let header: serde_json::Value = decode_json(h)?;
    // Only HS256: refuses `none` and algorithm confusion.
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(ProxyError::InvalidSession("algorithm must be HS256".into()));
    }
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| ProxyError::InvalidSession("bad signature encoding".into()))?;
    let mut mac = mac(secret)?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(c.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| ProxyError::InvalidSession("bad signature".into()))?;
    let session: Session = decode_json(c)?;
    if session.exp <= now {
        return Err(ProxyError::ExpiredSession);
    }
    if session.sub.is_empty() || session.org.is_empty() {
        return Err(ProxyError::InvalidSession(
            "sub and org are required".into(),
        ));
    }
    Ok(session)
}

/// Rule C1: only finance and admin get past.
pub fn authorize(session: &Session) -> Result<(), ProxyError> {
    if XERO_ROLES.contains(&session.role.as_str()) {
        Ok(())
    } else {
        Err(ProxyError::ForbiddenRole(session.role.clone()))
    }
}

/// The token from an `Authorization: Bearer …` header.
pub fn bearer(header: Option<&str>) -> Result<&str, ProxyError> {
    let value = header.ok_or(ProxyError::MissingSession)?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or(ProxyError::MissingSession)?
        .trim();
    if token.is_empty() {
        return Err(ProxyError::MissingSession);
    }
    Ok(token)
}

fn mac(secret: &[u8]) -> Result<HmacSha256, ProxyError> {
    if secret.len() < 16 {
        return Err(ProxyError::Config(
            "CRM_SESSION_SECRET must be at least 16 bytes".into(),
        ));
    }
    HmacSha256::new_from_slice(secret).map_err(|e| ProxyError::Config(e.to_string()))
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, ProxyError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| ProxyError::InvalidSession("bad base64".into()))?;
    serde_json::from_slice(&bytes).map_err(|_| ProxyError::InvalidSession("bad claims".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn session(role: &str, exp: u64) -> Session {
        Session {
            sub: "u1".into(),
            name: "Ann".into(),
            role: role.into(),
            org: "org1".into(),
            exp,
            iat: 0,
        }
    }

    #[test]
    fn rule_c1_round_trip_and_roles() {
        let t = sign(&session("finance", 100), SECRET).unwrap();
        let s = verify(&t, SECRET, 99).unwrap();
        assert_eq!(s.org, "org1");
        assert!(authorize(&s).is_ok());
        assert!(authorize(&session("admin", 1)).is_ok());
        assert_eq!(authorize(&session("sales", 1)).unwrap_err().status(), 403);
    }

    #[test]
    fn rule_c1_expired_forged_and_none_are_refused() {
        let t = sign(&session("finance", 100), SECRET).unwrap();
        assert_eq!(
            verify(&t, SECRET, 100).unwrap_err(),
            ProxyError::ExpiredSession
        );
        assert_eq!(
            verify(&t, b"another-secret-of-enough-length", 1)
                .unwrap_err()
                .code(),
            "invalid_session"
        );
        // Tampered claims (role raised to admin) with the old signature.
        let parts: Vec<&str> = t.split('.').collect();
        let forged_claims =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&session("admin", 100)).unwrap());
        let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
        assert_eq!(
            verify(&forged, SECRET, 1).unwrap_err().code(),
            "invalid_session"
        );
        // alg=none.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            parts[1]
        );
        assert_eq!(
            verify(&none, SECRET, 1).unwrap_err().code(),
            "invalid_session"
        );
        assert_eq!(
            verify("garbage", SECRET, 1).unwrap_err().code(),
            "invalid_session"
        );
    }

    #[test]
    fn bearer_header_parsing() {
        assert_eq!(bearer(Some("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer(None).unwrap_err(), ProxyError::MissingSession);
        assert_eq!(
            bearer(Some("Basic abc")).unwrap_err(),
            ProxyError::MissingSession
        );
        assert_eq!(
            bearer(Some("Bearer  ")).unwrap_err(),
            ProxyError::MissingSession
        );
    }
}
