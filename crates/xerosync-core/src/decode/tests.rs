//! The decoder's errors against the way it worked before issue 13, kept here as the reference: every record decoded
//! from a `serde_json::Value`, and on failure again through `serde_path_to_error` to name the field. Malformed
//! records of every type must give exactly the same error (record, field path, message) both ways.

use super::*;
use crate::records::{Company, Product, Settings, TaxRate};
use crate::rules::InvoiceSummary;
use proptest::prelude::*;
use serde_json::json;

/// The decoder as it was: from a `Value`, the path by `serde_path_to_error`.
fn reference<T: DeserializeOwned>(
    value: &Value,
    kind: RecordKind,
    index: usize,
) -> Result<T, Error> {
    let record = record_ref_of(value, kind, index);
    if !value.is_object() {
        return Err(Error::invalid(
            &record,
            "(record)",
            format!("expected an object, got {}", json_kind(value)),
        ));
    }
    // The path and the message as serde_path_to_error gave them; the error built from them as the decoder does.
    serde_path_to_error::deserialize(value)
        .map_err(|err| error_at(&record, err.path().to_string(), err.inner().to_string()))
}

fn invoice() -> Value {
    json!({
        "id": "inv-9", "kind": "invoice", "number": "INV-9", "reference": "PO 1", "companyId": "co-1",
        "personId": "pe-1", "issueDate": "2026-11-01", "dueDate": "2026-12-01", "currency": "GBP",
        "amountsAre": "exclusive", "status": "Live", "total": "120.00", "amountOutstanding": 120,
        "currencyRate": 1.5, "brandingThemeId": "bt", "sentToAccounts": null, "sentToAccountsDate": null,
        "xeroId": null, "fullyPaidOnDate": "2026-11-03", "dismissedDiscrepancies": ["total"],
        "payments": [{ "date": "2026-11-02", "amount": "10.00", "reference": "r" }],
        "credits": [{ "number": "CN-1", "date": "2026-11-02", "amount": 5 }],
        "amendments": [{ "kind": "creditNote", "number": "CN-2", "xeroId": "x", "amount": "1.00" }],
        "lines": [
            { "productId": "pr-1", "description": "Work", "quantity": 2, "listPrice": "50.00",
              "discount": { "percent": 10 }, "taxRateId": "vat20", "accountCode": "200",
              "tracking": { "Region": "North" } },
            { "description": "More", "quantity": "1", "listPrice": 20, "discount": { "amount": "1.00" } }
        ]
    })
}

fn company() -> Value {
    json!({
        "id": "co-1", "name": "Acme", "accountNumber": "A1", "xeroContactId": null, "balance": "3.00",
        "people": [{ "id": "pe-1", "firstName": "Ann", "lastName": "Lee", "email": "a@b.c", "primary": true }],
        "phone": "1", "taxNumber": "2", "currency": "GBP", "createXeroContact": false, "brandingThemeId": "bt",
        "address": { "lines": ["1 Road"], "city": "Town", "region": "R", "postalCode": "P", "country": "UK" }
    })
}

fn others() -> Vec<Value> {
    vec![
        json!({ "id": "pr-1", "code": "P1", "name": "Thing", "description": "d", "unitPrice": "9.99",
                "taxRateId": "vat20", "salesAccountCode": "200" }),
        json!({ "id": "vat20", "name": "VAT 20%", "percent": 20, "xeroTaxType": "OUTPUT2" }),
        json!({ "enabled": true, "defaultSalesAccountCode": "200", "discountStrategy": "auto",
                "taxStrategy": "xero", "brandingThemeId": "bt",
                "trackingMapping": { "Region": { "category": "Area", "options": { "North": "N" } } } }),
    ]
}

/// Compares both decoders on one record, for every record type.
fn same_errors(value: &Value) -> Result<(), TestCaseError> {
    fn one<T: DeserializeOwned + PartialEq + Clone + std::fmt::Debug>(
        value: &Value,
        kind: RecordKind,
    ) -> Result<(), TestCaseError> {
        // As the bindings had it: the argument's JSON text, read into a `Value` and decoded from that.
        let text = value.to_string();
        let want = reference::<T>(&serde_json::from_str(&text).unwrap(), kind, 3);
        prop_assert_eq!(decode_record_text::<T>(&text, kind, 3), want.clone());
        let pretty = serde_json::to_string_pretty(value).unwrap();
        prop_assert_eq!(decode_record_text::<T>(&pretty, kind, 3), want);
        Ok(())
    }
    one::<Invoice>(value, RecordKind::Invoice)?;
    one::<InvoiceSummary>(value, RecordKind::Invoice)?;
    one::<Company>(value, RecordKind::Company)?;
    one::<Product>(value, RecordKind::Product)?;
    one::<TaxRate>(value, RecordKind::TaxRate)?;
    one::<Settings>(value, RecordKind::Settings)
}

