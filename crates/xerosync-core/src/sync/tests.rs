//! The runs against a small in-memory Xero (creates by number, answers look-ups, IDs and pages), driven the way
//! the browser client drives them: poll, answer, repeat.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::date::IsoDate;
use crate::plan::{XeroAnswer, XeroRequest};
use crate::rules::{SendMode, UpdateMode};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn today() -> IsoDate {
    IsoDate::parse("2026-11-26").unwrap()
}

fn invoice(i: usize, products: usize, companies: usize) -> Value {
    json!({
        "id": format!("inv-{i}"), "kind": "invoice", "number": format!("INV-{i:05}"),
        "companyId": format!("co-{}", i % companies), "issueDate": "2026-11-01", "dueDate": "2026-12-01",
        "currency": "GBP", "amountsAre": "exclusive", "status": "Created",
        "lines": [{ "productId": format!("pr-{}", i % products), "description": "Widget", "quantity": "1",
                    "listPrice": "10.00", "taxRateId": "vat20" }],
        "total": "12.00", "amountOutstanding": "12.00", "sentToAccounts": false
    })
}

fn data(n: usize, products: usize, companies: usize) -> (Value, Value) {
    let invoices: Vec<Value> = (0..n).map(|i| invoice(i, products, companies)).collect();
    let ctx = json!({
        "companies": (0..companies).map(|c| json!({ "id": format!("co-{c}"), "name": format!("Company {c}"),
            "people": [{ "id": format!("p-{c}"), "firstName": "Ann", "lastName": "Lee", "primary": true }] }))
            .collect::<Vec<_>>(),
        "products": (0..products).map(|p| json!({ "id": format!("pr-{p}"), "code": format!("W-{p}"),
            "name": format!("Widget {p}"), "unitPrice": "10.00", "taxRateId": "vat20", "salesAccountCode": "200" }))
            .collect::<Vec<_>>(),
        "taxRates": [{ "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" }],
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
    });
    (Value::Array(invoices), ctx)
}

/// A tiny Xero: upserts by code / ContactNumber / number, reads by IDs, numbers and pages.
#[derive(Default)]
struct FakeXero {
    items: BTreeMap<String, String>,
    contacts: BTreeMap<String, String>,
    invoices: BTreeMap<String, Value>,
    creates: usize,
    writes: usize,
    reads: usize,
    /// Rule O1: `GET /Invoices/{id}/OnlineInvoice` calls.
    online_reads: usize,
    /// Invoice numbers Xero refuses (a validation error on the element).
    refuse: Vec<String>,
}

impl FakeXero {
    fn id(prefix: &str, n: usize) -> String {
        format!("{prefix}{n:07}-0000-4000-8000-000000000000")
    }

