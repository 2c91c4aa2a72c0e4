//! The CRM session token (rule C1): an HS256 JWT the CRM's back end signs with `CRM_SESSION_SECRET`.
//! Required claims: `sub`, `role`, `org`, `iss` and `aud` (the configured values), `iat`, `exp`; `nbf` is honoured;
//! a token may live at most the configured lifetime (`exp − iat`, 12 h by default). Pure: the caller passes `now`
//! (seconds since the epoch).

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
    pub iat: u64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Who signed it (the CRM's back end).
    pub iss: String,
    /// Whom it is for (this proxy).
    pub aud: String,
    /// Minted by the demo's session route: accepted only where that route may exist.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
}

/// What a session token must satisfy.
#[derive(Debug, Clone, Copy)]
pub struct Policy<'a> {
    /// The HS256 key (at least 32 bytes).
    pub secret: &'a [u8],
    /// Required `iss`.
    pub issuer: &'a str,
    /// Required `aud`.
    pub audience: &'a str,
    /// Longest `exp − iat`.
    pub max_lifetime_secs: u64,
    /// Whether `dev: true` tokens are accepted.
    pub allow_dev: bool,
}

/// Clock skew tolerated on `nbf` and `iat` (seconds): the CRM's clock and Cloudflare's differ a little.
const SKEW_SECS: u64 = 30;

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
pub fn verify(token: &str, policy: &Policy<'_>, now: u64) -> Result<Session, ProxyError> {
    let secret = policy.secret;
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
    let refuse = |why: &str| Err(ProxyError::InvalidSession(why.into()));
    if session.sub.is_empty() || session.org.is_empty() {
        return refuse("sub and org are required");
    }
    if session.iss != policy.issuer {
        return refuse("iss is not the configured issuer");
    }
    if session.aud != policy.audience {
        return refuse("aud is not this proxy");
    }
    if session.nbf.is_some_and(|nbf| nbf > now + SKEW_SECS) || session.iat > now + SKEW_SECS {
        return refuse("not valid yet (nbf/iat in the future)");
    }
    if session.exp.saturating_sub(session.iat) > policy.max_lifetime_secs
        || session.exp > now + policy.max_lifetime_secs
    {
        return refuse("lives longer than the configured maximum");
    }
    if session.dev && !policy.allow_dev {
        return refuse("minted by the demo's session route, which this deployment does not have");
    }
    Ok(session)
}

/// Rule C1: only finance and admin get past.
pub fn authorize(session: &Session) -> Result<(), ProxyError> {
    authorize_role(&session.role)
}

