//! The send plan against an organisation that already holds customers and invoices (rules S3a, S8, S10): a small
//! Xero that answers reads from fixed records and writes as `summarizeErrors=false` does.

use crate::assert_valid_body;
use serde_json::{json, Value};
use xerosync_core::plan::{Outcome, SendPlan, XeroAnswer, XeroRequest};
use xerosync_core::{IsoDate, SendMode};

const ACME: &str = "c0000000-0000-4000-8000-00000000ac3e";
const ACME_OLD: &str = "c0000000-0000-4000-8000-0000000000a1";
const BETA: &str = "c0000000-0000-4000-8000-00000000be7a";

fn ctx() -> Value {
    json!({
        "companies": [
            { "id": "co-1", "name": "Acme  Ltd", "people": [{ "id": "p-1", "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.test", "primary": true }],
              "phone": "+44 113 496 0000" },
            { "id": "co-2", "name": "Beta LLP", "people": [] },
            { "id": "co-3", "name": "Gamma plc", "people": [] }
        ],
        "products": [{ "id": "pr-1", "code": "W", "name": "Widget", "unitPrice": "10.00", "taxRateId": "vat20" }],
        "taxRates": [{ "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" }],
        "settings": { "defaultSalesAccountCode": "200" }
    })
}

fn invoice(id: &str, company: &str) -> Value {
    json!({ "id": id, "number": id.to_uppercase(), "companyId": company, "issueDate": "2026-11-01", "currency": "GBP",
        "status": "Live", "total": "12.00", "amountOutstanding": "12.00",
        "lines": [{ "productId": "pr-1", "description": "Widget", "quantity": "1", "listPrice": "10.00", "taxRateId": "vat20" }] })
}

/// Xero's records: Acme twice by name (one archived) is not the case here; Acme once, active; Beta's name twice.
fn contacts() -> Vec<Value> {
    vec![
        json!({ "ContactID": ACME, "Name": "ACME LTD", "ContactStatus": "ACTIVE", "Balances": { "AccountsReceivable": { "Outstanding": 120.5 } } }),
        json!({ "ContactID": ACME_OLD, "Name": "Acme (old ledger)", "ContactStatus": "ARCHIVED" }),
        json!({ "ContactID": BETA, "Name": "Beta LLP", "ContactStatus": "ACTIVE", "EmailAddress": "accounts@beta.test" }),
        json!({ "ContactID": "c0000000-0000-4000-8000-0000000be7a2", "Name": "beta llp", "ContactStatus": "ARCHIVED" }),
    ]
}

/// A small Xero: `documents` are the invoices it already has.
struct Xero {
    documents: Vec<Value>,
    made: Vec<XeroRequest>,
}

impl Xero {
    fn answer(&mut self, request: &XeroRequest) -> XeroAnswer {
        self.made.push(request.clone());
        let key = request
            .path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let body = match request.method.as_str() {
            "GET" if key == "Contacts" => {
                // Xero filters by the `where` terms; the plan must not depend on more than that.
                let filter = request.query["where"].to_lowercase();
                let found: Vec<Value> = contacts()
                    .into_iter()
                    .filter(|c| {
                        filter.contains(&format!(
                            "name==\"{}\"",
                            c["Name"].as_str().unwrap().to_lowercase()
                        ))
                    })
                    .collect();
                json!({ "Contacts": found })
            }
            "GET" => {
                let wanted = |d: &Value| {
                    request
                        .query
                        .get("IDs")
                        .is_some_and(|ids| ids.contains(d["InvoiceID"].as_str().unwrap()))
                        || request
                            .query
                            .get("InvoiceNumbers")
                            .is_some_and(|n| n.split(',').any(|n| n == d["InvoiceNumber"]))
                };
                json!({ "Invoices": self.documents.iter().filter(|d| wanted(d)).cloned().collect::<Vec<_>>() })
            }
            method => {
                assert_valid_body(&key, request.body.as_ref().unwrap(), &request.id);
                let id_field = match key.as_str() {
                    "Items" => "ItemID",
                    "Contacts" => "ContactID",
                    "CreditNotes" => "CreditNoteID",
                    _ => "InvoiceID",
                };
                let elements: Vec<Value> = request.body.as_ref().unwrap()[&key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(i, record)| {
                        let mut out = record.clone();
                        let taken = method == "PUT"
                            && self
                                .documents
                                .iter()
                                .any(|d| d["InvoiceNumber"] == record["InvoiceNumber"]);
                        if taken {
                            out["StatusAttributeString"] = json!("ERROR");
                            out["ValidationErrors"] =
                                json!([{ "Message": "Invoice # must be unique." }]);
                        } else {
                            if out.get(id_field).is_none() {
                                out[id_field] =
                                    json!(format!("00000000-0000-4000-8000-{:012}", i + 1));
                            }
                            out["StatusAttributeString"] = json!("OK");
                        }
                        out
                    })
                    .collect();
                json!({ key.clone(): elements })
            }
        };
        XeroAnswer {
            request_id: request.id.clone(),
            status: 200,
            body,
            retry_after: None,
            rate_limit_problem: None,
        }
    }