    fn answer(&mut self, request: &XeroRequest) -> XeroAnswer {
        let body = match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/Items") => {
                self.writes += 1;
                let out: Vec<Value> = request.body.as_ref().unwrap()["Items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|item| {
                        let code = item["Code"].as_str().unwrap().to_string();
                        let n = self.items.len();
                        let id = self
                            .items
                            .entry(code)
                            .or_insert_with(|| Self::id("1", n))
                            .clone();
                        json!({ "ItemID": id, "StatusAttributeString": "OK" })
                    })
                    .collect();
                json!({ "Items": out })
            }
            ("POST", "/Contacts") => {
                self.writes += 1;
                let out: Vec<Value> = request.body.as_ref().unwrap()["Contacts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        let number = c["ContactNumber"].as_str().unwrap().to_string();
                        let n = self.contacts.len();
                        let id = self
                            .contacts
                            .entry(number)
                            .or_insert_with(|| Self::id("2", n))
                            .clone();
                        json!({ "ContactID": id, "StatusAttributeString": "OK" })
                    })
                    .collect();
                json!({ "Contacts": out })
            }
            (method @ ("POST" | "PUT"), "/Invoices") => {
                self.writes += 1;
                let create_only = method == "PUT";
                let out: Vec<Value> = request.body.as_ref().unwrap()["Invoices"].as_array().unwrap().iter().map(|doc| {
                    let number = doc["InvoiceNumber"].as_str().unwrap().to_string();
                    let n = self.invoices.len();
                    if self.refuse.contains(&number) {
                        return json!({ "InvoiceNumber": number, "StatusAttributeString": "ERROR",
                            "ValidationErrors": [{ "Message": "Account code '999' is not a valid code for this document." }] });
                    }
                    if create_only && self.invoices.contains_key(&number) {
                        // Xero's PUT never overwrites (rule S8).
                        return json!({ "InvoiceNumber": number, "StatusAttributeString": "ERROR",
                            "ValidationErrors": [{ "Message": "Invoice # must be unique." }] });
                    }
                    if !self.invoices.contains_key(&number) {
                        self.creates += 1;
                    }
                    let stored = self.invoices.entry(number.clone()).or_insert_with(|| json!({
                        "InvoiceID": Self::id("3", n), "InvoiceNumber": number, "Type": "ACCREC", "Status": "DRAFT",
                        "Total": "12.00", "AmountDue": "12.00", "Contact": { "ContactID": doc["Contact"]["ContactID"] }
                    }));
                    let mut element = stored.clone();
                    element["StatusAttributeString"] = json!("OK");
                    element
                }).collect();
                json!({ "Invoices": out })
            }
            ("GET", "/Invoices") => {
                self.reads += 1;
                let all: Vec<Value> = self.invoices.values().cloned().collect();
                if let Some(numbers) = request.query.get("InvoiceNumbers") {
                    let wanted: Vec<&str> = numbers.split(',').collect();
                    json!({ "Invoices": all.into_iter().filter(|d| wanted.contains(&d["InvoiceNumber"].as_str().unwrap())).collect::<Vec<_>>() })
                } else if let Some(ids) = request.query.get("IDs") {
                    let wanted: Vec<&str> = ids.split(',').collect();
                    assert!(wanted.len() <= 50, "rule X1: IDs in groups of 50");
                    json!({ "Invoices": all.into_iter().filter(|d| wanted.contains(&d["InvoiceID"].as_str().unwrap())).collect::<Vec<_>>() })
                } else {
                    let page: usize = request.query["page"].parse().unwrap();
                    let size: usize = request.query["pageSize"].parse().unwrap();
                    let changed: Vec<Value> = if request.headers.contains_key("If-Modified-Since") {
                        all.into_iter()
                            .filter(|d| d.get("Changed").is_some())
                            .collect()
                    } else {
                        all
                    };
                    let count = changed.len();
                    json!({ "Invoices": changed.into_iter().skip((page - 1) * size).take(size).collect::<Vec<_>>(),
                            "pagination": { "page": page, "pageSize": size, "pageCount": count.div_ceil(size), "itemCount": count } })
                }
            }
            ("GET", "/Contacts") if request.query.contains_key("where") => {
                // Rule S3a's search: only ContactNumber terms can find anything here (the fake keeps no names).
                self.reads += 1;
                let filter = &request.query["where"];
                assert!(
                    filter.len() <= 1_600,
                    "the filter stays within the URL budget"
                );
                assert_eq!(request.query["includeArchived"], "true");
                let out: Vec<Value> = filter
                    .split(" OR ")
                    .filter_map(|t| t.strip_prefix("ContactNumber==\"")?.strip_suffix('"'))
                    .filter_map(|number| self.contacts.get(number).map(|id| (number, id)))
                    .map(|(number, id)| json!({ "ContactID": id, "ContactNumber": number, "Name": format!("Company {}", &number[3..]), "ContactStatus": "ACTIVE" }))
                    .collect();
                json!({ "Contacts": out })
            }
            ("GET", "/Contacts") => {
                self.reads += 1;
                let out: Vec<Value> = self
                    .contacts
                    .values()
                    .map(|id| {
                        json!({ "ContactID": id,
                    "Balances": { "AccountsReceivable": { "Outstanding": 24.0 } } })
                    })
                    .collect();
                json!({ "Contacts": out, "pagination": { "page": 1, "pageSize": 1000, "pageCount": 1, "itemCount": out.len() } })
            }
            ("GET", path) if path.ends_with("/OnlineInvoice") => {
                // Rule O1: the customer's link of an approved invoice.
                self.online_reads += 1;
                let id = &path["/Invoices/".len()..path.len() - "/OnlineInvoice".len()];
                json!({ "OnlineInvoices": [{ "OnlineInvoiceUrl": format!("https://in.xero.test/{id}") }] })
            }
            other => panic!("unexpected request {other:?}"),
        };
        XeroAnswer {
            request_id: request.id.clone(),
            status: 200,
            body,
            retry_after: None,
            rate_limit_problem: None,
        }
    }
}

/// Drives any run to the end through the [`Run`] trait, answering from the fake Xero.
fn drive_run<R: Run>(run: &mut R, xero: &mut FakeXero) {
    let mut now = 1_000;
    while !run.is_finished() {
        let requests = run.poll(now);
        if requests.is_empty() {
            if run.is_finished() {
                break;
            }
            now = run.next_wake().expect("a queued request").max(now);
            continue;
        }
        for request in requests {
            let answer = xero.answer(&request);
            run.handle_answer(&answer, now);
        }
        now += 10;
    }
}

/// Drives a send run to the end; `fault` may replace an answer (returns `None` for a lost one).
fn drive_send(
    run: &mut SendRun,
    xero: &mut FakeXero,
    mut fault: impl FnMut(&XeroRequest, XeroAnswer) -> Option<XeroAnswer>,
) -> u64 {
    let mut now = 1_000;
    let mut max_in_flight = 0;
    while !run.is_finished() {
        let requests = run.poll(now);
        if requests.is_empty() {
            now = run
                .next_wake()
                .expect("a queued request when nothing is in flight")
                .max(now);
            continue;
        }
        max_in_flight = max_in_flight.max(run.in_flight());
        for request in requests {
            let answer = xero.answer(&request);
            match fault(&request, answer) {
                Some(answer) => run.handle_answer(&answer, now),
                None => run.handle_lost(&request.id, "connection reset", now),
            };
        }
        now += 10;
    }
    assert!(max_in_flight <= 5, "rule X2: {max_in_flight} in flight");
    now
}

