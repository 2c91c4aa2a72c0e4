//! The per-organisation settings (rules C2, T1, S6, B2), shared by all users of one CRM organisation. Pure
//! validation; storage is in D1.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ProxyError;

/// What a line whose discount a percentage cannot reproduce does (rule S6).
pub const DISCOUNT_STRATEGIES: [&str; 2] = ["discountAmount", "holdBack"];

/// One CRM organisation's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Rule C2: off → no Xero calls, no background sync.
    pub enabled: bool,
    /// Rule T1: CRM tax rate → Xero `TaxType`.
    pub tax_mapping: BTreeMap<String, String>,
    /// Rule S6: `discountAmount` or `holdBack`.
    pub discount_strategy: String,
    /// Rule B2: send live invoices automatically.
    pub auto_send: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            enabled: false,
            tax_mapping: BTreeMap::new(),
            discount_strategy: "discountAmount".into(),
            auto_send: false,
        }
    }
}

impl Settings {
    /// Parses and checks settings sent by the page, naming the bad field.
    pub fn from_json(value: serde_json::Value) -> Result<Self, ProxyError> {
        let s: Settings = serde_json::from_value(value)
            .map_err(|e| ProxyError::invalid("settings", e.to_string()))?;
        if !DISCOUNT_STRATEGIES.contains(&s.discount_strategy.as_str()) {
            return Err(ProxyError::invalid(
                "settings.discountStrategy",
                "expected discountAmount or holdBack",
            ));
        }
        for (crm, xero) in &s.tax_mapping {
            if crm.is_empty() || crm.len() > 100 {
                return Err(ProxyError::invalid(
                    "settings.taxMapping",
                    "CRM tax rate names are 1-100 characters",
                ));
            }
            let ok = !xero.is_empty()
                && xero.len() <= 50
                && xero.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(ProxyError::invalid(
                    format!("settings.taxMapping.{crm}"),
                    "expected a Xero TaxType such as OUTPUT2",
                ));
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_c2_t1_settings_validation() {
        let s = Settings::from_json(
            json!({"enabled": true, "taxMapping": {"VAT 20%": "OUTPUT2"},
            "discountStrategy": "holdBack", "autoSend": false}),
        )
        .unwrap();
        assert!(s.enabled);
        assert_eq!(s.tax_mapping["VAT 20%"], "OUTPUT2");
        let bad = Settings::from_json(json!({"enabled": true, "taxMapping": {"VAT": "OUT PUT"},
            "discountStrategy": "holdBack", "autoSend": false}));
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("settings.taxMapping.VAT"));
        assert!(Settings::from_json(json!({"enabled": "yes"})).is_err());
        let bad = Settings::from_json(
            json!({"enabled": true, "taxMapping": {}, "discountStrategy": "x", "autoSend": false}),
        );
        assert!(bad.unwrap_err().to_string().contains("discountStrategy"));
        assert!(!Settings::default().enabled);
    }
}
