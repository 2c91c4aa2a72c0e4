//! The JSON boundary: one function per JS export, JSON in, JSON out (camelCase, decimals as strings).
//!
//! The wasm crate converts `JsValue` ⇄ [`serde_json::Value`] and calls these; it holds no logic of its own. Errors are
//! [`Error`]s (their `code()` becomes the JS error's `code`).

use crate::apply;
use crate::contacts::{self, XeroContact};
use crate::date::IsoDate;
use crate::decode::{decode_invoice_text, decode_record_text, json_kind, Ctx};
use crate::error::{Error, RecordKind};
use crate::organisation;
use crate::parse;
use crate::payload;
use crate::plan::{SendPlan, XeroAnswer, XeroRequest};
use crate::preview;
use crate::records::{Company, Invoice};
use crate::resolve;
use crate::rules::{self, SendMode, UpdateMode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Any result as JSON (camelCase, decimals as strings), the way every function here answers.
pub fn to_json<T: Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value)
        .map_err(|e| Error::options(RecordKind::Options, "(result)", e.to_string()))
}

/// Each invoice of an `invoices` argument's JSON text decoded by `decode` from its own text (named by its position
/// on error).
fn each_invoice<T>(
    invoices: &str,
    decode: impl Fn(&str, usize) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let list: Vec<&RawValue> = match serde_json::from_str(invoices) {
        Ok(list) => list,
        Err(e) => {
            let value: Value = serde_json::from_str(invoices)
                .map_err(|_| Error::options(RecordKind::Options, "invoices", e.to_string()))?;
            return Err(Error::options(
                RecordKind::Options,
                "invoices",
                format!("expected an array, got {}", json_kind(&value)),
            ));
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, raw)| decode(raw.get(), i))
        .collect()
}

fn invoices(text: &str) -> Result<Vec<Invoice>, Error> {
    each_invoice(text, decode_invoice_text)
}

/// What `planSend`/`planUpdate` read of each invoice (a list screen's summary is enough), each named on error.
fn summaries(text: &str) -> Result<Vec<rules::InvoiceSummary>, Error> {
    each_invoice(text, |v, i| decode_record_text(v, RecordKind::Invoice, i))
}

/// Reads one option: absent or `null` → default.
fn option<T: DeserializeOwned + Default>(options: &Value, key: &str) -> Result<T, Error> {
    if options.is_null() {
        return Ok(T::default());
    }
    if !options.is_object() {
        return Err(Error::options(
            RecordKind::Options,
            "(options)",
            format!("expected an object, got {}", json_kind(options)),
        ));
    }
    match options.get(key) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            Error::options(
                RecordKind::Options,
                key,
                format!("{e}, got {}", json_kind(v)),
            )
        }),
    }
}

/// Reads a required date option (`today`).
pub(crate) fn date_option(options: &Value, key: &str) -> Result<IsoDate, Error> {
    let value = options
        .get(key)
        .ok_or_else(|| Error::options(RecordKind::Options, key, "missing (a date YYYY-MM-DD)"))?;
    value.as_str().and_then(IsoDate::parse).ok_or_else(|| {
        Error::options(
            RecordKind::Options,
            key,
            format!("expected a date YYYY-MM-DD, got {}", json_kind(value)),
        )
    })
}

/// Whether the caller asked for sentences for people (`options.sentences: true`, issue 12). Without it the contract
/// functions answer exactly the shapes contract.md fixes, which outside code compares whole.
fn wants_sentences(options: &Value) -> Result<bool, Error> {
    option(options, "sentences")
}

/// Each skip's sentence, kept only when asked for ([`wants_sentences`]).
fn skips_for(mut skipped: Vec<rules::Skipped>, sentences: bool) -> Vec<rules::Skipped> {
    if !sentences {
        skipped.iter_mut().for_each(|s| s.sentence = None);
    }
    skipped
}

/// `planSend(invoices, { mode, sentences? })` (rules S1, A1) → `{ send: [id], skipped: [{ id, rule, reason,
/// sentence? }] }`.
pub fn plan_send(invoices: &Value, options: &Value) -> Result<Value, Error> {
    plan_send_text(&invoices.to_string(), options)
}

/// [`plan_send`] of the invoices' JSON text (what the bindings hold: no `Value` tree of the invoices is built).
pub fn plan_send_text(invoices_json: &str, options: &Value) -> Result<Value, Error> {
    let mode: SendMode = option(options, "mode")?;
    let mut selection = rules::plan_send(&summaries(invoices_json)?, mode);
    selection.skipped = skips_for(selection.skipped, wants_sentences(options)?);
    to_json(&selection)
}

