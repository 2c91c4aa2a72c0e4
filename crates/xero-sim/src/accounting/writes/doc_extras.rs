//! The parts of an invoice or credit note that depend on the organisation's settings: `CurrencyCode` and
//! `CurrencyRate` (rule M1), `BrandingThemeID` (K2) and each line's `Tracking` (K1). Like `doc_fields`, the readers
//! push messages and never mutate.
//!
//! Xero documents none of these refusals' wording except the currency one ("Organisation is not subscribed to
//! currency …"); the tracking, rate and theme messages are ours, written to name the field and the value.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use crate::currencies;
use crate::json::{decimal_field, str_field};
use crate::store::{Doc, Line, LineTracking, Tenant};

/// `CurrencyCode` (an enabled currency; the base one by default) and `CurrencyRate` (as sent when positive; 1 in the
/// base currency; else the stored rate while currency and date stay; else the simulator's daily rate).
pub(super) fn read_currency(
    tenant: &Tenant,
    body: &Value,
    existing: Option<&Doc>,
    date: NaiveDate,
    errors: &mut Vec<String>,
) -> (String, Decimal) {
    let base = tenant.currency();
    let code = match str_field(body, "CurrencyCode") {
        Some(code) => {
            if !tenant.currencies.iter().any(|c| c == code) {
                errors.push(format!("Organisation is not subscribed to currency {code}"));
            }
            code.to_owned()
        }
        None => existing.map_or_else(|| base.to_owned(), |d| d.currency.clone()),
    };
    let sent = match decimal_field(body, "CurrencyRate") {
        Ok(rate) => rate,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if sent.is_some_and(|r| r <= Decimal::ZERO) {
        errors.push("CurrencyRate must be greater than zero.".to_owned());
    }
    let rate = match (sent, existing) {
        _ if code == base => Decimal::ONE,
        (Some(r), _) => r.round_dp(6),
        (None, Some(old)) if old.currency == code && old.date == date => old.currency_rate,
        (None, _) => currencies::daily_rate(base, &code, date),
    };
    (code, rate)
}

/// `BrandingThemeID`: one of the organisation's themes (kept from the stored document when not sent).
pub(super) fn read_branding(
    tenant: &Tenant,
    body: &Value,
    existing: Option<&Doc>,
    errors: &mut Vec<String>,
) -> Option<Uuid> {
    let Some(text) = str_field(body, "BrandingThemeID") else {
        return existing.and_then(|d| d.branding_theme);
    };
    let found = Uuid::parse_str(text)
        .ok()
        .filter(|id| tenant.themes.iter().any(|t| t.id == *id));
    if found.is_none() {
        errors.push(format!("The BrandingThemeID '{text}' does not exist."));
    }
    found
}

/// A line's `Tracking`: each element names a category (`TrackingCategoryID` or `Name`) and one of its options
/// (`TrackingOptionID` or `Option`), ACTIVE ones only, one option per category. Without `Tracking`, a line that
/// names a stored line (`LineItemID`) keeps that line's tracking.
pub(super) fn read_tracking(
    tenant: &Tenant,
    line: &Value,
    old_lines: &[Line],
    errors: &mut Vec<String>,
) -> Vec<LineTracking> {
    let list = match line.get("Tracking") {
        Some(Value::Array(list)) => list,
        Some(_) => {
            errors.push("Tracking must be an array.".to_owned());
            return Vec::new();
        }
        None => {
            let id = str_field(line, "LineItemID").and_then(|s| Uuid::parse_str(s).ok());
            return old_lines
                .iter()
                .find(|l| Some(l.id) == id)
                .map(|l| l.tracking.clone())
                .unwrap_or_default();
        }
    };
    let mut out: Vec<LineTracking> = Vec::new();
    for element in list {
        let Some(t) = one_tracking(tenant, element, errors) else {
            continue;
        };
        if out.iter().any(|o| o.category_id == t.category_id) {
            errors.push(format!(
                "A line item can have only one option of the tracking category '{}'.",
                t.name
            ));
        } else {
            out.push(t);
        }
    }
    out
}

fn one_tracking(tenant: &Tenant, t: &Value, errors: &mut Vec<String>) -> Option<LineTracking> {
    let by_id = str_field(t, "TrackingCategoryID");
    let by_name = str_field(t, "Name").map(str::trim);
    let Some(wanted) = by_id.or(by_name) else {
        errors.push("A tracking element needs a Name or a TrackingCategoryID.".to_owned());
        return None;
    };
    let category = tenant
        .tracking
        .iter()
        .filter(|c| c.status == "ACTIVE")
        .find(|c| match by_id {
            Some(id) => Uuid::parse_str(id).is_ok_and(|id| id == c.id),
            None => c.name.eq_ignore_ascii_case(wanted),
        });
    let Some(category) = category else {
        errors.push(format!("The tracking category '{wanted}' does not exist."));
        return None;
    };
    let opt_id = str_field(t, "TrackingOptionID");
    let opt_name = str_field(t, "Option").map(str::trim);
    let Some(wanted_opt) = opt_id.or(opt_name) else {
        errors.push(format!(
            "An option of the tracking category '{}' must be given (Option or TrackingOptionID).",
            category.name
        ));
        return None;
    };
    let option = category
        .options
        .iter()
        .filter(|o| o.status == "ACTIVE")
        .find(|o| match opt_id {
            Some(id) => Uuid::parse_str(id).is_ok_and(|id| id == o.id),
            None => o.name.eq_ignore_ascii_case(wanted_opt),
        });
    let Some(option) = option else {
        errors.push(format!(
            "The tracking option '{wanted_opt}' does not exist in the tracking category '{}'.",
            category.name
        ));
        return None;
    };
    Some(LineTracking {
        category_id: category.id,
        name: category.name.clone(),
        option_id: option.id,
        option: option.name.clone(),
    })
}
