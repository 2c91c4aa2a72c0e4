//! Request descriptions (method, path, query, headers, body) and the answers fed back.

use crate::error::Error;
use crate::parse::Collection;
use crate::records::InvoiceKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Xero's practical ceiling of records per write request (rule X1).
pub const MAX_RECORDS_PER_REQUEST: usize = 50;

/// One HTTP request to Xero's Accounting API, relative to `https://api.xero.com/api.xro/2.0`. The caller adds the
/// bearer token and `xero-tenant-id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct XeroRequest {
    /// Unique within the plan (`items-1`, `invoices-2`); answers name it.
    pub id: String,
    /// `GET`, `POST` or `PUT`.
    #[cfg_attr(feature = "ts", ts(type = "\"GET\" | \"POST\" | \"PUT\""))]
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    #[cfg_attr(
        feature = "ts",
        ts(
            optional,
            type = "{ Items: Array<object> } | { Contacts: Array<object> } | { Invoices: Array<XeroInvoice> } | { CreditNotes: Array<XeroCreditNote> }"
        )
    )]
    pub body: Option<Value>,
}

/// An answer to a [`XeroRequest`]: its HTTP status and body (the raw text, or already-parsed JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct XeroAnswer {
    pub request_id: String,
    pub status: u16,
    #[serde(default)]
    pub body: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit_problem: Option<String>,
}

