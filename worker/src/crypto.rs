//! Encryption at rest of the stored connection (rules C3, C4): AES-256-GCM with a key derived by HKDF-SHA256 from
//! the `TOKEN_ENCRYPTION_KEY` secret. The storage key is bound in as associated data, so a sealed blob cannot be
//! moved to another organisation.
//!
//! Sealed form: `v2.<key id>.<base64 nonce>.<base64 ciphertext+tag>`. The key id is a fingerprint of the derived
//! key (HKDF with another `info`, so it reveals nothing of the key), which lets the key rotate: set the new secret
//! as `TOKEN_ENCRYPTION_KEY` and the old one in `TOKEN_ENCRYPTION_KEY_PREVIOUS`; blobs sealed with the old key
//! still open, and are sealed again with the new one on their next write (or at once, see [`Opened::stale`]).
//! `v1.<nonce>.<ciphertext>` blobs (SHA-256 key derivation, before key ids) still open, and count as stale.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

use crate::config::MIN_SECRET_BYTES;
use crate::error::ProxyError;

/// Fresh random bytes from the platform (`crypto.getRandomValues` in a Worker).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ProxyError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out)
        .map_err(|e| ProxyError::Internal(format!("randomness unavailable: {e}")))?;
    Ok(out)
}

/// A random URL-safe token of 32 bytes of entropy.
pub fn random_token() -> Result<String, ProxyError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// The keys that may open a blob: the current one (which seals) and older ones (which only open).
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    /// `TOKEN_ENCRYPTION_KEY`.
    pub current: &'a str,
    /// `TOKEN_ENCRYPTION_KEY_PREVIOUS`, newest first.
    pub previous: &'a [String],
}

/// What [`open`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// Sealed with an older key or format: seal it again with the current key.
    pub stale: bool,
}

struct Derived {
    cipher: Aes256Gcm,
    id: String,
}

fn derive(secret: &str) -> Result<Derived, ProxyError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ProxyError::Config(format!(
            "TOKEN_ENCRYPTION_KEY must be at least {MIN_SECRET_BYTES} bytes"
        )));
    }
    let hk = Hkdf::<Sha256>::new(Some(b"xerosync token store"), secret.as_bytes());
    let mut key = [0u8; 32];
    let mut id = [0u8; 8];
    hk.expand(b"v2 aes-256-gcm key", &mut key)
        .and_then(|()| hk.expand(b"v2 key id", &mut id))
        .map_err(|_| ProxyError::Config("key derivation failed".into()))?;
    Ok(Derived {
        cipher: Aes256Gcm::new_from_slice(&key)
            .map_err(|_| ProxyError::Config("bad key length".into()))?,
        id: id.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// The v1 derivation (before HKDF and key ids), for blobs sealed then.
fn derive_v1(secret: &str) -> Result<Aes256Gcm, ProxyError> {
    let key = Sha256::new()
        .chain_update(b"xerosync token store v1\0")
        .chain_update(secret.as_bytes())
        .finalize();
    Aes256Gcm::new_from_slice(&key).map_err(|_| ProxyError::Config("bad key length".into()))
}

/// The id of the key a secret derives (shown in `/health`-style diagnostics and the README's rotation steps).
pub fn key_id(secret: &str) -> Result<String, ProxyError> {
    Ok(derive(secret)?.id)
}

/// Encrypts `plaintext` with the current key and a caller-chosen 96-bit nonce (never reuse one with a key).
pub fn seal(
    secret: &str,
    aad: &str,
    nonce: [u8; 12],
    plaintext: &[u8],
) -> Result<String, ProxyError> {
    let d = derive(secret)?;
    let ct = d
        .cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| ProxyError::Internal("encryption failed".into()))?;
    Ok(format!(
        "v2.{}.{}.{}",
        d.id,
        STANDARD.encode(nonce),
        STANDARD.encode(ct)
    ))
}

fn decrypt(cipher: &Aes256Gcm, aad: &str, nonce: &str, ct: &str) -> Option<Vec<u8>> {
    let nonce = STANDARD.decode(nonce).ok().filter(|n| n.len() == 12)?;
    let ct = STANDARD.decode(ct).ok()?;
    cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: aad.as_bytes(),
            },
        )
        .ok()
}

