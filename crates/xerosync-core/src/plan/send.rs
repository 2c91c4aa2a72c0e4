//! [`SendPlan`]: *Send to Xero* as a state machine (rules S1-S9, L2, X1).
//!
//! The plan keeps its inputs as JSON and re-reads them at each step, so the whole plan is a plain serialisable value
//! that JS can hold between answers. Every record ends `sent`, `failed` (with the rule and Xero's or our message)
//! or `skipped`; nothing is half-sent: a record that fails locally never goes out (rule L2).

use super::outcome::{log, CompanyResult, InvoiceResult, LogEntry, Outcome, ProductFailure, Stage};
use super::refusals::REFUSED;
use super::request::{write_request, XeroRequest, MAX_RECORDS_PER_REQUEST};
use crate::date::IsoDate;
use crate::decode::{decode_invoices, Ctx};
use crate::error::{Error, RecordKind};
use crate::parse::Collection;
use crate::payload::{build_contact_payload, build_document, build_item_payload, contact_person};
use crate::preview::plan_invoice;
use crate::records::{Invoice, InvoiceKind, InvoiceStatus};
use crate::rules::{send_skip_reason, SendMode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub(super) enum Slot {
    Product {
        id: String,
    },
    Company {
        id: String,
    },
    Document {
        index: usize,
    },
    /// Rule S11: the credit note or further invoice amending the invoice at `index`.
    Amendment {
        index: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Batch {
    pub(super) request_id: String,
    pub(super) collection: Collection,
    pub(super) slots: Vec<Slot>,
    pub(super) unitdp4: bool,
    pub(super) answered: bool,
    /// `PUT`: create only (new documents, rule S8).
    #[serde(default)]
    pub(super) create_only: bool,
    /// A read (rules S3a, S8, S10), not a write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) read: Option<Read>,
}

/// One record of a write request: its slot, its JSON and whether it needs `unitdp=4`.
pub(super) type Record = (Slot, Value, bool);

/// What a read batch looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Read {
    /// Existing contacts for the companies in the slots (S3a).
    Contacts,
    /// The documents in the slots, by id (cancellations, S10) or by number (a number Xero already has, S8).
    Documents,
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(super) input: Input,
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(super) batches: Vec<Batch>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(super) found: Found,
    /// `input` decoded once, on first use (not serialised: a resumed plan decodes again).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub(super) decoded: DecodedInput,
}

/// The plan's invoices and context as records, shared by every answer the plan reads.
pub(super) type Decoded = (Vec<Result<Invoice, Error>>, Ctx);

/// A cache of the decoded input: every answer used to decode the whole input again (issue 13). It is derived from
/// `input`, so it takes no part in equality and is never serialised.
#[derive(Default, Clone)]
pub(super) struct DecodedInput(std::sync::OnceLock<std::sync::Arc<Decoded>>);

impl PartialEq for DecodedInput {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for DecodedInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecodedInput")
    }
}

/// What the reads found and decided (rules S3a, S8, S10).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Found {
    /// Xero contacts read for matching (slimmed to the fields matching and the page use).
    pub(super) contacts: Vec<Value>,
    /// Xero documents read (cancellations by id, collisions by number).
    pub(super) documents: Vec<Value>,
    /// Company id → the existing Xero contact it was linked to.
    pub(super) links: BTreeMap<String, String>,
    /// Invoice index → the status that cancels it in Xero (`DELETED` or `VOIDED`).
    pub(super) cancellations: BTreeMap<usize, String>,
    /// Invoice indexes whose create was refused because Xero has the number already (looked up next).
    pub(super) collisions: Vec<usize>,
    pub(super) collisions_read: bool,
    /// The items were requested with the reads (they depend on none): after the reads, straight on to the contacts.
    #[serde(default)]
    pub(super) items_with_reads: bool,
    /// Invoice index → how much its paid Xero invoice must move (CRM total − Xero's, amendments included; S11).
    pub(super) amendments: BTreeMap<usize, rust_decimal::Decimal>,
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
        let input = Input {
            invoices,
            ctx,
            today,
            mode,
        };
        Self::start(input, DecodedInput::default())
    }

    /// [`SendPlan::new`] from the JSON texts the bindings hold: the records are decoded from the text itself, and
    /// the `Value`s are kept only for the plan's own JSON (issue 13: decoding a `Value` means writing it out as text
    /// first). The same plan, and the same errors, as `new` with the parsed texts.
    pub fn from_text(
        invoices: &str,
        ctx: &str,
        today: IsoDate,
        mode: SendMode,
    ) -> Result<SendPlan, Error> {
        let parse = |name: &str, text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|e| Error::options(RecordKind::Options, name, e.to_string()))
        };
        let input = Input {
            invoices: parse("invoices", invoices)?,
            ctx: parse("ctx", ctx)?,
            today,
            mode,
        };
        let records = if input.invoices.is_array() {
            crate::batch::decode_invoices_text(invoices)?
        } else {
            decode_invoices(&input.invoices)?
        };
        let decoded = DecodedInput::default();
        let _ = decoded
            .0
            .set(std::sync::Arc::new((records, Ctx::from_text(ctx)?)));
        Self::start(input, decoded)
    }

    /// The invoices as given (JSON), in input order.
    pub(crate) fn input_invoices(&self) -> &Value {
        &self.input.invoices
    }

    fn start(input: Input, decoded: DecodedInput) -> Result<SendPlan, Error> {
        let mut plan = SendPlan {
            stage: Stage::Reads,
            finished: false,
            requests: Vec::new(),
            invoices: Vec::new(),
            companies: Vec::new(),
            product_failures: Vec::new(),
            log: Vec::new(),
            input,
            batches: Vec::new(),
            found: Found::default(),
            decoded,
        };
        let input = plan.read_input()?;
        let (decoded, ctx) = (&input.0, &input.1);
        for (index, record) in decoded.iter().enumerate() {
            let result = plan.check_invoice(index, record, ctx);
            plan.invoices.push(result);
        }
        // Rule S2: a product that fails its local checks stops everything before any call, reads included.
        if plan.check_products(decoded, ctx) {
            plan.start_reads(decoded, ctx)?;
            // The items depend on no read, so they go with the reads: five calls in flight are not left idle at
            // the end of a short read stage (issue 13: wall time at Xero's bound).
            if plan.stage == Stage::Reads {
                plan.found.items_with_reads = true;
                plan.add_item_batches(decoded, ctx)?;
            }
        }
        Ok(plan)
    }

    /// The input as records, decoded on first use and then shared.
    pub(super) fn read_input(&self) -> Result<std::sync::Arc<Decoded>, Error> {
        if let Some(done) = self.decoded.0.get() {
            return Ok(done.clone());
        }
        let decoded = std::sync::Arc::new((
            decode_invoices(&self.input.invoices)?,
            Ctx::from_json(&self.input.ctx)?,
        ));
        Ok(self.decoded.0.get_or_init(|| decoded).clone())
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
        let failed = |error: &Error| InvoiceResult::failed(id.clone(), error);
        let invoice = match record {
            Ok(invoice) => invoice,
            Err(error) => {
                self.log.push(log(
                    RecordKind::Invoice,
                    &id,
                    None,
                    REFUSED,
                    error.to_string(),
                ));
                return failed(error);
            }
        };
        let kind = invoice.kind.record_kind();
        if let Some((rule, reason, sentence)) = send_skip_reason(&invoice.into(), self.input.mode) {
            self.log
                .push(log(kind, &id, None, "skipped", reason.clone()));
            return InvoiceResult::skipped(id, rule, reason, sentence);
        }
        if invoice.status == InvoiceStatus::Cancelled {
            // Rule S10: only its Xero id goes out; its lines and company no longer matter.
            return InvoiceResult::pending(id);
        }
        let checked = ctx
            .company(&invoice.company_id, &invoice.record_ref(), "companyId")
            .and_then(|company| {
                contact_person(invoice, company)?;
                let plan = plan_invoice(invoice, ctx)?;
                build_document(&plan, company, ctx, None).map(|_| ())
            });
        match checked {
            Ok(()) => InvoiceResult::pending(id),
            Err(error) => {
                self.log
                    .push(log(kind, &id, None, REFUSED, error.to_string()));
                failed(&error)
            }
        }
    }

    pub(super) fn pending_invoices<'a>(
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

    /// Pending invoices that are written as documents (not cancellations, rule S10).
    pub(super) fn pending_writes<'a>(
        &self,
        decoded: &'a [Result<Invoice, Error>],
    ) -> Vec<(usize, &'a Invoice)> {
        self.pending_invoices(decoded)
            .into_iter()
            .filter(|(_, i)| i.status != InvoiceStatus::Cancelled)
            .collect()
    }

    pub(super) fn next_id(&self, collection: Collection) -> String {
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
        create_only: bool,
    ) -> Result<(), Error> {
        for chunk in records.chunks(MAX_RECORDS_PER_REQUEST) {
            let unitdp4 = chunk.iter().any(|(_, _, dp4)| *dp4);
            let id = self.next_id(collection);
            let request = write_request(
                id.clone(),
                collection,
                chunk.iter().map(|(_, v, _)| v.clone()).collect(),
                unitdp4,
                create_only,
            )?;
            self.requests.push(request);
            let slots = chunk.iter().map(|(s, _, _)| s.clone()).collect();
            self.batches.push(Batch {
                request_id: id,
                collection,
                slots,
                unitdp4,
                answered: false,
                create_only,
                read: None,
            });
        }
        Ok(())
    }

    /// Rule S2's local checks of every product the pending invoices use; `false` (and the plan finished) when one
    /// fails. [`SendPlan::start_items`] checks again later, for the invoices still pending then.
    fn check_products(&mut self, decoded: &[Result<Invoice, Error>], ctx: &Ctx) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        for (_, invoice) in self.pending_writes(decoded) {
            for id in invoice.lines.iter().filter_map(|l| l.product_id.as_deref()) {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let checked = match ctx.product_entry(id) {
                    Some(Ok(product)) => build_item_payload(product, ctx).map(|_| ()),
                    Some(Err(error)) => Err(error.clone()),
                    None => Ok(()),
                };
                if let Err(error) = checked {
                    self.log.push(log(
                        RecordKind::Product,
                        id,
                        None,
                        REFUSED,
                        error.to_string(),
                    ));
                    self.product_failures.push(ProductFailure {
                        id: id.to_string(),
                        reason: error.to_string(),
                        sentence: Some(error.sentence()),
                    });
                }
            }
        }
        if self.product_failures.is_empty() {
            return true;
        }
        self.stop_for_products();
        false
    }

    /// Stage 1 (rule S2): every product the pending invoices use, checked locally, then `POST /Items`.
    pub(super) fn start_items(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        self.stage = Stage::Items;
        if self.add_item_batches(decoded, ctx)? {
            self.advance_if_done(decoded, ctx)
        } else {
            Ok(())
        }
    }

    /// The `POST /Items` requests of every product the pending invoices use; `false` (and the plan finished, rule
    /// S2) when one fails its local checks.
    fn add_item_batches(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<bool, Error> {
        let mut product_ids: Vec<String> = Vec::new();
        for (_, invoice) in self.pending_writes(decoded) {
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
                        REFUSED,
                        error.to_string(),
                    ));
                    self.product_failures.push(ProductFailure {
                        id,
                        reason: error.to_string(),
                        sentence: Some(error.sentence()),
                    });
                }
            }
        }
        if !self.product_failures.is_empty() {
            self.stop_for_products();
            return Ok(false);
        }
        self.add_batches(Collection::Items, records, false)?;
        Ok(true)
    }

    /// Rule S2: a product failed, so no invoice is sent; each says which products and why.
    fn stop_for_products(&mut self) {
        let list: Vec<String> = self
            .product_failures
            .iter()
            .map(|f| f.reason.clone())
            .collect();
        let message = format!("not sent because products failed: {}", list.join("; "));
        let kinds = self.pending_kinds();
        for (result, kind) in self
            .invoices
            .iter_mut()
            .zip(kinds)
            .filter(|(r, _)| r.outcome == Outcome::Pending)
        {
            result.set(
                Outcome::Failed,
                Some("S2"),
                message.clone(),
                "Not sent: a product on the send could not go to Xero, so no invoice was sent. The products are \
                 listed with the results."
                    .into(),
            );
            // Rule L1a: the invoice itself never went; its row says why (the products' rows say what failed).
            self.log
                .push(log(kind, &result.id, None, REFUSED, message.clone()));
        }
        self.finish();
    }

    /// Each input invoice's record kind (a credit note's row says so), `Invoice` when unreadable.
    fn pending_kinds(&self) -> Vec<RecordKind> {
        let kind = |v: &Value| match v.get("kind").and_then(Value::as_str) {
            Some("creditNote") => RecordKind::CreditNote,
            _ => RecordKind::Invoice,
        };
        let list = self.input.invoices.as_array();
        (0..self.invoices.len())
            .map(|i| {
                list.and_then(|l| l.get(i))
                    .map_or(RecordKind::Invoice, kind)
            })
            .collect()
    }

    pub(super) fn finish(&mut self) {
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
        for (_, invoice) in self.pending_writes(decoded) {
            let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
            let person = contact_person(invoice, company)?;
            let mut contact = build_contact_payload(company, person);
            if let Some(linked) = self.found.links.get(&company.id) {
                contact.contact_id = Some(linked.clone()); // rule S3a: update the customer Xero already has
            }
            let value = serde_json::to_value(contact)
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
        self.add_batches(Collection::Contacts, records, false)?;
        self.advance_if_done(decoded, ctx)
    }

    /// Stage 3 (rules S4-S8): the documents, each pointing at the ContactID Xero just returned.
    fn start_documents(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        self.stage = Stage::Documents;
        // (collection, create only) → records: new documents are created with PUT, known ones and
        // cancellations updated with POST.
        let mut groups: BTreeMap<(u8, bool), Vec<Record>> = BTreeMap::new();
        for (index, invoice) in self.pending_invoices(decoded) {
            let group = u8::from(invoice.kind == InvoiceKind::CreditNote);
            if invoice.status == InvoiceStatus::Cancelled {
                if let Some(status) = self.found.cancellations.get(&index) {
                    let value = cancellation(invoice, status);
                    groups.entry((group, false)).or_default().push((
                        Slot::Document { index },
                        value,
                        false,
                    ));
                }
                continue;
            }
            let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
            let contact_id = self
                .companies
                .iter()
                .find(|c| c.id == company.id)
                .and_then(|c| c.xero_contact_id.clone());
            if let Some(difference) = self.found.amendments.get(&index).copied() {
                let base = build_document(
                    &plan_invoice(invoice, ctx)?,
                    company,
                    ctx,
                    contact_id.as_deref(),
                )?;
                let value = super::amend::amendment_document(
                    invoice,
                    &base.document,
                    difference,
                    &self.input.today.to_string(),
                )?;
                // Groups 2 and 3: amendments never share a request with documents, so a lost answer's look-up by
                // number (rule S8) only ever meets documents.
                let group = 2 + u8::from(difference < rust_decimal::Decimal::ZERO);
                groups.entry((group, true)).or_default().push((
                    Slot::Amendment { index },
                    value,
                    false,
                ));
                continue;
            }
            let built = build_document(
                &plan_invoice(invoice, ctx)?,
                company,
                ctx,
                contact_id.as_deref(),
            )?;
            let value = serde_json::to_value(&built.document)
                .map_err(|e| Error::xero("Invoices", e.to_string()))?;
            let create_only = built.document.xero_id().is_none();
            groups.entry((group, create_only)).or_default().push((
                Slot::Document { index },
                value,
                built.needs_unitdp4,
            ));
        }
        for ((group, create_only), records) in groups {
            let collection = if group % 2 == 0 {
                Collection::Invoices
            } else {
                Collection::CreditNotes
            };
            self.add_batches(collection, records, create_only)?;
        }
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
            Stage::Reads => {
                self.resolve_reads(decoded, ctx)?;
                if self.found.items_with_reads {
                    // The items are answered too: a failed one stops everything (S2), else on to the contacts.
                    self.stage = Stage::Items;
                    return self.advance_if_done(decoded, ctx);
                }
                self.start_items(decoded, ctx)
            }
            Stage::Documents
                if !self.found.collisions.is_empty() && !self.found.collisions_read =>
            {
                self.start_collision_reads(decoded)
            }
            Stage::Documents if !self.found.collisions.is_empty() => {
                self.resolve_collisions(decoded, ctx);
                self.finish();
                Ok(())
            }
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

/// Rule S10: the write that cancels a document in Xero: its id and the new status, nothing else.
fn cancellation(invoice: &Invoice, status: &str) -> Value {
    let id = invoice.xero_id.clone().unwrap_or_default();
    match invoice.kind {
        InvoiceKind::Invoice => json!({ "InvoiceID": id, "Status": status }),
        InvoiceKind::CreditNote => json!({ "CreditNoteID": id, "Status": status }),
    }
}
