//! The send plan driven end to end against a fake Xero that answers like `summarizeErrors=false` does.

use crate::assert_valid_body;
use serde_json::{json, Value};
use xerosync_core::plan::{Outcome, SendPlan, Stage, XeroAnswer, XeroRequest};
use xerosync_core::{api, IsoDate, SendMode};

fn ctx() -> Value {
    json!({
        "companies": [
            { "id": "co-1", "name": "Acme Ltd", "accountNumber": "ACME01", "people": [
                { "id": "p-1", "firstName": "Ann", "lastName": "Lee", "email": "ann@acme.test", "primary": true },
                { "id": "p-2", "firstName": "Bob", "lastName": "Ray", "email": "bob@acme.test" } ] },
            { "id": "co-2", "name": "Beta LLP", "xeroContactId": "7f1c1f0e-5e0a-4a57-9d55-1f0c6d2a0b11", "people": [] }
        ],
        "products": [
            { "id": "pr-1", "code": "WIDGET-B", "name": "Widget", "unitPrice": "30.00", "taxRateId": "vat20", "salesAccountCode": "200" },
            { "id": "pr-2", "code": "GADGET", "name": "Gadget", "unitPrice": "12.3456", "taxRateId": "vat20" },
            { "id": "pr-long", "code": "THIS-CODE-IS-FAR-TOO-LONG-FOR-XERO", "name": "Long", "unitPrice": "1.00" },
            { "id": "pr-neg", "code": "NEG", "name": "Negative", "unitPrice": "-1.00" }
        ],
        "taxRates": [
            { "id": "vat20", "name": "VAT 20%", "percent": "20", "xeroTaxType": "OUTPUT2" },
            { "id": "vat5", "name": "VAT 5%", "percent": "5" }
        ],
        "settings": { "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto" }
    })
}

fn invoice(id: &str, company: &str, person: Option<&str>, product: &str) -> Value {
    let mut inv = json!({
        "id": id, "kind": "invoice", "number": id.to_uppercase(), "companyId": company, "issueDate": "2026-11-01",
        "dueDate": "2026-12-01", "currency": "GBP", "amountsAre": "exclusive", "status": "Created",
        "lines": [{ "productId": product, "description": "Thing", "quantity": "2", "listPrice": "30.00", "taxRateId": "vat20" }],
        "total": "72.00", "amountOutstanding": "72.00"
    });
    if let Some(p) = person {
        inv["personId"] = json!(p);
    }
    inv
}

fn today() -> IsoDate {
    IsoDate::parse("2026-11-20").unwrap()
}

/// Xero's id for the n-th record it has seen.
fn uuid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// Answers a write request as Xero does with `summarizeErrors=false`: every record echoed with its new id, or an
/// error element for the records `reject` picks.
fn xero_answer(
    request: &XeroRequest,
    counter: &mut usize,
    reject: &dyn Fn(&Value) -> Option<&'static str>,
) -> XeroAnswer {
    if request.method == "GET" {
        return empty_read(request);
    }
    let key = request.path.trim_start_matches('/').to_string();
    let id_field = match key.as_str() {
        "Items" => "ItemID",
        "Contacts" => "ContactID",
        "Invoices" => "InvoiceID",
        _ => "CreditNoteID",
    };
    let records = request.body.as_ref().unwrap()[&key]
        .as_array()
        .unwrap()
        .clone();
    let elements: Vec<Value> = records
        .into_iter()
        .map(|mut record| {
            if let Some(message) = reject(&record) {
                record["StatusAttributeString"] = json!("ERROR");
                record["ValidationErrors"] = json!([{ "Message": message }]);
                return record;
            }
            *counter += 1;
            if record.get(id_field).is_none() {
                record[id_field] = json!(uuid(*counter));
            }
            record["StatusAttributeString"] = json!("OK");
            record
        })
        .collect();
    let body = json!({ "Id": "x", "Status": "OK", key: elements });
    XeroAnswer {
        request_id: request.id.clone(),
        status: 200,
        body: Value::String(body.to_string()),
        retry_after: None,
        rate_limit_problem: None,
    }
}