#[test]
fn send_run_writes_items_contacts_then_documents_in_batches_of_50_rules_s2_s3_x1() {
    let (invoices, ctx) = data(120, 3, 60);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let mut xero = FakeXero::default();
    let mut order = Vec::new();
    drive_send(&mut run, &mut xero, |request, answer| {
        order.push(format!("{} {}", request.method, request.path));
        if let Some(body) = &request.body {
            let n = body
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .as_array()
                .unwrap()
                .len();
            assert!(n <= 50, "rule X1: {n} records");
        }
        Some(answer)
    });
    // Rule S3a: the 60 companies' existing contacts are searched in 2 reads, not 60; new invoices are created with
    // PUT, which never overwrites a number Xero has (S8).
    assert_eq!(
        order,
        [
            "GET /Contacts",
            "GET /Contacts",
            "POST /Items",
            "POST /Contacts",
            "POST /Contacts",
            "PUT /Invoices",
            "PUT /Invoices",
            "PUT /Invoices"
        ]
    );
    let result = run.result();
    assert!(result.finished);
    assert_eq!(result.calls, 8);
    assert!(result
        .invoices
        .iter()
        .all(|r| r.changes.as_ref().is_some_and(|c| c.sent_to_accounts)));
    assert_eq!(result.companies.len(), 60);
    assert_eq!(xero.creates, 120);
}

#[test]
fn a_lost_answer_is_looked_up_before_writing_again_rule_s8() {
    let (invoices, ctx) = data(60, 2, 5);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let mut xero = FakeXero::default();
    let mut lost = 0;
    let mut lookups = 0;
    drive_send(&mut run, &mut xero, |request, answer| {
        if request.method == "GET" && request.path == "/Invoices" {
            lookups += 1;
            assert!(request.query.contains_key("InvoiceNumbers"));
        }
        // Every first invoice write is done by Xero, then its answer is lost.
        if request.path == "/Invoices" && request.method == "PUT" && lost < 2 {
            lost += 1;
            return None;
        }
        Some(answer)
    });
    let result = run.result();
    assert_eq!(lookups, 2, "one look-up per lost write");
    assert_eq!(xero.creates, 60, "exactly one Xero invoice per CRM invoice");
    assert_eq!(
        xero.writes,
        1 + 1 + 2,
        "found by look-up: not written again"
    );
    assert!(result
        .invoices
        .iter()
        .all(|r| r.outcome == crate::plan::Outcome::Sent));
}

#[test]
fn a_write_that_never_reached_xero_is_written_again_after_its_look_up_rule_s8() {
    let (invoices, ctx) = data(10, 1, 1);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let mut xero = FakeXero::default();
    let mut dropped = false;
    let mut invoice_writes = 0;
    let mut fresh = FakeXero::default();
    drive_send(&mut run, &mut xero, |request, answer| {
        if request.path == "/Invoices" && request.method == "PUT" {
            invoice_writes += 1;
            if !dropped {
                dropped = true;
                // The proxy could not reach Xero: nothing was created (answer from an empty Xero is discarded).
                let _ = fresh.answer(request);
                return Some(XeroAnswer {
                    request_id: request.id.clone(),
                    status: 502,
                    body: json!({"error": {"code": "upstream_unavailable", "message": "Xero could not be reached"}}),
                    retry_after: None,
                    rate_limit_problem: None,
                });
            }
        }
        Some(answer)
    });
    // The fake created them on the first (dropped) write too; the look-up finds them: one write only.
    assert_eq!(invoice_writes, 1);
    assert_eq!(xero.creates, 10);
    assert!(run
        .result()
        .invoices
        .iter()
        .all(|r| r.outcome == crate::plan::Outcome::Sent));
}

#[test]
fn retry_after_is_honoured_and_5xx_retried_rule_x2() {
    let (invoices, ctx) = data(10, 1, 1);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let mut xero = FakeXero::default();
    let mut faults = vec![503, 429];
    let end = drive_send(&mut run, &mut xero, |request, answer| match faults.pop() {
        Some(status) => Some(XeroAnswer {
            request_id: request.id.clone(),
            status,
            body: json!("busy"),
            retry_after: (status == 429).then(|| "30".to_string()),
            rate_limit_problem: None,
        }),
        None => Some(answer),
    });
    assert!(end >= 30_000, "waited for Retry-After: {end}");
    assert!(run.result().finished);
    assert_eq!(
        run.result().calls,
        4 + 2,
        "a contact search, items, contacts, invoices; two retries"
    );
}

