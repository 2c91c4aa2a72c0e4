//! [`UpdateRun`]: *Update from Xero* (rules U1-U5) and *Update all* (A2), in as few calls as Xero allows: `IDs=`
//! in groups of 50 (invoices the CRM knows the Xero id of), `InvoiceNumbers=` for the others, or, for many
//! invoices, pages of 1,000 (with `If-Modified-Since` when the previous run's `since` is given, so a re-run with
//! nothing changed costs one call per collection). Then, for *Update all*, the company balances from one paged
//! read of the contacts. Sans-IO, like [`super::SendRun`].

use super::changes::read_documents;
use super::progress::{batches, eta_ms, Progress};
use super::pump::{Pump, ReadStep, Verdict};
use super::send::RunStop;
use super::xero_time;
use crate::date::IsoDate;
use crate::decimal::{from_json, money};
use crate::decode::decode_invoice;
use crate::error::{Error, RecordKind};
use crate::organisation::{online_invoice_read, online_invoice_url};
use crate::parse::{parse_document, Collection, XeroDocumentState};
use crate::plan::{XeroAnswer, XeroRequest, MAX_RECORDS_PER_REQUEST};
use crate::records::{Company, InvoiceKind};
use crate::rules::{update_skip_reason, UpdateMode};
use crate::sentence::stop_sentence;
use crate::xero::is_guid;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Xero's largest page (`pageSize`).
pub const PAGE_SIZE: usize = 1_000;
/// Above this many invoices to read, pages beat `IDs=` groups of 50.
pub const PAGES_ABOVE: usize = 2 * MAX_RECORDS_PER_REQUEST;
/// Above this many credit notes, a page beats one read each (the proxy relays no filter for credit notes).
pub const CREDIT_NOTE_PAGES_ABOVE: usize = 3;
/// `since` for the next run is this much before this run started (Xero's clock may differ from ours).
pub const SINCE_OVERLAP_MS: u64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum UpdateOutcome {
    Pending,
    /// Changes to store (rules U2, U3, U5).
    Updated,
    /// Xero agrees with the CRM.
    Unchanged,
    /// Rule U4: voided, deleted or different in Xero; nothing changed, a person decides.
    Discrepancy,
    /// Not in Xero (rule U4).
    NotFound,
    Skipped,
    Failed,
}

/// One CRM invoice's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "UpdateInvoiceResult"))]
#[serde(rename_all = "camelCase")]
pub struct UpdateEntry {
    pub id: String,
    pub outcome: UpdateOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub message: Option<String>,
    /// The CRM fields to store (`status`, `amountOutstanding`, `sentToAccounts`, `sentToAccountsDate`, `xeroId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    #[cfg_attr(feature = "ts", ts(optional, type = "InvoiceChanges"))]
    pub changes: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub discrepancies: Vec<String>,
    /// `message` for a finance user (issue 12): no rule code, id or GUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub sentence: Option<String>,
    /// Each of `discrepancies` for a finance user, in the same order (the amounts are left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<_>", optional))]
    pub discrepancy_sentences: Vec<String>,
}

impl UpdateEntry {
    /// Sets the developer's `message` and the finance user's `sentence` together.
    pub(crate) fn say(&mut self, message: String, sentence: String) {
        self.message = Some(message);
        self.sentence = Some(sentence);
    }
}

/// A company's changes: its Xero ContactID (rule U3) and, for *Update all*, its balance (A2).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CompanyChanges {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub xero_contact_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub balance: Option<String>,
}

