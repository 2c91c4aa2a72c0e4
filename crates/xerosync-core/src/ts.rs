//! The TypeScript declarations of every type that crosses to JS (feature `ts`, with ts-rs): rendered into one file,
//! the npm package's `types.generated.d.ts`, which `index.d.ts` re-exports. `tests/core/ts_types.rs` fails when the
//! committed file differs from what the Rust types give (`UPDATE_TYPES=1` rewrites it).
//!
//! The values cross as JSON text (see the wasm crate's `convert`), so the declarations follow the serde
//! attributes: camelCase or PascalCase names, optional fields where serde skips `None`, decimals as strings.

use std::any::TypeId;
use std::collections::BTreeSet;
use ts_rs::{Config, TypeVisitor, TS};

/// A decimal as the package returns it: a string such as `"97.20"` (`rust_decimal::Decimal` in the core).
pub struct Decimal;
/// A decimal as the package accepts it: a string (preferred) or a JS number.
pub struct DecimalInput;

macro_rules! alias {
    ($ty:ty, $name:literal, $ts:literal, $docs:literal) => {
        impl TS for $ty {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn docs() -> Option<String> {
                Some(format!("/** {} */\n", $docs))
            }
            fn name(_: &Config) -> String {
                $name.to_owned()
            }
            fn inline(_: &Config) -> String {
                $ts.to_owned()
            }
            fn decl(_: &Config) -> String {
                format!("type {} = {};", $name, $ts)
            }
            fn decl_concrete(cfg: &Config) -> String {
                Self::decl(cfg)
            }
            fn output_path() -> Option<std::path::PathBuf> {
                Some(concat!($name, ".ts").into())
            }
        }
    };
}

alias!(
    Decimal,
    "Decimal",
    "string",
    "A decimal as the package returns it: a string such as `\"97.20\"`."
);
alias!(
    DecimalInput,
    "DecimalInput",
    "string | number",
    "A decimal as the package accepts it: a string (preferred) or a JS number."
);
alias!(
    crate::date::IsoDate,
    "IsoDate",
    "string",
    "A date `YYYY-MM-DD`."
);
// The struct has both fields optional; decoding refuses a discount with both or neither (rule S5).
alias!(
    crate::records::Discount,
    "Discount",
    "{ percent: DecimalInput; amount?: undefined } | { amount: DecimalInput; percent?: undefined }",
    "A line discount: a percentage, or an amount off the whole line (one of the two)."
);

// A failure of `buildInvoicePayloads`: its index and the error's JSON flattened beside it.
alias!(
    crate::batch::Failure,
    "PayloadFailure",
    "{ index: number } & ErrorData",
    "An invoice `buildInvoicePayloads` could not build: its position in the input and the error `buildInvoicePayload` throws."
);

/// Every `code` an error of the package may carry ([`crate::error::all_codes`]; `errorCodes()` lists them at run time).
pub struct ErrorCode;
impl TS for ErrorCode {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn docs() -> Option<String> {
        Some("/** Every `code` an error of the package may carry (`errorCodes()` lists them at run time): the core's, the\n * proxy's (passed through by XeroClient), the runs' own stops, the bindings' and XeroClient's. */\n".to_owned())
    }
    fn name(_: &Config) -> String {
        "ErrorCode".to_owned()
    }
    fn inline(_: &Config) -> String {
        crate::error::all_codes()
            .iter()
            .map(|c| format!("\n  | \"{c}\""))
            .collect()
    }
    fn decl(cfg: &Config) -> String {
        format!("type ErrorCode ={};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &Config) -> String {
        Self::decl(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Some("ErrorCode.ts".into())
    }
}

/// An error as data ([`crate::Error::to_json`]): in results (`error` of a send result) and as the fields of a thrown
/// `XerosyncError`.
pub struct ErrorData;
impl TS for ErrorData {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn docs() -> Option<String> {
        Some("/** An error as data (`error` of a send result, `failed` of `buildInvoicePayloads`): `message` for developers and logs,\n * `sentence` for a finance user, the record (`\"invoice inv-9\"`) and the field path (`\"lines[0].quantity\"`) when named. */\n".to_owned())
    }
    fn name(_: &Config) -> String {
        "ErrorData".to_owned()
    }
    fn inline(_: &Config) -> String {
        "{ code: ErrorCode, message: string, sentence: string, record?: string, field?: string, }"
            .to_owned()
    }
    fn decl(cfg: &Config) -> String {
        format!("type ErrorData = {};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &Config) -> String {
        Self::decl(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Some("ErrorData.ts".into())
    }
    fn visit_dependencies(v: &mut impl TypeVisitor) {
        v.visit::<ErrorCode>();
    }
}

// The shape `decode::Ctx::from_json` reads, for the TypeScript only: the context is decoded field by field and record
// by record, not through this struct (so one bad record fails only the invoices that use it, with its own message);
// `tests/core/ts_types.rs` checks that a context this struct writes is the one `from_json` reads.
/// What an invoice refers to (decoded record by record: a malformed company, product or tax rate fails only the
/// invoices that use it).
#[derive(serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(rename = "Ctx")]
#[serde(rename_all = "camelCase")]
pub struct CtxInput {
    pub companies: Vec<crate::records::Company>,
    pub products: Vec<crate::records::Product>,
    pub tax_rates: Vec<crate::records::TaxRate>,
    pub settings: crate::records::Settings,
    /// Rule M1: the currency codes the Xero organisation has enabled (`organisationOptions().currencies`); an invoice
    /// in another is refused locally (`unknown_currency`). Absent: not checked here (Xero refuses it per invoice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub currencies: Option<Vec<String>>,
}

/// Collects a type and, recursively, every declared type it refers to.
struct Collect<'a> {
    cfg: &'a Config,
    seen: BTreeSet<TypeId>,
    out: Vec<(String, String)>,
}

impl Collect<'_> {
    fn add<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() {
            // Not a declaration of its own (a primitive, `Vec<T>`, `Option<T>`): what it holds may be.
            T::visit_dependencies(self);
            return;
        }
        if !self.seen.insert(TypeId::of::<T>()) {
            return; // declared already, with its dependencies (a recursive type stops here)
        }
        let mut text = T::docs().unwrap_or_default();
        text.push_str("export ");
        text.push_str(&T::decl(self.cfg));
        self.out.push((T::ident(self.cfg), text));
        T::visit_dependencies(self);
    }
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        self.add::<T>();
    }
}