#[test]
fn failing_products_stop_the_run_and_are_listed_rule_s2() {
    let (invoices, mut ctx) = data(4, 2, 1);
    ctx["products"][0]["code"] = json!("");
    ctx["products"][1]["name"] = json!("x".repeat(60));
    let run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let result = run.result();
    assert!(run.is_finished());
    assert_eq!(result.product_failures.len(), 2);
    assert!(result
        .invoices
        .iter()
        .all(|r| r.rule.as_deref() == Some("S2")));
    assert_eq!(result.calls, 0);
}

#[test]
fn a_cancelled_run_resumes_from_its_checkpoint_without_redoing_work_rule_a3() {
    let (invoices, ctx) = data(300, 4, 20);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    let mut xero = FakeXero::default();
    let mut now = 0;
    // Run until the documents are half written, leaving 5 in flight.
    loop {
        let requests = run.poll(now);
        let documents = requests.iter().any(|r| r.path == "/Invoices");
        if documents {
            // These were done by Xero, but the page was closed before their answers came.
            for request in &requests {
                xero.answer(request);
            }
            break;
        }
        for request in requests {
            let answer = xero.answer(&request);
            run.handle_answer(&answer, now);
        }
        now += 100;
    }
    let progress = run.progress(now);
    assert_eq!(
        (
            progress.stage.as_str(),
            progress.done,
            progress.total,
            progress.in_flight
        ),
        ("documents", 0, 300, 5)
    );
    assert_eq!(
        progress.calls,
        1 + 1 + 1 + 5,
        "contact search, items, contacts, 5 documents"
    );
    assert!(progress.eta_ms.is_some());
    let checkpoint = run.checkpoint(now).unwrap();
    let text = serde_json::to_string(&checkpoint).unwrap();
    let mut resumed = SendRun::resume(&serde_json::from_str(&text).unwrap(), now).unwrap();
    let writes_before = xero.writes;
    let mut gets = 0;
    drive_send(&mut resumed, &mut xero, |request, answer| {
        if request.method == "GET" && request.path == "/Invoices" {
            gets += 1;
        }
        Some(answer)
    });
    assert_eq!(
        gets, 5,
        "the writes in flight at the checkpoint are looked up (rule S8)"
    );
    assert_eq!(xero.creates, 300, "one Xero invoice per CRM invoice");
    assert_eq!(
        xero.writes - writes_before,
        6 - 5,
        "only the write never started is made"
    );
    let result = resumed.result();
    assert!(result.finished);
    assert!(result
        .invoices
        .iter()
        .all(|r| r.outcome == crate::plan::Outcome::Sent));
    assert!(resumed.progress(now).elapsed_ms >= progress.elapsed_ms);
}

#[test]
fn a_stop_reports_every_pending_invoice_with_a_reason() {
    let (invoices, ctx) = data(3, 1, 1);
    let mut run = SendRun::new(invoices, ctx, today(), SendMode::Selected, 0).unwrap();
    // The contact search and the item go out together; the proxy refuses both.
    let requests = run.poll(0);
    assert_eq!(requests.len(), 2);
    for (i, request) in requests.into_iter().enumerate() {
        let answer = XeroAnswer {
            request_id: request.id,
            status: 409,
            body: json!({"error": {"code": "reconnect_required", "message": "connect to Xero again"}}),
            retry_after: None,
            rate_limit_problem: None,
        };
        let verdict = run.handle_answer(&answer, 0);
        if i == 0 {
            assert!(matches!(verdict, Verdict::Stop { .. }));
            assert!(!run.is_finished(), "the other request is still in flight");
        }
    }
    assert!(run.is_finished());
    let result = run.result();
    assert_eq!(result.stopped.as_ref().unwrap().code, "reconnect_required");
    assert!(result.invoices.iter().all(|r| r
        .message
        .as_deref()
        .unwrap()
        .contains("connect to Xero again")));
    // Issue 12: the stop and every invoice it held back say so for a finance user, without the code.
    let stop = result
        .stopped
        .as_ref()
        .unwrap()
        .sentence
        .as_deref()
        .unwrap();
    assert_eq!(
        stop,
        "Xero ended the connection: it has to be connected again in Xero settings."
    );
    for r in &result.invoices {
        let text = r.sentence.as_deref().unwrap();
        assert!(text.starts_with("Not sent yet. Xero ended"), "{text}");
        assert_eq!(crate::sentence::unfit_for_people(text), None, "{text}");
    }
    assert!(run.checkpoint(0).is_ok());
}

