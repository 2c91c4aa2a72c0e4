//! `XeroClient`: the buttons' operations (issue 5) over the proxy. Every rule lives in the core's sans-IO runs
//! (`xerosync_core::sync`); this module only fetches ([`http`]), waits and cancels ([`driver`]).
//!
//! ```js
//! const xero = new XeroClient({ proxyUrl, sessionToken: () => crm.sessionToken() });
//! const result = await xero.send(invoices, ctx, { onProgress, signal });
//! ```

mod driver;
mod http;
mod js;
mod organisation;
mod refusals;
mod routes;

use driver::{drive, Ended};
use http::Proxy;
use js::{error, field, function_field, json_field, now, to_js};
use js_sys::{Function, Promise};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::{AbortController, AbortSignal};
use xerosync_core::plan::refusals::{Refusal, RefusalReport, RESOLVE_ACTION};
use xerosync_core::plan::{document_in_answer, document_request};
use xerosync_core::proxy_contract::routes as paths;
use xerosync_core::rules::{SendMode, UpdateMode};
use xerosync_core::sync::{
    parse_tax_rates, preview_send, xero_time, FeedOptions, FeedRun, Refusals, SendRun,
    UpdateOptions, UpdateRun,
};
use xerosync_core::InvoiceKind;
use xerosync_core::IsoDate;

pub(crate) struct Inner {
    proxy: Proxy,
    /// Rule B2: invoices auto-send saw refused, with the key of their inputs then.
    refusals: RefCell<Refusals>,
    /// One controller per running operation; `cancel()` aborts them all.
    running: RefCell<Vec<AbortController>>,
}

/// The sync client of one CRM page: made from the proxy's URL and a function returning the current CRM session
/// token. Methods return promises; results are plain JSON objects.
#[wasm_bindgen]
pub struct XeroClient {
    inner: Rc<Inner>,
}

pub(crate) fn core(e: xerosync_core::Error) -> JsValue {
    crate::error::core_error(&e)
}

fn today(options: &JsValue) -> Result<IsoDate, JsValue> {
    match json_field(options, "today")? {
        Value::String(text) => IsoDate::parse(&text).ok_or_else(|| {
            error(
                "invalid_options",
                &format!("options.today: expected a date YYYY-MM-DD, got {text:?}"),
            )
        }),
        Value::Null => {
            // The page's local date, as the CRM shows it.
            let d = js_sys::Date::new_0();
            IsoDate::new(
                d.get_full_year() as i32,
                (d.get_month() + 1) as u8,
                d.get_date() as u8,
            )
            .or_else(|| xero_time::date_of(now()))
            .ok_or_else(|| error("invalid_options", "options.today: the clock gives no date"))
        }
        other => Err(error(
            "invalid_options",
            &format!("options.today: expected a date YYYY-MM-DD, got {other}"),
        )),
    }
}

/// A run's controller, aborted by `options.signal` or by `cancel()`.
pub(crate) struct Running {
    inner: Rc<Inner>,
    controller: AbortController,
}

impl Running {
    pub(crate) fn start(inner: &Rc<Inner>, options: &JsValue) -> Result<Running, JsValue> {
        let controller = AbortController::new()?;
        let user = field(options, "signal");
        if !user.is_undefined() && !user.is_null() {
            let user: AbortSignal = user
                .dyn_into()
                .map_err(|_| error("invalid_options", "options.signal: expected an AbortSignal"))?;
            let ours = controller.clone();
            let link = Closure::once_into_js(move || ours.abort());
            if user.aborted() {
                controller.abort();
            } else {
                let once = js_sys::Object::new();
                js_sys::Reflect::set(&once, &"once".into(), &JsValue::TRUE)?;
                let add: Function =
                    js_sys::Reflect::get(&user, &"addEventListener".into())?.dyn_into()?;
                add.call3(&user, &"abort".into(), &link, &once)?;
            }
        }
        inner.running.borrow_mut().push(controller.clone());
        Ok(Running {
            inner: inner.clone(),
            controller,
        })
    }

    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let signal = self.controller.signal();
        self.inner
            .running
            .borrow_mut()
            .retain(|c| c.signal() != signal);
    }
}

