//! Contacts: unique active names (compared as Xero compares them), the primary person, contact persons, addresses,
//! phones, tax number, default currency. An update changes only what the request carries (Xero's partial update):
//! an omitted field keeps its value, and an address or phone replaces only the stored one of the same type.

use serde_json::Value;
use uuid::Uuid;

use super::{check_len, new_contact, Outcome, WriteCtx, WriteMode, NOT_FOUND};
use crate::json::{bool_field, str_field};
use crate::store::{Contact, Person, Typed};

/// `Address` fields besides `AddressType`, with their maximum lengths (OpenAPI `Address`).
const ADDRESS_FIELDS: &[(&str, usize)] = &[
    ("AddressLine1", 500),
    ("AddressLine2", 500),
    ("AddressLine3", 500),
    ("AddressLine4", 500),
    ("City", 255),
    ("Region", 255),
    ("PostalCode", 50),
    ("Country", 50),
    ("AttentionTo", 255),
];
/// `Phone` fields besides `PhoneType` (OpenAPI `Phone`).
const PHONE_FIELDS: &[(&str, usize)] = &[
    ("PhoneNumber", 50),
    ("PhoneAreaCode", 10),
    ("PhoneCountryCode", 20),
];

/// What an `Addresses` or `Phones` array looks like.
struct TypedList {
    key: &'static str,
    type_key: &'static str,
    types: &'static [&'static str],
    fields: &'static [(&'static str, usize)],
}

const ADDRESSES: TypedList = TypedList {
    key: "Addresses",
    type_key: "AddressType",
    types: &["POBOX", "STREET"],
    fields: ADDRESS_FIELDS,
};
const PHONES: TypedList = TypedList {
    key: "Phones",
    type_key: "PhoneType",
    types: &["DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE"],
    fields: PHONE_FIELDS,
};

/// Reads `Addresses` / `Phones` (`None` when the request leaves them out).
fn typed_list(body: &Value, list: &TypedList, errors: &mut Vec<String>) -> Option<Vec<Typed>> {
    let entries = match body.get(list.key)? {
        Value::Array(entries) => entries,
        _ => {
            errors.push(format!("{} must be an array.", list.key));
            return None;
        }
    };
    let mut out: Vec<Typed> = Vec::new();
    for entry in entries {
        let kind = str_field(entry, list.type_key).unwrap_or_default();
        if !list.types.contains(&kind) {
            errors.push(format!(
                "{} '{kind}' is not valid ({}).",
                list.type_key,
                list.types.join(", ")
            ));
            continue;
        }
        let mut fields = Vec::new();
        for &(key, max) in list.fields {
            if let Some(value) = check_len(errors, entry, key, max) {
                fields.push((key.to_owned(), value));
            }
        }
        // Two entries of one type: the later wins, as one stored entry per type.
        out.retain(|t| t.kind != kind);
        out.push(Typed {
            kind: kind.to_owned(),
            fields,
        });
    }
    Some(out)
}

/// The stored entries with the request's ones replacing those of the same type.
fn merge_typed(old: &[Typed], new: Option<Vec<Typed>>) -> Vec<Typed> {
    let Some(new) = new else {
        return old.to_vec();
    };
    let mut merged: Vec<Typed> = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.kind == o.kind))
        .cloned()
        .collect();
    merged.extend(new);
    merged
}