fn sent(n: usize, xero: &mut FakeXero) -> Value {
    let (invoices, ctx) = data(n, 2, 10);
    let mut run = SendRun::new(invoices.clone(), ctx, today(), SendMode::Selected, 0).unwrap();
    drive_send(&mut run, xero, |_, a| Some(a));
    let mut invoices = invoices;
    for (i, result) in run.result().invoices.iter().enumerate() {
        let changes = result.changes.as_ref().unwrap();
        invoices[i]["sentToAccounts"] = json!(true);
        invoices[i]["sentToAccountsDate"] = json!(changes.sent_to_accounts_date);
        invoices[i]["xeroId"] = json!(changes.xero_id);
        invoices[i]["status"] = json!("Live");
    }
    invoices
}

fn drive_update(run: &mut UpdateRun, xero: &mut FakeXero) {
    let mut now = 0;
    while !run.is_finished() {
        let requests = run.poll(now);
        if requests.is_empty() {
            now = run.next_wake().unwrap().max(now);
            continue;
        }
        assert!(run.in_flight() <= 5);
        for request in requests {
            let answer = xero.answer(&request);
            run.handle_answer(&answer, now);
        }
    }
}

#[test]
fn update_reads_ids_in_groups_of_50_and_applies_payments_rules_u2_u3() {
    let mut xero = FakeXero::default();
    let invoices = sent(80, &mut xero);
    // A payment in Xero on one invoice, full payment on another.
    let numbers: Vec<String> = xero.invoices.keys().cloned().collect();
    xero.invoices.get_mut(&numbers[0]).unwrap()["AmountDue"] = json!("5.00");
    xero.invoices.get_mut(&numbers[0]).unwrap()["Status"] = json!("AUTHORISED");
    xero.invoices.get_mut(&numbers[1]).unwrap()["AmountDue"] = json!("0.00");
    xero.invoices.get_mut(&numbers[1]).unwrap()["Status"] = json!("PAID");
    xero.reads = 0;
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::Selected,
        since: None,
    };
    let mut run = UpdateRun::new(invoices, Value::Null, options, 0).unwrap();
    drive_update(&mut run, &mut xero);
    let result = run.result();
    assert_eq!(xero.reads, 2, "80 ids: two IDs= groups");
    let by_id = |id: &str| result.invoices.iter().find(|e| e.id == id).unwrap().clone();
    let part = by_id("inv-0");
    assert_eq!(part.outcome, UpdateOutcome::Updated);
    let link = format!(
        "https://in.xero.test/{}",
        xero.invoices[&numbers[0]]["InvoiceID"].as_str().unwrap()
    );
    assert_eq!(
        part.changes.unwrap(),
        json!({ "status": "Part Paid", "amountOutstanding": "5.00", "onlineInvoiceUrl": link }),
        "rule O1: an invoice Xero approved gets its customer link"
    );
    assert_eq!(by_id("inv-1").changes.unwrap()["status"], "Paid");
    assert_eq!(by_id("inv-2").outcome, UpdateOutcome::Unchanged);
    assert_eq!(
        xero.online_reads, 2,
        "rule O1: only the two approved invoices"
    );
    assert_eq!(
        result.companies.len(),
        10,
        "rule U3: every company learns its ContactID"
    );
}

/// Rule O1: links are read once (a stored one is not read again), at most 50 a run, and never by *Update all*.
#[test]
fn online_links_are_read_once_at_most_50_a_run_rule_o1() {
    let mut xero = FakeXero::default();
    let mut invoices = sent(60, &mut xero);
    for doc in xero.invoices.values_mut() {
        doc["Status"] = json!("AUTHORISED");
    }
    let options = |mode| UpdateOptions {
        today: Some(today()),
        mode,
        since: None,
    };
    let mut all =
        UpdateRun::new(invoices.clone(), Value::Null, options(UpdateMode::All), 0).unwrap();
    drive_update(&mut all, &mut xero);
    assert_eq!(xero.online_reads, 0, "Update all reads no links");
    let mut run = UpdateRun::new(
        invoices.clone(),
        Value::Null,
        options(UpdateMode::Selected),
        0,
    )
    .unwrap();
    drive_update(&mut run, &mut xero);
    assert_eq!(xero.online_reads, 50, "at most 50 a run");
    for (i, entry) in run.result().invoices.iter().enumerate() {
        if let Some(url) = entry
            .changes
            .as_ref()
            .and_then(|c| c.get("onlineInvoiceUrl"))
        {
            assert_eq!(entry.outcome, UpdateOutcome::Updated);
            invoices[i]["onlineInvoiceUrl"] = url.clone();
        }
    }
    let mut again =
        UpdateRun::new(invoices, Value::Null, options(UpdateMode::Selected), 0).unwrap();
    drive_update(&mut again, &mut xero);
    assert_eq!(
        xero.online_reads, 60,
        "the next run reads only the 10 still without a link"
    );
}