/// Adds `cancelled`, `progress` and, unless finished, the resumable `checkpoint` to a run's result.
pub(crate) fn finish(
    mut result: Value,
    ended: Ended,
    progress: Value,
    checkpoint: Option<Value>,
) -> Result<JsValue, JsValue> {
    result["cancelled"] = Value::Bool(ended == Ended::Cancelled);
    result["progress"] = progress;
    if let Some(checkpoint) = checkpoint {
        result["checkpoint"] = checkpoint;
    }
    to_js(&result)
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, JsValue> {
    serde_json::to_value(value).map_err(|e| error("internal", &e.to_string()))
}

async fn send(
    inner: Rc<Inner>,
    invoices: JsValue,
    ctx: JsValue,
    options: JsValue,
    mode: SendMode,
) -> Result<JsValue, JsValue> {
    let checkpoint = json_field(&options, "checkpoint")?;
    let on_progress = function_field(&options, "onProgress")?;
    let mut run = if checkpoint.is_null() {
        let invoices = crate::convert::json_text("invoices", invoices)?;
        let ctx = crate::convert::json_text("ctx", ctx)?;
        SendRun::from_text(&invoices, &ctx, today(&options)?, mode, now()).map_err(core)?
    } else {
        SendRun::resume(&checkpoint, now()).map_err(core)?
    };
    let running = Running::start(&inner, &options)?;
    let action = if mode == SendMode::AllLive {
        "send all live"
    } else {
        "send"
    };
    let ended = drive(
        &mut run,
        &inner.proxy,
        action,
        &running.signal(),
        on_progress.as_ref(),
    )
    .await;
    let logged = refusals::log_refusals(&inner.proxy, &mut run, action).await;
    let at = now();
    let checkpoint = if run.is_finished() && run.result().finished {
        None
    } else {
        Some(run.checkpoint(at).map_err(core)?)
    };
    let mut result = to_json(&run.result())?;
    if let Some(logged) = logged {
        result["refusalsLogged"] = logged;
    }
    finish(result, ended, to_json(&run.progress(at))?, checkpoint)
}

async fn update(
    inner: Rc<Inner>,
    invoices: JsValue,
    options: JsValue,
    mode: UpdateMode,
) -> Result<JsValue, JsValue> {
    let checkpoint = json_field(&options, "checkpoint")?;
    let on_progress = function_field(&options, "onProgress")?;
    let mut run = if checkpoint.is_null() {
        let since = match json_field(&options, "since")? {
            Value::String(s) if !s.is_empty() => Some(s),
            _ => None,
        };
        let settings = UpdateOptions {
            today: Some(today(&options)?),
            mode,
            since,
        };
        let invoices = crate::convert::json("invoices", invoices)?;
        UpdateRun::new(
            invoices,
            json_field(&options, "companies")?,
            settings,
            now(),
        )
        .map_err(core)?
    } else {
        UpdateRun::resume(&checkpoint, now()).map_err(core)?
    };
    let running = Running::start(&inner, &options)?;
    let action = if mode == UpdateMode::All {
        "update all"
    } else {
        "update"
    };
    let ended = drive(
        &mut run,
        &inner.proxy,
        action,
        &running.signal(),
        on_progress.as_ref(),
    )
    .await;
    let at = now();
    let checkpoint = if run.result().finished {
        None
    } else {
        Some(run.checkpoint(at).map_err(core)?)
    };
    finish(
        to_json(&run.result())?,
        ended,
        to_json(&run.progress(at))?,
        checkpoint,
    )
}

/// Rule T1: the organisation's revenue tax rates for the mapping screen.
async fn tax_rates(inner: Rc<Inner>) -> Result<JsValue, JsValue> {
    let body = organisation::list(&inner, "/TaxRates").await?;
    to_js(&to_json(&parse_tax_rates(&body).map_err(core)?)?)
}

/// Rule U6: Xero's own record of one sent invoice or credit note (`{ kind, xeroId }`), read through the relay.
async fn read_document(inner: Rc<Inner>, options: JsValue) -> Result<JsValue, JsValue> {
    let options = crate::convert::json("options", options)?;
    let kind: InvoiceKind = serde_json::from_value(
        options.get("kind").cloned().unwrap_or(Value::Null),
    )
    .map_err(|_| {
        error(
            "invalid_options",
            "options.kind: expected invoice or creditNote",
        )
    })?;
    let xero_id = options
        .get("xeroId")
        .and_then(Value::as_str)
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| error("invalid_options", "options.xeroId: missing"))?;
    let request = document_request(kind, xero_id);
    let controller = AbortController::new()?;
    let answer = inner
        .proxy
        .xero(&request, "read document", &controller.signal())
        .await
        .map_err(|e| error("upstream_unavailable", &e))?;
    to_js(&document_in_answer(&answer, kind, xero_id).map_err(core)?)
}

