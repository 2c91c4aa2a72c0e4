//! Xero's line maths over HTTP, with expected figures worked out here from the notes' numbers (not from any code).

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn tax_is_per_line_rounded_then_summed_as_in_xeros_example() {
    let mut h = H::start().await;
    h.tenant = NZ;
    let inv = h
        .create_invoice(json!({ "Type": "ACCREC", "InvoiceNumber": "NZ-1", "Contact": { "Name": "Acme Ltd" },
            "LineItems": [line("1", "25.06", "OUTPUT2"), line("1", "25.61", "OUTPUT2"), line("1", "25.63", "OUTPUT2")] }))
        .await;
    assert_eq!(
        dec(&inv["TotalTax"]),
        d("11.44"),
        "not the 11.45 of the subtotal"
    );
    assert_eq!(dec(&inv["SubTotal"]), d("76.30"));
    assert_eq!(dec(&inv["Total"]), d("87.74"));
    let taxes: Vec<_> = inv["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["TaxAmount"]))
        .collect();
    assert_eq!(taxes, vec![d("3.76"), d("3.84"), d("3.84")]);
    assert_eq!(inv["CurrencyCode"], "NZD");
}

#[tokio::test]
async fn discounts_by_rate_and_by_amount_and_inclusive_and_no_tax() {
    let h = H::start().await;
    let mut rate = line("3", "30.00", "OUTPUT2");
    rate["DiscountRate"] = json!(10);
    let mut amount = line("3", "30.00", "OUTPUT2");
    amount["DiscountAmount"] = json!(5);
    let mut odd = line("1", "9.99", "OUTPUT2");
    odd["DiscountRate"] = json!(12.5);
    let inv = h
        .create_invoice(invoice("D-1", vec![rate, amount, odd]))
        .await;
    let amounts: Vec<_> = inv["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["LineAmount"]))
        .collect();
    // 90 × 0.9 = 81.00; 90 − 5 = 85.00; 9.99 × 0.875 = 8.74125 → 8.74.
    assert_eq!(amounts, vec![d("81.00"), d("85.00"), d("8.74")]);
    // Tax at 20 % per line: 16.20 + 17.00 + 1.748 → 1.75.
    assert_eq!(dec(&inv["TotalTax"]), d("34.95"));
    assert_eq!(dec(&inv["Total"]), d("209.69"));
    assert_eq!(dec(&inv["TotalDiscount"]), d("15.25"));
    assert_eq!(inv["LineItems"][2]["DiscountRate"], json!(12.5));

    let mut incl = invoice(
        "D-2",
        vec![
            line("1", "120.00", "OUTPUT2"),
            line("1", "10.01", "OUTPUT2"),
        ],
    );
    incl["LineAmountTypes"] = json!("Inclusive");
    let inv = h.create_invoice(incl).await;
    // Tax inside the line: 120 × 20/120 = 20.00; 10.01 × 20/120 = 1.668 → 1.67.
    assert_eq!(
        (
            dec(&inv["TotalTax"]),
            dec(&inv["SubTotal"]),
            dec(&inv["Total"])
        ),
        (d("21.67"), d("108.34"), d("130.01"))
    );

    let mut none = invoice("D-3", vec![line("2", "10.00", "OUTPUT2")]);
    none["LineAmountTypes"] = json!("NoTax");
    let inv = h.create_invoice(none).await;
    assert_eq!(
        (dec(&inv["TotalTax"]), dec(&inv["Total"])),
        (d("0"), d("20.00"))
    );
}

#[tokio::test]
async fn unitdp_4_keeps_four_places_and_reads_need_it_too() {
    let h = H::start().await;
    let r = h
        .put(
            "/Invoices?summarizeErrors=false&unitdp=4",
            json!({ "Invoices": [invoice("U-1", vec![line("3", "10.1234", "OUTPUT2")])] }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let inv = &r.records("Invoices")[0];
    assert_eq!(dec(&inv["LineItems"][0]["UnitAmount"]), d("10.1234"));
    assert_eq!(
        dec(&inv["LineItems"][0]["LineAmount"]),
        d("30.37"),
        "3 × 10.1234 = 30.3702"
    );
    let id = inv["InvoiceID"].as_str().unwrap();
    let plain = h.get(&format!("/Invoices/{id}")).await;
    assert_eq!(
        dec(&plain.records("Invoices")[0]["LineItems"][0]["UnitAmount"]),
        d("10.12")
    );
    let four = h.get(&format!("/Invoices/{id}?unitdp=4")).await;
    assert_eq!(
        dec(&four.records("Invoices")[0]["LineItems"][0]["UnitAmount"]),
        d("10.1234")
    );
    // Without unitdp=4 a 4-dp unit amount is rounded to 2 dp before the maths.
    let two = h
        .create_invoice(invoice("U-2", vec![line("3", "10.1234", "OUTPUT2")]))
        .await;
    assert_eq!(dec(&two["LineItems"][0]["LineAmount"]), d("30.36"));
}

#[tokio::test]
async fn refused_discounts_each_get_a_message() {
    let h = H::start().await;
    let with = |k: &str, v: Value| {
        let mut l = line("1", "10.00", "OUTPUT2");
        l[k] = v;
        l
    };
    let mut both = with("DiscountRate", json!(10));
    both["DiscountAmount"] = json!(1);
    let cases = vec![
        (
            with("DiscountRate", json!(0)),
            "DiscountRate must be greater than zero.",
        ),
        (
            with("DiscountRate", json!(100)),
            "DiscountRate must be less than 100%.",
        ),
        (
            with("DiscountAmount", json!(10)),
            "The DiscountAmount cannot be equal to or greater than the line amount.",
        ),
        (
            with("DiscountAmount", json!(0)),
            "DiscountAmount must be greater than zero.",
        ),
        (
            both,
            "A line item can have a DiscountRate or a DiscountAmount, not both.",
        ),
    ];
    let expected: Vec<&str> = cases.iter().map(|(_, m)| *m).collect();
    let invoices: Vec<Value> = cases
        .into_iter()
        .enumerate()
        .map(|(i, (l, _))| invoice(&format!("BD-{i}"), vec![l]))
        .collect();
    let r = h.put_invoices(invoices).await;
    for (i, want) in expected.iter().enumerate() {
        assert_eq!(
            r.messages("Invoices", i),
            vec![want.to_string()],
            "case {i}"
        );
    }
    let mut tiny = line("1", "0.01", "OUTPUT2");
    tiny["DiscountRate"] = json!(60);
    let r = h.put_invoices(vec![invoice("BD-9", vec![tiny])]).await;
    assert_eq!(
        r.messages("Invoices", 0),
        vec!["The line amount after discount cannot be zero."]
    );
    // Credit notes take no discount (rule S7's reason).
    let mut l = line("1", "10.00", "OUTPUT2");
    l["DiscountRate"] = json!(10);
    let cn = h.put("/CreditNotes?summarizeErrors=false", json!({ "CreditNotes": [{ "Type": "ACCRECCREDIT", "Contact": { "Name": "Acme Ltd" }, "LineItems": [l] }] })).await;
    assert_eq!(
        cn.messages("CreditNotes", 0),
        vec!["Discounts are not supported on credit notes."]
    );
}

/// Rule S6a: a CRM that taxes the invoice total gets 6.01 on three 10.01 lines at 20 %; Xero's per-line tax is 6.00.
/// A `TaxAmount` of 2.01 on one line (0.01 off Xero's own 2.00) makes Xero's figures equal the CRM's, and they stay
/// so through approval and a part payment.
#[tokio::test]
async fn a_line_tax_amount_override_moves_total_tax_total_and_amount_due_rule_s6a() {
    let h = H::start().await;
    let plain = h
        .create_invoice(invoice("TX-0", vec![line("1", "10.01", "OUTPUT2"); 3]))
        .await;
    assert_eq!(
        dec(&plain["TotalTax"]),
        d("6.00"),
        "Xero's own per-line figure"
    );
    let mut adjusted = line("1", "10.01", "OUTPUT2");
    adjusted["TaxAmount"] = json!(2.01);
    let inv = h
        .create_invoice(invoice(
            "TX-1",
            vec![
                adjusted,
                line("1", "10.01", "OUTPUT2"),
                line("1", "10.01", "OUTPUT2"),
            ],
        ))
        .await;
    let taxes: Vec<_> = inv["LineItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["TaxAmount"]))
        .collect();
    assert_eq!(taxes, vec![d("2.01"), d("2.00"), d("2.00")]);
    assert_eq!(
        (
            dec(&inv["SubTotal"]),
            dec(&inv["TotalTax"]),
            dec(&inv["Total"])
        ),
        (d("30.03"), d("6.01"), d("36.04"))
    );
    // Approving (no LineItems in the request) keeps the override rather than recomputing the tax.
    let id = inv["InvoiceID"].as_str().unwrap();
    let approved = h
        .post(
            &format!("/Invoices/{id}?summarizeErrors=false"),
            json!({ "Status": "AUTHORISED" }),
        )
        .await;
    let a = &approved.records("Invoices")[0];
    assert_eq!(
        (
            a["Status"].as_str(),
            dec(&a["TotalTax"]),
            dec(&a["AmountDue"])
        ),
        (Some("AUTHORISED"), d("6.01"), d("36.04"))
    );
    let pay =
        json!({ "Invoice": { "InvoiceID": id }, "Account": { "Code": "090" }, "Amount": 6.04 });
    assert_eq!(h.put("/Payments", pay).await.status, 200);
    let read = h.get(&format!("/Invoices/{id}")).await;
    assert_eq!(dec(&read.records("Invoices")[0]["AmountDue"]), d("30.00"));
}

/// `xero_sim::maths::invoice_figures` (for tests outside the simulator) says what the simulator answers.
#[tokio::test]
async fn invoice_figures_predicts_the_simulators_answer() {
    let h = H::start().await;
    let mut rate = line("3", "30.00", "OUTPUT2");
    rate["DiscountRate"] = json!(12.5);
    let mut amount = line("2", "9.99", "RROUTPUT");
    amount["DiscountAmount"] = json!(1.5);
    let mut taxed = line("1", "10.01", "OUTPUT2");
    taxed["TaxAmount"] = json!(2.01);
    for (n, (kind, lines)) in [
        (
            "Exclusive",
            vec![rate.clone(), amount.clone(), taxed.clone()],
        ),
        (
            "Inclusive",
            vec![rate, line("1", "0.05", "ZERORATEDOUTPUT")],
        ),
        ("NoTax", vec![line("2.5", "4.01", "NONE")]),
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = invoice(&format!("FIG-{n}"), lines);
        body["LineAmountTypes"] = json!(kind);
        let want =
            xero_sim::maths::invoice_figures(&body, xero_sim::taxrates::Country::Uk, 2).unwrap();
        let got = h.create_invoice(body).await;
        assert_eq!(dec(&got["SubTotal"]), want.totals.sub_total, "{kind}");
        assert_eq!(dec(&got["TotalTax"]), want.totals.total_tax, "{kind}");
        assert_eq!(dec(&got["Total"]), want.totals.total, "{kind}");
        let taxes: Vec<_> = got["LineItems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| dec(&l["TaxAmount"]))
            .collect();
        assert_eq!(
            taxes,
            want.lines.iter().map(|l| l.tax).collect::<Vec<_>>(),
            "{kind}"
        );
    }
    let refused = json!({ "LineItems": [{ "Quantity": 1, "UnitAmount": 5, "TaxType": "BOGUS" }] });
    let e =
        xero_sim::maths::invoice_figures(&refused, xero_sim::taxrates::Country::Uk, 2).unwrap_err();
    assert!(e.contains("line 1") && e.contains("BOGUS"), "{e}");
}
