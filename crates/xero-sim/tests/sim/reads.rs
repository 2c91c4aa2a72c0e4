//! Reads: filters, paging, If-Modified-Since, /Date(…)/ timestamps, tax rates and organisations per tenant.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn list_filters_paging_and_if_modified_since() {
    let h = H::start().await;
    let a = h
        .create_invoice(invoice("F-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let mut other = invoice("F-2", vec![line("1", "2", "OUTPUT2")]);
    other["Contact"] = json!({ "Name": "Initech" });
    other["Status"] = json!("AUTHORISED");
    let b = h.create_invoice(other).await;
    let by_ids = h
        .get(&format!(
            "/Invoices?IDs={},{}",
            a["InvoiceID"].as_str().unwrap(),
            b["InvoiceID"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_ids.records("Invoices").len(), 2);
    assert_valid_answer("Invoices", &by_ids.body);
    let one = h.get("/Invoices/F-2").await;
    assert_eq!(
        one.records("Invoices")[0]["InvoiceID"],
        b["InvoiceID"],
        "a single read by number"
    );
    let by_number = h.get("/Invoices?InvoiceNumbers=F-1,F-2,NONE").await;
    assert_eq!(by_number.records("Invoices").len(), 2);
    let by_contact = h
        .get(&format!(
            "/Invoices?ContactIDs={}",
            b["Contact"]["ContactID"].as_str().unwrap()
        ))
        .await;
    assert!(by_contact
        .records("Invoices")
        .iter()
        .all(|i| i["Contact"]["Name"] == "Initech"));
    let by_status = h.get("/Invoices?Statuses=DRAFT").await;
    assert!(by_status
        .records("Invoices")
        .iter()
        .all(|i| i["Status"] == "DRAFT"));
    assert!(by_status
        .records("Invoices")
        .iter()
        .any(|i| i["InvoiceNumber"] == "F-1"));
    // Unpaged lists come without line items; paged ones with them, and a pagination object.
    let all = h.get("/Invoices").await;
    let total = all.records("Invoices").len();
    assert!(all
        .records("Invoices")
        .iter()
        .all(|i| i.get("LineItems").is_none()));
    let page = h.get("/Invoices?page=2&pageSize=2").await;
    assert_valid_answer("Invoices", &page.body);
    assert_eq!(page.records("Invoices").len(), 2.min(total - 2));
    assert!(page.records("Invoices")[0]["LineItems"].is_array());
    assert_eq!(page.body["pagination"]["itemCount"], total);
    assert_eq!(page.body["pagination"]["pageCount"], total.div_ceil(2));
    assert_eq!(h.get("/Invoices?page=1&pageSize=1001").await.status, 400);
    // If-Modified-Since: only what changed after the timestamp.
    h.advance(120).await;
    let since = chrono::Utc::now() + chrono::Duration::seconds(60);
    h.advance(60).await;
    h.post(
        &format!("/Invoices/{}", a["InvoiceID"].as_str().unwrap()),
        json!({ "Reference": "touched" }),
    )
    .await;
    let r = h
        .call_as(
            Method::GET,
            "/Invoices",
            None,
            UK,
            &[(
                "If-Modified-Since",
                &since.format("%Y-%m-%dT%H:%M:%S").to_string(),
            )],
        )
        .await;
    let numbers: Vec<_> = r
        .records("Invoices")
        .iter()
        .map(|i| i["InvoiceNumber"].clone())
        .collect();
    assert_eq!(numbers, vec![json!("F-1")]);
}

#[tokio::test]
async fn updated_date_utc_is_in_ms_date_form_and_follows_the_clock() {
    let h = H::start().await;
    let inv = h
        .create_invoice(invoice("T-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let ms = |v: &Value| -> i64 {
        let s = v.as_str().unwrap();
        assert!(s.starts_with("/Date(") && s.ends_with("+0000)/"), "{s}");
        s[6..s.len() - 7].parse().unwrap()
    };
    let first = ms(&inv["UpdatedDateUTC"]);
    h.advance(1200).await;
    let id = inv["InvoiceID"].as_str().unwrap();
    let upd = h
        .post(&format!("/Invoices/{id}"), json!({ "Reference": "later" }))
        .await;
    let second = ms(&upd.records("Invoices")[0]["UpdatedDateUTC"]);
    assert!(second - first >= 1_200_000, "{first} → {second}");
    assert_eq!(
        inv["Date"], "/Date(1793491200000+0000)/",
        "2026-11-01 at midnight UTC"
    );
}

#[tokio::test]
async fn tax_rates_organisation_per_tenant_data() {
    let h = H::start().await;
    let uk = h.get("/TaxRates").await;
    assert_valid_answer("TaxRates", &uk.body);
    let rate = |r: &Resp, t: &str| {
        r.records("TaxRates")
            .iter()
            .find(|x| x["TaxType"] == t)
            .cloned()
            .unwrap()
    };
    assert_eq!(dec(&rate(&uk, "OUTPUT2")["EffectiveRate"]), d("20"));
    assert_eq!(rate(&uk, "OUTPUT")["Status"], "ARCHIVED");
    assert_eq!(rate(&uk, "INPUT2")["CanApplyToRevenue"], false);
    let nz = h.call_as(Method::GET, "/TaxRates", None, NZ, &[]).await;
    assert_eq!(dec(&rate(&nz, "OUTPUT2")["EffectiveRate"]), d("15"));
    let org = h.call_as(Method::GET, "/Organisation", None, NZ, &[]).await;
    assert_valid_answer("Organisations", &org.body);
    let o = &org.records("Organisations")[0];
    assert_eq!(
        (
            o["Version"].as_str(),
            o["BaseCurrency"].as_str(),
            o["OrganisationID"].as_str()
        ),
        (Some("NZ"), Some("NZD"), Some(NZ.to_string().as_str()))
    );
    // Each organisation has its own records.
    h.create_invoice(invoice("OWN-1", vec![line("1", "1", "OUTPUT2")]))
        .await;
    let nz_list = h
        .call_as(Method::GET, "/Invoices?InvoiceNumbers=OWN-1", None, NZ, &[])
        .await;
    assert!(nz_list.records("Invoices").is_empty());
    let starter = h
        .call_as(Method::GET, "/Organisation", None, STARTER, &[])
        .await;
    assert_eq!(starter.records("Organisations")[0]["Class"], "STARTER");
    assert_eq!(
        h.get(&format!("/Invoices/{}", uuid::Uuid::new_v4()))
            .await
            .status,
        404
    );
}

/// Rule S8's look-up after a lost answer reads credit notes by number with a `where` filter: it must narrow the list,
/// and an expression the simulator does not model is refused rather than ignored.
#[tokio::test]
async fn credit_notes_by_number_with_a_where_filter() {
    let h = H::start().await;
    for number in ["CN-W1", "CN-W2", "CN-W3"] {
        let cn = h
            .put(
                "/CreditNotes",
                json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "CreditNoteNumber": number,
                    "Contact": { "Name": "Initech" }, "LineItems": [line("1", "5", "OUTPUT2")] }] }),
            )
            .await;
        assert_eq!(cn.status, 200, "{}", cn.text);
    }
    let filter = "CreditNoteNumber%3D%3D%22CN-W1%22%20OR%20CreditNoteNumber%3D%3D%22CN-W3%22";
    let found = h.get(&format!("/CreditNotes?where={filter}")).await;
    assert_eq!(found.status, 200, "{}", found.text);
    let mut numbers: Vec<_> = found
        .records("CreditNotes")
        .iter()
        .map(|c| c["CreditNoteNumber"].as_str().unwrap().to_owned())
        .collect();
    numbers.sort();
    assert_eq!(numbers, vec!["CN-W1", "CN-W3"]);
    let unmodelled = h.get("/CreditNotes?where=Total%3E%3D10").await;
    assert_eq!(unmodelled.status, 400, "{}", unmodelled.text);
}