    fn run(&mut self, plan: &mut SendPlan) {
        while !plan.finished {
            let requests = plan.requests.clone();
            assert!(!requests.is_empty(), "an unfinished plan has requests");
            for request in requests {
                let answer = self.answer(&request);
                plan.apply_answer(&answer).unwrap();
            }
        }
    }

    fn writes(&self, path: &str) -> Vec<Value> {
        self.made
            .iter()
            .filter(|r| r.method != "GET" && r.path == path)
            .flat_map(|r| {
                r.body.as_ref().unwrap()[path.trim_start_matches('/')]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .collect()
    }
}

fn today() -> IsoDate {
    IsoDate::parse("2026-11-20").unwrap()
}

#[test]
fn existing_customers_are_linked_or_left_to_a_person_rule_s3a() {
    let invoices = json!([
        invoice("inv-1", "co-1"),
        invoice("inv-2", "co-2"),
        invoice("inv-3", "co-3")
    ]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let mut xero = Xero {
        documents: vec![],
        made: vec![],
    };
    xero.run(&mut plan);
    let reads = xero.made.iter().filter(|r| r.method == "GET").count();
    assert_eq!(reads, 1, "three companies, one search");
    // Acme is linked (its contact updated, with what the CRM knows, S3b); Gamma is new; Beta is stopped.
    let written = xero.writes("/Contacts");
    assert_eq!(written.len(), 2);
    assert_eq!(written[0]["ContactID"], ACME);
    assert_eq!(written[0]["Name"], "Acme  Ltd".trim());
    assert_eq!(written[0]["Phones"][0]["PhoneNumber"], "+44 113 496 0000");
    assert!(written[1].get("ContactID").is_none());
    assert_eq!(written[1]["Name"], "Gamma plc");
    let outcomes: Vec<(Outcome, Option<&str>)> = plan
        .invoices
        .iter()
        .map(|r| (r.outcome, r.rule.as_deref()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Outcome::Sent, None),
            (Outcome::Failed, Some("S3a")),
            (Outcome::Sent, None)
        ]
    );
    assert_eq!(xero.writes("/Invoices").len(), 2, "nothing sent for Beta");
    let beta = plan.companies.iter().find(|c| c.id == "co-2").unwrap();
    let report = beta.contact_match.as_ref().unwrap();
    let candidates: Vec<(&str, bool)> = report
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.archived))
        .collect();
    assert_eq!(candidates, [("Beta LLP", false), ("beta llp", true)]);
    assert_eq!(
        report.candidates[0].email.as_deref(),
        Some("accounts@beta.test")
    );
    assert!(plan.invoices[1]
        .message
        .as_deref()
        .unwrap()
        .contains("several contacts fit"));
    // Rule L1a: the stop is in the log as a refusal; the link as a success.
    assert!(plan
        .log
        .iter()
        .any(|e| e.crm_id == "co-2" && e.outcome == "refused"));
    assert!(plan.log.iter().any(|e| e.crm_id == "co-1"
        && e.xero_id.as_deref() == Some(ACME)
        && e.message.contains("by name")));
}

#[test]
fn a_person_s_choice_is_kept_rule_s3a() {
    let mut ctx = ctx();
    ctx["companies"][1]["xeroContactId"] = json!(BETA); // picked
    ctx["companies"][2]["createXeroContact"] = json!(true); // create new, without searching
    ctx["companies"][0]["xeroContactId"] = json!(ACME);
    let invoices = json!([
        invoice("inv-2", "co-2"),
        invoice("inv-3", "co-3"),
        invoice("inv-1", "co-1")
    ]);
    let mut plan = SendPlan::new(invoices, ctx, today(), SendMode::Selected).unwrap();
    let mut xero = Xero {
        documents: vec![],
        made: vec![],
    };
    xero.run(&mut plan);
    assert!(
        xero.made.iter().all(|r| r.method != "GET"),
        "nothing left to search"
    );
    assert!(plan.invoices.iter().all(|r| r.outcome == Outcome::Sent));
}

fn in_xero(id: &str, number: &str, status: &str, paid: f64, contact: Value, total: f64) -> Value {
    json!({ "InvoiceID": id, "InvoiceNumber": number, "Type": "ACCREC", "Status": status, "Total": total,
            "AmountPaid": paid, "AmountCredited": 0, "AmountDue": total - paid, "Contact": contact })
}

