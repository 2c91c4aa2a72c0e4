//! Realistic UK and NZ tax-rate sets and a minimal chart of accounts, as a new Xero organisation has them.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::json::money;
use crate::store::Account;

/// The organisation's country: its tax rates, base currency and `Version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Country {
    /// United Kingdom: VAT, GBP.
    Uk,
    /// New Zealand: GST, NZD.
    Nz,
}

impl Country {
    /// Parses `UK` / `NZ` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "UK" | "GB" => Some(Self::Uk),
            "NZ" => Some(Self::Nz),
            _ => None,
        }
    }
    /// Base currency.
    pub fn currency(self) -> &'static str {
        match self {
            Self::Uk => "GBP",
            Self::Nz => "NZD",
        }
    }
    /// `Organisation.Version`.
    pub fn version(self) -> &'static str {
        match self {
            Self::Uk => "UK",
            Self::Nz => "NZ",
        }
    }
    /// `Organisation.CountryCode`.
    pub fn country_code(self) -> &'static str {
        match self {
            Self::Uk => "GB",
            Self::Nz => "NZ",
        }
    }
}

/// One tax rate.
#[derive(Debug, Clone, PartialEq)]
pub struct TaxRate {
    /// `Name`.
    pub name: &'static str,
    /// `TaxType`, the code lines use.
    pub tax_type: &'static str,
    /// `ReportTaxType`.
    pub report_tax_type: &'static str,
    /// The rate in percent.
    pub rate: Decimal,
    /// `Status`: ACTIVE or ARCHIVED.
    pub status: &'static str,
    /// `CanApplyToRevenue`.
    pub revenue: bool,
    /// `CanApplyToExpenses`.
    pub expenses: bool,
}

impl TaxRate {
    /// The rate as Xero's JSON shows it.
    pub fn to_json(&self) -> Value {
        json!({
            "Name": self.name,
            "TaxType": self.tax_type,
            "ReportTaxType": self.report_tax_type,
            "CanApplyToAssets": self.expenses,
            "CanApplyToEquity": self.expenses,
            "CanApplyToExpenses": self.expenses,
            "CanApplyToLiabilities": self.expenses,
            "CanApplyToRevenue": self.revenue,
            "DisplayTaxRate": money(self.rate),
            "EffectiveRate": money(self.rate),
            "Status": self.status,
            "TaxComponents": [{
                "Name": if self.name.contains("GST") { "GST" } else { "VAT" },
                "Rate": money(self.rate),
                "IsCompound": false,
                "IsNonRecoverable": false
            }]
        })
    }
}

fn rate(
    name: &'static str,
    tax_type: &'static str,
    report: &'static str,
    percent: Decimal,
    status: &'static str,
    revenue: bool,
    expenses: bool,
) -> TaxRate {
    TaxRate {
        name,
        tax_type,
        report_tax_type: report,
        rate: percent,
        status,
        revenue,
        expenses,
    }
}

/// The tax rates of a new organisation in `country`.
pub fn for_country(country: Country) -> Vec<TaxRate> {
    let pct = |n: i64, scale: u32| Decimal::new(n, scale);
    match country {
        Country::Uk => vec![
            rate(
                "20% (VAT on Income)",
                "OUTPUT2",
                "OUTPUT",
                pct(20, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "20% (VAT on Expenses)",
                "INPUT2",
                "INPUT",
                pct(20, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate(
                "5% (VAT on Income)",
                "RROUTPUT",
                "OUTPUT",
                pct(5, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "5% (VAT on Expenses)",
                "RRINPUT",
                "INPUT",
                pct(5, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate(
                "Zero Rated Income",
                "ZERORATEDOUTPUT",
                "ZERORATEDOUTPUT",
                pct(0, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "Zero Rated Expenses",
                "ZERORATEDINPUT",
                "ZERORATEDINPUT",
                pct(0, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate(
                "Exempt Income",
                "EXEMPTOUTPUT",
                "EXEMPTOUTPUT",
                pct(0, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "Exempt Expenses",
                "EXEMPTINPUT",
                "EXEMPTINPUT",
                pct(0, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate("No VAT", "NONE", "NONE", pct(0, 0), "ACTIVE", true, true),
            rate(
                "EC Zero Rated Services",
                "ECZROUTPUTSERVICES",
                "ECOUTPUTSERVICES",
                pct(0, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "17.5% (VAT on Income)",
                "OUTPUT",
                "OUTPUT",
                pct(175, 1),
                "ARCHIVED",
                true,
                false,
            ),
        ],
        Country::Nz => vec![
            rate(
                "15% GST on Income",
                "OUTPUT2",
                "OUTPUT",
                pct(15, 0),
                "ACTIVE",
                true,
                false,
            ),
            rate(
                "15% GST on Expenses",
                "INPUT2",
                "INPUT",
                pct(15, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate("No GST", "NONE", "NONE", pct(0, 0), "ACTIVE", true, true),
            rate(
                "Zero Rated",
                "ZERORATED",
                "ZERORATEDOUTPUT",
                pct(0, 0),
                "ACTIVE",
                true,
                true,
            ),
            rate(
                "GST on Imports",
                "GSTONIMPORTS",
                "GSTONIMPORTS",
                pct(0, 0),
                "ACTIVE",
                false,
                true,
            ),
            rate(
                "12.5% GST on Income",
                "OUTPUT",
                "OUTPUT",
                pct(125, 1),
                "ARCHIVED",
                true,
                false,
            ),
        ],
    }
}

/// A minimal chart of accounts: sales, other revenue, a bank account, costs.
pub fn accounts(country: Country) -> Vec<Account> {
    let bank = match country {
        Country::Uk => "Business Bank Account",
        Country::Nz => "Business Cheque Account",
    };
    vec![
        Account {
            code: "200",
            name: "Sales",
            kind: "REVENUE",
            default_tax: "OUTPUT2",
        },
        Account {
            code: "260",
            name: "Other Revenue",
            kind: "REVENUE",
            default_tax: "OUTPUT2",
        },
        Account {
            code: "090",
            name: bank,
            kind: "BANK",
            default_tax: "NONE",
        },
        Account {
            code: "310",
            name: "Cost of Goods Sold",
            kind: "DIRECTCOSTS",
            default_tax: "INPUT2",
        },
        Account {
            code: "400",
            name: "Advertising",
            kind: "EXPENSE",
            default_tax: "INPUT2",
        },
    ]
}