/// `planUpdate(invoices, { mode, sentences? })` (rules U1, A2) → `{ update: [id], skipped: [{ id, rule, reason,
/// sentence? }] }`.
pub fn plan_update(invoices: &Value, options: &Value) -> Result<Value, Error> {
    plan_update_text(&invoices.to_string(), options)
}

/// [`plan_update`] of the invoices' JSON text.
pub fn plan_update_text(invoices_json: &str, options: &Value) -> Result<Value, Error> {
    let mode: UpdateMode = option(options, "mode")?;
    let mut selection = rules::plan_update(&summaries(invoices_json)?, mode);
    selection.skipped = skips_for(selection.skipped, wants_sentences(options)?);
    to_json(&selection)
}

/// `previewInvoice(invoice, ctx)` (rules S5, S6, S7) →
/// `{ lines: [{ lineAmount, taxAmount, discountRate?, discountAmount? }], subTotal, totalTax, total, matchesCrm, differences }`.
pub fn preview_invoice(invoice: &Value, ctx: &Value) -> Result<Value, Error> {
    preview_invoice_in(invoice, &prepare(ctx)?)
}

/// `prepare(ctx)`: the context decoded once, for [`preview_invoice_in`] and [`build_invoice_payload_in`] (issue
/// 13: decoding the context is most of a per-invoice call's cost).
pub fn prepare(ctx: &Value) -> Result<Ctx, Error> {
    Ctx::from_json(ctx)
}

/// [`prepare`] of the context's JSON text, as the bindings hold it (issue 13: each record is decoded from its own
/// text, never through a `Value` tree).
pub fn prepare_text(ctx: &str) -> Result<Ctx, Error> {
    Ctx::from_text(ctx)
}

/// [`preview_invoice`] with a prepared context.
pub fn preview_invoice_in(invoice: &Value, ctx: &Ctx) -> Result<Value, Error> {
    preview_invoice_text(&invoice.to_string(), ctx)
}

/// [`preview_invoice_in`] of the invoice's JSON text.
pub fn preview_invoice_text(invoice: &str, ctx: &Ctx) -> Result<Value, Error> {
    to_json(&preview::preview_invoice(
        &decode_invoice_text(invoice, 0)?,
        ctx,
    )?)
}

/// [`build_invoice_payload`] with a prepared context.
pub fn build_invoice_payload_in(invoice: &Value, ctx: &Ctx) -> Result<Value, Error> {
    build_invoice_payload_text(&invoice.to_string(), ctx)
}

/// [`build_invoice_payload_in`] of the invoice's JSON text.
pub fn build_invoice_payload_text(invoice: &str, ctx: &Ctx) -> Result<Value, Error> {
    to_json(&payload::build_invoice_payload(&decode_invoice_text(invoice, 0)?, ctx)?.document)
}

/// `buildInvoicePayload(invoice, ctx)` (rules S4-S7, T1) → one Xero `Invoice` or `CreditNote` (PascalCase).
pub fn build_invoice_payload(invoice: &Value, ctx: &Value) -> Result<Value, Error> {
    build_invoice_payload_in(invoice, &prepare(ctx)?)
}

/// `buildInvoicePayloads(invoices, ctx)` (rules S4-S7, T1, L2) → `{ Invoices: [..], CreditNotes: [..], failed: [{ index,
/// code, message, record?, field? }], needsUnitdp4 }`: the context decoded once, a bad invoice listed in `failed`
/// without stopping the others.
pub fn build_invoice_payloads(invoices: &Value, ctx: &Value) -> Result<Value, Error> {
    to_json(&crate::batch::build_invoice_payloads(invoices, ctx)?)
}

/// `applyXeroInvoice(crmInvoice, xeroInvoice, { today, sentences? })` (rules U2, U4, U5) → `{ changes,
/// discrepancies, discrepancySentences? }`.
pub fn apply_xero_invoice(crm: &Value, xero: &Value, options: &Value) -> Result<Value, Error> {
    apply_xero_invoice_text(&crm.to_string(), xero, options)
}

/// [`apply_xero_invoice`] of the CRM invoice's JSON text.
pub fn apply_xero_invoice_text(crm: &str, xero: &Value, options: &Value) -> Result<Value, Error> {
    let today = date_option(options, "today")?;
    let applied = apply::apply_xero_invoice(&decode_invoice_text(crm, 0)?, xero, today)?;
    let sentences = wants_sentences(options)?;
    to_json(&apply::Applied {
        changes: applied.changes.contract_view(),
        discrepancies: applied.discrepancies,
        discrepancy_sentences: if sentences {
            applied.discrepancy_sentences
        } else {
            Vec::new()
        },
    })
}