/// Rule RC1: a reconciliation reads a period with `where` on `Date` (both ends included), paged.
#[tokio::test]
async fn documents_of_a_period_with_a_where_on_date_rule_rc1() {
    let h = H::start().await;
    for (number, date) in [
        ("P-OCT", "2026-10-31"),
        ("P-NOV1", "2026-11-01"),
        ("P-NOV30", "2026-11-30"),
        ("P-DEC", "2026-12-01"),
    ] {
        let mut body = invoice(number, vec![line("1", "5", "OUTPUT2")]);
        body["Date"] = json!(date);
        h.create_invoice(body).await;
    }
    let period = enc("Date >= DateTime(2026, 11, 01) && Date <= DateTime(2026, 11, 30)");
    let found = h
        .get(&format!("/Invoices?page=1&pageSize=1000&where={period}"))
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    let numbers: Vec<_> = found
        .records("Invoices")
        .iter()
        .filter_map(|i| i["InvoiceNumber"].as_str())
        .filter(|n| n.starts_with("P-"))
        .collect();
    assert_eq!(numbers, vec!["P-NOV1", "P-NOV30"]);
    // Every document of the page is of November (`/Date(ms)/`, 2026-11-01 to 2026-11-30 at midnight UTC).
    for i in found.records("Invoices") {
        let text = i["Date"].as_str().unwrap();
        let ms: i64 = text["/Date(".len()..text.find('+').unwrap()]
            .parse()
            .unwrap();
        assert!(
            (1_793_491_200_000..=1_795_996_800_000).contains(&ms),
            "{text}"
        );
    }
    let open_end = h
        .get(&format!(
            "/Invoices?where={}",
            enc("Date >= DateTime(2026, 12, 01)")
        ))
        .await;
    assert!(open_end
        .records("Invoices")
        .iter()
        .any(|i| i["InvoiceNumber"] == "P-DEC"));
    assert!(!open_end
        .records("Invoices")
        .iter()
        .any(|i| i["InvoiceNumber"] == "P-NOV30"));
    let unmodelled = h
        .get(&format!(
            "/Invoices?where={}",
            enc("Date >= DateTime(2026, 13, 01)")
        ))
        .await;
    assert_eq!(unmodelled.status, 400, "{}", unmodelled.text);
}
