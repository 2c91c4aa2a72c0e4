use super::*;
use crate::decode_invoice;
use serde_json::json;

const ID: &str = "4f6e8b1a-0c2d-4e3f-9a8b-7c6d5e4f3a2b";

fn invoice(xero_id: Option<&str>) -> Invoice {
    decode_invoice(
        &json!({ "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-05",
            "currency": "GBP", "status": "Live", "total": "12.00", "amountOutstanding": "12.00",
            "lines": [{ "description": "Work", "quantity": "1", "listPrice": "10.00", "taxRateId": "vat20" }],
            "xeroId": xero_id }),
        0,
    )
    .unwrap()
}

fn answer(status: u16, body: Value) -> XeroAnswer {
    XeroAnswer {
        request_id: "x".into(),
        status,
        body: Value::String(body.to_string()),
        retry_after: None,
        rate_limit_problem: None,
    }
}

fn validation(message: &str) -> Value {
    json!({ "ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
        "Elements": [{ "ValidationErrors": [{ "Message": message }] }] })
}

/// Rules M1, K1, K2: base currency first, only active tracking categories (two at most) and options, themes.
#[test]
fn organisation_options_rules_m1_k1_k2() {
    let options = OrganisationOptions::from_answers(
        &json!({ "Organisations": [{ "Name": "Demo", "BaseCurrency": "GBP" }] }),
        &json!({ "Currencies": [{ "Code": "EUR", "Description": "Euro" }, { "Code": "GBP", "Description": "Pound" },
            { "Code": "USD", "Description": "US Dollar" }] }),
        &json!({ "TrackingCategories": [
            { "TrackingCategoryID": "t1", "Name": "Region", "Status": "ACTIVE", "Options": [
                { "TrackingOptionID": "o1", "Name": "North", "Status": "ACTIVE" },
                { "TrackingOptionID": "o2", "Name": "Old", "Status": "ARCHIVED" }] },
            { "TrackingCategoryID": "t9", "Name": "Gone", "Status": "ARCHIVED", "Options": [] },
            { "TrackingCategoryID": "t2", "Name": "Department", "Status": "ACTIVE", "Options": [] },
            { "TrackingCategoryID": "t3", "Name": "Third", "Status": "ACTIVE", "Options": [] }] }),
        &json!({ "BrandingThemes": [{ "BrandingThemeID": ID, "Name": "Standard", "SortOrder": 0 }] }),
    )
    .unwrap();
    assert_eq!(options.base_currency.as_deref(), Some("GBP"));
    let codes: Vec<_> = options.currencies.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["GBP", "EUR", "USD"]);
    let names: Vec<_> = options
        .tracking_categories
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Region", "Department"]);
    assert_eq!(options.tracking_categories[0].options.len(), 1);
    assert_eq!(options.branding_themes[0].id, ID);
    let broken = OrganisationOptions::from_answers(&json!({}), &json!({}), &json!({}), &json!({}));
    assert_eq!(broken.unwrap_err().code(), "invalid_xero_response");
}

/// Rule O1: the link of an approved invoice; a draft's refusal says so, with its own code.
#[test]
fn online_invoice_rule_o1() {
    let sent = invoice(Some(ID));
    let request = online_invoice_request(&sent).unwrap();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", format!("/Invoices/{ID}/OnlineInvoice").as_str())
    );
    let url = "https://in.xero.com/abc";
    let link = online_invoice_in_answer(
        &sent,
        &answer(
            200,
            json!({ "OnlineInvoices": [{ "OnlineInvoiceUrl": url }] }),
        ),
    );
    assert_eq!(link.unwrap(), url);
    let draft = online_invoice_in_answer(
        &sent,
        &answer(400, validation("An online invoice is only available for an approved invoice (AUTHORISED or PAID); this one is DRAFT.")),
    )
    .unwrap_err();
    assert_eq!(draft.code(), "not_approved");
    assert!(draft.to_string().contains("invoice inv-1"), "{draft}");
    let never_sent = online_invoice_request(&invoice(None)).unwrap_err();
    assert_eq!(never_sent.code(), "not_approved");
    assert_eq!(
        online_invoice_request(&invoice(Some("nope")))
            .unwrap_err()
            .code(),
        "invalid_field"
    );
}

/// Rule O2: an empty JSON body; 204 is a sentence; the limit, a draft and a contact without email are each named.
#[test]
fn email_invoice_rule_o2() {
    let sent = invoice(Some(ID));
    let request = email_request(&sent).unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, format!("/Invoices/{ID}/Email"));
    assert_eq!(request.body, Some(json!({})));
    let done = XeroAnswer {
        body: Value::String(String::new()),
        ..answer(204, json!(null))
    };
    assert!(email_in_answer(&sent, &done).unwrap().contains("INV-1"));
    for (message, code) in [
        ("The daily limit of 1000 emails for this organisation has been reached.", "email_limit"),
        ("Invoice INV-1 cannot be emailed: its status is DRAFT (it must be SUBMITTED, AUTHORISED or PAID).", "not_approved"),
        ("The contact Acme has no email address to send invoice INV-1 to.", "no_contact_email"),
    ] {
        let error = email_in_answer(&sent, &answer(400, validation(message))).unwrap_err();
        assert_eq!(error.code(), code, "{message}");
        assert!(!error.to_string().contains("rule"), "{error}");
    }
    let other = email_in_answer(&sent, &answer(500, json!({ "Message": "boom" }))).unwrap_err();
    assert_eq!(other.code(), "invalid_xero_response");
}

fn category(name: &str, options: &[&str]) -> TrackingCategory {
    TrackingCategory {
        id: format!("{name}-id"),
        name: name.into(),
        options: options
            .iter()
            .map(|o| Named {
                id: format!("{o}-id"),
                name: (*o).into(),
            })
            .collect(),
    }
}

#[test]
fn rule_k1_values_spelled_as_an_option_are_mapped_the_others_wait() {
    let region = category("Region", &["North", "South East", "West"]);
    let values = ["north ".to_string(), "South East".into(), "Midlands".into()];
    let map = tracking_map_for(&region, &values);
    assert_eq!(map.category, "Region");
    // Xero's spelling of the option, keyed by the CRM's own value (spaces included).
    assert_eq!(
        map.options,
        BTreeMap::from([
            ("north ".to_string(), "North".to_string()),
            ("South East".into(), "South East".into()),
        ])
    );
}

#[test]
fn rule_k1_a_category_without_options_maps_nothing() {
    let map = tracking_map_for(&category("Region", &[]), &["North".to_string()]);
    assert_eq!(map.category, "Region");
    assert!(map.options.is_empty());
}
