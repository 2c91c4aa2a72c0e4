//! Xero webhooks (rule B1): `x-xero-signature` = base64(HMAC-SHA256(webhook key, raw body)), checked in constant
//! time; the events name changed records (no record data). Pure.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::error::ProxyError;

/// Checks the signature header over the raw body.
pub fn verify(key: &str, body: &[u8], signature: Option<&str>) -> Result<(), ProxyError> {
    let sig = signature.ok_or(ProxyError::BadSignature)?;
    let sig = STANDARD
        .decode(sig.trim())
        .map_err(|_| ProxyError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .map_err(|e| ProxyError::Config(e.to_string()))?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sig).map_err(|_| ProxyError::BadSignature)
}

/// Signs a body (for tests and the simulator side).
pub fn sign(key: &str, body: &[u8]) -> Result<String, ProxyError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .map_err(|e| ProxyError::Config(e.to_string()))?;
    mac.update(body);
    Ok(STANDARD.encode(mac.finalize().into_bytes()))
}

/// One change named by a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedRecord {
    /// Xero tenant.
    pub tenant_id: String,
    /// `invoice`, `creditNote` or `contact`.
    pub kind: &'static str,
    /// Xero record id.
    pub xero_id: String,
    /// `create` or `update`.
    pub event: String,
    /// When it happened, as Xero wrote it.
    pub at: String,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    #[serde(default)]
    resource_id: String,
    #[serde(default)]
    event_date_utc: String,
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    event_category: String,
    #[serde(default)]
    tenant_id: String,
}

/// The records a (verified) webhook body names; unknown categories are ignored.
pub fn changed_records(body: &[u8]) -> Result<Vec<ChangedRecord>, ProxyError> {
    let payload: Payload = serde_json::from_slice(body)
        .map_err(|_| ProxyError::invalid("body", "not a Xero webhook payload"))?;
    Ok(payload
        .events
        .into_iter()
        .filter_map(|e| {
            let kind = match e.event_category.to_ascii_uppercase().as_str() {
                "INVOICE" => "invoice",
                "CREDITNOTE" => "creditNote",
                "CONTACT" => "contact",
                _ => return None,
            };
            (!e.resource_id.is_empty() && !e.tenant_id.is_empty()).then(|| ChangedRecord {
                tenant_id: e.tenant_id,
                kind,
                xero_id: e.resource_id,
                event: e.event_type.to_ascii_lowercase(),
                at: e.event_date_utc,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rule_b1_signature_checks() {
        let body = br#"{"events":[]}"#;
        let sig = sign("key", body).unwrap();
        assert!(verify("key", body, Some(&sig)).is_ok());
        assert_eq!(
            verify("other", body, Some(&sig)).unwrap_err(),
            ProxyError::BadSignature
        );
        assert!(verify("key", b"{\"events\":[ ]}", Some(&sig)).is_err());
        assert!(verify("key", body, None).is_err());
        assert!(verify("key", body, Some("!!")).is_err());
    }

    #[test]
    fn rule_b1_events_name_records_case_insensitively() {
        let body = br#"{"events":[
            {"resourceId":"i1","eventDateUtc":"2026-01-01T00:00:00","eventType":"UPDATE","eventCategory":"INVOICE","tenantId":"t1"},
            {"resourceId":"c1","eventType":"Create","eventCategory":"creditnote","tenantId":"t1"},
            {"resourceId":"x","eventType":"UPDATE","eventCategory":"SUBSCRIPTION","tenantId":"t1"}],
            "firstEventSequence":1,"lastEventSequence":2,"entropy":"x"}"#;
        let recs = changed_records(body).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].kind, "creditNote");
        assert_eq!(recs[1].event, "create");
        assert!(changed_records(b"nope").is_err());
    }
}