/// `resolveDiscrepancy(crmInvoice, xeroInvoice, { choice, today })` (rule U6) → `{ changes, send, log }`: a person's
/// choice (`acceptXero`, `sendCrm`, `dismiss`) on a discrepancy, the CRM fields to store and the log line to record.
pub fn resolve_discrepancy(crm: &Value, xero: &Value, options: &Value) -> Result<Value, Error> {
    resolve_discrepancy_text(&crm.to_string(), xero, options)
}

/// [`resolve_discrepancy`] of the CRM invoice's JSON text.
pub fn resolve_discrepancy_text(crm: &str, xero: &Value, options: &Value) -> Result<Value, Error> {
    let today = date_option(options, "today")?;
    let choice = options
        .get("choice")
        .ok_or_else(|| {
            Error::options(
                RecordKind::Options,
                "choice",
                "missing (acceptXero, sendCrm or dismiss)",
            )
        })
        .and_then(|c| {
            serde_json::from_value::<resolve::Choice>(c.clone()).map_err(|_| {
                Error::options(
                    RecordKind::Options,
                    "choice",
                    format!("expected acceptXero, sendCrm or dismiss, got {c}"),
                )
            })
        })?;
    to_json(&resolve::resolve_discrepancy(
        &decode_invoice_text(crm, 0)?,
        xero,
        choice,
        today,
    )?)
}

/// `trackingMapFor(category, values)` (rule K1) → `{ category, options }`: the default mapping of a CRM line field's
/// values when it is sent as the Xero tracking category `category` (as `organisationOptions()` gave it).
pub fn tracking_map_for(category: &Value, values: &Value) -> Result<Value, Error> {
    let category: organisation::TrackingCategory = serde_json::from_value(category.clone())
        .map_err(|e| {
            Error::options(
                RecordKind::Options,
                "category",
                format!("expected a tracking category as organisationOptions() gives it: {e}"),
            )
        })?;
    let values: Vec<String> = serde_json::from_value(values.clone()).map_err(|_| {
        Error::options(
            RecordKind::Options,
            "values",
            format!("expected an array of strings, got {}", json_kind(values)),
        )
    })?;
    to_json(&organisation::tracking_map_for(&category, &values))
}

/// `reconcile(crmInvoices, xeroInvoices, { companies?, from?, to? })` (rule RC1) → `{ onlyInCrm, onlyInXero,
/// differing, matched, csv }`: the CRM's invoices of a period against Xero's, exportable as CSV.
pub fn reconcile(crm: &Value, xero: &Value, options: &Value) -> Result<Value, Error> {
    reconcile_text(&crm.to_string(), xero, options)
}

/// [`reconcile`] of the CRM invoices' JSON text.
pub fn reconcile_text(crm: &str, xero: &Value, options: &Value) -> Result<Value, Error> {
    let (companies, period) = crate::reconcile::options(options)?;
    let xero = xero.as_array().ok_or_else(|| {
        Error::options(
            RecordKind::Options,
            "xeroInvoices",
            format!("expected an array, got {}", json_kind(xero)),
        )
    })?;
    let report = crate::reconcile::reconcile(&invoices(crm)?, xero, &companies, period)?;
    let mut out = to_json(&report)?;
    out["csv"] = Value::String(crate::reconcile::reconciliation_csv(&report));
    Ok(out)
}

/// `matchContact(company, xeroContacts)` (rule S3a) → `{ contactId, by, candidates }`: which existing Xero contact
/// (PascalCase `Contact` objects, as Xero returns them) the CRM company is.
pub fn match_contact(company: &Value, xero_contacts: &Value) -> Result<Value, Error> {
    match_contact_text(&company.to_string(), xero_contacts)
}

/// [`match_contact`] of the company's JSON text.
pub fn match_contact_text(company: &str, xero_contacts: &Value) -> Result<Value, Error> {
    let company: Company = decode_record_text(company, RecordKind::Company, 0)?;
    let contacts = XeroContact::list_from_json(xero_contacts)?;
    to_json(&contacts::match_contact(&company, &contacts))
}

/// `parseXeroError({ status, body, retryAfter?, rateLimitProblem? })` → `{ kind, status, message, retryAfterSeconds?,
/// problem?, elements? }`: reads any failed answer from Xero, JSON or not.
pub fn parse_xero_error(answer: &Value) -> Result<Value, Error> {
    let status: u16 = option(answer, "status")?;
    let body: String = option(answer, "body")?;
    let retry_after: Option<String> = option(answer, "retryAfter")?;
    let problem: Option<String> = option(answer, "rateLimitProblem")?;
    to_json(&parse::parse_xero_error(
        status,
        &body,
        retry_after.as_deref(),
        problem.as_deref(),
    ))
}

