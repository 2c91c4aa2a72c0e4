//! `XeroClient`'s calls beyond send and update (rules M1, K1, K2, O1, O2, RC1): the core says what to read and what
//! the answers mean; this only fetches.

use super::driver::drive;
use super::js::{error, function_field, now, sleep, to_js};
use super::{core, finish, to_json, Inner, Running};
use futures_util::future::try_join4;
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::AbortController;
use xerosync_core::organisation::{
    email_in_answer, email_request, list_in_answer, list_read, online_invoice_in_answer,
    online_invoice_request, OrganisationOptions, OPTIONS_PATHS,
};
use xerosync_core::plan::XeroRequest;
use xerosync_core::proxy_contract::ProxyErrorCode;
use xerosync_core::sync::pump::{proxy_error, Pump, Verdict};
use xerosync_core::sync::ReconcileRun;
use xerosync_core::{decode_invoice, decode_invoices, Invoice, XeroAnswer};

/// One of the organisation's lists through the relay (a 429 waited out, see [`act`]), read by the core.
pub async fn list(inner: &Inner, path: &str) -> Result<Value, JsValue> {
    let answer = act(inner, &list_read(path), "settings").await?;
    list_in_answer(path, &answer).map_err(core)
}

/// Rules M1, K1, K2: the four reads made together, read by the core.
pub async fn organisation_options(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    let [o, c, t, b] = OPTIONS_PATHS;
    let (o, c, t, b) = try_join4(
        list(&inner, o),
        list(&inner, c),
        list(&inner, t),
        list(&inner, b),
    )
    .await?;
    let options = OrganisationOptions::from_answers(&o, &c, &t, &b).map_err(core)?;
    to_js(&to_json(&options)?)
}

fn invoice(value: JsValue) -> Result<Invoice, JsValue> {
    let value = crate::convert::json("invoice", value)?;
    decode_invoice(&value, 0).map_err(core)
}

/// One action request through the relay, with the core's pump deciding what an answer means (rule X2): a 429 waits
/// out its `Retry-After` and a read backs off after a 5xx, up to the pump's attempts (a write is not repeated after
/// a 5xx); a refused session token is asked for again.
/// The proxy's own refusals (not connected, role…) and a run-stopping answer (Xero's day limit) are thrown with their
/// codes; Xero's answer, good or not, is the core's to read.
async fn act(inner: &Inner, request: &XeroRequest, action: &str) -> Result<XeroAnswer, JsValue> {
    let mut pump = Pump::default();
    pump.push(request.clone(), now());
    loop {
        let Some(next) = pump.ready(now()).into_iter().next() else {
            let wait = pump
                .next_wake()
                .map_or(1, |at| at.saturating_sub(now()).max(1));
            sleep(wait).await?;
            continue;
        };
        let controller = AbortController::new()?;
        let answer = inner
            .proxy
            .xero(&next, action, &controller.signal())
            .await
            .map_err(|e| error(ProxyErrorCode::UpstreamUnavailable.as_str(), &e))?;
        match pump.settle(&answer, now()) {
            // A write (the email) is tried again only when Xero did nothing (a 429, or the proxy refusing the
            // session before calling): after a 5xx Xero may have sent it, and a customer must not get two.
            Verdict::Retry { .. } if next.method != "GET" && answer.status != 429 => {
                return Err(error(
                    ProxyErrorCode::UpstreamUnavailable.as_str(),
                    "Xero did not confirm the email; look at the invoice's history in Xero before sending again",
                ));
            }
            Verdict::Retry { .. } | Verdict::Session => continue,
            Verdict::Stop { code, message } => return Err(error(&code, &message)),
            Verdict::Lost { reason } => {
                return Err(error(ProxyErrorCode::UpstreamUnavailable.as_str(), &reason))
            }
            Verdict::Refused { message } => {
                if let Some((code, message)) = proxy_error(&answer) {
                    return Err(error(&code, &message));
                }
                if answer.status == 429 || answer.status >= 500 {
                    return Err(error(
                        ProxyErrorCode::UpstreamUnavailable.as_str(),
                        &message,
                    ));
                }
                return Ok(answer);
            }
            Verdict::Answer => return Ok(answer),
        }
    }
}

/// Rule O1: `{ changes: { onlineInvoiceUrl } }` for one sent, approved invoice.
pub async fn online_invoice(inner: Rc<Inner>, value: JsValue) -> Result<JsValue, JsValue> {
    let invoice = invoice(value)?;
    let request = online_invoice_request(&invoice).map_err(core)?;
    let answer = act(&inner, &request, "online invoice").await?;
    let url = online_invoice_in_answer(&invoice, &answer).map_err(core)?;
    to_js(&serde_json::json!({ "changes": { "onlineInvoiceUrl": url } }))
}

/// Rule O2: `{ emailed: true, message }`, or the reason Xero gave as an error with its code.
pub async fn email_invoice(inner: Rc<Inner>, value: JsValue) -> Result<JsValue, JsValue> {
    let invoice = invoice(value)?;
    let request = email_request(&invoice).map_err(core)?;
    let answer = act(&inner, &request, "email invoice").await?;
    let message = email_in_answer(&invoice, &answer).map_err(core)?;
    to_js(&serde_json::json!({ "emailed": true, "message": message }))
}

/// Rule RC1: the core's reconciliation run, driven like send and update.
pub async fn reconcile(
    inner: Rc<Inner>,
    invoices: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let on_progress = function_field(&options, "onProgress")?;
    let invoices = crate::convert::json("invoices", invoices)?;
    let invoices = decode_invoices(&invoices)
        .and_then(|list| list.into_iter().collect::<Result<Vec<_>, _>>())
        .map_err(core)?;
    let settings = options_without_functions(&options)?;
    let mut run = ReconcileRun::new(invoices, &settings, now()).map_err(core)?;
    let running = Running::start(&inner, &options)?;
    let ended = drive(
        &mut run,
        &inner.proxy,
        "reconcile",
        &running.signal(),
        on_progress.as_ref(),
    )
    .await;
    let progress = to_json(&run.progress(now()))?;
    finish(to_json(&run.result())?, ended, progress, None)
}

/// `{ companies, from, to }` of the options (the signal and callback stay in JS).
fn options_without_functions(options: &JsValue) -> Result<Value, JsValue> {
    let mut out = serde_json::Map::new();
    for key in ["companies", "from", "to"] {
        let value = super::js::json_field(options, key)?;
        if !value.is_null() {
            out.insert(key.into(), value);
        }
    }
    Ok(Value::Object(out))
}
