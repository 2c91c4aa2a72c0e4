//! `matchContact` (rule S3a): which existing Xero contact a CRM company is, before anything is created.
//!
//! Real organisations already hold customers. A company without a Xero ContactID is compared with Xero's contacts
//! in a fixed order of evidence (ContactNumber = CRM company id, AccountNumber, Name as Xero compares names, the
//! primary person's email). The first kind of evidence that finds anything decides:
//! - exactly one contact, and it is active: link it;
//! - exactly one contact, and it is archived: stop, a person decides (linking would write to a dormant record,
//!   creating would likely duplicate a customer);
//! - several contacts: stop, a person picks one (never an invoice on the wrong contact).
//!
//! Weaker evidence never overrides stronger: a ContactNumber match is not second-guessed by a name match.

use crate::error::Error;
use crate::records::Company;
use crate::xero::text;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a company was matched (contract.md's `by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "ContactMatchedBy"))]
#[serde(rename_all = "camelCase")]
pub enum MatchedBy {
    /// The company already had a ContactID (rule S3).
    ContactId,
    ContactNumber,
    AccountNumber,
    Name,
    Email,
    /// Several contacts fit: a person picks one.
    Ambiguous,
    /// The only fitting contact is archived: a person decides.
    Archived,
    /// No contact fits: a new one will be created.
    None,
}

/// `matchContact`'s result (contract.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ContactMatch {
    /// The ContactID to link, or `None` (create one, or wait for a person).
    pub contact_id: Option<String>,
    pub by: MatchedBy,
    /// The ContactIDs a person must choose between (empty unless `ambiguous` or `archived`).
    pub candidates: Vec<String>,
}

impl ContactMatch {
    /// Nothing may be created or sent for this company until a person decides.
    pub fn needs_a_person(&self) -> bool {
        matches!(self.by, MatchedBy::Ambiguous | MatchedBy::Archived)
    }
}

/// The fields of a Xero `Contact` that matching reads.
#[derive(Debug, Clone, PartialEq)]
pub struct XeroContact {
    pub contact_id: String,
    pub name: String,
    pub contact_number: Option<String>,
    pub account_number: Option<String>,
    pub email: Option<String>,
    pub active: bool,
}

impl XeroContact {
    /// Reads one contact as Xero returns it; `index` names it in errors.
    pub fn from_json(value: &Value, index: usize) -> Result<XeroContact, Error> {
        let context = format!("Contacts[{index}]");
        if !value.is_object() {
            return Err(Error::xero(context, "expected a Contact object"));
        }
        let contact_id = text(value, "ContactID")
            .ok_or_else(|| Error::xero(context.clone(), "ContactID: missing"))?;
        // Xero always sends ContactStatus; a contact without it is taken as active, the only status that can be
        // linked silently is `ACTIVE`.
        let active = value
            .get("ContactStatus")
            .and_then(Value::as_str)
            .is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"));
        Ok(XeroContact {
            contact_id,
            name: text(value, "Name").unwrap_or_default(),
            contact_number: text(value, "ContactNumber"),
            account_number: text(value, "AccountNumber"),
            email: text(value, "EmailAddress"),
            active,
        })
    }

    /// Reads a list of contacts (`xeroContacts`, or a `GET /Contacts` answer's `Contacts`).
    pub fn list_from_json(value: &Value) -> Result<Vec<XeroContact>, Error> {
        let list = value
            .as_array()
            .ok_or_else(|| Error::xero("Contacts", "expected an array of Contact objects"))?;
        list.iter()
            .enumerate()
            .map(|(i, v)| XeroContact::from_json(v, i))
            .collect()
    }
}

/// A name as Xero compares names: case-insensitive, surrounding and repeated spaces ignored.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Rule S3a: which of `contacts` the company is (see the module docs).
pub fn match_contact(company: &Company, contacts: &[XeroContact]) -> ContactMatch {
    if let Some(id) = company
        .xero_contact_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        return decided(Some(id.to_owned()), MatchedBy::ContactId, Vec::new());
    }
    let nonempty = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    let id = nonempty(&company.id);
    let account = company.account_number.as_deref().and_then(nonempty);
    let name = Some(name_key(&company.name)).filter(|n| !n.is_empty());
    let email = company
        .primary_person()
        .and_then(|p| p.email.as_deref())
        .and_then(nonempty)
        .map(|e| e.to_lowercase());

    // An archived contact sharing an email is no evidence: people move between companies.
    let fits = |by: MatchedBy, c: &XeroContact| match by {
        MatchedBy::ContactNumber => id.is_some() && c.contact_number == id,
        MatchedBy::AccountNumber => account.is_some() && c.account_number == account,
        MatchedBy::Name => name.as_ref().is_some_and(|n| name_key(&c.name) == *n),
        MatchedBy::Email => {
            c.active
                && email
                    .as_ref()
                    .is_some_and(|e| c.email.as_deref().map(str::to_lowercase).as_ref() == Some(e))
        }
        _ => false,
    };
    let steps = [
        MatchedBy::ContactNumber,
        MatchedBy::AccountNumber,
        MatchedBy::Name,
        MatchedBy::Email,
    ];
    for by in steps {
        let found: Vec<&XeroContact> = contacts.iter().filter(|c| fits(by, c)).collect();
        let mut ids: Vec<String> = Vec::new();
        for c in &found {
            // The same contact may be listed twice (it was read by two look-ups).
            if !ids.contains(&c.contact_id) {
                ids.push(c.contact_id.clone());
            }
        }
        match ids.len() {
            0 => continue,
            1 if found.iter().all(|c| c.active) => return decided(ids.pop(), by, Vec::new()),
            1 => return decided(None, MatchedBy::Archived, ids),
            _ => return decided(None, MatchedBy::Ambiguous, ids),
        }
    }
    decided(None, MatchedBy::None, Vec::new())
}

