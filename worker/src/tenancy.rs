//! Tenant isolation (rules C3, C7): which Xero organisations a CRM organisation may list, pick and use. Pure.
//!
//! Two facts make a tenant one CRM organisation's:
//! 1. **It came from this consent.** `GET /connections` answers with every connection of the app for the Xero user,
//!    including ones another CRM organisation made. Only those whose `authEventId` is the consent's own (the
//!    access token's `authentication_event_id` claim) belong to this connect; the proxy asks Xero with
//!    `?authEventId=` and filters the answer again.
//! 2. **No other CRM organisation holds it.** A tenant is bound to at most one CRM organisation (the D1 table
//!    `tenant_bindings`, claimed atomically on pick); another organisation that consents to it too is refused it
//!    until the first disconnects.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::ProxyError;
use crate::xero::Tenant;

/// The consent an access token came from: its `authentication_event_id` claim. The token is not verified here:
/// the proxy received it straight from Xero's token endpoint, and only reads which consent it belongs to.
pub fn auth_event_id(access_token: &str) -> Result<String, ProxyError> {
    let refuse = |why: &str| {
        ProxyError::Upstream(format!(
            "Xero's access token {why}; the organisations of this consent cannot be told apart"
        ))
    };
    let mut parts = access_token.split('.');
    let (Some(_), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refuse("is not a JWT"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| refuse("is not a JWT"))?;
    let claims: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| refuse("is not a JWT"))?;
    claims
        .get("authentication_event_id")
        .and_then(serde_json::Value::as_str)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| refuse("carries no authentication_event_id"))
}

/// The tenants of one consent, whatever else Xero listed.
pub fn of_consent(tenants: Vec<Tenant>, event: &str) -> Vec<Tenant> {
    tenants
        .into_iter()
        .filter(|t| t.auth_event_id == event)
        .collect()
}

/// The tenants `org` may see and pick: those not bound to another CRM organisation. `bindings` are
/// `(tenant_id, org)` pairs for (at least) the tenants given.
pub fn available<'a>(
    tenants: &'a [Tenant],
    bindings: &[(String, String)],
    org: &str,
) -> Vec<&'a Tenant> {
    tenants
        .iter()
        .filter(|t| {
            !bindings
                .iter()
                .any(|(tenant, holder)| *tenant == t.tenant_id && holder != org)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn tenant(id: &str, event: &str) -> Tenant {
        Tenant {
            id: format!("c-{id}"),
            tenant_id: id.into(),
            tenant_name: format!("Org {id}"),
            tenant_type: "ORGANISATION".into(),
            auth_event_id: event.into(),
        }
    }

    fn jwt(claims: &serde_json::Value) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    #[test]
    fn rule_c7_the_consent_is_read_from_the_access_token() {
        let t = jwt(&serde_json::json!({ "authentication_event_id": "ev-1", "exp": 1 }));
        assert_eq!(auth_event_id(&t).unwrap(), "ev-1");
        for bad in [
            "sim_at_opaque".to_owned(),
            "a.b".to_owned(),
            "a.!!!.c".to_owned(),
            jwt(&serde_json::json!({ "sub": "x" })),
            jwt(&serde_json::json!({ "authentication_event_id": "" })),
            format!("{t}.extra"),
        ] {
            let e = auth_event_id(&bad).unwrap_err();
            assert_eq!(e.code(), "upstream_unavailable", "{bad}");
            assert!(!e.to_string().contains(&bad), "never echoes the token");
        }
    }

    #[test]
    fn rule_c7_only_the_tenants_of_this_consent() {
        let listed = vec![
            tenant("t-a", "ev-a"),
            tenant("t-b", "ev-b"),
            tenant("t-c", "ev-b"),
        ];
        let mine = of_consent(listed, "ev-b");
        let ids: Vec<&str> = mine.iter().map(|t| t.tenant_id.as_str()).collect();
        assert_eq!(ids, ["t-b", "t-c"]);
        assert!(of_consent(vec![tenant("t-a", "")], "ev-a").is_empty());
    }

    #[test]
    fn rule_c7_a_tenant_bound_to_another_organisation_is_not_offered() {
        let tenants = [tenant("t-a", "e"), tenant("t-b", "e"), tenant("t-c", "e")];
        let bindings = vec![
            ("t-a".to_owned(), "org-1".to_owned()),
            ("t-b".to_owned(), "org-2".to_owned()),
        ];
        let ids = |v: Vec<&Tenant>| {
            v.iter()
                .map(|t| t.tenant_id.clone())
                .collect::<Vec<String>>()
        };
        assert_eq!(ids(available(&tenants, &bindings, "org-2")), ["t-b", "t-c"]);
        assert_eq!(ids(available(&tenants, &bindings, "org-3")), ["t-c"]);
    }
}