/// The header of the generated file.
pub const HEADER: &str = "// Generated by xerosync-core's ts-rs declarations (crates/xerosync-core/src/ts.rs): do not edit.\n// `UPDATE_TYPES=1 cargo test -p xerosync-core --test core ts_types` rewrites it from the Rust types.\n";

/// The whole `types.generated.d.ts`: the header, then every declaration, sorted by name.
pub fn declarations() -> String {
    // Integers cross as JSON numbers (counts, milliseconds, a cursor): never beyond 2^53.
    let cfg = Config::new().with_large_int("number");
    let mut collect = Collect {
        cfg: &cfg,
        seen: BTreeSet::new(),
        out: Vec::new(),
    };
    roots(&mut collect);
    let mut out = collect.out;
    out.sort();
    let mut text = HEADER.to_owned();
    for (_, decl) in out {
        text.push('\n');
        text.push_str(&decl);
        text.push('\n');
    }
    text
}

/// The types the package's functions take and return; what they refer to follows.
fn roots(c: &mut Collect<'_>) {
    use crate::*;
    c.add::<ts::Decimal>();
    c.add::<ts::DecimalInput>();
    c.add::<ts::ErrorCode>();
    c.add::<ts::ErrorData>();
    // The CRM records (arguments).
    c.add::<ts::CtxInput>();
    c.add::<records::Invoice>();
    c.add::<records::Company>();
    c.add::<records::Product>();
    c.add::<records::TaxRate>();
    c.add::<records::Settings>();
    c.add::<rules::InvoiceSummary>();
    c.add::<rules::SendMode>();
    c.add::<rules::UpdateMode>();
    c.add::<resolve::Choice>();
    c.add::<proxy_contract::LogFilter>();
    // The functions' results.
    c.add::<rules::SendSelection>();
    c.add::<rules::UpdateSelection>();
    c.add::<preview::Preview>();
    c.add::<batch::Payloads>();
    c.add::<batch::RequestBodies>();
    c.add::<apply::Applied>();
    c.add::<resolve::Resolution>();
    c.add::<reconcile::Reconciliation>();
    c.add::<contacts::ContactMatch>();
    c.add::<parse::XeroError>();
    c.add::<plan::SendPlan>();
    c.add::<plan::XeroRequest>();
    // XeroClient's.
    c.add::<sync::Progress>();
    c.add::<sync::RunStop>();
    c.add::<sync::SendResult>();
    c.add::<sync::UpdateResult>();
    c.add::<sync::ChangeFeedResult>();
    c.add::<sync::ReconcileResult>();
    c.add::<sync::XeroTaxRate>();
    c.add::<organisation::OrganisationOptions>();
    c.add::<sync::SendPreview>();
    // The proxy's own routes, as XeroClient returns them.
    c.add::<proxy_contract::ConnectionState>();
    c.add::<proxy_contract::ProxySettings>();
    c.add::<proxy_contract::LogPage>();
}