/// What `update` and `updateAll` return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "UpdateRunResult"))]
#[serde(rename_all = "camelCase")]
pub struct UpdateResult {
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub stopped: Option<RunStop>,
    /// One per input invoice, in input order.
    pub invoices: Vec<UpdateEntry>,
    /// Only companies with something to store.
    pub companies: Vec<CompanyChanges>,
    /// Pass as `since` to the next run: it then reads only what changed.
    pub since: String,
    pub calls: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Target {
    pub index: usize,
    pub credit_note: bool,
    pub xero_id: Option<String>,
    pub number: String,
    pub company_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Stage {
    Documents,
    Balances,
    Finished,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
enum Read {
    /// A list of documents (by `IDs=`, `InvoiceNumbers=`, or one by id or number) for these targets.
    Documents {
        collection: Collection,
        targets: Vec<usize>,
    },
    /// Page `page` of a collection (documents or contacts); page 1 queues the others.
    Page { collection: Collection, page: usize },
    /// Rule O1: the online invoice link of the invoice at `index`, approved in Xero.
    OnlineInvoice { index: usize },
}

/// The pages an answer to page `page` of a paged read calls for (reads of pages of [`PAGE_SIZE`]): page 1 queues
/// the rest by Xero's `pagination.pageCount`; without a `pagination` object, a full page means there may be one more.
/// Shared by the update and reconciliation runs.
pub(super) fn further_pages(page: usize, body: &Value, records: usize) -> Vec<usize> {
    let paginated = body.get("pagination");
    match page {
        1 => {
            let count = paginated
                .and_then(|p| p.get("pageCount"))
                .and_then(Value::as_u64)
                .map(|n| n as usize);
            let last = count.unwrap_or(if records >= PAGE_SIZE { 2 } else { 1 });
            (2..=last).collect()
        }
        page if records >= PAGE_SIZE && paginated.is_none() => vec![page + 1],
        _ => Vec::new(),
    }
}

/// Rule O1: most online invoice links one *Update from Xero* reads (one call each); the next run reads more.
pub const ONLINE_LINKS_PER_RUN: usize = 50;

/// *Update from Xero* from the first read to the last answer; serialisable (checkpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRun {
    invoices: Value,
    companies: Vec<Company>,
    today: IsoDate,
    mode: UpdateMode,
    since: Option<String>,
    next_since: String,
    targets: Vec<Target>,
    results: Vec<UpdateEntry>,
    company_changes: BTreeMap<String, CompanyChanges>,
    stage: Stage,
    reads: BTreeMap<String, Read>,
    pump: Pump,
    stopped: Option<RunStop>,
    started_at: u64,
    elapsed_before: u64,
    /// Whether any document came back changed (a re-run with nothing changed skips the balances).
    changed: bool,
}

/// The options of an update run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateOptions {
    pub today: Option<IsoDate>,
    pub mode: UpdateMode,
    /// The previous run's `since`: only documents changed after it are read.
    pub since: Option<String>,
}

/// What the proxy takes as `/{Resource}/{key}`: letters, digits, `-` and `_`.
fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) fn get(
    id: String,
    path: String,
    query: &[(&str, String)],
    since: Option<&str>,
) -> XeroRequest {
    let mut headers = BTreeMap::new();
    headers.insert("Accept".to_string(), "application/json".to_string());
    if let Some(since) = since {
        headers.insert("If-Modified-Since".to_string(), since.to_string());
    }
    XeroRequest {
        id,
        method: "GET".into(),
        path,
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
        headers,
        body: None,
    }
}

