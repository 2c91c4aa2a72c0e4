//! Property tests over the public API: no input panics, and every payload is valid against Xero's schemas.

use crate::assert_valid_document;
use proptest::prelude::*;
use serde_json::{json, Value};
use xerosync_core::api;

fn ctx(strategy: &str) -> Value {
    json!({
        "companies": [{ "id": "co-1", "name": "Acme Ltd", "people": [{ "id": "p-1", "firstName": "Ann", "lastName": "Lee", "primary": true }] }],
        "products": [{ "id": "pr-1", "code": "W", "name": "Widget", "unitPrice": "1.00", "taxRateId": "t" }],
        "taxRates": [{ "id": "t", "name": "T", "percent": "15", "xeroTaxType": "OUTPUT" }],
        "settings": { "defaultSalesAccountCode": "200", "discountStrategy": strategy }
    })
}

fn decimal(max_units: i64, dp: u32) -> impl Strategy<Value = String> {
    (0..=max_units, 0..10i64.pow(dp)).prop_map(move |(u, f)| {
        if dp == 0 {
            u.to_string()
        } else {
            format!("{u}.{f:0width$}", width = dp as usize)
        }
    })
}

prop_compose! {
    fn line()(q in decimal(50, 2), p in decimal(5000, 4), kind in 0..3u8, pct in decimal(100, 3), amt in decimal(20, 2), product in any::<bool>()) -> Value {
        let mut l = json!({ "description": "Line", "quantity": q, "listPrice": p, "taxRateId": "t" });
        if product { l["productId"] = json!("pr-1"); }
        match kind {
            1 if pct.parse::<f64>().unwrap_or(0.0) <= 100.0 => { l["discount"] = json!({ "percent": pct }); }
            2 => { l["discount"] = json!({ "amount": amt }); }
            _ => {}
        }
        l
    }
}

