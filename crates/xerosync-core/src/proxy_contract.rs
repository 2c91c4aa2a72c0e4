//! The wire contract between the proxy (`worker/`) and its clients (the package's `XeroClient`, the core's runs),
//! defined once: the proxy's error codes and HTTP statuses, the connection's statuses, and rule C6's decision. The
//! Worker answers with these and the client reads them with the same types, so a code renamed on one side fails to
//! compile on the other instead of silently falling through. (The `where` filters are in [`crate::where_filter`].)

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$doc:meta])* $variant:ident = $code:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$doc])* $variant,)* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The wire spelling (stable: never renamed).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            /// The value of a wire spelling; `None` for one this version does not know.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($code => Some($name::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// The `code` of the proxy's error bodies, `{"error": {"code", "message"}}`.
    pub enum ProxyErrorCode {
        MissingSession = "missing_session",
        InvalidSession = "invalid_session",
        ExpiredSession = "expired_session",
        /// Rule C1: finance and admin only.
        ForbiddenRole = "forbidden_role",
        ForbiddenOrigin = "forbidden_origin",
        NotFound = "not_found",
        MethodNotAllowed = "method_not_allowed",
        /// Rules X1/X2: not on the relay's closed list.
        RelayRefused = "relay_refused",
        InvalidRequest = "invalid_request",
        InvalidState = "invalid_state",
        InvalidTicket = "invalid_ticket",
        PayloadTooLarge = "payload_too_large",
        LengthRequired = "length_required",
        UpstreamTimeout = "upstream_timeout",
        /// Rule C2.
        IntegrationDisabled = "integration_disabled",
        NotConnected = "not_connected",
        ReconnectRequired = "reconnect_required",
        /// Rule C7.
        TenantNotChosen = "tenant_not_chosen",
        UnknownTenant = "unknown_tenant",
        TenantBound = "tenant_bound",
        /// Rule X2.
        RateLimited = "rate_limited",
        BadSignature = "bad_signature",
        UpstreamUnavailable = "upstream_unavailable",
        ConfigError = "config_error",
        InternalError = "internal_error",
    }
}

impl ProxyErrorCode {
    /// The HTTP status the proxy answers with.
    pub fn status(self) -> u16 {
        use ProxyErrorCode::*;
        match self {
            MissingSession | InvalidSession | ExpiredSession | BadSignature => 401,
            ForbiddenRole | ForbiddenOrigin | IntegrationDisabled => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            RelayRefused | InvalidRequest | InvalidState | InvalidTicket | UnknownTenant => 400,
            LengthRequired => 411,
            PayloadTooLarge => 413,
            UpstreamTimeout => 504,
            NotConnected | ReconnectRequired | TenantNotChosen | TenantBound => 409,
            RateLimited => 429,
            UpstreamUnavailable => 502,
            ConfigError | InternalError => 500,
        }
    }

    /// The CRM session token was refused: a client gets a fresh one and tries again.
    pub fn is_session(self) -> bool {
        matches!(
            self,
            ProxyErrorCode::MissingSession
                | ProxyErrorCode::InvalidSession
                | ProxyErrorCode::ExpiredSession
        )
    }
}

codes! {
    /// `GET /connection`'s `status` (rules C3, C7).
    pub enum ConnectionStatus {
        NotConnected = "not_connected",
        /// Several organisations were granted: one must be picked (rule C7).
        PickRequired = "pick_required",
        Connected = "connected",
        /// Xero refused the tokens: connect again (rule C4).
        ReconnectRequired = "reconnect_required",
    }
}

/// Rule C6: *Send to Xero* and *Update from Xero* show only while the integration is enabled and connected.
pub fn can_sync(enabled: bool, status: Option<ConnectionStatus>) -> bool {
    enabled && status == Some(ConnectionStatus::Connected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code round-trips through its wire spelling and through serde, and no two share one.
    #[test]
    fn codes_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ProxyErrorCode::ALL {
            assert_eq!(ProxyErrorCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
            assert!(seen.insert(code.as_str()), "{code:?}");
            assert!((400..600).contains(&code.status()));
        }
        for status in ConnectionStatus::ALL {
            assert_eq!(ConnectionStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(ProxyErrorCode::parse("bogus"), None);
    }

    /// Rule C6: only enabled and connected.
    #[test]
    fn can_sync_rule_c6() {
        for status in ConnectionStatus::ALL {
            assert_eq!(
                can_sync(true, Some(*status)),
                *status == ConnectionStatus::Connected
            );
            assert!(!can_sync(false, Some(*status)));
        }
        assert!(!can_sync(true, None));
    }
}
