//! The npm package `xerosync`: `xerosync_core::api` for JavaScript. A page of re-exports (cedar-wasm style): every
//! export converts its arguments to JSON, calls the core, and converts the answer back; errors become JS `Error`s
//! with `code` (and `record`, `field` when the core names them). No business logic lives here.

#[cfg(feature = "client")]
mod client;
mod context;
mod convert;
mod error;
mod send_plan;

#[cfg(feature = "client")]
pub use client::XeroClient;
pub use context::PreparedContext;
pub use error::BindingError;
pub use send_plan::PreparedSend;

use convert::{call, json};
use wasm_bindgen::prelude::*;

/// How an export's argument reaches the core: `text`, records as JSON text (issue 13: decoded straight into the
/// records, never through a `serde_json::Value`, so each record type has one serde instantiation), or `json`, a
/// `Value` (options, Xero's answers, plans).
macro_rules! argument {
    (text $arg:ident) => {
        convert::json_text(stringify!($arg), $arg)?
    };
    (json $arg:ident) => {
        json(stringify!($arg), $arg)?
    };
}

/// One export per `xerosync_core::api` function: `jsName => core_name(how arg, …)`; the argument names are the ones
/// errors about malformed (non-JSON) arguments mention.
macro_rules! exports {
    ($( $(#[$doc:meta])* $js:ident => $core:ident($($how:ident $arg:ident),*); )*) => {$(
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub fn $core($($arg: JsValue),*) -> Result<JsValue, JsValue> {
            call(xerosync_core::api::$core($(&argument!($how $arg)),*))
        }
    )*};
}

exports! {
    /// Rules S1/A1: which invoices to send, and why the others are skipped.
    planSend => plan_send_text(text invoices, json options);
    /// Rules U1/A2: which invoices to update from Xero, and why the others are skipped.
    planUpdate => plan_update_text(text invoices, json options);
    /// Rules U2/U4/U5: the CRM field changes that a Xero invoice implies.
    applyXeroInvoice => apply_xero_invoice_text(text crm, json xero, json options);
    /// Rule RC1: the CRM's invoices of a period against Xero's: only in the CRM, only in Xero, differing; with CSV.
    reconcile => reconcile_text(text invoices, json xero, json options);
    /// Rule U6: a person's choice on a discrepancy (`acceptXero`, `sendCrm`, `dismiss`): `{ changes, send, log }`.
    resolveDiscrepancy => resolve_discrepancy_text(text crm, json xero, json options);
    /// Rule S3a: which existing Xero contact (as Xero returns them) a CRM company is: `{ contactId, by, candidates }`.
    matchContact => match_contact_text(text company, json contacts);
    /// Rule K1: the default mapping of a CRM line field's values sent as a Xero tracking category (by spelling).
    trackingMapFor => tracking_map_for(json category, json values);
    /// Any failed answer from Xero (`{ status, body, retryAfter?, rateLimitProblem? }`), JSON or not, as data.
    parseXeroError => parse_xero_error(json answer);
    /// Rules S1-S9: *Send to Xero* as a plan of requests (items, then contacts, then invoices; batches of 50).
    planSendRequests => plan_send_requests_text(text invoices, text ctx, json options);
    /// Feeds one answer (or an array of answers) to the send plan; returns the updated plan.
    applySendAnswer => apply_send_answer(json plan, json answer);
    /// Rule S8: the `GET` that finds the documents of a write request whose answer was lost.
    sendLookupRequest => send_lookup_request(json plan, json options);
    /// Rule S8: feeds the look-up's answer to the plan; `{ found, plan }`.
    applySendLookup => apply_send_lookup(json plan, json answer);
}

/// Every `code` the package's errors may carry (the core's, the proxy's, the bindings' and the client's), so a page
/// can check its messages cover them.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    error::all_codes().into_iter().map(str::to_owned).collect()
}

/// Rules S4-S7, L2: the Xero request bodies for many invoices, the context decoded once; a bad invoice is listed in
/// `failed` (with the error `buildInvoicePayload` would throw) and the others are built. Arguments and answer travel
/// as JSON text, so the invoices are read straight into records (see `convert`).
#[wasm_bindgen(js_name = buildInvoicePayloads)]
pub fn build_invoice_payloads(invoices: JsValue, ctx: JsValue) -> Result<JsValue, JsValue> {
    let invoices = convert::json_text("invoices", invoices)?;
    let ctx = convert::json_text("ctx", ctx)?;
    let result = xerosync_core::batch::build_invoice_payloads_text(&invoices, &ctx);
    convert::parse_text(result)
}

/// Rules S4-S7, S9, L2: the `PUT /Invoices` and `PUT /CreditNotes` bodies themselves (JSON text, at most 50
/// documents each) for many invoices: `{ invoices, creditNotes, failed, needsUnitdp4 }`. What sending needs,
/// without turning payload objects back into JSON (issue 13).
#[wasm_bindgen(js_name = buildRequestBodies)]
pub fn build_request_bodies(invoices: JsValue, ctx: JsValue) -> Result<JsValue, JsValue> {
    let invoices = convert::json_text("invoices", invoices)?;
    let ctx = convert::json_text("ctx", ctx)?;
    let bodies = xerosync_core::batch::build_request_bodies_text(&invoices, &ctx)
        .map_err(|e| error::core_error(&e))?;
    convert::request_bodies(bodies)
}
