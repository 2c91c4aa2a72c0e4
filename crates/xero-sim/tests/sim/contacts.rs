//! Contacts: `where` and `searchTerm` reads, names compared as Xero compares them, addresses, phones and the other
//! fields a CRM keeps, and partial updates that never blank what they leave out (rules S3a, S3b).

use serde_json::{json, Value};

use crate::common::*;

fn names(r: &Resp) -> Vec<String> {
    let mut v: Vec<String> = r
        .records("Contacts")
        .iter()
        .map(|c| c["Name"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

async fn where_(h: &H, expr: &str, extra: &str) -> Resp {
    let r = h
        .get(&format!("/Contacts?where={}{extra}", enc(expr)))
        .await;
    assert_eq!(r.status, 200, "{expr}: {}", r.text);
    assert_valid_answer("Contacts", &r.body);
    r
}

#[tokio::test]
async fn where_finds_contacts_by_name_number_account_and_email_rule_s3a() {
    let h = H::start().await;
    create_contact(&h, json!({ "Name": "Acme  Widgets Ltd", "ContactNumber": "co-77", "EmailAddress": "Pat@Shared.test" })).await;
    create_contact(&h, json!({ "Name": "Widget Partners", "AccountNumber": "WIDG01", "EmailAddress": "pat@shared.test" })).await;
    create_contact(&h, json!({ "Name": "Acme Widgets (old)", "ContactStatus": "ARCHIVED", "ContactNumber": "co-78" })).await;

    // Name: case, surrounding and repeated spaces ignored; nothing else (no substring match).
    let r = where_(&h, r#"Name=="  ACME widgets   ltd ""#, "").await;
    assert_eq!(names(&r), vec!["Acme  Widgets Ltd"]);
    assert_eq!(r.records("Contacts")[0]["ContactStatus"], "ACTIVE");
    assert!(names(&where_(&h, r#"Name=="Acme Widgets""#, "").await).is_empty());
    // The numbers compare exactly.
    assert_eq!(
        names(&where_(&h, r#"ContactNumber=="co-77""#, "").await),
        vec!["Acme  Widgets Ltd"]
    );
    assert!(names(&where_(&h, r#"ContactNumber=="CO-77""#, "").await).is_empty());
    assert_eq!(
        names(&where_(&h, r#"AccountNumber=="WIDG01""#, "").await),
        vec!["Widget Partners"]
    );
    // Email: case-insensitive; two active contacts share this one.
    assert_eq!(
        names(&where_(&h, r#"EmailAddress=="PAT@shared.TEST""#, "").await),
        vec!["Acme  Widgets Ltd", "Widget Partners"]
    );
    // OR joins terms; archived contacts only with includeArchived=true.
    let expr = r#"ContactNumber=="co-78" OR AccountNumber=="WIDG01""#;
    assert_eq!(names(&where_(&h, expr, "").await), vec!["Widget Partners"]);
    let all = where_(&h, expr, "&includeArchived=true").await;
    assert_eq!(names(&all), vec!["Acme Widgets (old)", "Widget Partners"]);
    let archived = all
        .records("Contacts")
        .iter()
        .find(|c| c["Name"] == "Acme Widgets (old)")
        .unwrap();
    assert_eq!(archived["ContactStatus"], "ARCHIVED");
    // Other shapes are refused, naming what is modelled.
    for bad in [
        r#"Name.Contains("Acme")"#,
        r#"Name=="a" AND AccountNumber=="b""#,
        "IsCustomer==true",
    ] {
        let r = h.get(&format!("/Contacts?where={}", enc(bad))).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(
            r.text.contains("ContactNumber==") && r.text.contains("EmailAddress=="),
            "{}",
            r.text
        );
    }
}

#[tokio::test]
async fn search_term_is_a_case_insensitive_substring() {
    let h = H::start().await;
    create_contact(
        &h,
        json!({ "Name": "Zebra Supplies", "FirstName": "Quentin", "CompanyNumber": "SC123456" }),
    )
    .await;
    create_contact(
        &h,
        json!({ "Name": "Other Co", "EmailAddress": "quentin@other.test" }),
    )
    .await;
    create_contact(
        &h,
        json!({ "Name": "Quentin's Archive", "ContactStatus": "ARCHIVED" }),
    )
    .await;
    let get = |q: &'static str| {
        let h = &h;
        async move {
            let r = h.get(&format!("/Contacts?searchTerm={q}")).await;
            assert_eq!(r.status, 200, "{}", r.text);
            names(&r)
        }
    };
    assert_eq!(
        get("QUENTIN").await,
        vec!["Other Co", "Zebra Supplies"],
        "first name and email; not archived"
    );
    assert_eq!(
        get("sc1234").await,
        vec!["Zebra Supplies"],
        "company number"
    );
    assert_eq!(get("zebra%20sup").await, vec!["Zebra Supplies"]);
    let with_archived = h
        .get("/Contacts?searchTerm=quentin&includeArchived=true")
        .await;
    assert_eq!(names(&with_archived).len(), 3);
}

#[tokio::test]
async fn name_uniqueness_among_active_contacts_compares_names_as_where_does() {
    let h = H::start().await;
    create_contact(&h, json!({ "Name": "Beta Trading" })).await;
    let r = h
        .put(
            "/Contacts?summarizeErrors=false",
            json!({ "Contacts": [{ "Name": "  BETA   trading " }] }),
        )
        .await;
    assert_eq!(
        r.messages("Contacts", 0),
        vec!["The contact name BETA   trading is already assigned to another contact. The contact name must be unique across all active contacts."]
    );
    // An archived namesake is allowed, but it cannot come back while the active one has the name.
    let old = create_contact(
        &h,
        json!({ "Name": "beta  TRADING", "ContactStatus": "ARCHIVED" }),
    )
    .await;
    let back = h
        .post(
            &format!(
                "/Contacts/{}?summarizeErrors=false",
                old["ContactID"].as_str().unwrap()
            ),
            json!({ "ContactStatus": "ACTIVE" }),
        )
        .await;
    assert!(
        back.messages("Contacts", 0)[0].contains("must be unique across all active contacts"),
        "{}",
        back.text
    );
    // An invoice naming the contact with other spacing and case lands on it (no second contact).
    let mut inv = invoice("NAME-1", vec![line("1", "10", "OUTPUT2")]);
    inv["Contact"] = json!({ "Name": "beta trading  " });
    let created = h.create_invoice(inv).await;
    assert_eq!(created["Contact"]["Name"], "Beta Trading");
}

fn detail(list: &Value, type_key: &str, kind: &str) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a[type_key] == kind)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn addresses_phones_and_numbers_round_trip_and_partial_updates_keep_them_rule_s3b() {
    let h = H::start().await;
    let c = create_contact(
        &h,
        json!({
            "Name": "Round Trip Ltd", "ContactNumber": "co-900", "AccountNumber": "ROUN90",
            "TaxNumber": "GB123456789", "DefaultCurrency": "GBP", "CompanyNumber": "01234567",
            "FirstName": "Rae", "LastName": "Trip", "EmailAddress": "rae@roundtrip.test",
            "Addresses": [
                { "AddressType": "POBOX", "AddressLine1": "PO Box 12", "City": "Leeds", "PostalCode": "LS1 1AA", "Country": "UK" },
                { "AddressType": "STREET", "AddressLine1": "1 High St", "City": "Leeds" }
            ],
            "Phones": [
                { "PhoneType": "DEFAULT", "PhoneNumber": "0113 496 0000" },
                { "PhoneType": "MOBILE", "PhoneNumber": "07700 900000" }
            ]
        }),
    )
    .await;
    let id = c["ContactID"].as_str().unwrap().to_owned();
    // A partial update: a new mobile number and nothing else.
    let upd = h
        .post(
            &format!("/Contacts/{id}?summarizeErrors=false"),
            json!({ "Phones": [{ "PhoneType": "MOBILE", "PhoneNumber": "07700 900123" }] }),
        )
        .await;
    assert_eq!(
        upd.records("Contacts")[0]["StatusAttributeString"],
        "OK",
        "{}",
        upd.text
    );
    let r = h.get(&format!("/Contacts/{id}")).await;
    assert_valid_answer("Contacts", &r.body);
    let got = &r.records("Contacts")[0];
    for (key, want) in [
        ("Name", "Round Trip Ltd"),
        ("ContactNumber", "co-900"),
        ("AccountNumber", "ROUN90"),
        ("TaxNumber", "GB123456789"),
        ("DefaultCurrency", "GBP"),
        ("CompanyNumber", "01234567"),
        ("EmailAddress", "rae@roundtrip.test"),
        ("FirstName", "Rae"),
        ("ContactStatus", "ACTIVE"),
    ] {
        assert_eq!(got[key], want, "{key}");
    }
    let pobox = detail(&got["Addresses"], "AddressType", "POBOX");
    assert_eq!(
        (pobox["AddressLine1"].as_str(), pobox["PostalCode"].as_str()),
        (Some("PO Box 12"), Some("LS1 1AA"))
    );
    assert_eq!(
        detail(&got["Addresses"], "AddressType", "STREET")["AddressLine1"],
        "1 High St"
    );
    assert_eq!(
        detail(&got["Phones"], "PhoneType", "DEFAULT")["PhoneNumber"],
        "0113 496 0000",
        "kept"
    );
    assert_eq!(
        detail(&got["Phones"], "PhoneType", "MOBILE")["PhoneNumber"],
        "07700 900123",
        "replaced"
    );
    assert_eq!(got["Phones"].as_array().unwrap().len(), 2, "one per type");
    // A currency that is no ISO code is refused (here by the strict schema check, before the element's own).
    let bad = h
        .post(
            &format!("/Contacts/{id}"),
            json!({ "DefaultCurrency": "pounds" }),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("DefaultCurrency"), "{}", bad.text);
    let again = h.get(&format!("/Contacts/{id}")).await;
    assert_eq!(again.records("Contacts")[0]["DefaultCurrency"], "GBP");
}
