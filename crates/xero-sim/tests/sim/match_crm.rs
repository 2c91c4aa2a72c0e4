//! Rule S6a across the two implementations of Xero's arithmetic: for random invoices whose CRM computes tax on the
//! total (rounded once per rate), the payload the core builds with `taxStrategy: "matchCrm"` makes the simulator's
//! total equal the CRM's, and the core's preview says so before sending.

use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use xero_sim::maths::invoice_figures;
use xero_sim::taxrates::Country;

const RATES: [(&str, &str, i64); 3] = [
    ("vat20", "OUTPUT2", 20),
    ("vat5", "RROUTPUT", 5),
    ("vat0", "ZERORATEDOUTPUT", 0),
];

fn ctx(strategy: &str) -> Value {
    json!({
        "companies": [{ "id": "co-1", "name": "Acme Ltd", "xeroContactId": "7f1c1f0e-5e0a-4a57-9d55-1f0c6d2a0b11" }],
        "taxRates": RATES.iter().map(|(id, t, p)| json!({ "id": id, "name": id, "percent": p.to_string(), "xeroTaxType": t })).collect::<Vec<_>>(),
        "settings": { "defaultSalesAccountCode": "200", "taxStrategy": strategy }
    })
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

prop_compose! {
    /// (quantity, unit price, rate index) per line; prices with up to 2 dp, quantities whole or 2 dp.
    fn lines()(lines in proptest::collection::vec((1i64..2_000, 0u32..=2, 1i64..5_000_000, 0usize..3), 1..10)) -> Vec<(Decimal, Decimal, usize)> {
        lines.into_iter().map(|(q, qdp, p, r)| (Decimal::new(q, qdp), Decimal::new(p, 2), r)).collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_simulators_total_is_the_crms_with_match_crm_rule_s6a(lines in lines()) {
        // The CRM: line amounts to the cent, then tax once per rate on the total.
        let amounts: Vec<Decimal> = lines.iter().map(|(q, p, _)| round2(q * p)).collect();
        let sub_total: Decimal = amounts.iter().sum();
        let mut tax = Decimal::ZERO;
        for (index, (_, _, percent)) in RATES.iter().enumerate() {
            let base: Decimal = lines.iter().zip(&amounts).filter(|((_, _, r), _)| *r == index).map(|(_, a)| *a).sum();
            tax += round2(base * Decimal::from(*percent) / Decimal::ONE_HUNDRED);
        }
        let crm_total = sub_total + tax;
        let invoice = json!({
            "id": "inv-1", "number": "INV-1", "companyId": "co-1", "issueDate": "2026-11-01", "currency": "GBP",
            "status": "Live", "total": crm_total.to_string(), "amountOutstanding": crm_total.to_string(),
            "lines": lines.iter().map(|(q, p, r)| json!({ "description": "Work", "quantity": q.to_string(),
                "listPrice": p.to_string(), "taxRateId": RATES[*r].0 })).collect::<Vec<_>>()
        });
        let payload = xerosync_core::api::build_invoice_payload(&invoice, &ctx("matchCrm")).unwrap();
        let figures = invoice_figures(&payload, Country::Uk, 2).unwrap();
        prop_assert_eq!(figures.totals.total, crm_total, "{}", payload);
        prop_assert_eq!(figures.totals.total_tax, tax);
        // Each line's tax stays within a cent of Xero's own figure for it.
        let own = invoice_figures(&xerosync_core::api::build_invoice_payload(&invoice, &ctx("xero")).unwrap(), Country::Uk, 2).unwrap();
        for (sent, xero) in figures.lines.iter().zip(&own.lines) {
            prop_assert!((sent.tax - xero.tax).abs() <= Decimal::new(1, 2));
        }
        // The preview said so before anything was sent.
        let preview = xerosync_core::api::preview_invoice(&invoice, &ctx("matchCrm")).unwrap();
        prop_assert_eq!(&preview["total"], &json!(crm_total.to_string()));
        prop_assert_eq!(&preview["matchesCrm"], &json!(true));
    }
}
