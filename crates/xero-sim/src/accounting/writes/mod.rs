//! Creating and updating records, one request element at a time, with Xero's validation messages. Each function
//! validates everything first and mutates only when the element is valid, so a failed element leaves no trace
//! (and the good elements of the same request are still created, as Xero does).

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::json::str_field;
use crate::store::{Contact, DocKind, Tenant};
use crate::webhooks::Event;

/// `PUT` creates; `POST` creates or updates (matching by id, or by number / code / contact number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// `PUT`.
    Create,
    /// `POST`.
    CreateOrUpdate,
}

/// What a write needs: the organisation, the time, the unit precision and where to put webhook events.
pub struct WriteCtx<'a> {
    /// The organisation written to.
    pub tenant: &'a mut Tenant,
    /// The simulated now.
    pub now: DateTime<Utc>,
    /// 2, or 4 with `unitdp=4`.
    pub unit_dp: u32,
    /// Webhook events produced.
    pub events: &'a mut Vec<Event>,
}

impl WriteCtx<'_> {
    fn event(&mut self, category: &'static str, created: bool, resource_id: Uuid) {
        self.events.push(Event {
            tenant_id: self.tenant.id,
            category,
            event_type: if created { "CREATE" } else { "UPDATE" },
            resource_id,
            at: self.now,
        });
    }
}

pub(super) type Outcome = Result<Uuid, Vec<String>>;

/// The message Xero gives for an id that matches nothing.
pub const NOT_FOUND: &str = "The document with the supplied id was not found for this endpoint.";

/// "Invoice" or "Credit Note", as Xero's messages say.
pub(super) fn noun(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Invoice => "Invoice",
        DocKind::CreditNote => "Credit Note",
    }
}

/// A new active contact with just a name.
pub(super) fn new_contact(id: Uuid, name: String, now: DateTime<Utc>) -> Contact {
    Contact {
        id,
        name,
        status: "ACTIVE".to_owned(),
        updated: now,
        ..Contact::default()
    }
}

/// A string field, with an error when it is longer than `max` characters.
pub(super) fn check_len(
    errors: &mut Vec<String>,
    body: &Value,
    key: &str,
    max: usize,
) -> Option<String> {
    let value = str_field(body, key)?;
    if value.chars().count() > max {
        errors.push(format!("{key} must be no more than {max} characters long."));
    }
    Some(value.to_owned())
}

mod contacts;
mod doc_extras;
mod doc_fields;
mod docs;
mod items;
mod lines;
mod money;

pub use contacts::contact;
pub use docs::doc;
pub use items::item;
pub use money::{allocation, payment};