/// Decrypts what [`seal`] produced with any of `keys`; fails on an unknown key, a wrong `aad` or any tampering.
pub fn open(keys: Keys<'_>, aad: &str, sealed: &str) -> Result<Opened, ProxyError> {
    let bad = || {
        ProxyError::Internal(
            "stored connection cannot be decrypted (TOKEN_ENCRYPTION_KEY changed without \
             TOKEN_ENCRYPTION_KEY_PREVIOUS?)"
                .into(),
        )
    };
    let all = std::iter::once(keys.current).chain(keys.previous.iter().map(String::as_str));
    let parts: Vec<&str> = sealed.split('.').collect();
    match parts.as_slice() {
        ["v2", id, nonce, ct] => {
            for (i, secret) in all.enumerate() {
                let d = derive(secret)?;
                if d.id == *id {
                    let plaintext = decrypt(&d.cipher, aad, nonce, ct).ok_or_else(bad)?;
                    return Ok(Opened {
                        plaintext,
                        stale: i > 0,
                    });
                }
            }
            Err(bad())
        }
        ["v1", nonce, ct] => {
            for secret in all {
                if let Some(plaintext) = decrypt(&derive_v1(secret)?, aad, nonce, ct) {
                    return Ok(Opened {
                        plaintext,
                        stale: true,
                    });
                }
            }
            Err(bad())
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const KEY: &str = "a-test-key-of-some-length-32-bytes!";
    const NEW: &str = "the-next-key-after-rotation-32-bytes";

    fn only(current: &str) -> Keys<'_> {
        Keys {
            current,
            previous: &[],
        }
    }

    #[test]
    fn rule_c4_sealed_tokens_round_trip_and_hide_the_plaintext() {
        let sealed = seal(KEY, "org1", [7; 12], b"refresh-token-xyz").unwrap();
        assert!(!sealed.contains("refresh"));
        assert!(sealed.starts_with(&format!("v2.{}.", key_id(KEY).unwrap())));
        let o = open(only(KEY), "org1", &sealed).unwrap();
        assert_eq!(
            (o.plaintext.as_slice(), o.stale),
            (&b"refresh-token-xyz"[..], false)
        );
    }

    #[test]
    fn rule_c4_wrong_key_org_or_tampering_fails() {
        let sealed = seal(KEY, "org1", [7; 12], b"secret").unwrap();
        assert!(open(only(NEW), "org1", &sealed).is_err());
        assert!(open(only(KEY), "org2", &sealed).is_err());
        let mut t = sealed.clone();
        t.pop();
        t.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(open(only(KEY), "org1", &t).is_err());
        assert!(open(only(KEY), "org1", "v3.x.y.z").is_err());
        assert!(seal("short-key-of-31-bytes-000000000", "o", [0; 12], b"x").is_err());
        let e = open(only(NEW), "org1", &sealed).unwrap_err();
        assert!(!e.to_string().contains(KEY) && !e.to_string().contains(NEW));
    }

    /// Issue 11: a key rotation: old blobs still open (and are marked for re-sealing), new ones use the new key.
    #[test]
    fn rule_c4_key_rotation_keeps_old_blobs_open() {
        let old = seal(KEY, "org1", [1; 12], b"old").unwrap();
        let previous = [KEY.to_owned()];
        let rotated = Keys {
            current: NEW,
            previous: &previous,
        };
        let o = open(rotated, "org1", &old).unwrap();
        assert_eq!((o.plaintext.as_slice(), o.stale), (&b"old"[..], true));
        let new = seal(NEW, "org1", [2; 12], b"new").unwrap();
        assert!(new.starts_with(&format!("v2.{}.", key_id(NEW).unwrap())));
        assert_ne!(key_id(NEW).unwrap(), key_id(KEY).unwrap());
        assert!(!open(rotated, "org1", &new).unwrap().stale);
        // Once the old key is retired, its blobs no longer open.
        assert!(open(only(NEW), "org1", &old).is_err());
    }

    /// Blobs sealed before key ids (v1: SHA-256 derivation) still open, as stale.
    #[test]
    fn rule_c4_v1_blobs_still_open() {
        let cipher = derive_v1(KEY).unwrap();
        let ct = cipher
            .encrypt(
                Nonce::from_slice(&[9; 12]),
                Payload {
                    msg: b"legacy",
                    aad: b"org1",
                },
            )
            .unwrap();
        let v1 = format!("v1.{}.{}", STANDARD.encode([9u8; 12]), STANDARD.encode(ct));
        let o = open(only(KEY), "org1", &v1).unwrap();
        assert_eq!((o.plaintext.as_slice(), o.stale), (&b"legacy"[..], true));
    }

    #[test]
    fn random_tokens_differ() {
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