#[test]
fn update_all_reads_pages_then_balances_and_a_rerun_reads_only_changes_rule_a2() {
    let mut xero = FakeXero::default();
    let invoices = sent(2_500, &mut xero);
    let companies = json!((0..10)
        .map(
            |c| json!({ "id": format!("co-{c}"), "name": format!("Company {c}"),
        "xeroContactId": FakeXero::id("2", c), "balance": "0.00", "people": [] })
        )
        .collect::<Vec<_>>());
    xero.reads = 0;
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::All,
        since: None,
    };
    let mut run = UpdateRun::new(invoices.clone(), companies.clone(), options, 0).unwrap();
    drive_update(&mut run, &mut xero);
    let result = run.result();
    assert_eq!(
        xero.reads,
        3 + 1,
        "three pages of 1,000 and one page of contacts"
    );
    assert!(result
        .invoices
        .iter()
        .all(|e| e.outcome == UpdateOutcome::Unchanged));
    assert_eq!(result.companies.len(), 10);
    assert!(result
        .companies
        .iter()
        .all(|c| c.balance.as_deref() == Some("24.00")));
    // Nothing changed since: one call.
    xero.reads = 0;
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::All,
        since: Some(result.since.clone()),
    };
    let mut rerun = UpdateRun::new(invoices, companies, options, 0).unwrap();
    drive_update(&mut rerun, &mut xero);
    assert_eq!(xero.reads, 1);
    assert!(rerun.result().finished);
}

#[test]
fn an_invoice_missing_in_xero_is_reported_rule_u4() {
    let mut xero = FakeXero::default();
    let mut invoices = sent(3, &mut xero);
    invoices[2]["xeroId"] = json!("99999999-0000-4000-8000-000000000000");
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::Selected,
        since: None,
    };
    let mut run = UpdateRun::new(invoices, Value::Null, options, 0).unwrap();
    drive_update(&mut run, &mut xero);
    let result = run.result();
    assert_eq!(result.invoices[2].outcome, UpdateOutcome::NotFound);
    assert_eq!(result.invoices[2].rule.as_deref(), Some("U4"));
}

#[test]
fn the_change_feed_uses_the_update_rules_rule_b1() {
    let mut xero = FakeXero::default();
    let invoices = sent(3, &mut xero);
    let id0 = invoices[0]["xeroId"].as_str().unwrap().to_string();
    let id1 = invoices[1]["xeroId"].as_str().unwrap().to_string();
    let feed = json!({ "changes": [
        { "seq": 7, "kind": "invoice", "xeroId": id0, "source": "poll", "at": "2026-11-26T01:00:00Z",
          "record": { "InvoiceID": id0, "InvoiceNumber": "INV-00000", "Type": "ACCREC", "Status": "PAID", "Total": 12.0, "AmountDue": 0.0 } },
        { "seq": 8, "kind": "invoice", "xeroId": id1, "source": "webhook", "at": "2026-11-26T01:00:01Z" },
        { "seq": 9, "kind": "invoice", "xeroId": "other", "source": "poll", "at": "2026-11-26T01:00:02Z", "record": { "Status": "PAID" } },
    ], "cursor": 9, "more": false });
    let result = apply_change_feed(&invoices, &Value::Null, &feed, today()).unwrap();
    assert_eq!(result.invoices.len(), 1);
    assert_eq!(result.invoices[0].id, "inv-0");
    assert_eq!(
        result.invoices[0].changes.as_ref().unwrap()["status"],
        "Paid"
    );
    assert_eq!(result.to_read, [1]);
    assert_eq!(result.unmatched, 1);
    assert_eq!(result.cursor, 9);
}