impl XeroAnswer {
    /// The body as JSON (parsing it when it came as text); `None` when it is not JSON.
    pub fn json(&self) -> Option<Value> {
        match &self.body {
            Value::String(text) => serde_json::from_str(text).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
    /// The body as text, for error parsing.
    pub fn text(&self) -> String {
        match &self.body {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

/// A deterministic `Idempotency-Key` (≤ 128 characters) from a request's method, path, query and body: a retry of
/// the same request replays Xero's first answer instead of doing the work twice.
pub fn idempotency_key(
    method: &str,
    path: &str,
    query: &BTreeMap<String, String>,
    body: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [method, "\n", path, "\n"] {
        hasher.update(part.as_bytes());
    }
    for (key, value) in query {
        hasher.update(format!("{key}={value}&").as_bytes());
    }
    hasher.update(b"\n");
    hasher.update(body.as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("xerosync-{hex}")
}

/// A write request: `POST /{collection}?summarizeErrors=false[&unitdp=4]` with `{ "<Collection>": records }`
/// (create or update), or `PUT` when `create_only` (Xero then refuses a number it already has instead of
/// overwriting that document, rule S8).
pub(crate) fn write_request(
    id: String,
    collection: Collection,
    records: Vec<Value>,
    unitdp4: bool,
    create_only: bool,
) -> Result<XeroRequest, Error> {
    let method = if create_only { "PUT" } else { "POST" };
    let mut query = BTreeMap::new();
    query.insert("summarizeErrors".to_string(), "false".to_string());
    if unitdp4 {
        query.insert("unitdp".to_string(), "4".to_string());
    }
    let mut body = serde_json::Map::new();
    body.insert(collection.key().to_string(), Value::Array(records));
    let body = Value::Object(body);
    let text =
        serde_json::to_string(&body).map_err(|e| Error::xero(collection.key(), e.to_string()))?;
    let path = format!("/{}", collection.key());
    let mut headers = BTreeMap::new();
    headers.insert("Accept".to_string(), "application/json".to_string());
    headers.insert("Content-Type".to_string(), "application/json".to_string());
    headers.insert(
        "Idempotency-Key".to_string(),
        idempotency_key(method, &path, &query, &text),
    );
    Ok(XeroRequest {
        id,
        method: method.into(),
        path,
        query,
        headers,
        body: Some(body),
    })
}

/// Rule U6: a read of one document Xero has, by its id, for a person comparing it with the CRM's: invoices by
/// `IDs=`, a credit note by its id in the path (Xero filters credit notes by `where` only).
pub fn document_request(kind: InvoiceKind, xero_id: &str) -> XeroRequest {
    let mut query = BTreeMap::new();
    let path = match kind {
        InvoiceKind::Invoice => {
            query.insert("IDs".to_string(), xero_id.trim().to_string());
            "/Invoices".to_string()
        }
        InvoiceKind::CreditNote => format!("/CreditNotes/{}", xero_id.trim()),
    };
    read_request("document".into(), path, query)
}

/// The document of [`document_request`] in its answer, or an error saying Xero has none with that id.
pub fn document_in_answer(
    answer: &XeroAnswer,
    kind: InvoiceKind,
    xero_id: &str,
) -> Result<Value, Error> {
    let (key, id_field) = match kind {
        InvoiceKind::Invoice => ("Invoices", "InvoiceID"),
        InvoiceKind::CreditNote => ("CreditNotes", "CreditNoteID"),
    };
    let body = answer
        .json()
        .filter(|_| answer.status == 200)
        .ok_or_else(|| {
            let error = crate::parse::parse_xero_error(answer.status, &answer.text(), None, None);
            Error::xero(
                key,
                format!("Xero answered {}: {}", answer.status, error.message),
            )
        })?;
    body.get(key)
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter().find(|d| {
                d.get(id_field)
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(xero_id.trim()))
            })
        })
        .cloned()
        .ok_or_else(|| {
            Error::xero(
                key,
                format!("Xero has no document with the id {}", xero_id.trim()),
            )
        })
}

/// A read request for documents by number (rule S8): after a lost answer, the client looks the documents up before
/// writing again. Invoices use `InvoiceNumbers=`, credit notes a `where` filter on `CreditNoteNumber`.
pub fn lookup_request(
    id: String,
    collection: Collection,
    numbers: &[String],
    unitdp4: bool,
) -> XeroRequest {
    let mut query = BTreeMap::new();
    match collection {
        Collection::CreditNotes => {
            query.insert(
                "where".to_string(),
                crate::where_filter::credit_note_numbers(numbers),
            );
        }
        _ => {
            query.insert("InvoiceNumbers".to_string(), numbers.join(","));
        }
    }
    if unitdp4 {
        query.insert("unitdp".to_string(), "4".to_string());
    }
    let mut headers = BTreeMap::new();
    headers.insert("Accept".to_string(), "application/json".to_string());
    XeroRequest {
        id,
        method: "GET".into(),
        path: format!("/{}", collection.key()),
        query,
        headers,
        body: None,
    }
}

/// A `GET` with these query parameters.
pub(crate) fn read_request(
    id: String,
    path: String,
    query: BTreeMap<String, String>,
) -> XeroRequest {
    let mut headers = BTreeMap::new();
    headers.insert("Accept".to_string(), "application/json".to_string());
    XeroRequest {
        id,
        method: "GET".into(),
        path,
        query,
        headers,
        body: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn idempotency_key_follows_the_content_rule_x1() {
        let a = write_request(
            "a".into(),
            Collection::Invoices,
            vec![json!({"InvoiceNumber": "INV-1"})],
            false,
            false,
        )
        .unwrap();
        let b = write_request(
            "b".into(),
            Collection::Invoices,
            vec![json!({"InvoiceNumber": "INV-1"})],
            false,
            false,
        )
        .unwrap();
        let c = write_request(
            "a".into(),
            Collection::Invoices,
            vec![json!({"InvoiceNumber": "INV-2"})],
            false,
            false,
        )
        .unwrap();
        assert_eq!(a.headers["Idempotency-Key"], b.headers["Idempotency-Key"]);
        assert_ne!(a.headers["Idempotency-Key"], c.headers["Idempotency-Key"]);
        assert!(a.headers["Idempotency-Key"].len() <= 128);
        assert_eq!(a.query["summarizeErrors"], "false");
        assert_eq!(a.method, "POST");
    }

    /// Rule U6: one document by id, through what the relay takes (IDs= for invoices, the id in the path for a
    /// credit note); an answer without it says so.
    #[test]
    fn one_document_by_id_rule_u6() {
        let id = "a1000000-0000-4000-8000-000000000001";
        let r = document_request(InvoiceKind::Invoice, id);
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.query["IDs"].as_str()),
            ("GET", "/Invoices", id)
        );
        let r = document_request(InvoiceKind::CreditNote, id);
        assert_eq!(
            (r.path.as_str(), r.query.len()),
            (format!("/CreditNotes/{id}").as_str(), 0)
        );
        let answer = |status, body| XeroAnswer {
            request_id: "document".into(),
            status,
            body,
            retry_after: None,
            rate_limit_problem: None,
        };
        let found = json!({ "CreditNotes": [{ "CreditNoteID": id.to_uppercase(), "Total": 5 }] });
        assert_eq!(
            document_in_answer(&answer(200, found), InvoiceKind::CreditNote, id).unwrap()["Total"],
            5
        );
        let none = document_in_answer(
            &answer(200, json!({ "Invoices": [] })),
            InvoiceKind::Invoice,
            id,
        )
        .unwrap_err();
        assert!(
            none.to_string().contains("no document with the id"),
            "{none}"
        );
        let down =
            document_in_answer(&answer(503, json!("busy")), InvoiceKind::Invoice, id).unwrap_err();
        assert!(down.to_string().contains("Xero answered 503"), "{down}");
    }

    #[test]
    fn lookups_by_number_rule_s8() {
        let r = lookup_request(
            "l".into(),
            Collection::Invoices,
            &["INV-1".into(), "INV-2".into()],
            false,
        );
        assert_eq!(
            (
                r.method.as_str(),
                r.path.as_str(),
                r.query["InvoiceNumbers"].as_str()
            ),
            ("GET", "/Invoices", "INV-1,INV-2")
        );
        let r = lookup_request("l".into(), Collection::CreditNotes, &["CN-1".into()], true);
        assert_eq!(r.query["where"], "CreditNoteNumber==\"CN-1\"");
        assert_eq!(r.query["unitdp"], "4");
    }
}