#[test]
fn cancelled_invoices_are_deleted_voided_or_left_alone_rule_s10() {
    let ids = [
        "a0000000-0000-4000-8000-000000000001",
        "a0000000-0000-4000-8000-000000000002",
        "a0000000-0000-4000-8000-000000000003",
        "a0000000-0000-4000-8000-000000000004",
    ];
    let statuses = [
        ("DRAFT", 0.0),
        ("AUTHORISED", 0.0),
        ("AUTHORISED", 5.0),
        ("VOIDED", 0.0),
    ];
    let mut invoices = Vec::new();
    let mut documents = Vec::new();
    for (i, (id, (status, paid))) in ids.iter().zip(statuses).enumerate() {
        let mut inv = invoice(&format!("inv-c{i}"), "co-1");
        inv["status"] = json!("Cancelled");
        inv["xeroId"] = json!(id);
        invoices.push(inv);
        documents.push(in_xero(
            id,
            &format!("INV-C{i}"),
            status,
            paid,
            json!({ "ContactID": ACME }),
            12.0,
        ));
    }
    let mut ctx = ctx();
    ctx["companies"][0]["xeroContactId"] = json!(ACME);
    let mut plan = SendPlan::new(Value::Array(invoices), ctx, today(), SendMode::Selected).unwrap();
    let mut xero = Xero {
        documents,
        made: vec![],
    };
    xero.run(&mut plan);
    // One read of the four, then one write of the two that can go, with their id and new status only.
    let paths: Vec<String> = xero
        .made
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(paths, ["GET /Invoices", "POST /Invoices"]);
    assert_eq!(
        xero.writes("/Invoices"),
        [
            json!({ "InvoiceID": ids[0], "Status": "DELETED" }),
            json!({ "InvoiceID": ids[1], "Status": "VOIDED" })
        ]
    );
    let outcomes: Vec<(Outcome, Option<&str>)> = plan
        .invoices
        .iter()
        .map(|r| (r.outcome, r.rule.as_deref()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Outcome::Sent, Some("S10")),
            (Outcome::Sent, Some("S10")),
            (Outcome::Failed, Some("S10")),
            (Outcome::Sent, Some("S10"))
        ]
    );
    assert_eq!(
        plan.invoices[1].message.as_deref(),
        Some("VOIDED in Xero (rule S10)")
    );
    assert!(
        plan.invoices[2]
            .message
            .as_deref()
            .unwrap()
            .contains("payments of 5.00"),
        "{:?}",
        plan.invoices[2].message
    );
    assert_eq!(
        plan.invoices[3].message.as_deref(),
        Some("already VOIDED in Xero (rule S10)")
    );
    assert!(
        plan.invoices.iter().all(|r| r.changes.is_none()),
        "the CRM keeps its own Cancelled status"
    );
}

#[test]
fn a_number_xero_already_has_is_linked_or_reported_never_overwritten_rule_s8() {
    let mut ctx = ctx();
    ctx["companies"][0]["xeroContactId"] = json!(ACME);
    let same = "b0000000-0000-4000-8000-000000000001";
    let other = "b0000000-0000-4000-8000-000000000002";
    let documents = vec![
        in_xero(
            same,
            "INV-1",
            "AUTHORISED",
            0.0,
            json!({ "ContactID": ACME, "Name": "ACME LTD" }),
            12.0,
        ),
        in_xero(
            other,
            "INV-2",
            "AUTHORISED",
            0.0,
            json!({ "ContactID": BETA, "Name": "Beta LLP" }),
            99.0,
        ),
    ];
    let invoices = json!([
        invoice("inv-1", "co-1"),
        invoice("inv-2", "co-1"),
        invoice("inv-3", "co-1")
    ]);
    let mut plan = SendPlan::new(invoices, ctx, today(), SendMode::Selected).unwrap();
    let mut xero = Xero {
        documents,
        made: vec![],
    };
    xero.run(&mut plan);
    let paths: Vec<String> = xero
        .made
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /Items",
            "POST /Contacts",
            "PUT /Invoices",
            "GET /Invoices"
        ]
    );
    assert_eq!(
        xero.made[3].query["InvoiceNumbers"], "INV-1,INV-2",
        "only the refused numbers are read"
    );
    assert!(
        xero.made
            .iter()
            .all(|r| r.method != "POST" || r.path != "/Invoices"),
        "nothing overwritten"
    );
    let results: Vec<(Outcome, Option<&str>, Option<&str>)> = plan
        .invoices
        .iter()
        .map(|r| {
            (
                r.outcome,
                r.rule.as_deref(),
                r.changes.as_ref().map(|c| c.xero_id.as_str()),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (Outcome::Sent, Some("S8"), Some(same)),
            (Outcome::Failed, Some("S8"), None),
            (
                Outcome::Sent,
                None,
                Some("00000000-0000-4000-8000-000000000003")
            )
        ]
    );
    let message = plan.invoices[1].message.as_deref().unwrap();
    assert!(
        message.contains("Xero already has INV-2")
            && message.contains("Beta LLP")
            && message.contains("99.00"),
        "{message}"
    );
}

