//! The proxy's JSON answers on its own routes (the connection, the shared settings, the log), and what the package's
//! `XeroClient` makes of them. The Worker serializes its answers through these structs and the client reads them
//! back through the same ones, so a field renamed on one side fails to compile on the other; the TypeScript of
//! `ConnectionState`, `ProxySettings`, `LogRow` and `LogPage` is generated from them (feature `ts`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{can_sync, ConnectionStatus};
use crate::records::DiscountStrategy;

/// `GET /connection` (and the answer of `POST /connections/select`): where the connection stands, with no token
/// material (rules C3, C4, C7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    pub status: ConnectionStatus,
    /// The chosen organisation's tenant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tenant_id: Option<String>,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub tenant_name: Option<String>,
    /// The CRM user who connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub connected_by: Option<String>,
    /// When (ISO time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub connected_at: Option<String>,
    /// When the tokens were last refreshed (ISO time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_refresh_at: Option<String>,
    /// Refreshes since connecting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub refresh_count: Option<u64>,
    /// Why a reconnect is needed (rule C4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub reason: Option<String>,
}

impl ConnectionView {
    /// No connection at all.
    pub fn not_connected() -> Self {
        ConnectionView {
            status: ConnectionStatus::NotConnected,
            tenant_id: None,
            tenant_name: None,
            connected_by: None,
            connected_at: None,
            last_refresh_at: None,
            refresh_count: None,
            reason: None,
        }
    }
}

/// One organisation the consent granted, as `GET /connections` lists it (Xero's connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantedTenant {
    /// Xero's connection id.
    #[serde(default)]
    pub id: String,
    pub tenant_id: String,
    #[serde(default)]
    pub tenant_name: String,
    /// `ORGANISATION`, …
    #[serde(default)]
    pub tenant_type: String,
    /// The consent that granted it.
    #[serde(default)]
    pub auth_event_id: String,
}

/// `GET /connections` (rule C7): the organisations this CRM organisation may pick (none another one holds), and the
/// chosen one's tenant id (`null` until picked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantList {
    pub tenants: Vec<GrantedTenant>,
    pub chosen: Option<String>,
}

/// `POST /connection/disconnect`: `not_connected`, and whether Xero revoked the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub status: ConnectionStatus,
    pub revoked: bool,
}

/// One organisation of `ConnectionState.organisations` (rule C7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GrantedOrganisation {
    pub tenant_id: String,
    /// Its name (the tenant id when Xero gave none).
    pub name: String,
}

/// Rule C6: `XeroClient.connection()`: the proxy's connection, the settings' `enabled` and `autoSend`, and whether
/// the buttons show (`canSync`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionState {
    #[serde(flatten)]
    pub connection: ConnectionView,
    /// Rule C2.
    pub enabled: bool,
    /// Rule C6: *Send to Xero* and *Update from Xero* show.
    pub can_sync: bool,
    /// Rule B2.
    pub auto_send: bool,
    /// Rule C7: the organisations this consent granted (when one must be picked, or is connected).
    pub organisations: Vec<GrantedOrganisation>,
}

impl ConnectionState {
    /// Whether `organisations` is worth reading (`GET /connections`) for this connection.
    pub fn lists_organisations(status: ConnectionStatus) -> bool {
        matches!(
            status,
            ConnectionStatus::PickRequired | ConnectionStatus::Connected
        )
    }

    /// The state from the proxy's answers; `tenants` is read only when [`ConnectionState::lists_organisations`].
    pub fn new(
        connection: ConnectionView,
        settings: &ProxySettings,
        tenants: Option<TenantList>,
    ) -> Self {
        let organisations = match tenants {
            Some(list) if Self::lists_organisations(connection.status) => list
                .tenants
                .into_iter()
                .map(|t| GrantedOrganisation {
                    name: if t.tenant_name.is_empty() {
                        t.tenant_id.clone()
                    } else {
                        t.tenant_name
                    },
                    tenant_id: t.tenant_id,
                })
                .collect(),
            _ => Vec::new(),
        };
        ConnectionState {
            enabled: settings.enabled,
            can_sync: can_sync(settings.enabled, Some(connection.status)),
            auto_send: settings.auto_send,
            organisations,
            connection,
        }
    }
}

/// `GET /settings` and `PUT /settings` (rules C2, T1, S6, B2): one CRM organisation's settings as the proxy keeps
/// them, shared by its users (it enforces C2 and runs B2 with them). The proxy refuses a body with other fields
/// (`FIELDS`); a client reads an answer with more (a newer proxy's) without failing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProxySettings {
    /// Rule C2: off → no Xero calls, no background sync.
    pub enabled: bool,
    /// Rule T1: CRM tax rate id (e.g. `vat20`) → Xero `TaxType`.
    pub tax_mapping: BTreeMap<String, String>,
    /// Rule S6 (default `auto`).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub discount_strategy: DiscountStrategy,
    /// The Xero account code for lines without their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub default_sales_account_code: Option<String>,
    /// Rule B2: send live invoices automatically.
    pub auto_send: bool,
}

impl ProxySettings {
    /// The fields of the JSON, as spelled on the wire.
    pub const FIELDS: [&'static str; 5] = [
        "enabled",
        "taxMapping",
        "discountStrategy",
        "defaultSalesAccountCode",
        "autoSend",
    ];
}

