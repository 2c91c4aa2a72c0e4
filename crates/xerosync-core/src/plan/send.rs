//! [`SendPlan`]: *Send to Xero* as a state machine (rules S1-S9, L2, X1).
//!
//! The plan keeps its inputs as JSON and re-reads them at each step, so the whole plan is a plain serialisable value
//! that JS can hold between answers. Every record ends `sent`, `failed` (with the rule and Xero's or our message)
//! or `skipped`; nothing is half-sent: a record that fails locally never goes out (rule L2).

use super::outcome::{
    log, rule_for, CompanyResult, InvoiceResult, LogEntry, Outcome, ProductFailure, Stage,
};
use super::request::{write_request, XeroRequest, MAX_RECORDS_PER_REQUEST};
use crate::date::IsoDate;
use crate::decode::{decode_invoices, Ctx};
use crate::error::{Error, RecordKind};
use crate::parse::Collection;
use crate::payload::{build_contact_payload, build_document, build_item_payload, contact_person};
use crate::preview::plan_invoice;
use crate::records::{Invoice, InvoiceKind};
use crate::rules::{send_skip_reason, SendMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(super) enum Slot {
    Product { id: String },
    Company { id: String },
    Document { index: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Batch {
    pub(super) request_id: String,
    pub(super) collection: Collection,
    pub(super) slots: Vec<Slot>,
    pub(super) unitdp4: bool,
    pub(super) answered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Input {
    pub(super) invoices: Value,
    pub(super) ctx: Value,
    pub(super) today: IsoDate,
    pub(super) mode: SendMode,
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
    pub(super) input: Input,
    pub(super) batches: Vec<Batch>,
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

    pub(super) fn read_input(&self) -> Result<(Vec<Result<Invoice, Error>>, Ctx), Error> {
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

    pub(super) fn advance_if_done(
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
}
