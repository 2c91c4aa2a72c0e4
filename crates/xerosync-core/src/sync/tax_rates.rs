//! Rule T1: the organisation's tax rates that a CRM tax rate may be mapped to (active, and applicable to revenue).

use crate::decimal::from_json;
use crate::error::Error;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One choice for the mapping screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroTaxRateChoice"))]
#[serde(rename_all = "camelCase")]
pub struct XeroTaxRate {
    /// What a CRM tax rate's `xeroTaxType` is set to.
    pub tax_type: String,
    pub name: String,
    /// `EffectiveRate`, as a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rate: Option<String>,
}

/// Reads `GET /TaxRates`' answer: the active rates that apply to revenue, in Xero's order.
pub fn parse_tax_rates(body: &Value) -> Result<Vec<XeroTaxRate>, Error> {
    let list = body
        .get("TaxRates")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::xero("TaxRates", "expected an object with a TaxRates array"))?;
    Ok(list
        .iter()
        .filter(|r| {
            r.get("Status")
                .and_then(Value::as_str)
                .is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"))
        })
        .filter(|r| r.get("CanApplyToRevenue").and_then(Value::as_bool) != Some(false))
        .filter_map(|r| {
            Some(XeroTaxRate {
                tax_type: r.get("TaxType")?.as_str()?.to_string(),
                name: r
                    .get("Name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                rate: r
                    .get("EffectiveRate")
                    .and_then(from_json)
                    .map(|d| d.normalize().to_string()),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_active_revenue_rates_rule_t1() {
        let body = json!({"TaxRates": [
            {"TaxType": "OUTPUT2", "Name": "20% (VAT on Income)", "Status": "ACTIVE", "CanApplyToRevenue": true, "EffectiveRate": 20.0},
            {"TaxType": "INPUT2", "Name": "20% (VAT on Expenses)", "Status": "ACTIVE", "CanApplyToRevenue": false, "EffectiveRate": 20.0},
            {"TaxType": "OLD", "Name": "Old", "Status": "DELETED", "CanApplyToRevenue": true},
        ]});
        let rates = parse_tax_rates(&body).unwrap();
        assert_eq!(
            rates,
            [XeroTaxRate {
                tax_type: "OUTPUT2".into(),
                name: "20% (VAT on Income)".into(),
                rate: Some("20".into())
            }]
        );
        assert!(parse_tax_rates(&json!({})).is_err());
    }
}