/// Rules B1, B2 as one run: a record applied, a webhook entry read from Xero, then the live invoice not yet sent
/// sent by auto-send; one result for the page.
#[test]
fn the_feed_run_reads_webhook_entries_then_auto_sends_rules_b1_b2() {
    let mut xero = FakeXero::default();
    let mut invoices = sent(3, &mut xero);
    let (fresh, ctx) = data(4, 2, 10);
    let mut new_one = fresh[3].clone();
    new_one["status"] = json!("Live");
    invoices.as_array_mut().unwrap().push(new_one);
    let id0 = invoices[0]["xeroId"].as_str().unwrap().to_string();
    let id1 = invoices[1]["xeroId"].as_str().unwrap().to_string();
    xero.invoices.values_mut().for_each(|d| {
        if d["InvoiceID"] == id1.as_str() {
            d["Status"] = json!("PAID");
            d["AmountDue"] = json!("0.00");
        }
    });
    let feed = json!({ "changes": [
        { "seq": 1, "kind": "invoice", "xeroId": id0, "source": "poll", "at": "2026-11-26T01:00:00Z",
          "record": { "InvoiceID": id0, "InvoiceNumber": "INV-00000", "Type": "ACCREC", "Status": "PAID", "Total": 12.0, "AmountDue": 0.0 } },
        { "seq": 2, "kind": "invoice", "xeroId": id1, "source": "webhook", "at": "2026-11-26T01:00:01Z" },
    ], "cursor": 2, "more": false });
    let options = FeedOptions {
        invoices: invoices.clone(),
        companies: Value::Null,
        ctx,
        auto_send: true,
        refusals: Refusals::default(),
        today: today(),
        after: 0,
    };
    let mut run = FeedRun::new(&feed, options, 0).unwrap();
    drive_run(&mut run, &mut xero);
    let result = run.result();
    let status = |id: &str| {
        result["invoices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["changes"]["status"].clone())
    };
    assert_eq!(
        status("inv-0"),
        Some(json!("Paid")),
        "B1 from the record: {result}"
    );
    assert_eq!(
        status("inv-1"),
        Some(json!("Paid")),
        "B1 read from Xero: {result}"
    );
    let sent: Vec<&str> = result["sent"]["invoices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "sent")
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        sent,
        ["inv-3"],
        "B2: only the live invoice not yet sent: {result}"
    );
    assert!(result["refusals"].is_object());
    assert_eq!(result["cursor"], 2);
    assert_eq!(result["finished"], true);
}

/// Rule B1: a poll whose reads did not finish (cancelled here) does not move the cursor past them: the next pull
/// reads those changes again; the entries applied from records are still given.
#[test]
fn an_unfinished_feed_poll_keeps_its_cursor_rule_b1() {
    let mut xero = FakeXero::default();
    let invoices = sent(2, &mut xero);
    let id1 = invoices[1]["xeroId"].as_str().unwrap().to_string();
    let feed = json!({ "changes": [
        { "seq": 41, "kind": "invoice", "xeroId": id1, "source": "webhook", "at": "2026-11-26T01:00:01Z" },
    ], "cursor": 41, "more": false });
    let options = FeedOptions {
        invoices,
        companies: Value::Null,
        ctx: Value::Null,
        auto_send: false,
        refusals: Refusals::default(),
        today: today(),
        after: 40,
    };
    let mut run = FeedRun::new(&feed, options, 0).unwrap();
    let first = run.poll(1_000);
    assert_eq!(first.len(), 1, "the webhook entry is read");
    // Cancelled before the answer: the page gets the cursor it read after, and the entry as pending.
    let result = run.result();
    assert_eq!(result["cursor"], 40);
    assert_eq!(result["finished"], false);
    assert_eq!(result["invoices"][0]["outcome"], "pending");
    // A malformed ctx for auto-send never fails the feed itself.
    let options = FeedOptions {
        invoices: json!([]),
        companies: Value::Null,
        ctx: json!("not a ctx"),
        auto_send: true,
        refusals: Refusals::default(),
        today: today(),
        after: 0,
    };
    let run = FeedRun::new(
        &json!({ "changes": [], "cursor": 0, "more": false }),
        options,
        0,
    )
    .unwrap();
    assert_eq!(run.result()["sendError"]["code"], "invalid_options");
}

#[test]
fn the_change_feed_never_reopens_a_paid_or_cancelled_invoice_rules_b1_u1() {
    let mut xero = FakeXero::default();
    let mut invoices = sent(2, &mut xero);
    invoices[0]["status"] = json!("Paid");
    invoices[0]["amountOutstanding"] = json!("0.00");
    invoices[1]["status"] = json!("Cancelled");
    let record = |id: &str| json!({ "InvoiceID": id, "Type": "ACCREC", "Status": "AUTHORISED", "Total": 12.0, "AmountDue": 12.0 });
    let ids: Vec<String> = (0..2)
        .map(|i| invoices[i]["xeroId"].as_str().unwrap().to_string())
        .collect();
    let feed = json!({ "changes": [
        { "seq": 1, "kind": "invoice", "xeroId": ids[0], "source": "poll", "at": "2026-11-26T01:00:00Z", "record": record(&ids[0]) },
        { "seq": 2, "kind": "invoice", "xeroId": ids[1], "source": "webhook", "at": "2026-11-26T01:00:01Z" },
    ], "cursor": 2, "more": false });
    let result = apply_change_feed(&invoices, &Value::Null, &feed, today()).unwrap();
    let summary: Vec<(&str, UpdateOutcome, Option<&str>, bool)> = result
        .invoices
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.outcome,
                e.rule.as_deref(),
                e.changes.is_some(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("inv-0", UpdateOutcome::Skipped, Some("U1"), false),
            ("inv-1", UpdateOutcome::Skipped, Some("U1"), false)
        ]
    );
    assert!(
        result.to_read.is_empty(),
        "nothing to read for a closed invoice"
    );
}