fn page_request(collection: Collection, page: usize, since: Option<&str>) -> XeroRequest {
    let name = collection.key();
    get(
        format!("{}-page-{page}", name.to_ascii_lowercase()),
        format!("/{name}"),
        &[
            ("page", page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
        ],
        since,
    )
}

impl UpdateRun {
    /// Checks the invoices (rules U1/A2; a malformed one fails alone, rule L2) and queues the reads.
    pub fn new(
        invoices: Value,
        companies: Value,
        options: UpdateOptions,
        now: u64,
    ) -> Result<UpdateRun, Error> {
        let list = invoices
            .as_array()
            .ok_or_else(|| Error::options(RecordKind::Options, "invoices", "expected an array"))?;
        let companies: Vec<Company> = match &companies {
            Value::Null => Vec::new(),
            other => serde_json::from_value(other.clone())
                .map_err(|e| Error::options(RecordKind::Options, "companies", e.to_string()))?,
        };
        let today = match options.today {
            Some(today) => today,
            None => xero_time::date_of(now).ok_or_else(|| {
                Error::options(RecordKind::Options, "now", "not a time xerosync can date")
            })?,
        };
        let mut results = Vec::new();
        let mut targets = Vec::new();
        for (index, raw) in list.iter().enumerate() {
            let id = raw
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{index}"), str::to_string);
            let entry = |outcome, rule: Option<&str>, said: Option<(String, String)>| {
                let (message, sentence) = said.unzip();
                UpdateEntry {
                    id: id.clone(),
                    outcome,
                    rule: rule.map(str::to_string),
                    message,
                    sentence,
                    changes: None,
                    discrepancies: Vec::new(),
                    discrepancy_sentences: Vec::new(),
                }
            };
            match decode_invoice(raw, index) {
                Err(error) => results.push(entry(
                    UpdateOutcome::Failed,
                    Some("L2"),
                    Some((error.to_string(), error.sentence())),
                )),
                Ok(invoice) => match update_skip_reason(&(&invoice).into(), options.mode) {
                    Some((rule, reason, sentence)) => results.push(entry(
                        UpdateOutcome::Skipped,
                        Some(rule),
                        Some((reason, sentence)),
                    )),
                    None => {
                        results.push(entry(UpdateOutcome::Pending, None, None));
                        targets.push(Target {
                            index,
                            credit_note: invoice.kind == InvoiceKind::CreditNote,
                            xero_id: invoice.xero_id.clone().filter(|s| !s.trim().is_empty()),
                            number: invoice.number.clone(),
                            company_id: invoice.company_id.clone(),
                        });
                    }
                },
            }
        }
        let mut run = UpdateRun {
            invoices,
            companies,
            today,
            mode: options.mode,
            since: options.since,
            next_since: xero_time::timestamp(now.saturating_sub(SINCE_OVERLAP_MS)),
            targets,
            results,
            company_changes: BTreeMap::new(),
            stage: Stage::Documents,
            reads: BTreeMap::new(),
            pump: Pump::default(),
            stopped: None,
            started_at: now,
            elapsed_before: 0,
            changed: false,
        };
        run.plan_document_reads(now);
        run.advance_if_done(now);
        Ok(run)
    }

    fn queue(&mut self, request: XeroRequest, read: Read, now: u64) {
        self.reads.insert(request.id.clone(), read);
        self.pump.push(request, now);
    }

    /// The reads of the documents: pages when there are many (or `since` is given), else `IDs=` groups of 50 (Xero
    /// ids the CRM holds) and `InvoiceNumbers=` groups (the others). Credit notes have no such filter at the proxy:
    /// one read each by id or number, or a page when there are many.
    fn plan_document_reads(&mut self, now: u64) {
        let since = self.since.clone();
        let invoices: Vec<&Target> = self.targets.iter().filter(|t| !t.credit_note).collect();
        let credit_notes: Vec<&Target> = self.targets.iter().filter(|t| t.credit_note).collect();
        let mut requests = Vec::new();
        let documents = |collection, group: &[&Target]| Read::Documents {
            collection,
            targets: group.iter().map(|t| t.index).collect(),
        };
        if invoices.len() > PAGES_ABOVE || (since.is_some() && !invoices.is_empty()) {
            requests.push((
                page_request(Collection::Invoices, 1, since.as_deref()),
                Read::Page {
                    collection: Collection::Invoices,
                    page: 1,
                },
            ));
        } else {
            // Only well-formed GUIDs go in `IDs=` (the proxy refuses the whole list otherwise).
            let (by_id, by_number): (Vec<&Target>, Vec<&Target>) = invoices
                .iter()
                .partition(|t| t.xero_id.as_deref().is_some_and(is_guid));
            for (n, group) in by_id.chunks(MAX_RECORDS_PER_REQUEST).enumerate() {
                let ids: Vec<&str> = group.iter().filter_map(|t| t.xero_id.as_deref()).collect();
                requests.push((
                    get(
                        format!("invoices-ids-{}", n + 1),
                        "/Invoices".into(),
                        &[("IDs", ids.join(","))],
                        None,
                    ),
                    documents(Collection::Invoices, group),
                ));
            }
            for (n, group) in by_number.chunks(MAX_RECORDS_PER_REQUEST).enumerate() {
                let numbers: Vec<&str> = group.iter().map(|t| t.number.as_str()).collect();
                requests.push((
                    get(
                        format!("invoices-numbers-{}", n + 1),
                        "/Invoices".into(),
                        &[("InvoiceNumbers", numbers.join(","))],
                        None,
                    ),
                    documents(Collection::Invoices, group),
                ));
            }
        }
        let key = |t: &Target| {
            t.xero_id
                .clone()
                .filter(|id| is_guid(id))
                .or_else(|| Some(t.number.clone()).filter(|n| is_path_segment(n)))
        };
        let one_by_one = credit_notes.len() <= CREDIT_NOTE_PAGES_ABOVE
            && since.is_none()
            && credit_notes.iter().all(|t| key(t).is_some());
        if one_by_one {
            for target in &credit_notes {
                let key = key(target).unwrap_or_default();
                requests.push((
                    get(
                        format!("creditnotes-{key}"),
                        format!("/CreditNotes/{key}"),
                        &[],
                        None,
                    ),
                    documents(Collection::CreditNotes, std::slice::from_ref(target)),
                ));
            }
        } else if !credit_notes.is_empty() {
            requests.push((
                page_request(Collection::CreditNotes, 1, since.as_deref()),
                Read::Page {
                    collection: Collection::CreditNotes,
                    page: 1,
                },
            ));
        }
        for (request, read) in requests {
            self.queue(request, read, now);
        }
    }

    /// A run from its checkpoint; reads in flight when it was taken are made again.
    pub fn resume(checkpoint: &Value, now: u64) -> Result<UpdateRun, Error> {
        let bad = |m: String| Error::options(RecordKind::Options, "checkpoint", m);
        if checkpoint.get("kind").and_then(Value::as_str) != Some("update") {
            return Err(bad("not an update checkpoint".into()));
        }
        let run = checkpoint
            .get("run")
            .ok_or_else(|| bad("run: missing".into()))?;
        let mut run: UpdateRun =
            serde_json::from_value(run.clone()).map_err(|e| bad(e.to_string()))?;
        run.started_at = now;
        run.stopped = None;
        Ok(run)
    }

    /// The checkpoint: plain JSON. Reads in flight are queued again (a read is safe to repeat).
    pub fn checkpoint(&mut self, now: u64) -> Result<Value, Error> {
        for id in self.pump.abandon_in_flight() {
            self.pump.again(&id, now);
        }
        let mut copy = self.clone();
        copy.elapsed_before = self.elapsed(now);
        let run = serde_json::to_value(&copy)
            .map_err(|e| Error::options(RecordKind::Options, "checkpoint", e.to_string()))?;
        Ok(json!({ "kind": "update", "version": 1, "run": run }))
    }

    fn elapsed(&self, now: u64) -> u64 {
        self.elapsed_before + now.saturating_sub(self.started_at)
    }

    pub fn poll(&mut self, now: u64) -> Vec<XeroRequest> {
        if self.stopped.is_some() {
            return Vec::new();
        }
        self.pump.ready(now)
    }

    pub fn next_wake(&self) -> Option<u64> {
        self.pump.next_wake()
    }

    pub fn in_flight(&self) -> usize {
        self.pump.in_flight()
    }

    pub fn is_finished(&self) -> bool {
        self.stage == Stage::Finished || (self.stopped.is_some() && self.pump.in_flight() == 0)
    }

    /// Feeds one answer back.
    pub fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
        let (verdict, step) = self.pump.settle_read(answer, now);
        self.take(step, &answer.request_id, Some(answer), now);
        verdict
    }

    /// No answer came: a read is simply made again.
    pub fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict {
        let (verdict, step) = self.pump.lost_read(request_id, reason, now);
        self.take(step, request_id, None, now);
        verdict
    }

    fn take(&mut self, step: ReadStep, request_id: &str, answer: Option<&XeroAnswer>, now: u64) {
        // Rule O1's links are optional: a link read that stops or fails is given up (a later run reads it), and
        // never stops or fails the update itself.
        let link = matches!(self.reads.get(request_id), Some(Read::OnlineInvoice { .. }));
        if link && !matches!(step, ReadStep::Read | ReadStep::Wait) {
            self.pump.give_up(request_id);
            self.advance_if_done(now);
            return;
        }
        match (step, answer) {
            (ReadStep::Read, Some(answer)) => self.read_answer(answer, now),
            (ReadStep::Failed(message), _) => self.read_failed(request_id, &message),
            (ReadStep::Stop { code, message }, _) => {
                self.stopped = Some(RunStop::new(code, message))
            }
            _ => {}
        }
        self.advance_if_done(now);
    }

    fn read_answer(&mut self, answer: &XeroAnswer, now: u64) {
        let Some(read) = self.reads.get(&answer.request_id).cloned() else {
            return;
        };
        if answer.status == 404 {
            return; // a single read of a document Xero does not have: reported as not found at the end
        }
        let Some(body) = answer.json() else {
            if !self.pump.again(&answer.request_id, now) {
                self.read_failed(&answer.request_id, "Xero's answer is not JSON");
            }
            return;
        };
        let collection = match read {
            Read::Documents { collection, .. } | Read::Page { collection, .. } => collection,
            Read::OnlineInvoice { index } => {
                if let Some(url) = online_invoice_url(answer) {
                    self.store_online_link(index, url);
                }
                return;
            }
        };
        let records: Vec<Value> = body
            .get(collection.key())
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Read::Page { page, .. } = read {
            let since = if collection == Collection::Contacts {
                None
            } else {
                self.since.clone()
            };
            for page in further_pages(page, &body, records.len()) {
                let request = page_request(collection, page, since.as_deref());
                if !self.pump.knows(&request.id) {
                    self.queue(request, Read::Page { collection, page }, now);
                }
            }
        }
        if collection == Collection::Contacts {
            self.apply_balances(&records);
        } else {
            let documents: Vec<XeroDocumentState> = records
                .iter()
                .filter_map(|r| parse_document(r).ok())
                .collect();
            self.apply_documents(&documents);
            self.read_online_links(&documents, now);
        }
    }

    /// Rule O1: on *Update from Xero* (the selected invoices) and the change feed's reads of what changed, each
    /// invoice Xero has approved and the CRM has no link for gets its online invoice read once, at most
    /// [`ONLINE_LINKS_PER_RUN`] a run. *Update all* leaves it: thousands of invoices would spend the day's calls on
    /// links nobody asked for (they come as each is next updated or changes).
    fn read_online_links(&mut self, documents: &[XeroDocumentState], now: u64) {
        if self.mode != UpdateMode::Selected {
            return;
        }
        let mut queued = self
            .reads
            .values()
            .filter(|r| matches!(r, Read::OnlineInvoice { .. }))
            .count();
        // The sent invoices by Xero id, once per answer (not a search of every target per document).
        let by_xero_id: std::collections::HashMap<String, usize> = self
            .targets
            .iter()
            .filter(|t| !t.credit_note)
            .filter_map(|t| Some((t.xero_id.as_deref()?.to_ascii_lowercase(), t.index)))
            .collect();
        for document in documents {
            let approved = matches!(document.status.as_str(), "AUTHORISED" | "PAID");
            let Some(xero_id) = document.xero_id.as_deref().filter(|id| is_guid(id)) else {
                continue;
            };
            if !approved || document.is_credit_note || queued >= ONLINE_LINKS_PER_RUN {
                continue;
            }
            let Some(index) = by_xero_id.get(&xero_id.to_ascii_lowercase()).copied() else {
                continue;
            };
            let has_link = self.invoices[index]
                .get("onlineInvoiceUrl")
                .and_then(Value::as_str)
                .is_some_and(|u| !u.trim().is_empty());
            let answered = self.results.get(index).is_some_and(|e| {
                matches!(e.outcome, UpdateOutcome::Updated | UpdateOutcome::Unchanged)
            });
            if has_link || !answered {
                continue;
            }
            let request = online_invoice_read(xero_id, format!("online-invoice-{index}"));
            if !self.pump.knows(&request.id) {
                self.queue(request, Read::OnlineInvoice { index }, now);
                queued += 1;
            }
        }
    }

    fn store_online_link(&mut self, index: usize, url: String) {
        let Some(entry) = self.results.get_mut(index) else {
            return;
        };
        let changes = entry
            .changes
            .get_or_insert_with(|| Value::Object(Default::default()));
        if let Some(map) = changes.as_object_mut() {
            map.insert("onlineInvoiceUrl".into(), Value::String(url));
        }
        if entry.outcome == UpdateOutcome::Unchanged {
            entry.outcome = UpdateOutcome::Updated;
        }
    }

    /// Rules U2-U5 for every CRM invoice a Xero document matches (by Xero id, else by number).
    fn apply_documents(&mut self, documents: &[XeroDocumentState]) {
        let changed = read_documents(
            &self.invoices,
            &self.targets,
            &mut self.results,
            &mut self.company_changes,
            &self.companies,
            documents,
            self.today,
        );
        self.changed |= changed;
    }

    /// Rule A2: each company's balance from its contact's `Balances.AccountsReceivable.Outstanding`.
    fn apply_balances(&mut self, contacts: &[Value]) {
        for contact in contacts {
            let Some(contact_id) = contact.get("ContactID").and_then(Value::as_str) else {
                continue;
            };
            let outstanding = contact
                .pointer("/Balances/AccountsReceivable/Outstanding")
                .and_then(from_json);
            let Some(outstanding) = outstanding else {
                continue;
            };
            for company in &self.companies {
                let known = self
                    .company_changes
                    .get(&company.id)
                    .and_then(|c| c.xero_contact_id.clone())
                    .or_else(|| company.xero_contact_id.clone());
                if !known.is_some_and(|k| k.eq_ignore_ascii_case(contact_id)) {
                    continue;
                }
                if company.balance.map(money) != Some(money(outstanding)) {
                    let entry = self
                        .company_changes
                        .entry(company.id.clone())
                        .or_insert_with(|| CompanyChanges {
                            id: company.id.clone(),
                            ..Default::default()
                        });
                    entry.balance = Some(money(outstanding).to_string());
                }
            }
        }
    }

    /// A read that cannot be made: its invoices (a page: every pending one of its kind) fail with the reason.
    fn read_failed(&mut self, request_id: &str, message: &str) {
        let Some(read) = self.reads.get(request_id).cloned() else {
            return;
        };
        let indexes: Vec<usize> = match read {
            // Rule O1: a link that could not be read is read by a later run; the update itself stands.
            Read::OnlineInvoice { .. } => Vec::new(),
            Read::Documents { targets, .. } => targets,
            Read::Page {
                collection: Collection::Contacts,
                ..
            } => Vec::new(),
            Read::Page { collection, .. } => self
                .targets
                .iter()
                .filter(|t| t.credit_note == (collection == Collection::CreditNotes))
                .map(|t| t.index)
                .collect(),
        };
        for index in indexes {
            if let Some(entry) = self
                .results
                .get_mut(index)
                .filter(|e| e.outcome == UpdateOutcome::Pending)
            {
                entry.outcome = UpdateOutcome::Failed;
                entry.say(
                    format!("Xero could not be read: {message}"),
                    "Xero could not be read for it just now. Try again in a few minutes.".into(),
                );
            }
        }
    }

    fn advance_if_done(&mut self, now: u64) {
        if self.pump.open() > 0 || self.stopped.is_some() {
            return;
        }
        match self.stage {
            Stage::Documents => {
                let incremental = self.since.is_some();
                for target in &self.targets {
                    if let Some(entry) = self
                        .results
                        .get_mut(target.index)
                        .filter(|e| e.outcome == UpdateOutcome::Pending)
                    {
                        if incremental {
                            entry.outcome = UpdateOutcome::Unchanged;
                            entry.say(
                                "not changed in Xero since the last run".into(),
                                "Not changed in Xero since the last update.".into(),
                            );
                        } else {
                            entry.outcome = UpdateOutcome::NotFound;
                            entry.rule = Some("U4".into());
                            let what = if target.credit_note {
                                "credit note"
                            } else {
                                "invoice"
                            };
                            entry.say(
                                format!(
                                    "{what} {} is not in Xero",
                                    target.xero_id.as_deref().unwrap_or(&target.number)
                                ),
                                format!(
                                    "Xero has no such {what}. Check it in Xero, or send it again."
                                ),
                            );
                        }
                    }
                }
                let balances = self.mode == UpdateMode::All
                    && !self.companies.is_empty()
                    && (self.since.is_none() || self.changed);
                if balances {
                    self.stage = Stage::Balances;
                    self.queue(
                        page_request(Collection::Contacts, 1, None),
                        Read::Page {
                            collection: Collection::Contacts,
                            page: 1,
                        },
                        now,
                    );
                } else {
                    self.stage = Stage::Finished;
                }
            }
            Stage::Balances | Stage::Finished => self.stage = Stage::Finished,
        }
    }

    pub fn progress(&self, now: u64) -> Progress {
        let total = self.results.len();
        let done = self
            .results
            .iter()
            .filter(|e| e.outcome != UpdateOutcome::Pending)
            .count();
        let elapsed = self.elapsed(now);
        let future = match self.stage {
            Stage::Documents if self.mode == UpdateMode::All && !self.companies.is_empty() => {
                batches(self.companies.len(), PAGE_SIZE)
            }
            _ => 0,
        };
        let stage = match (self.stopped.is_some(), self.stage) {
            (true, _) => "stopped",
            (_, Stage::Documents) => "documents",
            (_, Stage::Balances) => "balances",
            (_, Stage::Finished) => "finished",
        };
        Progress {
            stage: stage.into(),
            done,
            total,
            calls: self.pump.calls,
            in_flight: self.pump.in_flight(),
            elapsed_ms: elapsed,
            eta_ms: eta_ms(
                elapsed,
                self.pump.answered,
                self.pump.open() as u64 + future,
            ),
        }
    }

    pub fn result(&self) -> UpdateResult {
        let mut invoices = self.results.clone();
        if let Some(stop) = &self.stopped {
            for entry in invoices
                .iter_mut()
                .filter(|e| e.outcome == UpdateOutcome::Pending)
            {
                entry.say(
                    format!("not updated yet: {} ({})", stop.message, stop.code),
                    format!("Not updated yet. {}", stop_sentence(&stop.code)),
                );
            }
        }
        UpdateResult {
            finished: self.stage == Stage::Finished,
            stopped: self.stopped.clone(),
            invoices,
            companies: self.company_changes.values().cloned().collect(),
            since: self.next_since.clone(),
            calls: self.pump.calls,
        }
    }
}
