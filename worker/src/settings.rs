//! The per-organisation settings (rules C2, T1, S6, B2), shared by all users of one CRM organisation, in the
//! CRM contract's spelling (contract.md): the discount strategy is the core's `DiscountStrategy` and the tax
//! mapping is keyed by the CRM tax rate's id. Pure validation; storage is in D1.

use xerosync_core::proxy_contract::ProxySettings;

use crate::error::ProxyError;

/// One CRM organisation's settings: the proxy contract's `ProxySettings`, the body of `GET` and `PUT /settings`.
pub type Settings = ProxySettings;

/// Parses and checks settings sent by the page, naming the bad field. Only the contract's fields are taken (a
/// misspelt one is refused, not dropped).
pub fn from_json(value: serde_json::Value) -> Result<Settings, ProxyError> {
    let shape = || {
        ProxyError::invalid(
            "settings",
            "expected {enabled, taxMapping, discountStrategy, autoSend, defaultSalesAccountCode?} with their types",
        )
    };
    let unknown = value.as_object().is_some_and(|fields| {
        fields
            .keys()
            .any(|k| !Settings::FIELDS.contains(&k.as_str()))
    });
    if unknown {
        return Err(shape());
    }
    // Fixed messages: a decoder's own text can echo the values sent.
    let s: Settings = serde_json::from_value(value).map_err(|e| {
        let text = e.to_string();
        if text.contains("DiscountStrategy") || text.contains("`auto`") {
            ProxyError::invalid(
                "settings.discountStrategy",
                "expected \"auto\", \"rate\" or \"hold\"",
            )
        } else {
            shape()
        }
    })?;
    if let Some(code) = &s.default_sales_account_code {
        let ok =
            !code.is_empty() && code.len() <= 10 && code.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return Err(ProxyError::invalid(
                "settings.defaultSalesAccountCode",
                "expected a Xero account code: 1-10 letters or digits",
            ));
        }
    }
    for (crm, xero) in &s.tax_mapping {
        if crm.is_empty() || crm.len() > 100 {
            return Err(ProxyError::invalid(
                "settings.taxMapping",
                "CRM tax rate ids are 1-100 characters",
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

/// Reads a stored D1 row. Rows written before the settings took the contract's spelling say
/// `discountAmount` / `holdBack`; they read as `auto` / `hold` so an existing deployment keeps working
/// (their tax mapping, keyed by rate name then, simply no longer matches a rate id and reads as unmapped).
pub fn from_stored(body: &str) -> Result<Settings, ProxyError> {
    let mut value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| ProxyError::Internal(format!("stored settings: {e}")))?;
    if let Some(strategy) = value.get_mut("discountStrategy") {
        let current = strategy.as_str().map(legacy_strategy);
        if let Some(Some(renamed)) = current {
            *strategy = serde_json::Value::from(renamed);
        }
    }
    serde_json::from_value(value).map_err(|e| ProxyError::Internal(format!("stored settings: {e}")))
}

/// The contract's name for a discount strategy stored in the proxy's former spelling.
fn legacy_strategy(old: &str) -> Option<&'static str> {
    match old {
        "discountAmount" => Some("auto"),
        "holdBack" => Some("hold"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;
    use xerosync_core::records::DiscountStrategy;

    #[test]
    fn rule_c2_t1_s6_settings_validation() {
        let s = from_json(json!({"enabled": true, "taxMapping": {"vat20": "OUTPUT2"},
            "discountStrategy": "hold", "defaultSalesAccountCode": "200", "autoSend": false}))
        .unwrap();
        assert!(s.enabled);
        assert_eq!(s.tax_mapping["vat20"], "OUTPUT2");
        assert_eq!(s.discount_strategy, DiscountStrategy::Hold);
        assert_eq!(s.default_sales_account_code.as_deref(), Some("200"));
        let bad = from_json(json!({"enabled": true, "taxMapping": {"vat": "OUT PUT"},
            "discountStrategy": "hold", "autoSend": false}));
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("settings.taxMapping.vat"));
        assert!(from_json(json!({"enabled": "yes"})).is_err());
        let misspelt = from_json(
            json!({"enabled": true, "taxMapping": {}, "autoSend": false, "autosend": true}),
        );
        assert!(misspelt
            .unwrap_err()
            .to_string()
            .contains("expected {enabled"));
        for old in ["x", "holdBack", "discountAmount"] {
            let bad = from_json(
                json!({"enabled": true, "taxMapping": {}, "discountStrategy": old, "autoSend": false}),
            );
            assert!(bad
                .unwrap_err()
                .to_string()
                .contains("settings.discountStrategy"));
        }
        for code in ["", "12345678901", "2 00", "2-0"] {
            let bad = from_json(json!({"enabled": true, "taxMapping": {},
                "defaultSalesAccountCode": code, "autoSend": false}));
            assert!(bad
                .unwrap_err()
                .to_string()
                .contains("settings.defaultSalesAccountCode"));
        }
        assert!(!Settings::default().enabled);
        assert_eq!(
            Settings::default().discount_strategy,
            DiscountStrategy::Auto
        );
    }

    #[test]
    fn rule_s6_discount_strategy_defaults_to_auto_and_round_trips() {
        let s = from_json(json!({"enabled": true, "taxMapping": {}, "autoSend": true})).unwrap();
        assert_eq!(s.discount_strategy, DiscountStrategy::Auto);
        let rate = Settings {
            discount_strategy: DiscountStrategy::Rate,
            ..s
        };
        let written = serde_json::to_value(&rate).unwrap();
        assert_eq!(written["discountStrategy"], "rate");
        assert!(written.get("defaultSalesAccountCode").is_none());
        assert_eq!(from_json(written).unwrap(), rate);
    }

    #[test]
    fn rule_s6_stored_rows_in_the_old_spelling_still_read() {
        assert_eq!(legacy_strategy("discountAmount"), Some("auto"));
        assert_eq!(legacy_strategy("holdBack"), Some("hold"));
        assert_eq!(legacy_strategy("rate"), None);
        let old = r#"{"enabled":true,"taxMapping":{"VAT 20%":"OUTPUT2"},"discountStrategy":"holdBack","autoSend":false}"#;
        let s = from_stored(old).unwrap();
        assert_eq!(s.discount_strategy, DiscountStrategy::Hold);
        assert!(s.enabled);
        let old = r#"{"enabled":false,"taxMapping":{},"discountStrategy":"discountAmount","autoSend":true}"#;
        assert_eq!(
            from_stored(old).unwrap().discount_strategy,
            DiscountStrategy::Auto
        );
        let new = serde_json::to_string(&Settings {
            discount_strategy: DiscountStrategy::Rate,
            ..Settings::default()
        })
        .unwrap();
        assert_eq!(
            from_stored(&new).unwrap().discount_strategy,
            DiscountStrategy::Rate
        );
        assert!(from_stored("{\"enabled\":1}").is_err());
    }
}