fn validate_request(request: &XeroRequest) {
    let key = request.path.trim_start_matches('/');
    let body = request.body.as_ref().unwrap();
    assert_valid_body(key, body, &request.id);
    assert_eq!(request.query["summarizeErrors"], "false", "rule X1");
    assert!(request.headers["Idempotency-Key"].len() <= 128);
    // Rule S8: new documents are created with PUT (never overwriting a number Xero has); everything else is POST.
    let id_field = if key == "CreditNotes" {
        "CreditNoteID"
    } else {
        "InvoiceID"
    };
    let new_documents = matches!(key, "Invoices" | "CreditNotes")
        && body[key]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d.get(id_field).is_none());
    assert_eq!(
        request.method,
        if new_documents { "PUT" } else { "POST" },
        "{}",
        request.id
    );
}

/// The answer of an empty Xero to a read the plan makes before writing (rules S3a, S10): nothing found.
fn empty_read(request: &XeroRequest) -> XeroAnswer {
    let key = request
        .path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap();
    if key == "Contacts" {
        assert_eq!(request.query["includeArchived"], "true");
    }
    XeroAnswer {
        request_id: request.id.clone(),
        status: 200,
        body: json!({ key: [] }),
        retry_after: None,
        rate_limit_problem: None,
    }
}

/// Runs a plan to its end, returning every write request made (its reads, against an empty Xero, are answered
/// and left out).
fn run(plan: &mut SendPlan, reject: &dyn Fn(&Value) -> Option<&'static str>) -> Vec<XeroRequest> {
    let mut made = Vec::new();
    let mut counter = 0;
    while !plan.finished {
        let requests = plan.requests.clone();
        assert!(!requests.is_empty(), "an unfinished plan has requests");
        for request in requests {
            if request.method == "GET" {
                plan.apply_answer(&empty_read(&request)).unwrap();
                continue;
            }
            validate_request(&request);
            plan.apply_answer(&xero_answer(&request, &mut counter, reject))
                .unwrap();
            made.push(request);
        }
    }
    made
}

/// Issue 12: every result that is not a plain send, every failed company and product, has a sentence for a finance
/// user without rule codes, record ids or GUIDs.
fn assert_sentences(plan: &SendPlan) {
    let check = |what: &str, sentence: Option<&str>| {
        let text = sentence.unwrap_or_else(|| panic!("{what} has no sentence"));
        if let Some(why) = xerosync_core::sentence::unfit_for_people(text) {
            panic!("{what}: {text:?} is not for people: {why}");
        }
    };
    for result in &plan.invoices {
        if result.outcome != Outcome::Sent || result.rule.is_some() {
            check(&result.id, result.sentence.as_deref());
        }
    }
    for company in plan
        .companies
        .iter()
        .filter(|c| c.outcome == Outcome::Failed)
    {
        check(&company.id, company.sentence.as_deref());
    }
    for product in &plan.product_failures {
        check(&product.id, product.sentence.as_deref());
    }
}

fn no_errors(_: &Value) -> Option<&'static str> {
    None
}

