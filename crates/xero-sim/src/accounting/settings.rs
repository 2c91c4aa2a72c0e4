//! An organisation's settings, read only: `GET /Currencies` (M1), `GET /TrackingCategories` (K1),
//! `GET /BrandingThemes` (K2).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use super::guard::{forbidden, Ctx};
use super::params;
use super::reads::{answer, with_tenant};
use crate::currencies;
use crate::json::ms_date_time;
use crate::state::Sim;
use crate::store::TrackingCategory;

/// `GET /Currencies`: the enabled currencies, the base one first.
pub async fn currencies(State(s): State<Arc<Sim>>, Extension(c): Extension<Ctx>) -> Response {
    let found = with_tenant(&s, &c, |t| {
        t.currencies
            .iter()
            .map(|code| json!({ "Code": code, "Description": currencies::description(code).unwrap_or(code) }))
            .collect::<Vec<_>>()
    });
    match found {
        Some(records) => answer(&s, "Currencies", records, None),
        None => forbidden(),
    }
}

fn category(c: &TrackingCategory, archived: bool) -> Value {
    let options: Vec<Value> = c
        .options
        .iter()
        .filter(|o| archived || o.status == "ACTIVE")
        .map(|o| json!({ "TrackingOptionID": o.id, "Name": o.name, "Status": o.status }))
        .collect();
    json!({ "TrackingCategoryID": c.id, "Name": c.name, "Status": c.status, "Options": options })
}

/// `GET /TrackingCategories[?includeArchived=true]`: ACTIVE categories and options (archived ones too when asked).
pub async fn tracking_categories(
    State(s): State<Arc<Sim>>,
    Extension(c): Extension<Ctx>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let archived = params(q)
        .get("includearchived")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let found = with_tenant(&s, &c, |t| {
        t.tracking
            .iter()
            .filter(|x| archived || x.status == "ACTIVE")
            .map(|x| category(x, archived))
            .collect::<Vec<_>>()
    });
    match found {
        Some(records) => answer(&s, "TrackingCategories", records, None),
        None => forbidden(),
    }
}

/// `GET /BrandingThemes`.
pub async fn branding_themes(State(s): State<Arc<Sim>>, Extension(c): Extension<Ctx>) -> Response {
    let found = with_tenant(&s, &c, |t| {
        t.themes
            .iter()
            .map(|b| {
                json!({ "BrandingThemeID": b.id, "Name": b.name, "Type": "INVOICE",
                    "SortOrder": b.sort_order, "CreatedDateUTC": ms_date_time(b.created) })
            })
            .collect::<Vec<_>>()
    });
    match found {
        Some(records) => answer(&s, "BrandingThemes", records, None),
        None => forbidden(),
    }
}