prop_compose! {
    fn invoice()(lines in proptest::collection::vec(line(), 1..6), kind in prop_oneof![Just("invoice"), Just("creditNote")],
                 amounts in prop_oneof![Just("exclusive"), Just("inclusive"), Just("noTax")]) -> Value {
        json!({ "id": "inv-p", "kind": kind, "number": "INV-P", "companyId": "co-1", "issueDate": "2026-11-01",
                "currency": "GBP", "amountsAre": amounts, "status": "Created", "lines": lines, "total": "0", "amountOutstanding": "0" })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Every payload the builder makes is a valid Xero Invoice / CreditNote (and previews agree with it).
    #[test]
    fn payloads_are_schema_valid(inv in invoice(), strategy in prop_oneof![Just("auto"), Just("rate")]) {
        let ctx = ctx(strategy);
        match api::build_invoice_payload(&inv, &ctx) {
            Ok(payload) => {
                assert_valid_document(&payload, "proptest payload");
                let preview = api::preview_invoice(&inv, &ctx).unwrap();
                prop_assert_eq!(preview["lines"].as_array().unwrap().len(), payload["LineItems"].as_array().unwrap().len());
            }
            // Only a discount amount larger than its line is refused for these inputs.
            Err(e) => prop_assert!(e.to_string().contains("larger than the line"), "{}", e),
        }
    }

    /// No JSON input makes the contract functions panic (rule L2).
    #[test]
    fn arbitrary_json_never_panics(value in arb_json(), other in arb_json()) {
        let _ = api::preview_invoice(&value, &other);
        let _ = api::build_invoice_payload(&value, &ctx("auto"));
        let _ = api::plan_send(&json!([value.clone()]), &other);
        let _ = api::plan_update(&value, &other);
        let _ = api::apply_xero_invoice(&value, &other, &json!({ "today": "2026-11-20" }));
        let _ = api::plan_send_requests(&json!([value.clone()]), &other, &json!({ "today": "2026-11-20" }));
        let _ = api::parse_xero_error(&json!({ "status": 400, "body": value.to_string() }));
    }

    /// Mutating one field of a valid invoice either works or names that record (rule L2).
    #[test]
    fn mutated_invoices_fail_cleanly(inv in invoice(), key in prop_oneof![Just("total"), Just("issueDate"), Just("status"), Just("lines"), Just("currency")], junk in arb_json()) {
        let mut inv = inv;
        inv[key] = junk;
        if let Err(e) = api::preview_invoice(&inv, &ctx("auto")) {
            prop_assert!(e.to_string().starts_with("invoice inv-p") || e.to_string().starts_with("credit note inv-p"), "{}", e);
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<i64>().prop_map(|i| json!(i)),
        "[a-zA-Z0-9 .,-]{0,12}".prop_map(Value::String),
        Just(json!("1e30")),
        Just(json!("99999999999999999999999999999")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("lines".to_string()),
                    Just("quantity".to_string()),
                    Just("total".to_string()),
                    "[a-z]{1,8}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

prop_compose! {
    fn product()(code in "[A-Z0-9-]{1,30}", name in "[A-Za-z][A-Za-z ]{0,49}", description in proptest::option::of("[ -~]{0,80}"),
                 price in 0i64..100_000_000, dp in 0u32..=4, account in proptest::option::of("[0-9]{3}"), taxed in any::<bool>()) -> Value {
        let mut p = json!({ "id": "pr-1", "code": code, "name": name, "unitPrice": rust_decimal::Decimal::new(price, dp).to_string() });
        if let Some(d) = description { p["description"] = json!(d); }
        if let Some(a) = account { p["salesAccountCode"] = json!(a); }
        if taxed { p["taxRateId"] = json!("t"); }
        p
    }
}

prop_compose! {
    fn company()(name in "[A-Za-z][A-Za-z0-9 &.,'-]{0,59}", account in proptest::option::of("[A-Z0-9]{1,20}"),
                 contact_id in proptest::option::of(Just("7f1c1f0e-5e0a-4a57-9d55-1f0c6d2a0b11")),
                 first in "[A-Za-z]{0,20}", last in "[A-Za-z]{0,20}", email in proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.test"),
                 phone in proptest::option::of("[+0-9 ]{0,20}"), tax in proptest::option::of("[A-Z0-9]{0,14}"),
                 currency in proptest::option::of(prop_oneof![Just("GBP"), Just("EUR"), Just("NZD")]),
                 lines in proptest::option::of(proptest::collection::vec("[A-Za-z0-9 ,]{0,30}", 0..6)),
                 city in proptest::option::of("[A-Za-z ]{0,20}"), postal in proptest::option::of("[A-Z0-9 ]{0,8}")) -> Value {
        let mut c = json!({ "id": "co-1", "name": name, "people": [{ "id": "p-1", "firstName": first, "lastName": last, "primary": true }] });
        if let Some(a) = account { c["accountNumber"] = json!(a); }
        if let Some(id) = contact_id { c["xeroContactId"] = json!(id); }
        if let Some(e) = email { c["people"][0]["email"] = json!(e); }
        // Rule S3b: what the CRM knows of the company, any of it absent or blank.
        if let Some(p) = phone { c["phone"] = json!(p); }
        if let Some(t) = tax { c["taxNumber"] = json!(t); }
        if let Some(cur) = currency { c["currency"] = json!(cur); }
        if lines.is_some() || city.is_some() || postal.is_some() {
            c["address"] = json!({ "lines": lines.unwrap_or_default(), "city": city, "postalCode": postal, "country": "GB" });
        }
        c
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Rules S2, S3, S3b: every Items and Contacts body the send plan builds is valid against Xero's schemas.
    #[test]
    fn item_and_contact_payloads_are_schema_valid(product in product(), company in company(), credit in any::<bool>()) {
        let mut ctx = ctx("auto");
        ctx["products"] = json!([product]);
        ctx["companies"] = json!([company]);
        let invoice = json!({ "id": "inv-1", "kind": if credit { "creditNote" } else { "invoice" }, "number": "INV-1",
            "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP", "status": "Created", "total": "0", "amountOutstanding": "0",
            "lines": [{ "productId": "pr-1", "description": "", "quantity": "1", "listPrice": "0" , "taxRateId": "t" }] });
        let mut plan = api::plan_send_requests(&json!([invoice]), &ctx, &json!({ "today": "2026-11-20" })).unwrap();
        prop_assert_eq!(plan["invoices"][0]["outcome"].as_str(), Some("pending"), "{}", plan["invoices"][0]);
        if plan["stage"] == "reads" {
            // Rule S3a: the company's existing contacts are searched first; an empty Xero has none.
            let search = json!({ "requestId": plan["requests"][0]["id"], "status": 200, "body": { "Contacts": [] } });
            plan = api::apply_send_answer(&plan, &search).unwrap();
        }
        let items = &plan["requests"][0];
        prop_assert_eq!(items["path"].as_str(), Some("/Items"));
        crate::assert_valid_body("Items", &items["body"], "proptest Items");
        let answer = json!({ "requestId": "items-1", "status": 200, "body": { "Items": [{ "ItemID": "4d6e8a2c-0000-4000-8000-000000000001", "StatusAttributeString": "OK" }] } });
        let plan = api::apply_send_answer(&plan, &answer).unwrap();
        let contacts = &plan["requests"][0];
        prop_assert_eq!(contacts["path"].as_str(), Some("/Contacts"));
        crate::assert_valid_body("Contacts", &contacts["body"], "proptest Contacts");
    }
}
