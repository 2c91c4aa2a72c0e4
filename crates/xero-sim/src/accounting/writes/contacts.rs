//! Contacts: unique active names, the primary person, contact persons.

use serde_json::Value;
use uuid::Uuid;

use super::{check_len, new_contact, Outcome, WriteCtx, WriteMode, NOT_FOUND};
use crate::json::{bool_field, str_field};
use crate::store::{Contact, Person};

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
        updated: ctx.now,
        ..old
    };
    let id = contact.id;
    ctx.tenant.put_contact(contact);
    ctx.event("CONTACT", created, id);
    Ok(id)
}
