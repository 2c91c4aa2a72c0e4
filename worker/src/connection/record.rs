//! What one CRM organisation's connection holds (rules C3, C4, C7), and what callers may see of it. Pure: the
//! Durable Object seals [`Stored`] with `crypto::seal` before it touches storage; [`StatusView`] carries no
//! token material.

use serde::{Deserialize, Serialize};
use xerosync_core::proxy_contract::ConnectionStatus;

use crate::xero::{Tenant, TokenSet};

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Consent given; an organisation must be picked (rule C7).
    PickRequired,
    /// Usable.
    Connected,
    /// Dead: someone must connect again (`reason` says why).
    ReconnectRequired,
}

/// The stored connection (sealed at rest).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    /// Phase.
    pub phase: Phase,
    /// Current access token.
    pub access_token: String,
    /// When it expires (ms since the epoch, by our clock).
    pub access_expires_at: u64,
    /// Current refresh token.
    pub refresh_token: String,
    /// When the pair was last obtained (ms).
    pub refreshed_at: u64,
    /// Organisations the consent granted.
    pub tenants: Vec<Tenant>,
    /// The chosen organisation.
    pub tenant: Option<Tenant>,
    /// Who connected, and when (ms).
    pub connected_by: String,
    /// When (ms).
    pub connected_at: u64,
    /// Why a reconnect is needed.
    pub reason: Option<String>,
    /// Refreshes done since connecting (for the status page and the tests).
    pub refresh_count: u64,
}

impl Stored {
    /// A fresh consent: picks the organisation only when the consent granted exactly one (never the first of
    /// several, rule C7).
    pub fn connected(tokens: &TokenSet, tenants: Vec<Tenant>, by: &str, now: u64) -> Self {
        let tenant = if tenants.len() == 1 {
            tenants.first().cloned()
        } else {
            None
        };
        Self {
            phase: if tenant.is_some() {
                Phase::Connected
            } else {
                Phase::PickRequired
            },
            access_token: tokens.access_token.clone(),
            access_expires_at: now + tokens.expires_in * 1000,
            refresh_token: tokens.refresh_token.clone(),
            refreshed_at: now,
            tenants,
            tenant,
            connected_by: by.to_owned(),
            connected_at: now,
            reason: None,
            refresh_count: 0,
        }
    }

    /// After a successful refresh: the rotated pair.
    pub fn rotated(&self, tokens: &TokenSet, now: u64) -> Self {
        let mut next = self.clone();
        next.access_token = tokens.access_token.clone();
        next.access_expires_at = now + tokens.expires_in * 1000;
        if !tokens.refresh_token.is_empty() {
            next.refresh_token = tokens.refresh_token.clone();
        }
        next.refreshed_at = now;
        next.refresh_count += 1;
        next
    }

    /// After `invalid_grant`: dead, tokens wiped, reason kept.
    pub fn dead(&self, reason: String) -> Self {
        let mut next = self.clone();
        next.phase = Phase::ReconnectRequired;
        next.access_token.clear();
        next.refresh_token.clear();
        next.reason = Some(reason);
        next
    }

    /// Whether the access token should be refreshed before use at `now` (a minute's margin).
    pub fn needs_refresh(&self, now: u64) -> bool {
        now + 60_000 >= self.access_expires_at
    }

    /// What callers see.
    pub fn view(&self) -> StatusView {
        StatusView {
            status: match self.phase {
                Phase::PickRequired => ConnectionStatus::PickRequired,
                Phase::Connected => ConnectionStatus::Connected,
                Phase::ReconnectRequired => ConnectionStatus::ReconnectRequired,
            },
            tenant_id: self.tenant.as_ref().map(|t| t.tenant_id.clone()),
            tenant_name: self.tenant.as_ref().map(|t| t.tenant_name.clone()),
            connected_by: Some(self.connected_by.clone()),
            connected_at: Some(crate::time::iso(self.connected_at)),
            last_refresh_at: Some(crate::time::iso(self.refreshed_at)),
            refresh_count: Some(self.refresh_count),
            reason: self.reason.clone(),
        }
    }
}

/// The connection as `/connection` reports it: the proxy contract's view (no token material).
pub use xerosync_core::proxy_contract::ConnectionView as StatusView;

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(a: &str, r: &str) -> TokenSet {
        TokenSet {
            access_token: a.into(),
            refresh_token: r.into(),
            expires_in: 1800,
        }
    }

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: format!("c-{id}"),
            tenant_id: id.into(),
            tenant_name: format!("Org {id}"),
            tenant_type: "ORGANISATION".into(),
            auth_event_id: "ev".into(),
        }
    }

    #[test]
    fn rule_c7_never_defaults_to_the_first_of_several() {
        let s = Stored::connected(&tokens("a", "r"), vec![tenant("t1"), tenant("t2")], "u1", 0);
        assert_eq!(s.phase, Phase::PickRequired);
        assert!(s.tenant.is_none());
        let one = Stored::connected(&tokens("a", "r"), vec![tenant("t1")], "u1", 0);
        assert_eq!(one.view().tenant_id.as_deref(), Some("t1"));
    }

    #[test]
    fn rule_c4_rotation_expiry_and_death() {
        let s = Stored::connected(&tokens("a1", "r1"), vec![tenant("t1")], "u1", 0);
        assert!(!s.needs_refresh(1_000));
        assert!(s.needs_refresh(1_740_000));
        let r = s.rotated(&tokens("a2", "r2"), 2_000_000);
        assert_eq!(
            (
                r.access_token.as_str(),
                r.refresh_token.as_str(),
                r.refresh_count
            ),
            ("a2", "r2", 1)
        );
        let d = r.dead("invalid_grant".into());
        assert_eq!(d.view().status, ConnectionStatus::ReconnectRequired);
        assert!(d.refresh_token.is_empty() && d.access_token.is_empty());
        let json = serde_json::to_string(&d.view()).unwrap_or_default();
        assert!(!json.contains("a2") && !json.contains("r2") && json.contains("invalid_grant"));
    }
}