#[test]
fn items_then_contacts_then_documents_rules_s2_s3_s4_s9() {
    let mut credit = invoice("cn-1", "co-2", None, "pr-2");
    credit["kind"] = json!("creditNote");
    credit["lines"][0]["discount"] = json!({ "amount": "1.00" });
    credit["total"] = json!("70.80");
    credit["amountOutstanding"] = json!("70.80");
    let invoices = json!([
        invoice("inv-1", "co-1", Some("p-1"), "pr-1"),
        invoice("inv-2", "co-1", Some("p-2"), "pr-2"),
        credit
    ]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    // Rule S3a: co-1 has no ContactID, so Xero's contacts are searched first, in one read; the items (rule S2)
    // depend on no read and go with it.
    assert_eq!(plan.stage, Stage::Reads);
    let first: Vec<&str> = plan.requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(first, ["/Contacts", "/Items"]);
    assert_eq!(
        plan.requests[0].query["where"],
        r#"ContactNumber=="co-1" OR AccountNumber=="ACME01" OR Name=="Acme Ltd" OR EmailAddress=="ann@acme.test""#
    );
    let made = run(&mut plan, &no_errors);
    let paths: Vec<&str> = made.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/Items", "/Contacts", "/Invoices", "/CreditNotes"]);
    // Rule S2: both products, the 4-dp price asks for unitdp=4.
    assert_eq!(
        made[0].body.as_ref().unwrap()["Items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(made[0].query.get("unitdp").map(String::as_str), Some("4"));
    // Rule S3: one contact per company; the later invoice's person (Bob) overwrites; ContactID kept for co-2.
    let contacts = made[1].body.as_ref().unwrap()["Contacts"]
        .as_array()
        .unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0]["FirstName"], "Bob");
    assert_eq!(contacts[0]["ContactNumber"], "co-1");
    assert_eq!(contacts[0]["AccountNumber"], "ACME01");
    assert_eq!(
        contacts[1]["ContactID"],
        "7f1c1f0e-5e0a-4a57-9d55-1f0c6d2a0b11"
    );
    // Rule S4: the invoices point at the ContactID Xero returned.
    let docs = made[2].body.as_ref().unwrap()["Invoices"]
        .as_array()
        .unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| d["Contact"]["ContactID"]
        .as_str()
        .is_some_and(|id| id.starts_with("00000000-0000-4000"))));
    assert!(docs
        .iter()
        .all(|d| d["Status"] == "DRAFT" && d["Type"] == "ACCREC"));
    let credit_notes = made[3].body.as_ref().unwrap()["CreditNotes"]
        .as_array()
        .unwrap();
    assert_eq!(credit_notes[0]["Type"], "ACCRECCREDIT");
    assert!(
        credit_notes[0]["LineItems"][0]
            .get("DiscountAmount")
            .is_none(),
        "rule S7"
    );
    // Rule S9: every invoice sent with its date and Xero id.
    assert!(plan.invoices.iter().all(|r| r.outcome == Outcome::Sent));
    let changes = plan.invoices[0].changes.as_ref().unwrap();
    assert!(changes.sent_to_accounts);
    assert_eq!(changes.sent_to_accounts_date, "2026-11-20");
    assert_eq!(plan.companies.len(), 2);
    assert!(plan.companies.iter().all(|c| c.xero_contact_id.is_some()));
    assert_eq!(plan.log.len(), 2 + 2 + 3);
}

#[test]
fn a_failing_product_stops_every_invoice_rule_s2() {
    let invoices = json!([
        invoice("inv-1", "co-1", None, "pr-long"),
        invoice("inv-2", "co-1", None, "pr-1"),
        invoice("inv-3", "co-2", None, "pr-neg")
    ]);
    let plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    assert!(plan.finished);
    assert!(plan.requests.is_empty(), "nothing goes out");
    let ids: Vec<&str> = plan
        .product_failures
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(ids, ["pr-long", "pr-neg"]);
    assert_sentences(&plan);
    for result in &plan.invoices {
        assert_eq!(
            (result.outcome, result.rule.as_deref()),
            (Outcome::Failed, Some("S2"))
        );
        let message = result.message.as_deref().unwrap();
        assert!(
            message.contains("product pr-long: code: must be 1 to 30 characters"),
            "{message}"
        );
        assert!(message.contains("product pr-neg: unitPrice"), "{message}");
    }
}

