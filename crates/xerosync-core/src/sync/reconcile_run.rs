//! [`ReconcileRun`]: rule RC1 against the live organisation. It reads Xero's sales documents of the period in pages
//! of 1,000 (`where` on `Date`, one filter per collection), then, by `IDs=`, the sent CRM invoices of the period that
//! the pages did not hold (their date was changed in Xero, or they are gone), and hands both lists to the pure
//! [`reconcile`](crate::reconcile::reconcile). Sans-IO, like [`super::UpdateRun`]; the pump keeps to Xero's limits.

use super::progress::{eta_ms, Progress};
use super::pump::{Pump, ReadStep, Verdict};
use super::send::RunStop;
use super::update::{further_pages, get, PAGE_SIZE};
use crate::error::Error;
use crate::parse::{slim_document, Collection};
use crate::plan::{XeroAnswer, XeroRequest, MAX_RECORDS_PER_REQUEST};
use crate::reconcile::{reconcile, reconciliation_csv, Period, Reconciliation};
use crate::records::{Company, Invoice, InvoiceKind};
use crate::where_filter::date_range;
use crate::xero::is_guid;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What one request reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Page { collection: Collection, page: usize },
    Ids { collection: Collection },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Pages,
    Missing,
    Finished,
}

/// What `XeroClient.reconcile` returns: the report, its CSV, and how the run went.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ReconcileRunResult"))]
#[serde(rename_all = "camelCase")]
pub struct ReconcileResult {
    #[serde(flatten)]
    pub report: Reconciliation,
    pub csv: String,
    /// `false` when the run stopped (or a read failed): then the report is empty and `stopped` says why.
    pub finished: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub stopped: Option<RunStop>,
    pub calls: u64,
}

/// Rule RC1 over the proxy, from the first page to the report.
#[derive(Debug, Clone)]
pub struct ReconcileRun {
    invoices: Vec<Invoice>,
    companies: Vec<Company>,
    period: Period,
    /// Xero's documents read so far, slimmed as they arrive ([`slim_document`]): a period of 100,000 documents
    /// holds only what rule RC1 compares.
    documents: Vec<Value>,
    /// Lower-cased ids of `documents`.
    seen: BTreeSet<String>,
    reads: BTreeMap<String, Read>,
    stage: Stage,
    pump: Pump,
    stopped: Option<RunStop>,
    report: Option<Reconciliation>,
    started_at: u64,
}

impl ReconcileRun {
    /// Reads `{ companies, from?, to? }` (as `reconcile` does) and queues page 1 of invoices and credit notes.
    pub fn new(invoices: Vec<Invoice>, options: &Value, now: u64) -> Result<ReconcileRun, Error> {
        let (companies, period) = crate::reconcile::options(options)?;
        let mut run = ReconcileRun {
            invoices,
            companies,
            period,
            documents: Vec::new(),
            seen: BTreeSet::new(),
            reads: BTreeMap::new(),
            stage: Stage::Pages,
            pump: Pump::default(),
            stopped: None,
            report: None,
            started_at: now,
        };
        for collection in [Collection::Invoices, Collection::CreditNotes] {
            run.queue_page(collection, 1, now);
        }
        Ok(run)
    }

