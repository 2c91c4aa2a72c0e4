//! [`SendPlan`]: *Send to Xero* as a state machine (rules S1-S9, L2, X1).
//!
//! The plan keeps its inputs as JSON and re-reads them at each step, so the whole plan is a plain serialisable value
//! that JS can hold between answers. Every record ends `sent`, `failed` (with the rule and Xero's or our message)
//! or `skipped`; nothing is half-sent: a record that fails locally never goes out (rule L2).

use super::request::{
    lookup_request, write_request, XeroAnswer, XeroRequest, MAX_RECORDS_PER_REQUEST,
};
use crate::date::IsoDate;
use crate::decode::{decode_invoices, Ctx};
use crate::error::{Error, RecordKind};
use crate::parse::{parse_elements, parse_xero_error, Collection, ElementResult, ElementStatus};
use crate::payload::{build_contact_payload, build_document, build_item_payload, contact_person};
use crate::preview::plan_invoice;
use crate::records::{Invoice, InvoiceKind};
use crate::rules::{send_skip_reason, SendMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    Items,
    Contacts,
    Documents,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pending,
    Sent,
    Failed,
    Skipped,
}

/// The CRM fields to store for a sent invoice (rule S9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendChanges {
    pub sent_to_accounts: bool,
    pub sent_to_accounts_date: String,
    pub xero_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceResult {
    pub id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a local failure: `{ code, message, record, field? }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<SendChanges>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyResult {
    pub id: String,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xero_contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A product that failed, locally or at Xero (rule S2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFailure {
    pub id: String,
    pub reason: String,
}

/// One `xero_log` entry (rule L1) without the time and user, which the caller adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub action: String,
    pub record_kind: RecordKind,
    pub crm_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xero_id: Option<String>,
    /// `ok`, `warning`, `error` or `skipped`.
    pub outcome: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
enum Slot {
    Product { id: String },
    Company { id: String },
    Document { index: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Batch {
    request_id: String,
    collection: Collection,
    slots: Vec<Slot>,
    unitdp4: bool,
    answered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    invoices: Value,
    ctx: Value,
    today: IsoDate,
    mode: SendMode,
}

/// *Send to Xero* for a set of invoices: see the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendPlan {
    pub stage: Stage,
    pub finished: bool,
    /// The requests to make now (they may run concurrently); answer each with [`SendPlan::apply_answer`].
    pub requests: Vec<XeroRequest>,
    /// One per input invoice, in input order.
    pub invoices: Vec<InvoiceResult>,
    pub companies: Vec<CompanyResult>,
    /// Every failing product with its reason; non-empty means no invoice was sent (rule S2).
    pub product_failures: Vec<ProductFailure>,
    pub log: Vec<LogEntry>,
    input: Input,
    batches: Vec<Batch>,
}

fn rule_for(error: &Error) -> &'static str {
    match error {
        Error::UnmappedTaxRate { .. } => "T1",
        Error::InvoiceHeld { .. } => "S6",
        _ => "L2",
    }
}

fn log(
    kind: RecordKind,
    crm_id: &str,
    xero_id: Option<String>,
    outcome: &str,
    message: String,
) -> LogEntry {
    LogEntry {
        action: "send".into(),
        record_kind: kind,
        crm_id: crm_id.into(),
        xero_id,
        outcome: outcome.into(),
        message,
    }
}

impl SendPlan {
    /// Starts a plan: checks every invoice locally, then prepares the first requests. Only a malformed argument
    /// (invoices not an array, ctx not an object, bad settings) is an error; a bad record is a per-record failure.
    pub fn new(
        invoices: Value,
        ctx: Value,
        today: IsoDate,
        mode: SendMode,
    ) -> Result<SendPlan, Error> {
        let mut plan = SendPlan {
            stage: Stage::Items,
            finished: false,
            requests: Vec::new(),
            invoices: Vec::new(),
            companies: Vec::new(),
            product_failures: Vec::new(),
            log: Vec::new(),
            input: Input {
                invoices,
                ctx,
                today,
                mode,
            },
            batches: Vec::new(),
        };
        let (decoded, ctx) = plan.read_input()?;
        for (index, record) in decoded.iter().enumerate() {
            let result = plan.check_invoice(index, record, &ctx);
            plan.invoices.push(result);
        }
        plan.start_items(&decoded, &ctx)?;
        Ok(plan)
    }

    fn read_input(&self) -> Result<(Vec<Result<Invoice, Error>>, Ctx), Error> {
        Ok((
            decode_invoices(&self.input.invoices)?,
            Ctx::from_json(&self.input.ctx)?,
        ))
    }

    /// Local checks of one invoice (rules S1, T1, S6, L2): everything that can fail before a request is made.
    fn check_invoice(
        &mut self,
        index: usize,
        record: &Result<Invoice, Error>,
        ctx: &Ctx,
    ) -> InvoiceResult {
        let raw_id = self
            .input
            .invoices
            .get(index)
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str);
        let id = raw_id.map_or_else(|| format!("#{index}"), str::to_string);
        let failed = |error: &Error| InvoiceResult {
            id: id.clone(),
            outcome: Outcome::Failed,
            rule: Some(rule_for(error).into()),
            message: Some(error.to_string()),
            error: Some(error.to_json()),
            changes: None,
        };
        let invoice = match record {
            Ok(invoice) => invoice,
            Err(error) => {
                self.log.push(log(
                    RecordKind::Invoice,
                    &id,
                    None,
                    "error",
                    error.to_string(),
                ));
                return failed(error);
            }
        };
        let kind = invoice.kind.record_kind();
        if let Some((rule, reason)) = send_skip_reason(invoice, self.input.mode) {
            self.log
                .push(log(kind, &id, None, "skipped", reason.clone()));
            return InvoiceResult {
                id,
                outcome: Outcome::Skipped,
                rule: Some(rule.into()),
                message: Some(reason),
                error: None,
                changes: None,
            };
        }
        let checked = ctx
            .company(&invoice.company_id, &invoice.record_ref(), "companyId")
            .and_then(|company| {
                contact_person(invoice, company)?;
                let plan = plan_invoice(invoice, ctx)?;
                build_document(&plan, company, ctx, None).map(|_| ())
            });
        match checked {
            Ok(()) => InvoiceResult {
                id,
                outcome: Outcome::Pending,
                rule: None,
                message: None,
                error: None,
                changes: None,
            },
            Err(error) => {
                self.log
                    .push(log(kind, &id, None, "error", error.to_string()));
                failed(&error)
            }
        }
    }

    fn pending_invoices<'a>(
        &self,
        decoded: &'a [Result<Invoice, Error>],
    ) -> Vec<(usize, &'a Invoice)> {
        decoded
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.invoices
                    .get(*i)
                    .is_some_and(|r| r.outcome == Outcome::Pending)
            })
            .filter_map(|(i, r)| r.as_ref().ok().map(|inv| (i, inv)))
            .collect()
    }

    fn next_id(&self, collection: Collection) -> String {
        let n = self
            .batches
            .iter()
            .filter(|b| b.collection == collection)
            .count()
            + 1;
        let name = match collection {
            Collection::Items => "items",
            Collection::Contacts => "contacts",
            Collection::Invoices => "invoices",
            Collection::CreditNotes => "creditNotes",
        };
        format!("{name}-{n}")
    }

    /// Splits records into requests of at most 50 (rule X1).
    fn add_batches(
        &mut self,
        collection: Collection,
        records: Vec<(Slot, Value, bool)>,
    ) -> Result<(), Error> {
        for chunk in records.chunks(MAX_RECORDS_PER_REQUEST) {
            let unitdp4 = chunk.iter().any(|(_, _, dp4)| *dp4);
            let id = self.next_id(collection);
            let request = write_request(
                id.clone(),
                collection,
                chunk.iter().map(|(_, v, _)| v.clone()).collect(),
                unitdp4,
            )?;
            self.requests.push(request);
            let slots = chunk.iter().map(|(s, _, _)| s.clone()).collect();
            self.batches.push(Batch {
                request_id: id,
                collection,
                slots,
                unitdp4,
                answered: false,
            });
        }
        Ok(())
    }

    /// Stage 1 (rule S2): every product the pending invoices use, checked locally, then `POST /Items`.
    fn start_items(&mut self, decoded: &[Result<Invoice, Error>], ctx: &Ctx) -> Result<(), Error> {
        self.stage = Stage::Items;
        let mut product_ids: Vec<String> = Vec::new();
        for (_, invoice) in self.pending_invoices(decoded) {
            for id in invoice.lines.iter().filter_map(|l| l.product_id.clone()) {
                if !product_ids.contains(&id) {
                    product_ids.push(id);
                }
            }
        }
        let mut records = Vec::new();
        for id in product_ids {
            let built = match ctx.product_entry(&id) {
                Some(Ok(product)) => build_item_payload(product, ctx),
                Some(Err(error)) => Err(error.clone()),
                None => continue, // unreachable: invoices with unknown products failed their local check
            };
            match built {
                Ok(item) => {
                    let dp4 = crate::decimal::places(item.sales_details.unit_price) > 2;
                    let value = serde_json::to_value(&item)
                        .map_err(|e| Error::xero("Items", e.to_string()))?;
                    records.push((Slot::Product { id }, value, dp4));
                }
                Err(error) => {
                    self.log.push(log(
                        RecordKind::Product,
                        &id,
                        None,
                        "error",
                        error.to_string(),
                    ));
                    self.product_failures.push(ProductFailure {
                        id,
                        reason: error.to_string(),
                    });
                }
            }
        }
        if !self.product_failures.is_empty() {
            self.stop_for_products();
            return Ok(());
        }
        self.add_batches(Collection::Items, records)?;
        self.advance_if_done(decoded, ctx)
    }

    /// Rule S2: a product failed, so no invoice is sent; each says which products and why.
    fn stop_for_products(&mut self) {
        let list: Vec<String> = self
            .product_failures
            .iter()
            .map(|f| f.reason.clone())
            .collect();
        let message = format!("not sent because products failed: {}", list.join("; "));
        for result in self
            .invoices
            .iter_mut()
            .filter(|r| r.outcome == Outcome::Pending)
        {
            result.outcome = Outcome::Failed;
            result.rule = Some("S2".into());
            result.message = Some(message.clone());
        }
        self.finish();
    }

    fn finish(&mut self) {
        self.stage = Stage::Finished;
        self.finished = true;
        self.requests.clear();
    }

    /// Stage 2 (rule S3): one contact per company, with the person of its last pending invoice.
    fn start_contacts(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        self.stage = Stage::Contacts;
        let mut chosen: Vec<(String, Value)> = Vec::new();
        for (_, invoice) in self.pending_invoices(decoded) {
            let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
            let person = contact_person(invoice, company)?;
            let value = serde_json::to_value(build_contact_payload(company, person))
                .map_err(|e| Error::xero("Contacts", e.to_string()))?;
            match chosen.iter_mut().find(|(id, _)| *id == company.id) {
                Some(slot) => slot.1 = value, // a later invoice's person overwrites (S3)
                None => chosen.push((company.id.clone(), value)),
            }
        }
        let records = chosen
            .into_iter()
            .map(|(id, value)| (Slot::Company { id }, value, false))
            .collect();
        self.add_batches(Collection::Contacts, records)?;
        self.advance_if_done(decoded, ctx)
    }

    /// Stage 3 (rules S4-S8): the documents, each pointing at the ContactID Xero just returned.
    fn start_documents(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        self.stage = Stage::Documents;
        let mut invoices = Vec::new();
        let mut credit_notes = Vec::new();
        for (index, invoice) in self.pending_invoices(decoded) {
            let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
            let contact_id = self
                .companies
                .iter()
                .find(|c| c.id == company.id)
                .and_then(|c| c.xero_contact_id.clone());
            let built = build_document(
                &plan_invoice(invoice, ctx)?,
                company,
                ctx,
                contact_id.as_deref(),
            )?;
            let value = serde_json::to_value(&built.document)
                .map_err(|e| Error::xero("Invoices", e.to_string()))?;
            let entry = (Slot::Document { index }, value, built.needs_unitdp4);
            match invoice.kind {
                InvoiceKind::Invoice => invoices.push(entry),
                InvoiceKind::CreditNote => credit_notes.push(entry),
            }
        }
        self.add_batches(Collection::Invoices, invoices)?;
        self.add_batches(Collection::CreditNotes, credit_notes)?;
        self.advance_if_done(decoded, ctx)
    }

    fn advance_if_done(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        if self.batches.iter().any(|b| !b.answered) {
            return Ok(());
        }
        match self.stage {
            Stage::Items if !self.product_failures.is_empty() => {
                self.stop_for_products();
                Ok(())
            }
            Stage::Items => self.start_contacts(decoded, ctx),
            Stage::Contacts => self.start_documents(decoded, ctx),
            Stage::Documents | Stage::Finished => {
                self.finish();
                Ok(())
            }
        }
    }

    /// Feeds one answer back. Errors: an unknown or already answered request id, or an answer body that is not
    /// Xero's (the records of that request then stay pending, so the caller may retry).
    pub fn apply_answer(&mut self, answer: &XeroAnswer) -> Result<(), Error> {
        let position = self
            .batches
            .iter()
            .position(|b| b.request_id == answer.request_id && !b.answered)
            .ok_or_else(|| Error::xero(&answer.request_id, "no such request awaiting an answer"))?;
        let batch = self.batches[position].clone();
        let results: Vec<ElementResult> = match (answer.status, answer.json()) {
            (200 | 400, Some(body))
                if body
                    .get(batch.collection.key())
                    .or_else(|| body.get("Elements"))
                    .is_some() =>
            {
                parse_elements(&body, batch.collection)?
            }
            (200, _) => {
                return Err(Error::xero(
                    &answer.request_id,
                    format!("expected a {} list", batch.collection.key()),
                ))
            }
            _ => {
                let error = parse_xero_error(
                    answer.status,
                    &answer.text(),
                    answer.retry_after.as_deref(),
                    answer.rate_limit_problem.as_deref(),
                );
                let message = format!("Xero answered {}: {}", answer.status, error.message);
                let failed = ElementResult {
                    status: ElementStatus::Error,
                    messages: vec![message],
                    xero_id: None,
                };
                vec![failed; batch.slots.len()]
            }
        };
        let (decoded, ctx) = self.read_input()?;
        for (i, slot) in batch.slots.iter().enumerate() {
            let missing = ElementResult {
                status: ElementStatus::Error,
                messages: vec!["Xero returned no result for this record".into()],
                xero_id: None,
            };
            self.record_element(slot, results.get(i).cloned().unwrap_or(missing), &decoded);
        }
        self.batches[position].answered = true;
        self.requests.retain(|r| r.id != answer.request_id);
        self.advance_if_done(&decoded, &ctx)
    }

    fn record_element(
        &mut self,
        slot: &Slot,
        element: ElementResult,
        decoded: &[Result<Invoice, Error>],
    ) {
        let outcome = match element.status {
            ElementStatus::Ok => "ok",
            ElementStatus::Warning => "warning",
            ElementStatus::Error => "error",
        };
        let text = element.messages.join("; ");
        let ok = element.status != ElementStatus::Error;
        match slot {
            Slot::Product { id } => {
                self.log.push(log(
                    RecordKind::Product,
                    id,
                    element.xero_id.clone(),
                    outcome,
                    text.clone(),
                ));
                if !ok {
                    self.product_failures.push(ProductFailure {
                        id: id.clone(),
                        reason: format!("product {id}: Xero: {text}"),
                    });
                }
            }
            Slot::Company { id } => {
                self.log.push(log(
                    RecordKind::Company,
                    id,
                    element.xero_id.clone(),
                    outcome,
                    text.clone(),
                ));
                self.companies.push(CompanyResult {
                    id: id.clone(),
                    outcome: if ok { Outcome::Sent } else { Outcome::Failed },
                    xero_contact_id: element.xero_id.clone().filter(|_| ok),
                    message: (!text.is_empty()).then(|| text.clone()),
                });
                if !ok {
                    // Rule S3/S9: the company's invoices fail with Xero's message; the others go on.
                    for (index, invoice) in decoded.iter().enumerate() {
                        let belongs = invoice.as_ref().is_ok_and(|inv| inv.company_id == *id);
                        if let Some(result) = self
                            .invoices
                            .get_mut(index)
                            .filter(|r| belongs && r.outcome == Outcome::Pending)
                        {
                            result.outcome = Outcome::Failed;
                            result.rule = Some("S3".into());
                            result.message = Some(format!("company {id}: Xero: {text}"));
                        }
                    }
                }
            }
            Slot::Document { index } => self.record_document(*index, element, decoded),
        }
    }

    fn record_document(
        &mut self,
        index: usize,
        element: ElementResult,
        decoded: &[Result<Invoice, Error>],
    ) {
        let kind = decoded
            .get(index)
            .and_then(|r| r.as_ref().ok())
            .map_or(RecordKind::Invoice, |i| i.kind.record_kind());
        let today = self.input.today.to_string();
        let Some(result) = self.invoices.get_mut(index) else {
            return;
        };
        let text = element.messages.join("; ");
        match (element.status, element.xero_id) {
            (ElementStatus::Ok | ElementStatus::Warning, Some(xero_id)) => {
                result.outcome = Outcome::Sent;
                result.rule = None;
                result.message = (!text.is_empty()).then(|| text.clone());
                result.changes = Some(SendChanges {
                    sent_to_accounts: true,
                    sent_to_accounts_date: today,
                    xero_id: xero_id.clone(),
                });
                let outcome = if element.status == ElementStatus::Ok {
                    "ok"
                } else {
                    "warning"
                };
                let entry = log(kind, &result.id, Some(xero_id), outcome, text);
                self.log.push(entry);
            }
            (_, _) => {
                let text = if text.is_empty() {
                    "Xero returned no id for this record".to_string()
                } else {
                    text
                };
                result.outcome = Outcome::Failed;
                result.rule = Some("S9".into());
                result.message = Some(format!("Xero: {text}"));
                let entry = log(kind, &result.id, None, "error", text);
                self.log.push(entry);
            }
        }
    }

    /// After a lost answer to a document request (rule S8): a `GET` by number of the documents in it. Feed its answer
    /// to [`SendPlan::apply_lookup`]; documents found count as sent, and the write request stays open for the rest.
    pub fn lookup_request(&self, request_id: &str) -> Result<XeroRequest, Error> {
        let batch = self.open_document_batch(request_id)?;
        let (decoded, _) = self.read_input()?;
        let numbers: Vec<String> = batch
            .slots
            .iter()
            .filter_map(|s| match s {
                Slot::Document { index } => decoded
                    .get(*index)
                    .and_then(|r| r.as_ref().ok())
                    .map(|i| i.number.clone()),
                _ => None,
            })
            .collect();
        Ok(lookup_request(
            format!("{request_id}-lookup"),
            batch.collection,
            &numbers,
            batch.unitdp4,
        ))
    }

    fn open_document_batch(&self, request_id: &str) -> Result<&Batch, Error> {
        self.batches
            .iter()
            .find(|b| {
                b.request_id == request_id
                    && !b.answered
                    && matches!(b.collection, Collection::Invoices | Collection::CreditNotes)
            })
            .ok_or_else(|| Error::xero(request_id, "no document request awaiting an answer"))
    }

    /// Applies the answer of [`SendPlan::lookup_request`]: when every document of the request is found in Xero, the
    /// request counts as answered; otherwise nothing changes and the caller re-sends the (idempotent) write.
    pub fn apply_lookup(&mut self, request_id: &str, answer: &XeroAnswer) -> Result<bool, Error> {
        let batch = self.open_document_batch(request_id)?.clone();
        let body = answer
            .json()
            .filter(|_| answer.status == 200)
            .ok_or_else(|| Error::xero(request_id, format!("lookup answered {}", answer.status)))?;
        let found = body
            .get(batch.collection.key())
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let number_key = if batch.collection == Collection::CreditNotes {
            "CreditNoteNumber"
        } else {
            "InvoiceNumber"
        };
        let (decoded, _) = self.read_input()?;
        let mut elements = Vec::new();
        for slot in &batch.slots {
            let Slot::Document { index } = slot else {
                continue;
            };
            let number = decoded
                .get(*index)
                .and_then(|r| r.as_ref().ok())
                .map(|i| i.number.clone())
                .unwrap_or_default();
            match found
                .iter()
                .find(|d| d.get(number_key).and_then(Value::as_str) == Some(number.as_str()))
            {
                Some(document) => elements.push(document.clone()),
                None => return Ok(false),
            }
        }
        let mut wrapped = serde_json::Map::new();
        wrapped.insert(batch.collection.key().into(), Value::Array(elements));
        let answer = XeroAnswer {
            request_id: request_id.into(),
            status: 200,
            body: Value::Object(wrapped),
            retry_after: None,
            rate_limit_problem: None,
        };
        self.apply_answer(&answer)?;
        Ok(true)
    }
}