#[test]
fn a_product_xero_rejects_stops_the_invoices_rule_s2() {
    let invoices = json!([
        invoice("inv-1", "co-1", None, "pr-1"),
        invoice("inv-2", "co-1", None, "pr-2")
    ]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let reject = |record: &Value| {
        (record["Code"] == "GADGET").then_some("Price List Item cannot be negative.")
    };
    // The items go with the contact search: a refused one still stops every invoice before any contact is written.
    assert_eq!(plan.requests.len(), 2);
    let made = run(&mut plan, &reject);
    assert_eq!(made.len(), 1, "only the Items request");
    assert_sentences(&plan);
    assert_eq!(
        plan.product_failures[0].sentence.as_deref(),
        Some("Xero refused this product: Price List Item cannot be negative.")
    );
    assert!(plan
        .invoices
        .iter()
        .all(|r| r.rule.as_deref() == Some("S2")));
    assert!(plan.invoices[0]
        .message
        .as_deref()
        .unwrap()
        .contains("product pr-2: Xero: Price List Item cannot be negative."));
}

#[test]
fn each_invoice_stands_alone_rules_s9_l2_t1_s1() {
    let mut malformed = invoice("inv-bad", "co-1", None, "pr-1");
    malformed["lines"][0]["quantity"] = json!("two");
    let mut unmapped = invoice("inv-tax", "co-1", None, "pr-1");
    unmapped["lines"][0]["taxRateId"] = json!("vat5");
    let mut paid = invoice("inv-paid", "co-1", None, "pr-1");
    paid["amountOutstanding"] = json!("10.00");
    let invoices = json!([
        invoice("inv-1", "co-1", None, "pr-1"),
        malformed,
        invoice("inv-2", "co-2", None, "pr-1"),
        unmapped,
        paid,
        invoice("inv-3", "co-1", None, "pr-1")
    ]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let reject = |record: &Value| {
        (record["InvoiceNumber"] == "INV-2")
            .then_some("Account code '999' is not a valid code for this document.")
    };
    run(&mut plan, &reject);
    let summary: Vec<(&str, Outcome, Option<&str>)> = plan
        .invoices
        .iter()
        .map(|r| (r.id.as_str(), r.outcome, r.rule.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("inv-1", Outcome::Sent, None),
            ("inv-bad", Outcome::Failed, Some("L2")),
            ("inv-2", Outcome::Failed, Some("S9")),
            ("inv-tax", Outcome::Failed, Some("T1")),
            ("inv-paid", Outcome::Skipped, Some("S1")),
            ("inv-3", Outcome::Sent, None),
        ]
    );
    assert!(plan.invoices[1]
        .message
        .as_deref()
        .unwrap()
        .contains("invoice inv-bad: lines[0].quantity"));
    assert_eq!(
        plan.invoices[1].error.as_ref().unwrap()["field"],
        "lines[0].quantity"
    );
    assert_eq!(
        plan.invoices[2].message.as_deref(),
        Some("Xero: Account code '999' is not a valid code for this document.")
    );
    assert_sentences(&plan);
    assert_eq!(
        plan.invoices[2].sentence.as_deref(),
        Some("Xero refused it: Account code '999' is not a valid code for this document.")
    );
    assert!(
        plan.invoices[2].changes.is_none(),
        "the failed invoice keeps its state"
    );
    assert!(plan.invoices[3]
        .message
        .as_deref()
        .unwrap()
        .contains("vat5 (VAT 5%)"));
}

#[test]
fn at_most_fifty_records_a_request_rule_x1() {
    let invoices: Vec<Value> = (0..120)
        .map(|i| invoice(&format!("inv-{i}"), "co-1", None, "pr-1"))
        .collect();
    let mut plan =
        SendPlan::new(Value::Array(invoices), ctx(), today(), SendMode::Selected).unwrap();
    let made = run(&mut plan, &no_errors);
    let sizes: Vec<usize> = made
        .iter()
        .filter(|r| r.path == "/Invoices")
        .map(|r| {
            r.body.as_ref().unwrap()["Invoices"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    let keys: std::collections::BTreeSet<&String> =
        made.iter().map(|r| &r.headers["Idempotency-Key"]).collect();
    assert_eq!(keys.len(), made.len(), "one key per request");
}

#[test]
fn same_content_same_idempotency_keys_rule_x1() {
    let invoices = json!([invoice("inv-1", "co-1", None, "pr-1")]);
    let a = SendPlan::new(invoices.clone(), ctx(), today(), SendMode::Selected).unwrap();
    let b = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    assert_eq!(a.requests, b.requests);
}

#[test]
fn a_lost_answer_is_looked_up_not_duplicated_rule_s8() {
    let mut known = invoice("inv-1", "co-2", None, "pr-1");
    known["xeroId"] = json!("0a1b2c3d-1111-2222-3333-444455556666");
    let invoices = json!([known, invoice("inv-2", "co-2", None, "pr-1")]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let mut counter = 0;
    while plan.stage != Stage::Documents {
        for request in plan.requests.clone() {
            plan.apply_answer(&xero_answer(&request, &mut counter, &no_errors))
                .unwrap();
        }
    }
    // The known invoice is updated (POST, matched by InvoiceID); the new one created (PUT, rule S8).
    let update = plan
        .requests
        .iter()
        .find(|r| r.method == "POST")
        .unwrap()
        .clone();
    let write = plan
        .requests
        .iter()
        .find(|r| r.method == "PUT")
        .unwrap()
        .clone();
    let known = &update.body.as_ref().unwrap()["Invoices"][0];
    assert_eq!(
        known["InvoiceID"], "0a1b2c3d-1111-2222-3333-444455556666",
        "matched by InvoiceID when known"
    );
    assert!(
        known.get("Status").is_none(),
        "an update keeps Xero's status (an approved invoice stays approved)"
    );
    let new = &write.body.as_ref().unwrap()["Invoices"][0];
    assert!(new.get("InvoiceID").is_none());
    assert_eq!(new["Status"], "DRAFT", "rule S4: created as a draft");
    plan.apply_answer(&xero_answer(&update, &mut counter, &no_errors))
        .unwrap();
    // The create's answer is lost: look the number up.
    let lookup = plan.lookup_request(&write.id).unwrap();
    assert_eq!(
        (lookup.method.as_str(), lookup.path.as_str()),
        ("GET", "/Invoices")
    );
    assert_eq!(lookup.query["InvoiceNumbers"], "INV-2");
    // Not created before the answer got lost: nothing changes, the write is re-sent.
    let answer = XeroAnswer {
        request_id: write.id.clone(),
        status: 200,
        body: json!({ "Invoices": [] }),
        retry_after: None,
        rate_limit_problem: None,
    };
    assert!(!plan.apply_lookup(&write.id, &answer).unwrap());
    assert_eq!(
        plan.requests[0], write,
        "the same request, the same Idempotency-Key"
    );
    let found = json!({ "Invoices": [
        { "InvoiceID": "99999999-1111-2222-3333-444455556666", "InvoiceNumber": "INV-2", "Status": "DRAFT" } ] });
    let answer = XeroAnswer {
        request_id: write.id.clone(),
        status: 200,
        body: found,
        retry_after: None,
        rate_limit_problem: None,
    };
    assert!(plan.apply_lookup(&write.id, &answer).unwrap());
    assert!(plan.finished);
    assert_eq!(
        plan.invoices[1].changes.as_ref().unwrap().xero_id,
        "99999999-1111-2222-3333-444455556666"
    );
}

#[test]
fn a_failed_request_fails_its_records_only_rule_s9() {
    let invoices = json!([
        invoice("inv-1", "co-1", None, "pr-1"),
        invoice("inv-2", "co-2", None, "pr-1")
    ]);
    let mut plan = SendPlan::new(invoices, ctx(), today(), SendMode::Selected).unwrap();
    let mut counter = 0;
    let search = plan.requests[0].clone();
    plan.apply_answer(&xero_answer(&search, &mut counter, &no_errors))
        .unwrap();
    let items = plan.requests[0].clone();
    plan.apply_answer(&xero_answer(&items, &mut counter, &no_errors))
        .unwrap();
    let contacts = plan.requests[0].clone();
    let down = XeroAnswer {
        request_id: contacts.id.clone(),
        status: 503,
        body: json!("<html>Service Unavailable</html>"),
        retry_after: None,
        rate_limit_problem: None,
    };
    plan.apply_answer(&down).unwrap();
    assert!(plan.finished, "no company left, no documents");
    assert!(plan
        .invoices
        .iter()
        .all(|r| r.outcome == Outcome::Failed && r.rule.as_deref() == Some("S3")));
    assert!(plan.invoices[0]
        .message
        .as_deref()
        .unwrap()
        .contains("Xero answered 503"));
    assert!(
        plan.apply_answer(&down).is_err(),
        "an answer is applied once"
    );
}

#[test]
fn the_plan_round_trips_through_json_api() {
    let invoices = json!([invoice("inv-1", "co-1", None, "pr-1")]);
    let mut plan =
        api::plan_send_requests(&invoices, &ctx(), &json!({ "today": "2026-11-20" })).unwrap();
    let mut counter = 0;
    let mut steps = 0;
    while plan["finished"] == false {
        let requests: Vec<XeroRequest> = serde_json::from_value(plan["requests"].clone()).unwrap();
        let answers: Vec<Value> = requests
            .iter()
            .map(|r| serde_json::to_value(xero_answer(r, &mut counter, &no_errors)).unwrap())
            .collect();
        plan = api::apply_send_answer(&plan, &Value::Array(answers)).unwrap();
        steps += 1;
        assert!(steps < 10);
    }
    assert_eq!(plan["invoices"][0]["outcome"], "sent");
    assert_eq!(
        plan["invoices"][0]["changes"]["sentToAccountsDate"],
        "2026-11-20"
    );
    assert_eq!(plan["companies"][0]["xeroContactId"], uuid(2));
    let err = api::plan_send_requests(&invoices, &ctx(), &json!({})).unwrap_err();
    assert_eq!(err.code(), "invalid_options");
}

/// `SendPlan::from_text` (what the bindings call, issue 13) is `SendPlan::new` of the parsed texts: the same plan
/// for good and bad invoices alike, and the same errors for arguments that are not a list or a context (rule L2).
#[test]
fn a_plan_from_text_is_the_plan_from_values_rule_l2() {
    let mut bad = invoice("inv-bad", "co-1", None, "pr-1");
    bad["lines"][0]["quantity"] = json!("three");
    let invoices = json!([
        invoice("inv-1", "co-1", Some("p-2"), "pr-1"),
        bad,
        invoice("inv-3", "co-2", None, "pr-2"),
        invoice("inv-4", "co-9", None, "pr-1"),
        5
    ]);
    let from_values = SendPlan::new(invoices.clone(), ctx(), today(), SendMode::Selected).unwrap();
    let from_text = SendPlan::from_text(
        &invoices.to_string(),
        &ctx().to_string(),
        today(),
        SendMode::Selected,
    )
    .unwrap();
    assert_eq!(from_text, from_values);
    assert_eq!(
        serde_json::to_value(&from_text).unwrap(),
        serde_json::to_value(&from_values).unwrap()
    );
    assert!(
        from_text
            .invoices
            .iter()
            .filter(|r| r.outcome == Outcome::Failed)
            .count()
            >= 2
    );
    for (list, context) in [
        (json!({ "id": "inv-1" }), ctx()),
        (json!([]), json!(5)),
        (json!(null), ctx()),
    ] {
        let by_value = SendPlan::new(list.clone(), context.clone(), today(), SendMode::Selected);
        let by_text = SendPlan::from_text(
            &list.to_string(),
            &context.to_string(),
            today(),
            SendMode::Selected,
        );
        assert_eq!(
            by_text.unwrap_err(),
            by_value.unwrap_err(),
            "{list} / {context}"
        );
    }
}