fn read_plan(plan: &Value) -> Result<SendPlan, Error> {
    serde_json::from_value(plan.clone())
        .map_err(|e| Error::options(RecordKind::Options, "plan", format!("not a send plan: {e}")))
}

fn read_answer(answer: &Value) -> Result<XeroAnswer, Error> {
    serde_json::from_value(answer.clone())
        .map_err(|e| Error::options(RecordKind::Options, "answer", e.to_string()))
}

/// `planSendRequests(invoices, ctx, { today, mode? })` (rules S1-S9, X1) → the send plan: `{ stage, finished,
/// requests: [{ id, method, path, query, headers, body? }], invoices: [{ id, outcome, rule?, message?, error?,
/// changes? }], companies, productFailures, log, … }`. Make every request in `requests`, feed each answer to
/// `applySendAnswer`, and repeat until `finished`.
pub fn plan_send_requests(invoices: &Value, ctx: &Value, options: &Value) -> Result<Value, Error> {
    to_json(&prepare_send(invoices, ctx, options)?)
}

/// `applySendAnswer(plan, answer)`: `answer` is `{ requestId, status, body, retryAfter?, rateLimitProblem? }` (body as
/// text or JSON), or an array of them → the updated plan.
pub fn apply_send_answer(plan: &Value, answer: &Value) -> Result<Value, Error> {
    let mut plan = read_plan(plan)?;
    apply_send_answers(&mut plan, answer)?;
    to_json(&plan)
}

/// `prepareSend(invoices, ctx, { today, mode? })`: the plan [`plan_send_requests`] gives, kept as a typed plan the
/// caller holds (issue 13: a JSON plan is read and written whole again on every answer).
pub fn prepare_send(invoices: &Value, ctx: &Value, options: &Value) -> Result<SendPlan, Error> {
    let today = date_option(options, "today")?;
    let mode: SendMode = option(options, "mode")?;
    SendPlan::new(invoices.clone(), ctx.clone(), today, mode)
}

/// [`prepare_send`] from the records' JSON text (what the bindings hold): decoded from the text itself.
pub fn prepare_send_text(invoices: &str, ctx: &str, options: &Value) -> Result<SendPlan, Error> {
    let today = date_option(options, "today")?;
    let mode: SendMode = option(options, "mode")?;
    SendPlan::from_text(invoices, ctx, today, mode)
}

/// [`plan_send_requests`] from the records' JSON text.
pub fn plan_send_requests_text(invoices: &str, ctx: &str, options: &Value) -> Result<Value, Error> {
    to_json(&prepare_send_text(invoices, ctx, options)?)
}

/// Feeds one answer or an array of them to a typed plan, in order; an error names its request, and the answers
/// before it stay applied.
pub fn apply_send_answers(plan: &mut SendPlan, answer: &Value) -> Result<(), Error> {
    match answer {
        Value::Array(answers) => answers
            .iter()
            .try_for_each(|one| plan.apply_answer(&read_answer(one)?)),
        one => plan.apply_answer(&read_answer(one)?),
    }
}

/// `sendLookupRequest(plan, { requestId })` (rule S8) → a `GET` request finding the documents of a write request
/// whose answer was lost.
pub fn send_lookup_request(plan: &Value, options: &Value) -> Result<Value, Error> {
    to_json(&send_lookup_request_in(&read_plan(plan)?, options)?)
}

/// [`send_lookup_request`] of a typed plan.
pub fn send_lookup_request_in(plan: &SendPlan, options: &Value) -> Result<XeroRequest, Error> {
    let request_id: String = option(options, "requestId")?;
    plan.lookup_request(&request_id)
}

/// `applySendLookup(plan, answer)` (rule S8): `answer.requestId` names the write request → `{ found, plan }`; when
/// `found` is false, re-send the write request (it is idempotent).
pub fn apply_send_lookup(plan: &Value, answer: &Value) -> Result<Value, Error> {
    let mut plan = read_plan(plan)?;
    let found = apply_send_lookup_in(&mut plan, answer)?;
    Ok(serde_json::json!({ "found": found, "plan": to_json(&plan)? }))
}

/// [`apply_send_lookup`] of a typed plan: whether the look-up found the documents.
pub fn apply_send_lookup_in(plan: &mut SendPlan, answer: &Value) -> Result<bool, Error> {
    let answer = read_answer(answer)?;
    plan.apply_lookup(&answer.request_id, &answer)
}