/// Rule U6: the resolution's log line as a one-entry report of action `resolve discrepancy` (checked by the proxy
/// with the core's `validate_report`).
async fn log_resolution(inner: Rc<Inner>, log: JsValue) -> Result<JsValue, JsValue> {
    let log = crate::convert::json("log", log)?;
    let text = |key: &str| {
        log.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let record_kind = serde_json::from_value(log.get("recordKind").cloned().unwrap_or(Value::Null))
        .map_err(|_| {
            error(
                "invalid_options",
                "log.recordKind: expected invoice or creditNote",
            )
        })?;
    let report = RefusalReport {
        action: RESOLVE_ACTION.to_owned(),
        refusals: vec![Refusal {
            record_kind,
            crm_id: text("crmId"),
            message: text("message"),
        }],
    };
    to_js(&inner.proxy.report_refusals(&report).await?)
}

/// Rule B1 (and B2): one page of the change feed applied with the update rules; entries without a record are
/// read from Xero; with `autoSend`, live invoices are then sent (rule A1).
async fn changes(inner: Rc<Inner>, cursor: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let after = match crate::convert::json("cursor", cursor)? {
        Value::Null => 0,
        Value::Number(n) => n
            .as_i64()
            .filter(|n| *n >= 0)
            .ok_or_else(|| error("invalid_options", "cursor: expected a number ≥ 0"))?,
        other => {
            return Err(error(
                "invalid_options",
                &format!("cursor: expected a number ≥ 0, got {other}"),
            ))
        }
    };
    let limit = match json_field(&options, "limit")? {
        Value::Number(n) => n.as_u64().unwrap_or(100),
        _ => 100,
    };
    let day = today(&options)?;
    // Rule B2's book lives in this client; the page may keep it across reloads (`options.refusals` in,
    // `result.refusals` out). A malformed one is refused before any call.
    inner
        .refusals
        .borrow_mut()
        .take_in(&json_field(&options, "refusals")?)
        .map_err(core)?;
    let feed = inner
        .proxy
        .get_json(
            &format!("{}?after={after}&limit={limit}", paths::CHANGES),
            None,
        )
        .await?;
    let feed_options = FeedOptions {
        invoices: json_field(&options, "invoices")?,
        companies: json_field(&options, "companies")?,
        ctx: json_field(&options, "ctx")?,
        auto_send: field(&options, "autoSend").as_bool().unwrap_or(false),
        refusals: inner.refusals.borrow().clone(),
        today: day,
        after,
    };
    let book_before = inner.refusals.borrow().clone();
    let mut run = FeedRun::new(&feed, feed_options, now()).map_err(core)?;
    let running = Running::start(&inner, &options)?;
    drive(&mut run, &inner.proxy, "changes", &running.signal(), None).await;
    // Rule L1a: the auto-send's refusals go to the proxy's log.
    let logged = match run.send_run_mut() {
        Some(send) => refusals::log_refusals(&inner.proxy, send, "auto send").await,
        None => None,
    };
    // Rule B2's book: this run's additions and removals, merged into what other runs recorded meanwhile.
    {
        let mut book = inner.refusals.borrow_mut();
        let after_run = run.refusals();
        for key in book_before.0.keys() {
            if !after_run.0.contains_key(key) {
                book.0.remove(key);
            }
        }
        book.0
            .extend(after_run.0.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut result = run.result();
    if let (Some(logged), Some(sent)) = (logged, result.get_mut("sent")) {
        sent["refusalsLogged"] = logged;
    }
    to_js(&result)
}

#[wasm_bindgen]
impl XeroClient {
    /// `new XeroClient({ proxyUrl, sessionToken })`: `sessionToken()` returns the CRM session token (or a promise
    /// of it); it is called for every request, so a refreshed token is used at once.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<XeroClient, JsValue> {
        let url = field(&options, "proxyUrl")
            .as_string()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| {
                error(
                    "invalid_options",
                    "options.proxyUrl: expected the proxy's http(s) URL",
                )
            })?;
        let token = function_field(&options, "sessionToken")?.ok_or_else(|| {
            error(
                "invalid_options",
                "options.sessionToken: expected a function returning the CRM session token",
            )
        })?;
        Ok(XeroClient {
            inner: Rc::new(Inner {
                proxy: Proxy::new(&url, token),
                refusals: RefCell::new(Refusals::default()),
                running: RefCell::new(Vec::new()),
            }),
        })
    }

    /// Rule C6: `{ status, enabled, canSync, tenantId?, tenantName?, reason?, … }`.
    pub fn connection(&self) -> Promise {
        future_to_promise(routes::connection(self.inner.clone()))
    }

    /// Rule C3: the URL that starts connecting to Xero (a one-use ticket; navigate to it). Options: `{ returnTo? }`.
    #[wasm_bindgen(js_name = connectUrl)]
    pub fn connect_url(&self, options: JsValue) -> Promise {
        future_to_promise(routes::connect_url(self.inner.clone(), options))
    }

    /// Rule C3: disconnects from Xero; resolves with the connection as it is then.
    pub fn disconnect(&self) -> Promise {
        future_to_promise(routes::disconnect(self.inner.clone()))
    }

    /// Rule C7: picks the Xero organisation; resolves with the connection as it is then.
    #[wasm_bindgen(js_name = selectOrganisation)]
    pub fn select_organisation(&self, tenant_id: JsValue) -> Promise {
        future_to_promise(routes::select_organisation(self.inner.clone(), tenant_id))
    }

    /// The organisation's shared settings as the proxy keeps them (rules C2, T1, S6, B2).
    pub fn settings(&self) -> Promise {
        future_to_promise(routes::settings(self.inner.clone()))
    }

    /// Stores the shared settings; the proxy names a bad field.
    #[wasm_bindgen(js_name = saveSettings)]
    pub fn save_settings(&self, settings: JsValue) -> Promise {
        future_to_promise(routes::save_settings(self.inner.clone(), settings))
    }

    /// Rule L1: one page of the log (`filters`: `{ from?, to?, user?, action?, actionContains?, outcome?, kind?,
    /// crmRef?, xeroId? }`; options `{ before?, pageSize? }`): `{ rows, nextBefore }`.
    pub fn log(&self, filters: JsValue, options: JsValue) -> Promise {
        future_to_promise(routes::log(self.inner.clone(), filters, options))
    }

    /// Rule L1: the log's CSV for `filters`, as the proxy writes it: `{ csv, filename }`.
    #[wasm_bindgen(js_name = logCsv)]
    pub fn log_csv(&self, filters: JsValue) -> Promise {
        future_to_promise(routes::log_csv(self.inner.clone(), filters))
    }

    /// Rule T1: `[{ taxType, name, rate? }]`, the organisation's active revenue tax rates.
    #[wasm_bindgen(js_name = taxRates)]
    pub fn tax_rates(&self) -> Promise {
        future_to_promise(tax_rates(self.inner.clone()))
    }

    /// Rule S6, before `send`: `{ invoices: [{ id, send, rule?, reason?, preview?, error? }], matchesCrm }`, what Xero
    /// will compute for each invoice that will be sent. Options: `{ mode?: "selected" | "allLive" }`. Synchronous.
    pub fn preview(
        &self,
        invoices: JsValue,
        ctx: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mode = match json_field(&options, "mode")? {
            Value::String(m) if m == "allLive" => SendMode::AllLive,
            Value::String(m) if m == "selected" => SendMode::Selected,
            Value::Null => SendMode::Selected,
            other => {
                return Err(error(
                    "invalid_options",
                    &format!("options.mode: expected \"selected\" or \"allLive\", got {other}"),
                ))
            }
        };
        let invoices = crate::convert::json("invoices", invoices)?;
        let ctx = crate::convert::json("ctx", ctx)?;
        match preview_send(&invoices, &ctx, mode).map(|preview| serde_json::to_string(&preview)) {
            Ok(Ok(text)) => crate::convert::parse_text(Ok(text)),
            Ok(Err(e)) => Err(crate::error::BindingError::Result(e.to_string()).to_js()),
            Err(e) => crate::convert::parse_text(Err(e)),
        }
    }

    /// Rules S1-S9: sends the selected invoices. Options: `{ today?, onProgress?, signal?, checkpoint? }`.
    pub fn send(&self, invoices: JsValue, ctx: JsValue, options: JsValue) -> Promise {
        future_to_promise(send(
            self.inner.clone(),
            invoices,
            ctx,
            options,
            SendMode::Selected,
        ))
    }

    /// Rule A1: sends every live invoice of `invoices`.
    #[wasm_bindgen(js_name = sendAllLive)]
    pub fn send_all_live(&self, invoices: JsValue, ctx: JsValue, options: JsValue) -> Promise {
        future_to_promise(send(
            self.inner.clone(),
            invoices,
            ctx,
            options,
            SendMode::AllLive,
        ))
    }

    /// Rules U1-U5: updates the selected invoices from Xero. Options: `{ companies?, today?, since?, onProgress?,
    /// signal?, checkpoint? }`.
    pub fn update(&self, invoices: JsValue, options: JsValue) -> Promise {
        future_to_promise(update(
            self.inner.clone(),
            invoices,
            options,
            UpdateMode::Selected,
        ))
    }

    /// Rule A2: every sent invoice, then the company balances.
    #[wasm_bindgen(js_name = updateAll)]
    pub fn update_all(&self, invoices: JsValue, options: JsValue) -> Promise {
        future_to_promise(update(
            self.inner.clone(),
            invoices,
            options,
            UpdateMode::All,
        ))
    }

    /// Rule U6: Xero's own record of one sent invoice or credit note, `{ kind, xeroId }` → Xero's object.
    #[wasm_bindgen(js_name = readDocument)]
    pub fn read_document(&self, options: JsValue) -> Promise {
        future_to_promise(read_document(self.inner.clone(), options))
    }

    /// Rule U6: records a person's choice on a discrepancy (the `log` of `resolveDiscrepancy`) in the proxy's log,
    /// attributed to the session's user: `{ stored }`.
    #[wasm_bindgen(js_name = logResolution)]
    pub fn log_resolution(&self, log: JsValue) -> Promise {
        future_to_promise(log_resolution(self.inner.clone(), log))
    }

    /// Rule B1: pulls the change feed after `cursor`. Options: `{ invoices, companies?, ctx?, autoSend?, limit?,
    /// today? }`.
    pub fn changes(&self, cursor: JsValue, options: JsValue) -> Promise {
        future_to_promise(changes(self.inner.clone(), cursor, options))
    }

    /// Rules M1, K1, K2: `{ baseCurrency, currencies, trackingCategories, brandingThemes }` for the settings.
    #[wasm_bindgen(js_name = organisationOptions)]
    pub fn organisation_options(&self) -> Promise {
        future_to_promise(organisation::organisation_options(self.inner.clone()))
    }

    /// Rule O1: `{ changes: { onlineInvoiceUrl } }`, the customer's link of one sent, approved invoice.
    #[wasm_bindgen(js_name = onlineInvoice)]
    pub fn online_invoice(&self, invoice: JsValue) -> Promise {
        future_to_promise(organisation::online_invoice(self.inner.clone(), invoice))
    }

    /// Rule O2: asks Xero to email one approved invoice to its contact: `{ emailed, message }`.
    #[wasm_bindgen(js_name = emailInvoice)]
    pub fn email_invoice(&self, invoice: JsValue) -> Promise {
        future_to_promise(organisation::email_invoice(self.inner.clone(), invoice))
    }

    /// Rule RC1: reads Xero's documents of the period and reconciles `invoices` with them. Options: `{ companies,
    /// from?, to?, onProgress?, signal? }`.
    pub fn reconcile(&self, invoices: JsValue, options: JsValue) -> Promise {
        future_to_promise(organisation::reconcile(
            self.inner.clone(),
            invoices,
            options,
        ))
    }

    /// Rule A3: stops every running operation; each resolves with `cancelled: true` and a `checkpoint`.
    pub fn cancel(&self) {
        for controller in self.inner.running.borrow().iter() {
            controller.abort();
        }
    }
}