/// Rule C1 for a role alone (a redeemed connect ticket carries the role it was asked with).
pub fn authorize_role(role: &str) -> Result<(), ProxyError> {
    if XERO_ROLES.contains(&role) {
        Ok(())
    } else {
        Err(ProxyError::ForbiddenRole(role.to_owned()))
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
    if secret.len() < crate::config::MIN_SECRET_BYTES {
        return Err(ProxyError::Config(
            "CRM_SESSION_SECRET must be at least 32 bytes".into(),
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

    fn policy() -> Policy<'static> {
        Policy {
            secret: SECRET,
            issuer: "https://crm.test",
            audience: "xerosync",
            max_lifetime_secs: 12 * 3600,
            allow_dev: false,
        }
    }

    fn session(role: &str, exp: u64) -> Session {
        Session {
            sub: "u1".into(),
            name: "Ann".into(),
            role: role.into(),
            org: "org1".into(),
            exp,
            iat: 0,
            nbf: None,
            iss: "https://crm.test".into(),
            aud: "xerosync".into(),
            dev: false,
        }
    }

    #[test]
    fn rule_c1_round_trip_and_roles() {
        let t = sign(&session("finance", 100), SECRET).unwrap();
        let s = verify(&t, &policy(), 99).unwrap();
        assert_eq!(s.org, "org1");
        assert!(authorize(&s).is_ok());
        assert!(authorize(&session("admin", 1)).is_ok());
        assert_eq!(authorize(&session("sales", 1)).unwrap_err().status(), 403);
    }

    #[test]
    fn rule_c1_expired_forged_and_none_are_refused() {
        let t = sign(&session("finance", 100), SECRET).unwrap();
        assert_eq!(
            verify(&t, &policy(), 100).unwrap_err(),
            ProxyError::ExpiredSession
        );
        let other = Policy {
            secret: b"another-secret-of-enough-length-32",
            ..policy()
        };
        assert_eq!(verify(&t, &other, 1).unwrap_err().code(), "invalid_session");
        // Tampered claims (role raised to admin) with the old signature.
        let parts: Vec<&str> = t.split('.').collect();
        let forged_claims =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&session("admin", 100)).unwrap());
        let forged = format!("{}.{}.{}", parts[0], forged_claims, parts[2]);
        assert_eq!(
            verify(&forged, &policy(), 1).unwrap_err().code(),
            "invalid_session"
        );
        // alg=none.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            parts[1]
        );
        assert_eq!(
            verify(&none, &policy(), 1).unwrap_err().code(),
            "invalid_session"
        );
        assert_eq!(
            verify("garbage", &policy(), 1).unwrap_err().code(),
            "invalid_session"
        );
    }

    /// Issue 11: `aud` and `iss` required and checked, `nbf` honoured, the lifetime capped, dev tokens refused
    /// outside the demo, short secrets refused.
    #[test]
    fn rule_c1_claims_lifetime_and_dev_tokens() {
        let now = 1_000_000;
        let good = Session {
            iat: now,
            ..session("admin", now + 3600)
        };
        let check = |s: &Session| verify(&sign(s, SECRET).unwrap(), &policy(), now);
        assert!(check(&good).is_ok());
        let missing_aud = serde_json::json!({ "sub": "u1", "role": "admin", "org": "o", "exp": now + 60,
            "iat": now, "iss": "https://crm.test" });
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let input = format!(
            "{header}.{}",
            URL_SAFE_NO_PAD.encode(missing_aud.to_string())
        );
        let mut m = mac(SECRET).unwrap();
        m.update(input.as_bytes());
        let no_aud = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
        );
        let bad = [
            ("no aud", verify(&no_aud, &policy(), now)),
            (
                "wrong aud",
                check(&Session {
                    aud: "other".into(),
                    ..good.clone()
                }),
            ),
            (
                "wrong iss",
                check(&Session {
                    iss: "https://evil.test".into(),
                    ..good.clone()
                }),
            ),
            (
                "future nbf",
                check(&Session {
                    nbf: Some(now + 600),
                    ..good.clone()
                }),
            ),
            (
                "future iat",
                check(&Session {
                    iat: now + 600,
                    ..good.clone()
                }),
            ),
            (
                "a year",
                check(&Session {
                    exp: now + 365 * 86_400,
                    ..good.clone()
                }),
            ),
            (
                "old iat, long",
                check(&Session {
                    iat: now - 86_400,
                    exp: now + 60,
                    ..good.clone()
                }),
            ),
            (
                "dev",
                check(&Session {
                    dev: true,
                    ..good.clone()
                }),
            ),
        ];
        for (name, r) in bad {
            assert_eq!(r.unwrap_err().code(), "invalid_session", "{name}");
        }
        assert!(
            check(&Session {
                nbf: Some(now + 10),
                ..good.clone()
            })
            .is_ok(),
            "skew"
        );
        let dev_ok = Policy {
            allow_dev: true,
            ..policy()
        };
        let dev = sign(
            &Session {
                dev: true,
                ..good.clone()
            },
            SECRET,
        )
        .unwrap();
        assert!(verify(&dev, &dev_ok, now).is_ok());
        assert_eq!(
            sign(&good, b"short-secret-of-31-bytes-000000")
                .unwrap_err()
                .code(),
            "config_error"
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