/// Creates or updates one contact.
pub fn contact(
    ctx: &mut WriteCtx,
    body: &Value,
    mode: WriteMode,
    path_key: Option<&str>,
) -> Outcome {
    if !body.is_object() {
        return Err(vec!["Contact must be a JSON object.".to_owned()]);
    }
    let tenant = &*ctx.tenant;
    let existing = match path_key.or_else(|| str_field(body, "ContactID")) {
        Some(key) => Some(
            Uuid::parse_str(key)
                .ok()
                .and_then(|id| tenant.contact(id))
                .or_else(|| {
                    tenant
                        .contacts
                        .iter()
                        .find(|c| c.number.as_deref() == Some(key))
                })
                .cloned()
                .ok_or_else(|| vec![NOT_FOUND.to_owned()])?,
        ),
        None if mode == WriteMode::CreateOrUpdate => str_field(body, "ContactNumber")
            .and_then(|n| {
                tenant
                    .contacts
                    .iter()
                    .find(|c| c.number.as_deref() == Some(n))
            })
            .cloned(),
        None => None,
    };
    let mut errors = Vec::new();
    let name = check_len(&mut errors, body, "Name", 255).map(|n| n.trim().to_owned());
    let name = match (name, &existing) {
        (Some(n), _) if !n.is_empty() => n,
        (None, Some(old)) => old.name.clone(),
        _ => {
            errors.push("The contact name must be specified.".to_owned());
            String::new()
        }
    };
    let status = str_field(body, "ContactStatus")
        .map(str::to_owned)
        .or_else(|| existing.as_ref().map(|c| c.status.clone()))
        .unwrap_or_else(|| "ACTIVE".to_owned());
    if !matches!(status.as_str(), "ACTIVE" | "ARCHIVED") {
        errors.push(format!("ContactStatus '{status}' is not valid."));
    }
    if status == "ACTIVE" && !name.is_empty() {
        if let Some(other) = tenant.active_contact_named(&name) {
            if Some(other.id) != existing.as_ref().map(|c| c.id) {
                errors.push(format!(
                    "The contact name {name} is already assigned to another contact. The contact name must be unique across all active contacts."
                ));
            }
        }
    }
    let number = check_len(&mut errors, body, "ContactNumber", 50);
    let account_number = check_len(&mut errors, body, "AccountNumber", 50);
    let first_name = check_len(&mut errors, body, "FirstName", 255);
    let last_name = check_len(&mut errors, body, "LastName", 255);
    let email = check_len(&mut errors, body, "EmailAddress", 255);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
        if !e.contains('@') || e.contains(' ') {
            errors.push("Email address must be valid.".to_owned());
        }
    }
    let company_number = check_len(&mut errors, body, "CompanyNumber", 50);
    let tax_number = check_len(&mut errors, body, "TaxNumber", 50);
    let default_currency = str_field(body, "DefaultCurrency").map(str::to_owned);
    if let Some(code) = &default_currency {
        if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
            errors.push(format!(
                "DefaultCurrency '{code}' is not a valid currency code."
            ));
        }
    }
    let addresses = typed_list(body, &ADDRESSES, &mut errors);
    let phones = typed_list(body, &PHONES, &mut errors);
    let persons = match body.get("ContactPersons") {
        Some(Value::Array(list)) => {
            if list.len() > 5 {
                errors.push("A contact can have no more than 5 contact persons.".to_owned());
            }
            Some(
                list.iter()
                    .map(|p| Person {
                        first_name: str_field(p, "FirstName").map(str::to_owned),
                        last_name: str_field(p, "LastName").map(str::to_owned),
                        email: str_field(p, "EmailAddress").map(str::to_owned),
                        include_in_emails: bool_field(p, "IncludeInEmails").unwrap_or(false),
                    })
                    .collect(),
            )
        }
        _ => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let created = existing.is_none();
    let old = existing.unwrap_or_else(|| new_contact(Uuid::new_v4(), name.clone(), ctx.now));
    let contact = Contact {
        name,
        status,
        number: number.or(old.number.clone()),
        account_number: account_number.or(old.account_number.clone()),
        first_name: first_name.or(old.first_name.clone()),
        last_name: last_name.or(old.last_name.clone()),
        email: email.or(old.email.clone()),
        persons: persons.unwrap_or(old.persons.clone()),
        company_number: company_number.or(old.company_number.clone()),
        tax_number: tax_number.or(old.tax_number.clone()),
        default_currency: default_currency.or(old.default_currency.clone()),
        addresses: merge_typed(&old.addresses, addresses),
        phones: merge_typed(&old.phones, phones),
        updated: ctx.now,
        ..old
    };
    let id = contact.id;
    ctx.tenant.put_contact(contact);
    ctx.event("CONTACT", created, id);
    Ok(id)
}