/// Every path in a value, as the steps to it.
fn paths(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match value {
        Value::Object(members) => members.iter().for_each(|(key, v)| {
            at.push(json!(key));
            paths(v, at, out);
            at.pop();
        }),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| {
            at.push(json!(i));
            paths(v, at, out);
            at.pop();
        }),
        _ => {}
    }
}

fn at_mut<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Value::String(key) => &mut v[key.as_str()],
        _ => &mut v[step.as_u64().unwrap() as usize],
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(Value),
    Remove,
    AddMember(String, Value),
}

fn junk() -> impl Strategy<Value = Value> {
    let words = [
        "three",
        "2026-02-30",
        "2026-11-01",
        "12.50",
        "1e-7",
        "Live",
        "Part Paid",
        "creditNote",
        "exclusive",
        "auto",
        "",
        " ",
        "x,}]\"{:",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        prop::sample::select(words.to_vec()).prop_map(Value::from),
        "[a-zA-Z0-9 ]{0,5}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        let key = prop_oneof![
            prop::sample::select(vec![
                "Live",
                "creditNote",
                "invoice",
                "percent",
                "id",
                "Foo"
            ])
            .prop_map(str::to_owned),
            "[a-z]{1,3}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => junk().prop_map(Mutation::Replace),
        1 => Just(Mutation::Remove),
        1 => ("[a-z]{1,2}|id|Live", junk()).prop_map(|(k, v)| Mutation::AddMember(k, v)),
    ]
}

fn mutate(mut value: Value, changes: &[(prop::sample::Index, Mutation)]) -> Value {
    for (index, change) in changes {
        let mut all = Vec::new();
        paths(&value, &mut Vec::new(), &mut all);
        let path = index.get(&all).clone();
        match change {
            Mutation::Replace(junk) => *at_mut(&mut value, &path) = junk.clone(),
            Mutation::Remove => {
                if let Some((last, parent)) = path.split_last() {
                    match (at_mut(&mut value, parent), last) {
                        (Value::Object(members), Value::String(key)) => {
                            members.remove(key);
                        }
                        (Value::Array(items), step) => {
                            items.remove(step.as_u64().unwrap() as usize);
                        }
                        _ => {}
                    }
                }
            }
            Mutation::AddMember(key, junk) => {
                if let Value::Object(members) = at_mut(&mut value, &path) {
                    members.insert(key.clone(), junk.clone());
                }
            }
        }
    }
    value
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// Rule L2: a malformed record of any type gets the error (field path and message) it always got.
    #[test]
    fn malformed_records_get_the_errors_they_always_got(
        base in 0usize..5,
        changes in prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..4),
    ) {
        let bases = [vec![invoice(), company()], others()].concat();
        same_errors(&mutate(bases[base].clone(), &changes))?;
    }
}

#[test]
fn good_records_and_named_cases_decode_as_before() {
    let mut cases = vec![
        invoice(),
        company(),
        json!(null),
        json!([1]),
        json!("x"),
        json!({}),
    ];
    cases.extend(others());
    for (path, bad) in [
        ("/lines/0/quantity", json!("three")),
        ("/lines/1/discount", json!([1, 2])),
        ("/lines/0/quantity", json!([[1]])),
        ("/status", json!(3)),
        ("/status", json!(null)),
        ("/status", json!([])),
        ("/status", json!({})),
        ("/status", json!({ "Live": null, "x": 1 })),
        ("/status", json!({ "Live": 1 })),
        ("/status", json!({ "Foo": 1, "Live": null })),
        ("/kind", json!({ "creditNote": [] })),
        ("/issueDate", json!("2026-02-30")),
        ("/issueDate", json!(["2026-02-30"])),
        ("/payments/0/date", json!(20261101)),
        ("/lines/0/tracking/Region", json!(1)),
        ("/lines", json!({})),
    ] {
        let mut value = invoice();
        *value.pointer_mut(path).unwrap() = bad;
        cases.push(value);
    }
    let mut missing = invoice();
    missing["lines"][1]
        .as_object_mut()
        .unwrap()
        .remove("quantity");
    cases.push(missing);
    for case in &cases {
        same_errors(case).unwrap();
    }
}