fn decided(contact_id: Option<String>, by: MatchedBy, candidates: Vec<String>) -> ContactMatch {
    ContactMatch {
        contact_id,
        by,
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_record;
    use crate::error::RecordKind;
    use serde_json::json;

    fn company(extra: Value) -> Company {
        let mut c = json!({ "id": "co-7", "name": "Millbrook  Bakery ", "accountNumber": "ACC-7",
            "people": [{ "id": "p1", "firstName": "Ann", "lastName": "Lee", "email": "Ann@Millbrook.example", "primary": true }] });
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        decode_record(&c, RecordKind::Company, 0).unwrap()
    }

    fn contact(id: &str, fields: Value) -> Value {
        let mut c =
            json!({ "ContactID": id, "Name": format!("Other {id}"), "ContactStatus": "ACTIVE" });
        c.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        c
    }

    fn run(company: &Company, contacts: Vec<Value>) -> ContactMatch {
        match_contact(
            company,
            &XeroContact::list_from_json(&Value::Array(contacts)).unwrap(),
        )
    }

    #[test]
    fn evidence_in_order_rule_s3a() {
        let c = company(json!({}));
        let all = vec![
            contact("e", json!({ "EmailAddress": "ann@millbrook.example" })),
            contact("n", json!({ "Name": "millbrook bakery" })),
            contact("a", json!({ "AccountNumber": "ACC-7" })),
            contact("k", json!({ "ContactNumber": "co-7" })),
        ];
        assert_eq!(run(&c, all.clone()).contact_id.as_deref(), Some("k"));
        assert_eq!(run(&c, all[..3].to_vec()).by, MatchedBy::AccountNumber);
        assert_eq!(run(&c, all[..2].to_vec()).by, MatchedBy::Name);
        assert_eq!(run(&c, all[..1].to_vec()).by, MatchedBy::Email);
        assert_eq!(run(&c, vec![]).by, MatchedBy::None);
    }

    #[test]
    fn several_or_archived_need_a_person_rule_s3a() {
        let c = company(json!({}));
        let two = run(
            &c,
            vec![
                contact("x", json!({ "Name": "MILLBROOK BAKERY" })),
                contact(
                    "y",
                    json!({ "Name": "Millbrook Bakery", "ContactStatus": "ARCHIVED" }),
                ),
            ],
        );
        assert_eq!(
            (two.by, two.contact_id, two.candidates),
            (MatchedBy::Ambiguous, None, vec!["x".into(), "y".into()])
        );
        let archived = run(
            &c,
            vec![contact(
                "z",
                json!({ "ContactNumber": "co-7", "ContactStatus": "ARCHIVED" }),
            )],
        );
        assert!(archived.needs_a_person());
        assert_eq!(archived.candidates, vec!["z".to_string()]);
        // An archived contact with the person's email is no evidence.
        let email = run(
            &c,
            vec![contact(
                "w",
                json!({ "EmailAddress": "ann@millbrook.example", "ContactStatus": "ARCHIVED" }),
            )],
        );
        assert_eq!(email.by, MatchedBy::None);
    }

    #[test]
    fn a_known_contact_id_wins_and_duplicates_count_once_rule_s3a() {
        let c = company(json!({ "xeroContactId": "known" }));
        assert_eq!(run(&c, vec![]).by, MatchedBy::ContactId);
        let c = company(json!({}));
        let twice = vec![
            contact("k", json!({ "ContactNumber": "co-7" })),
            contact("k", json!({ "ContactNumber": "co-7" })),
        ];
        assert_eq!(run(&c, twice).contact_id.as_deref(), Some("k"));
    }

    #[test]
    fn a_contact_without_id_is_an_error_naming_it() {
        let err = XeroContact::list_from_json(&json!([{ "ContactID": "a" }, { "Name": "b" }]))
            .unwrap_err();
        assert!(err.to_string().contains("Contacts[1]"), "{err}");
        assert!(err.to_string().contains("ContactID"), "{err}");
    }
}
