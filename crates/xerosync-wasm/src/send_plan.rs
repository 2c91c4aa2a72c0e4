//! `prepareSend(invoices, ctx, options)`: *Send to Xero*'s plan held in wasm as typed state (issue 13). The JSON
//! functions (`planSendRequests`, `applySendAnswer`) hand the whole plan, invoices and context included, across the
//! boundary and decode it again on every answer; a [`PreparedSend`] keeps the decoded plan, and only requests,
//! answers and results cross. Its `plan()` is the same JSON plan, for storing or for the JSON functions.

use crate::convert::{call, json, json_text};
use crate::error::core_error;
use wasm_bindgen::prelude::*;
use xerosync_core::api;
use xerosync_core::plan::SendPlan;

/// A part of the plan as a JS value, through the same JSON as the JSON functions (one serialiser in the wasm).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    call(api::to_json(value))
}

/// *Send to Xero* for a set of invoices, held in wasm: make `requests()`, `apply` their answers, repeat until
/// `finished`, then read `results()`. Call `free()` when done (or let the garbage collector).
#[wasm_bindgen]
pub struct PreparedSend {
    plan: SendPlan,
}

/// Rules S1-S9: `planSendRequests(invoices, ctx, options)` as a [`PreparedSend`].
#[wasm_bindgen(js_name = prepareSend)]
pub fn prepare_send(
    invoices: JsValue,
    ctx: JsValue,
    options: JsValue,
) -> Result<PreparedSend, JsValue> {
    let plan = api::prepare_send_text(
        &json_text("invoices", invoices)?,
        &json_text("ctx", ctx)?,
        &json("options", options)?,
    )
    .map_err(|e| core_error(&e))?;
    Ok(PreparedSend { plan })
}

#[wasm_bindgen]
impl PreparedSend {
    /// `"reads"`, `"items"`, `"contacts"`, `"documents"` or `"finished"`.
    #[wasm_bindgen(getter)]
    pub fn stage(&self) -> Result<JsValue, JsValue> {
        to_js(&self.plan.stage)
    }

    /// Whether every request has been answered.
    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.plan.finished
    }

    /// The requests to make now (they may run concurrently), as `planSendRequests`' `requests`.
    pub fn requests(&self) -> Result<JsValue, JsValue> {
        to_js(&self.plan.requests)
    }

    /// Feeds the answer to one request, or an array of answers, as `applySendAnswer` does. An error names its
    /// request; the answers before it stay applied.
    pub fn apply(&mut self, answer: JsValue) -> Result<(), JsValue> {
        api::apply_send_answers(&mut self.plan, &json("answer", answer)?)
            .map_err(|e| core_error(&e))
    }

    /// Rule S8: `sendLookupRequest(plan, { requestId })`.
    #[wasm_bindgen(js_name = lookupRequest)]
    pub fn lookup_request(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let request = api::send_lookup_request_in(&self.plan, &json("options", options)?)
            .map_err(|e| core_error(&e))?;
        to_js(&request)
    }

    /// Rule S8: `applySendLookup(plan, answer).found`.
    #[wasm_bindgen(js_name = applyLookup)]
    pub fn apply_lookup(&mut self, answer: JsValue) -> Result<bool, JsValue> {
        api::apply_send_lookup_in(&mut self.plan, &json("answer", answer)?)
            .map_err(|e| core_error(&e))
    }

    /// What the plan has come to: `{ invoices, companies, productFailures, log }`, as in the JSON plan.
    pub fn results(&self) -> Result<JsValue, JsValue> {
        let results = js_sys::Object::new();
        for (key, value) in [
            ("invoices", to_js(&self.plan.invoices)?),
            ("companies", to_js(&self.plan.companies)?),
            ("productFailures", to_js(&self.plan.product_failures)?),
            ("log", to_js(&self.plan.log)?),
        ] {
            js_sys::Reflect::set(&results, &JsValue::from_str(key), &value)?;
        }
        Ok(results.into())
    }

    /// The whole plan as JSON, the same as the JSON functions give after the same answers.
    pub fn plan(&self) -> Result<JsValue, JsValue> {
        to_js(&self.plan)
    }
}