/// Rule L1: one row of the proxy's `xero_log`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogRow {
    /// Row id (ascending with time): `before` of the next page.
    #[serde(default)]
    pub id: i64,
    /// ISO time.
    pub at: String,
    /// CRM user id.
    pub user_id: String,
    /// CRM user name.
    pub user_name: String,
    /// e.g. `send: PUT Invoices`.
    pub action: String,
    /// `invoice`, `contact`, …
    pub record_kind: String,
    /// CRM reference.
    pub crm_ref: String,
    /// Xero id.
    pub xero_id: String,
    /// `ok`, `warning`, `error`, `refused` (rule L1a: refused before any call) or `resolved` (rule U6).
    pub outcome: String,
    /// Xero's HTTP status (0 when none).
    pub http_status: i64,
    pub message: String,
}

/// Rule L1: one page of `GET /log`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    pub rows: Vec<LogRow>,
    /// `before` of the next (older) page; `null` at the end.
    pub next_before: Option<i64>,
    /// The page size the proxy used.
    pub page_size: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The wire spelling the Worker's HTTP tests and the package's client read.
    #[test]
    fn answers_keep_their_wire_spelling() {
        let view = ConnectionView {
            tenant_id: Some("t1".into()),
            refresh_count: Some(2),
            ..ConnectionView::not_connected()
        };
        assert_eq!(
            serde_json::to_value(&view).unwrap(),
            json!({ "status": "not_connected", "tenantId": "t1", "refreshCount": 2 })
        );
        let settings = ProxySettings {
            enabled: true,
            auto_send: true,
            ..ProxySettings::default()
        };
        let written = serde_json::to_value(&settings).unwrap();
        assert_eq!(
            written,
            json!({ "enabled": true, "taxMapping": {}, "discountStrategy": "auto", "autoSend": true })
        );
        let full = ProxySettings {
            default_sales_account_code: Some("200".into()),
            ..settings
        };
        let keys: Vec<String> = serde_json::to_value(&full)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut fields: Vec<String> = ProxySettings::FIELDS
            .iter()
            .map(|f| f.to_string())
            .collect();
        fields.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, fields, "FIELDS names every field");
        let more: ProxySettings = serde_json::from_value(
            json!({ "enabled": true, "taxMapping": {}, "autoSend": false, "later": 1 }),
        )
        .unwrap();
        assert!(more.enabled, "a newer proxy's field is ignored");
        let page = LogPage {
            rows: vec![LogRow {
                id: 7,
                http_status: 200,
                ..LogRow::default()
            }],
            next_before: None,
            page_size: 50,
        };
        let page = serde_json::to_value(&page).unwrap();
        assert_eq!(page["nextBefore"], serde_json::Value::Null);
        assert_eq!(page["pageSize"], 50);
        assert_eq!(page["rows"][0]["httpStatus"], 200);
        assert_eq!(page["rows"][0]["crmRef"], "");
        let list: TenantList = serde_json::from_value(json!({ "tenants": [
            { "id": "c1", "tenantId": "t1", "tenantName": "Org 1", "tenantType": "ORGANISATION", "authEventId": "e" },
            { "tenantId": "t2" }], "chosen": null })).unwrap();
        assert_eq!(list.tenants[1].tenant_name, "");
        assert_eq!(
            serde_json::to_value(&list).unwrap()["chosen"],
            serde_json::Value::Null
        );
    }

    /// Rules C6, C7: the client's state from the proxy's answers.
    #[test]
    fn connection_state_rules_c6_c7() {
        let list = TenantList {
            tenants: vec![
                GrantedTenant {
                    id: "c1".into(),
                    tenant_id: "t1".into(),
                    tenant_name: "Org 1".into(),
                    tenant_type: "ORGANISATION".into(),
                    auth_event_id: "e".into(),
                },
                GrantedTenant {
                    id: String::new(),
                    tenant_id: "t2".into(),
                    tenant_name: String::new(),
                    tenant_type: String::new(),
                    auth_event_id: String::new(),
                },
            ],
            chosen: None,
        };
        let settings = ProxySettings {
            enabled: true,
            ..ProxySettings::default()
        };
        let pick = ConnectionView {
            status: ConnectionStatus::PickRequired,
            ..ConnectionView::not_connected()
        };
        let state = ConnectionState::new(pick, &settings, Some(list.clone()));
        assert!(!state.can_sync && state.enabled && !state.auto_send);
        assert_eq!(state.organisations[0].name, "Org 1");
        assert_eq!(state.organisations[1].name, "t2", "no name: the id");
        let json = serde_json::to_value(&state).unwrap();
        assert_eq!(json["status"], "pick_required");
        assert_eq!(json["canSync"], false);
        assert_eq!(json["organisations"][0]["tenantId"], "t1");
        let connected = ConnectionView {
            status: ConnectionStatus::Connected,
            tenant_id: Some("t1".into()),
            ..ConnectionView::not_connected()
        };
        assert!(ConnectionState::new(connected, &settings, None).can_sync);
        let gone = ConnectionState::new(ConnectionView::not_connected(), &settings, Some(list));
        assert!(gone.organisations.is_empty() && !gone.can_sync);
    }

    #[test]
    fn rule_c6_a_status_this_version_does_not_know_reads_as_not_usable() {
        let later: ConnectionView = serde_json::from_value(
            serde_json::json!({ "status": "paused_by_admin", "tenantId": "t1" }),
        )
        .unwrap();
        assert_eq!(later.status, ConnectionStatus::Unknown);
        let settings = ProxySettings {
            enabled: true,
            ..ProxySettings::default()
        };
        let state = ConnectionState::new(later, &settings, None);
        assert!(!state.can_sync && state.organisations.is_empty());
        assert_eq!(serde_json::to_value(&state).unwrap()["status"], "unknown");
    }
}