#[test]
fn an_approved_invoice_is_edited_in_place_or_amended_by_a_credit_note_chain_rule_s11() {
    let mut ctx = ctx();
    ctx["companies"][0]["xeroContactId"] = json!(ACME);
    let ids = [
        "d0000000-0000-4000-8000-000000000001",
        "d0000000-0000-4000-8000-000000000002",
        "d0000000-0000-4000-8000-000000000003",
    ];
    // inv-a: approved, unpaid (edited in place); inv-b: 50 paid, the CRM lowered it to 12.00 from 36.00 (a credit
    // note for 24.00); inv-c: 6 paid, the CRM raised it to 12.00 from 10.00 (a further invoice for 2.00).
    let documents = vec![
        in_xero(
            ids[0],
            "INV-A",
            "AUTHORISED",
            0.0,
            json!({ "ContactID": ACME }),
            10.0,
        ),
        in_xero(
            ids[1],
            "INV-B",
            "AUTHORISED",
            5.0,
            json!({ "ContactID": ACME }),
            36.0,
        ),
        in_xero(
            ids[2],
            "INV-C",
            "AUTHORISED",
            6.0,
            json!({ "ContactID": ACME }),
            10.0,
        ),
    ];
    let invoices: Vec<Value> = ["inv-a", "inv-b", "inv-c"]
        .iter()
        .zip(ids)
        .map(|(id, xero_id)| {
            let mut inv = invoice(id, "co-1");
            inv["xeroId"] = json!(xero_id);
            inv
        })
        .collect();
    let mut plan = SendPlan::new(
        Value::Array(invoices.clone()),
        ctx.clone(),
        today(),
        SendMode::Selected,
    )
    .unwrap();
    let mut xero = Xero {
        documents: documents.clone(),
        made: vec![],
    };
    xero.run(&mut plan);
    let updates: Vec<Value> = xero
        .made
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/Invoices")
        .flat_map(|r| {
            r.body.as_ref().unwrap()["Invoices"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(updates.len(), 1, "only the unpaid one is edited in place");
    assert_eq!(updates[0]["InvoiceID"], ids[0]);
    let credit = xero.writes("/CreditNotes");
    assert_eq!(credit.len(), 1);
    assert_eq!(
        (
            credit[0]["Type"].as_str(),
            credit[0]["CreditNoteNumber"].as_str(),
            credit[0]["Reference"].as_str(),
            credit[0]["Status"].as_str()
        ),
        (
            Some("ACCRECCREDIT"),
            Some("INV-B-A1"),
            Some("Amends INV-B"),
            Some("DRAFT")
        )
    );
    assert_eq!(credit[0]["LineItems"][0]["UnitAmount"], json!(24));
    assert_eq!(credit[0]["LineAmountTypes"], "Inclusive");
    let further: Vec<Value> = xero
        .made
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/Invoices")
        .flat_map(|r| {
            r.body.as_ref().unwrap()["Invoices"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(further.len(), 1);
    assert_eq!(
        (
            further[0]["InvoiceNumber"].as_str(),
            further[0]["LineItems"][0]["UnitAmount"].as_f64()
        ),
        (Some("INV-C-A1"), Some(2.0))
    );
    let results: Vec<(Outcome, Option<&str>)> = plan
        .invoices
        .iter()
        .map(|r| (r.outcome, r.rule.as_deref()))
        .collect();
    assert_eq!(
        results,
        [
            (Outcome::Sent, None),
            (Outcome::Sent, Some("S11")),
            (Outcome::Sent, Some("S11"))
        ]
    );
    let chain = plan.invoices[1].amendment.clone().unwrap();
    assert_eq!(
        (chain.number.as_str(), chain.amount.to_string().as_str()),
        ("INV-B-A1", "24.00")
    );
    // The chain stored on the CRM invoice: sending again amends nothing more.
    let mut stored = invoices.clone();
    stored[1]["amendments"] = json!([serde_json::to_value(&chain).unwrap()]);
    stored[2]["amendments"] =
        json!([serde_json::to_value(plan.invoices[2].amendment.clone().unwrap()).unwrap()]);
    let mut again = SendPlan::new(
        Value::Array(stored[1..].to_vec()),
        ctx,
        today(),
        SendMode::Selected,
    )
    .unwrap();
    let mut xero = Xero {
        documents,
        made: vec![],
    };
    xero.run(&mut again);
    assert!(xero
        .made
        .iter()
        .all(|r| r.path != "/CreditNotes" && !(r.path == "/Invoices" && r.method != "GET")));
    assert!(again
        .invoices
        .iter()
        .all(|r| r.outcome == Outcome::Skipped && r.rule.as_deref() == Some("S11")));
}