#[test]
fn a_crm_reference_that_is_no_xero_id_is_read_by_number_and_reported_rule_u4() {
    let mut xero = FakeXero::default();
    let mut invoices = sent(3, &mut xero);
    invoices[1]["xeroId"] = json!("legacy-17");
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::Selected,
        since: None,
    };
    let mut run = UpdateRun::new(invoices, Value::Null, options, 0).unwrap();
    let mut queries = Vec::new();
    let mut now = 0;
    while !run.is_finished() {
        for request in run.poll(now) {
            queries.push(request.query.clone());
            let answer = xero.answer(&request);
            run.handle_answer(&answer, now);
        }
        now += 1;
    }
    assert_eq!(queries.len(), 2);
    assert!(queries
        .iter()
        .any(|q| q.get("InvoiceNumbers").map(String::as_str) == Some("INV-00001")));
    let result = run.result();
    assert_eq!(
        result.invoices[1].outcome,
        UpdateOutcome::Discrepancy,
        "{:?}",
        result.invoices[1]
    );
    assert!(result.invoices[1].discrepancies[0].contains("legacy-17"));
    assert_eq!(result.invoices[0].outcome, UpdateOutcome::Unchanged);
}

#[test]
fn a_refused_read_fails_only_its_own_invoices() {
    let mut xero = FakeXero::default();
    let invoices = sent(60, &mut xero);
    let options = UpdateOptions {
        today: Some(today()),
        mode: UpdateMode::Selected,
        since: None,
    };
    let mut run = UpdateRun::new(invoices, Value::Null, options, 0).unwrap();
    let requests = run.poll(0);
    assert_eq!(requests.len(), 2, "60 ids: groups of 50 and 10");
    let refused = XeroAnswer {
        request_id: requests[1].id.clone(),
        status: 400,
        body: json!({"error": {"code": "relay_refused", "message": "no"}}),
        retry_after: None,
        rate_limit_problem: None,
    };
    run.handle_answer(&refused, 0);
    let answer = xero.answer(&requests[0]);
    run.handle_answer(&answer, 0);
    assert!(run.is_finished());
    let result = run.result();
    let failed = result
        .invoices
        .iter()
        .filter(|e| e.outcome == UpdateOutcome::Failed)
        .count();
    let unchanged = result
        .invoices
        .iter()
        .filter(|e| e.outcome == UpdateOutcome::Unchanged)
        .count();
    assert_eq!((failed, unchanged), (10, 50));
}

/// Rule B2: ten minutes of auto-send (a feed poll every 5 s) with 5 invoices Xero refuses: the calls are spent on
/// the first poll and never again, until a refused invoice changes.
#[test]
fn refused_invoices_do_not_spend_calls_on_every_poll_rule_b2() {
    let (invoices, ctx) = data(20, 2, 4);
    let mut invoices = invoices.as_array().unwrap().clone();
    let mut xero = FakeXero {
        refuse: (0..5).map(|i| format!("INV-{i:05}")).collect(),
        ..FakeXero::default()
    };
    let mut refusals = Refusals::default();
    let mut calls_per_poll = Vec::new();
    // One poll of the feed (nothing new in it) with auto-send on: the core's FeedRun decides what is sent.
    let poll = |invoices: &mut Vec<Value>, xero: &mut FakeXero, refusals: &mut Refusals| {
        let feed = json!({ "changes": [], "cursor": 0, "more": false });
        let options = FeedOptions {
            invoices: Value::Array(invoices.clone()),
            companies: Value::Null,
            ctx: ctx.clone(),
            auto_send: true,
            refusals: refusals.clone(),
            today: today(),
            after: 0,
        };
        let mut run = FeedRun::new(&feed, options, 0).unwrap();
        drive_run(&mut run, xero);
        *refusals = run.refusals().clone();
        let result = run.result();
        let Some(sent) = result.get("sent").filter(|s| !s.is_null()) else {
            return 0;
        };
        for r in sent["invoices"].as_array().unwrap() {
            if let Some(changes) = r.get("changes").filter(|c| c.is_object()) {
                let invoice = invoices.iter_mut().find(|i| i["id"] == r["id"]).unwrap();
                invoice["sentToAccounts"] = changes["sentToAccounts"].clone();
                invoice["xeroId"] = changes["xeroId"].clone();
            }
        }
        sent["calls"].as_u64().unwrap()
    };
    for _ in 0..120 {
        calls_per_poll.push(poll(&mut invoices, &mut xero, &mut refusals));
    }
    assert!(calls_per_poll[0] > 0);
    assert_eq!(
        calls_per_poll[1..].iter().sum::<u64>(),
        0,
        "{calls_per_poll:?}"
    );
    assert_eq!(refusals.0.len(), 5);
    // The person fixes one invoice (its reference here): it is tried again on the next poll, once.
    invoices[2]["reference"] = json!("PO 7");
    xero.refuse.retain(|n| n != "INV-00002");
    assert!(poll(&mut invoices, &mut xero, &mut refusals) > 0);
    assert_eq!(refusals.0.len(), 4);
    assert_eq!(poll(&mut invoices, &mut xero, &mut refusals), 0);
    // A change of the mapping (a tax rate) makes every refused invoice worth trying again.
    let mut remapped = ctx.clone();
    remapped["taxRates"][0]["xeroTaxType"] = json!("OUTPUT");
    assert_eq!(
        auto_send_selection(&Value::Array(invoices.clone()), &[], &remapped, &refusals).len(),
        4
    );
}
