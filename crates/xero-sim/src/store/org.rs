//! An organisation's settings beyond its ledger (rules M1, K1, K2, O2): enabled currencies, tracking categories,
//! branding themes, and the emails it sent.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The `Standard` branding theme every organisation has.
pub const THEME_STANDARD: Uuid = Uuid::from_u128(0x5b1e_0000_4000_4000_8000_0000_0000_0001);
/// A second theme, `Special Projects`.
pub const THEME_SPECIAL: Uuid = Uuid::from_u128(0x5b1e_0000_4000_4000_8000_0000_0000_0002);

/// A tracking option.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingOption {
    /// `TrackingOptionID`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// `Status`: ACTIVE or ARCHIVED.
    pub status: String,
}

/// A tracking category with its options.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingCategory {
    /// `TrackingCategoryID`.
    pub id: Uuid,
    /// `Name`.
    pub name: String,
    /// `Status`: ACTIVE or ARCHIVED.
    pub status: String,
    /// `Options`.
    pub options: Vec<TrackingOption>,
}

impl TrackingCategory {
    /// A category of `tenant` with ACTIVE options; ids derive from the organisation's id and the names, so a seed
    /// gives the same ids every time.
    pub fn new(tenant: Uuid, name: &str, options: &[&str]) -> Self {
        let id = derived(tenant, name);
        Self {
            id,
            name: name.to_owned(),
            status: "ACTIVE".to_owned(),
            options: options
                .iter()
                .map(|o| TrackingOption {
                    id: derived(id, o),
                    name: (*o).to_owned(),
                    status: "ACTIVE".to_owned(),
                })
                .collect(),
        }
    }
}

/// A stable id from a parent id and a name (FNV-1a of the name folded into the parent's bits, version 4 bits kept).
fn derived(parent: Uuid, name: &str) -> Uuid {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in name.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let bits = (parent.as_u128() ^ h) & !(0xf << 76) & !(0x3 << 62);
    Uuid::from_u128(bits | (0x4 << 76) | (0x2 << 62))
}

/// A line's tracking: one option of one category (names kept as they were when written).
#[derive(Debug, Clone, PartialEq)]
pub struct LineTracking {
    /// `TrackingCategoryID`.
    pub category_id: Uuid,
    /// `Name` (the category's).
    pub name: String,
    /// `TrackingOptionID`.
    pub option_id: Uuid,
    /// `Option` (the option's name).
    pub option: String,
}

/// A branding theme.
#[derive(Debug, Clone, PartialEq)]
pub struct BrandingTheme {
    /// `BrandingThemeID`.
    pub id: Uuid,
    /// `Name`.
    pub name: &'static str,
    /// `SortOrder`.
    pub sort_order: u32,
    /// `CreatedDateUTC`.
    pub created: DateTime<Utc>,
}

/// The two themes every organisation has.
pub fn branding_themes(now: DateTime<Utc>) -> Vec<BrandingTheme> {
    vec![
        BrandingTheme {
            id: THEME_STANDARD,
            name: "Standard",
            sort_order: 0,
            created: now,
        },
        BrandingTheme {
            id: THEME_SPECIAL,
            name: "Special Projects",
            sort_order: 1,
            created: now,
        },
    ]
}

/// An invoice emailed through `POST /Invoices/{id}/Email`.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEmail {
    /// The invoice.
    pub invoice_id: Uuid,
    /// The address it went to.
    pub to: String,
    /// When (simulated clock).
    pub at: DateTime<Utc>,
}
