//! The wire contract between the proxy (`worker/`) and its clients (the package's `XeroClient`, the core's runs),
//! defined once: the proxy's error codes and HTTP statuses, the connection's statuses, rule C6's decision, and the
//! JSON answers of the proxy's own routes (connection, settings, log: [`answers`]). The Worker answers with these and
//! the client reads them with the same types, so a code or field renamed on one side fails to compile on the other
//! instead of silently falling through. (The `where` filters are in [`crate::where_filter`].)

use serde::{Deserialize, Serialize};

pub mod answers;
pub use answers::{
    ConnectionState, ConnectionView, Disconnected, GrantedOrganisation, GrantedTenant, LogPage,
    LogRow, ProxySettings, TenantList,
};

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
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum ConnectionStatus {
        NotConnected = "not_connected",
        /// Several organisations were granted: one must be picked (rule C7).
        PickRequired = "pick_required",
        Connected = "connected",
        /// Xero refused the tokens: connect again (rule C4).
        ReconnectRequired = "reconnect_required",
        /// A status a newer proxy answers that this version does not know: read as not usable (no *Send* or
        /// *Update*, rule C6), so an older package keeps working, rather than failing the whole connection read.
        #[serde(other)]
        Unknown = "unknown",
    }
}

/// The proxy's own routes (the relay is `RELAY` + a Xero path).
pub mod routes {
    pub const CONNECTION: &str = "/connection";
    pub const CONNECTIONS: &str = "/connections";
    pub const SELECT: &str = "/connections/select";
    pub const DISCONNECT: &str = "/connection/disconnect";
    pub const TICKET: &str = "/oauth/ticket";
    pub const SETTINGS: &str = "/settings";
    pub const LOG: &str = "/log";
    pub const REFUSALS: &str = "/log/refusals";
    pub const CHANGES: &str = "/changes";
    pub const RELAY: &str = "/xero";
}

/// Rule L1: the filters of `GET /log`, as the page gives them (camelCase) and as the query carries them. Empty
/// strings are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
pub struct LogFilter {
    /// Rows at or after (ISO time, or a date: its start).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub from: Option<String>,
    /// Rows before (ISO time); a bare date `YYYY-MM-DD` takes in the whole of that day (the proxy reads it as the
    /// next day's start: [`LogFilter::from_query`]).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub to: Option<String>,
    /// CRM user id.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub user: Option<String>,
    /// The action, exactly.
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub action: Option<String>,
    /// Part of the action, any case (the page's "Action contains" box).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub action_contains: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub outcome: Option<String>,
    /// Record kind (`invoice`, `contact`…).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub kind: Option<String>,
    /// CRM reference (`ref` in the query).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub crm_ref: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub xero_id: Option<String>,
}

impl LogFilter {
    /// `(query name, value)` of each filter given, in a fixed order.
    fn fields(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("user", &self.user),
            ("action", &self.action),
            ("actionContains", &self.action_contains),
            ("outcome", &self.outcome),
            ("kind", &self.kind),
            ("ref", &self.crm_ref),
            ("xeroId", &self.xero_id),
        ]
    }

    /// The filters from a query (the proxy's side); `get` gives a parameter's decoded value. A bare `to` date
    /// becomes the next day's start, so rows `before` it are the whole of that day, however the query was made.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> LogFilter {
        let q = |name: &str| get(name).filter(|v| !v.is_empty());
        let to = q("to").map(|to| match crate::date::IsoDate::parse(&to) {
            Some(day) if to.trim().len() == 10 => {
                crate::date::IsoDate::from_days_since_epoch(day.days_since_epoch() + 1)
                    .map_or(to, |next| next.to_string())
            }
            _ => to,
        });
        LogFilter {
            from: q("from"),
            to,
            user: q("user"),
            action: q("action"),
            action_contains: q("actionContains"),
            outcome: q("outcome"),
            kind: q("kind"),
            crm_ref: q("ref"),
            xero_id: q("xeroId"),
        }
    }

    /// The query of `GET /log` (the client's side), values percent-encoded; `before` and `pageSize` page it,
    /// `csv` asks for the export.
    pub fn query(&self, before: Option<u64>, page_size: Option<u32>, csv: bool) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (name, value) in self.fields() {
            let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            pairs.push((name, value.to_owned()));
        }
        if let Some(before) = before {
            pairs.push(("before", before.to_string()));
        }
        if let Some(size) = page_size {
            pairs.push(("pageSize", size.to_string()));
        }
        if csv {
            pairs.push(("format", "csv".into()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value: letters, digits and `-_.~,` stay, every other byte is `%XX`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a percent-encoded query value (`+` is a space); `None` for a bad escape or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                // Two hex digits exactly (`from_str_radix` alone would take a sign: `%+5`).
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
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

    /// Rule L1: what the client builds, the proxy reads back the same; a bare `to` date covers its whole day.
    #[test]
    fn log_filter_round_trips_rule_l1() {
        let filter = LogFilter {
            outcome: Some("refused".into()),
            action_contains: Some("send & co".into()),
            crm_ref: Some("inv-1".into()),
            to: Some("2026-11-30".into()),
            user: Some(String::new()),
            ..LogFilter::default()
        };
        let query = filter.query(Some(41), Some(50), false);
        assert_eq!(
            query,
            "to=2026-11-30&actionContains=send%20%26%20co&outcome=refused&ref=inv-1&before=41&pageSize=50"
        );
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_owned(), percent_decode(v).unwrap())
            })
            .collect();
        let read = LogFilter::from_query(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        });
        assert_eq!(read.action_contains.as_deref(), Some("send & co"));
        assert_eq!(
            read.to.as_deref(),
            Some("2026-12-01"),
            "rows before the next day"
        );
        let exact =
            LogFilter::from_query(|n| (n == "to").then(|| "2026-11-30T12:00:00Z".to_owned()));
        assert_eq!(exact.to.as_deref(), Some("2026-11-30T12:00:00Z"));
        assert_eq!(read.user, None, "empty is absent");
        assert!(filter.query(None, None, true).ends_with("format=csv"));
        assert_eq!(percent_decode("a%20b+c").unwrap(), "a b c");
        assert!(percent_decode("%4").is_none());
        assert!(percent_decode("%+5").is_none(), "a sign is not a hex digit");
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
