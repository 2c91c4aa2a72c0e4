//! Encryption at rest of the stored connection (rule C3/C4): AES-256-GCM with a key derived from the
//! `TOKEN_ENCRYPTION_KEY` secret. The sealed form is `v1.<base64 nonce>.<base64 ciphertext+tag>`; the storage
//! key is bound in as associated data so a sealed blob cannot be moved to another organisation.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

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

fn cipher(secret: &str) -> Result<Aes256Gcm, ProxyError> {
    if secret.len() < 16 {
        return Err(ProxyError::Config(
            "TOKEN_ENCRYPTION_KEY must be at least 16 characters".into(),
        ));
    }
    let key = Sha256::new()
        .chain_update(b"xerosync token store v1\0")
        .chain_update(secret.as_bytes())
        .finalize();
    Aes256Gcm::new_from_slice(&key).map_err(|e| ProxyError::Config(e.to_string()))
}

/// Encrypts `plaintext` with a caller-chosen 96-bit nonce (never reuse one with the same key).
pub fn seal(
    secret: &str,
    aad: &str,
    nonce: [u8; 12],
    plaintext: &[u8],
) -> Result<String, ProxyError> {
    let ct = cipher(secret)?
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| ProxyError::Internal("encryption failed".into()))?;
    Ok(format!(
        "v1.{}.{}",
        STANDARD.encode(nonce),
        STANDARD.encode(ct)
    ))
}

/// Decrypts what [`seal`] produced; fails on a wrong key, a wrong `aad` or any tampering.
pub fn open(secret: &str, aad: &str, sealed: &str) -> Result<Vec<u8>, ProxyError> {
    let bad = || {
        ProxyError::Internal(
            "stored connection cannot be decrypted (wrong TOKEN_ENCRYPTION_KEY?)".into(),
        )
    };
    let mut parts = sealed.split('.');
    let (Some("v1"), Some(n), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let nonce = STANDARD.decode(n).map_err(|_| bad())?;
    if nonce.len() != 12 {
        return Err(bad());
    }
    let ct = STANDARD.decode(c).map_err(|_| bad())?;
    cipher(secret)?
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ct,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const KEY: &str = "a-test-key-of-some-length";

    #[test]
    fn rule_c4_sealed_tokens_round_trip_and_hide_the_plaintext() {
        let sealed = seal(KEY, "org1", [7; 12], b"refresh-token-xyz").unwrap();
        assert!(!sealed.contains("refresh"));
        assert_eq!(open(KEY, "org1", &sealed).unwrap(), b"refresh-token-xyz");
    }

    #[test]
    fn rule_c4_wrong_key_org_or_tampering_fails() {
        let sealed = seal(KEY, "org1", [7; 12], b"secret").unwrap();
        assert!(open("another-key-of-some-length", "org1", &sealed).is_err());
        assert!(open(KEY, "org2", &sealed).is_err());
        let mut t = sealed.clone();
        t.pop();
        t.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(open(KEY, "org1", &t).is_err());
        assert!(open(KEY, "org1", "v2.x.y").is_err());
        assert!(seal("short", "o", [0; 12], b"x").is_err());
    }

    #[test]
    fn random_tokens_differ() {
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
