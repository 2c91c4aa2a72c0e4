#![doc = include_str!("../README.md")]

pub mod api;
pub mod apply;
pub mod batch;
pub mod contacts;
pub mod csv;
pub mod date;
pub mod decimal;
pub mod decode;
pub mod error;
pub mod money;
pub mod organisation;
pub mod parse;
pub mod payload;
pub mod plan;
pub mod preview;
pub mod proxy_contract;
pub mod reconcile;
pub mod records;
pub mod resolve;
pub mod rules;
pub mod sentence;
pub mod sync;
pub mod tax_strategy;
#[cfg(feature = "ts")]
pub mod ts;
pub mod where_filter;
pub mod xero;

pub use contacts::{match_contact, ContactMatch, MatchedBy, XeroContact};
pub use date::IsoDate;
pub use decode::{decode_invoice, decode_invoices, Ctx};
pub use error::{Error, RecordKind, RecordRef};
pub use plan::{SendPlan, XeroAnswer, XeroRequest};
pub use preview::{preview_invoice, Preview};
pub use records::{
    AmountsAre, Company, Discount, DiscountStrategy, Invoice, InvoiceKind, InvoiceStatus, Line,
    Person, Product, Settings, TaxRate,
};
pub use rules::{plan_send, plan_update, SendMode, UpdateMode};
pub use tax_strategy::TaxStrategy;