    fn queue_page(&mut self, collection: Collection, page: usize, now: u64) {
        let name = collection.key();
        let mut query = vec![
            ("page", page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
        ];
        if let Some(filter) = date_range(self.period.from, self.period.to) {
            query.push(("where", filter));
        }
        let request = get(
            format!("reconcile-{}-page-{page}", name.to_ascii_lowercase()),
            format!("/{name}"),
            &query,
            None,
        );
        self.queue(request, Read::Page { collection, page }, now);
    }

    fn queue(&mut self, request: XeroRequest, read: Read, now: u64) {
        if self.pump.knows(&request.id) {
            return;
        }
        self.reads.insert(request.id.clone(), read);
        self.pump.push(request, now);
    }

    /// The sent CRM documents of the period whose Xero id no page held: read by `IDs=` (invoices, groups of 50) or
    /// one by one (credit notes, which the proxy relays no id list for), so a pair split by the period's edge is
    /// still a pair, and one gone from Xero is reported as such.
    fn queue_missing(&mut self, now: u64) {
        let mut missing: BTreeMap<bool, Vec<String>> = BTreeMap::new();
        for invoice in self
            .invoices
            .iter()
            .filter(|i| self.period.holds(Some(i.issue_date)))
        {
            let Some(id) = invoice.xero_id.as_deref().map(str::trim) else {
                continue;
            };
            if is_guid(id) && !self.seen.contains(&id.to_ascii_lowercase()) {
                missing
                    .entry(invoice.kind == InvoiceKind::CreditNote)
                    .or_default()
                    .push(id.to_owned());
            }
        }
        for (credit_note, ids) in missing {
            if credit_note {
                for id in ids {
                    let request = get(
                        format!("reconcile-credit-note-{id}"),
                        format!("/CreditNotes/{id}"),
                        &[],
                        None,
                    );
                    let read = Read::Ids {
                        collection: Collection::CreditNotes,
                    };
                    self.queue(request, read, now);
                }
            } else {
                for (n, group) in ids.chunks(MAX_RECORDS_PER_REQUEST).enumerate() {
                    let request = get(
                        format!("reconcile-invoices-ids-{}", n + 1),
                        "/Invoices".into(),
                        &[("IDs", group.join(","))],
                        None,
                    );
                    let read = Read::Ids {
                        collection: Collection::Invoices,
                    };
                    self.queue(request, read, now);
                }
            }
        }
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

    pub fn is_finished(&self) -> bool {
        self.stage == Stage::Finished || (self.stopped.is_some() && self.pump.in_flight() == 0)
    }

    /// Feeds one answer back.
    pub fn handle_answer(&mut self, answer: &XeroAnswer, now: u64) -> Verdict {
        let (verdict, step) = self.pump.settle_read(answer, now);
        self.take(step, Some(answer), now);
        verdict
    }

    /// No answer came: a read is simply made again.
    pub fn handle_lost(&mut self, request_id: &str, reason: &str, now: u64) -> Verdict {
        let (verdict, step) = self.pump.lost_read(request_id, reason, now);
        self.take(step, None, now);
        verdict
    }

    fn take(&mut self, step: ReadStep, answer: Option<&XeroAnswer>, now: u64) {
        match (step, answer) {
            (ReadStep::Read, Some(answer)) => self.read_answer(answer, now),
            (ReadStep::Failed(message), _) => self.fail(&message),
            (ReadStep::Stop { code, message }, _) => {
                self.stopped = Some(RunStop::new(code, message))
            }
            _ => {}
        }
        self.advance_if_done(now);
    }

    /// A report with a page missing would list that page's invoices as only in the CRM: the run stops instead.
    fn fail(&mut self, message: &str) {
        self.stopped = Some(RunStop::new(
            super::pump::XERO_READ_FAILED,
            format!("Xero could not be read, so no report was made: {message}"),
        ));
        self.pump.clear_queue();
    }

    fn read_answer(&mut self, answer: &XeroAnswer, now: u64) {
        let Some(read) = self.reads.get(&answer.request_id).copied() else {
            return;
        };
        if answer.status == 404 {
            // One credit note Xero does not have: the report says so. A page cannot be missing: a report without
            // it would list its invoices as only in the CRM.
            if let Read::Page { .. } = read {
                self.fail("Xero answered 404 for a page of documents");
            }
            return;
        }
        let Some(body) = answer.json() else {
            if !self.pump.again(&answer.request_id, now) {
                self.fail("Xero's answer is not JSON");
            }
            return;
        };
        let (collection, page) = match read {
            Read::Page { collection, page } => (collection, Some(page)),
            Read::Ids { collection } => (collection, None),
        };
        let records = body
            .get(collection.key())
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(page) = page {
            for page in further_pages(page, &body, records.len()) {
                self.queue_page(collection, page, now);
            }
        }
        for record in records {
            if let Some(id) = record.get(collection.id_field()).and_then(Value::as_str) {
                if !self.seen.insert(id.to_ascii_lowercase()) {
                    continue; // read twice (a page and an id list): once is enough
                }
            }
            self.documents.push(slim_document(record));
        }
    }

    fn advance_if_done(&mut self, now: u64) {
        if self.pump.open() > 0 || self.stopped.is_some() {
            return;
        }
        if self.stage == Stage::Pages {
            self.stage = Stage::Missing;
            self.queue_missing(now);
            if self.pump.open() > 0 {
                return;
            }
        }
        if self.stage != Stage::Finished {
            self.stage = Stage::Finished;
            match reconcile(
                &self.invoices,
                &self.documents,
                &self.companies,
                self.period,
            ) {
                Ok(report) => self.report = Some(report),
                Err(e) => {
                    self.stopped = Some(RunStop {
                        code: e.code().into(),
                        message: e.to_string(),
                        sentence: Some(e.sentence()),
                    })
                }
            }
        }
    }

    pub fn progress(&self, now: u64) -> Progress {
        let elapsed = now.saturating_sub(self.started_at);
        let stage = match (self.stopped.is_some(), self.stage) {
            (true, _) => "stopped",
            (_, Stage::Pages) => "pages",
            (_, Stage::Missing) => "documents",
            (_, Stage::Finished) => "finished",
        };
        Progress {
            stage: stage.into(),
            done: self.documents.len(),
            total: self.documents.len() + self.pump.open() * PAGE_SIZE,
            calls: self.pump.calls,
            in_flight: self.pump.in_flight(),
            elapsed_ms: elapsed,
            eta_ms: eta_ms(elapsed, self.pump.answered, self.pump.open() as u64),
        }
    }

    pub fn result(&self) -> ReconcileResult {
        let report = self.report.clone().unwrap_or(Reconciliation {
            only_in_crm: Vec::new(),
            only_in_xero: Vec::new(),
            differing: Vec::new(),
            matched: 0,
        });
        ReconcileResult {
            csv: reconciliation_csv(&report),
            report,
            finished: self.stage == Stage::Finished && self.stopped.is_none(),
            stopped: self.stopped.clone(),
            calls: self.pump.calls,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode_invoice;
    use serde_json::json;

    fn id(n: usize) -> String {
        format!("a{n:07}-0000-4000-8000-000000000000")
    }

    const CONTACT: &str = "c0000001-0000-4000-8000-000000000000";

    fn doc(n: usize, date: &str, total: u32) -> Value {
        json!({ "InvoiceID": id(n), "InvoiceNumber": format!("INV-{n}"), "Type": "ACCREC", "Status": "AUTHORISED",
            "CurrencyCode": "EUR", "Total": total, "AmountDue": total, "AmountPaid": 0, "AmountCredited": 0,
            "Contact": { "ContactID": CONTACT, "Name": "Acme" }, "LineItems": [{ "Description": "dropped" }],
            "DateString": format!("{date}T00:00:00") })
    }

    fn invoice(n: usize, total: &str) -> Invoice {
        decode_invoice(
            &json!({ "id": format!("inv-{n}"), "number": format!("INV-{n}"), "companyId": "co-1",
                "issueDate": "2026-11-10", "currency": "EUR", "status": "Live", "total": total,
                "amountOutstanding": total, "sentToAccounts": true, "xeroId": id(n),
                "lines": [{ "description": "Work", "quantity": "1", "listPrice": total, "taxRateId": "vat20" }] }),
            n,
        )
        .unwrap()
    }

    fn ok(request: &XeroRequest, body: Value) -> XeroAnswer {
        XeroAnswer {
            request_id: request.id.clone(),
            status: 200,
            body,
            retry_after: None,
            rate_limit_problem: None,
        }
    }

    /// Rule RC1 over Xero: pages of 1,000 with the period's `where`, then `IDs=` for the sent invoices the pages
    /// missed (a date moved in Xero), and the report from both; only the compared fields are kept.
    #[test]
    fn reads_the_period_in_pages_then_the_missing_ids_rule_rc1() {
        let options = json!({ "companies": [{ "id": "co-1", "name": "Acme", "xeroContactId": CONTACT }],
            "from": "2026-11-01", "to": "2026-11-30" });
        // 1,001 invoices in the period's pages; inv-2000 was re-dated in Xero to December.
        let crm: Vec<Invoice> = (0..1_001)
            .map(|n| invoice(n, "10.00"))
            .chain([invoice(2_000, "10.00")])
            .collect();
        let mut run = ReconcileRun::new(crm, &options, 0).unwrap();
        let mut calls = Vec::new();
        while !run.is_finished() {
            let requests = run.poll(0);
            assert!(!requests.is_empty(), "the run waits on nothing");
            for request in requests {
                let page: usize = request.query.get("page").map_or(0, |p| p.parse().unwrap());
                let body = match (request.path.as_str(), page) {
                    ("/Invoices", 1) => {
                        assert_eq!(
                            request.query["where"],
                            "Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)"
                        );
                        assert_eq!(request.query["pageSize"], "1000");
                        let docs: Vec<Value> =
                            (0..1_000).map(|n| doc(n, "2026-11-10", 10)).collect();
                        json!({ "Invoices": docs, "pagination": { "page": 1, "pageCount": 2 } })
                    }
                    // Page 2: inv-1000 differs in total; a document typed only into Xero.
                    ("/Invoices", 2) => {
                        json!({ "Invoices": [doc(1_000, "2026-11-12", 12), doc(5_000, "2026-11-20", 7)] })
                    }
                    ("/CreditNotes", 1) => json!({ "CreditNotes": [] }),
                    ("/Invoices", 0) => {
                        assert_eq!(request.query["IDs"], id(2_000));
                        json!({ "Invoices": [doc(2_000, "2026-12-02", 10)] })
                    }
                    other => panic!("unexpected {other:?}"),
                };
                calls.push(request.id.clone());
                let answer = ok(&request, body);
                run.handle_answer(&answer, 0);
            }
        }
        assert_eq!(calls.len(), 4, "{calls:?}");
        assert!(run.documents.iter().all(|d| d.get("LineItems").is_none()));
        let result = run.result();
        assert!(result.finished);
        assert_eq!(result.calls, 4);
        assert_eq!(
            result.report.matched, 1_001,
            "inv-2000 still pairs across the period's edge"
        );
        assert_eq!(result.report.differing.len(), 1);
        assert_eq!(result.report.differing[0].id, "inv-1000");
        assert_eq!(result.report.differing[0].currency, "EUR");
        assert_eq!(result.report.only_in_xero.len(), 1);
        assert_eq!(result.report.only_in_xero[0].currency, "EUR");
        assert!(result.report.only_in_crm.is_empty());
        assert!(result.csv.contains("\"differs\",\"inv-1000\""));
    }

    /// A page that cannot be read stops the run: no report that would list its invoices as missing.
    #[test]
    fn a_failed_page_gives_no_report_rule_rc1() {
        let mut run = ReconcileRun::new(vec![invoice(1, "10.00")], &json!({}), 0).unwrap();
        let requests = run.poll(0);
        assert!(
            requests.iter().all(|r| !r.query.contains_key("where")),
            "an open period has no filter"
        );
        for request in requests {
            let mut answer = ok(&request, json!({ "Message": "no" }));
            answer.status = 403;
            run.handle_answer(&answer, 0);
        }
        let result = run.result();
        assert!(!result.finished);
        assert!(result.stopped.is_some());
        assert!(result.report.only_in_crm.is_empty());
    }
}
