//! Rule S8: a number Xero already has. New documents are created with `PUT`, which Xero refuses for a number it has
//! instead of overwriting that document; only those are read back, by number, and linked when contact and total
//! agree, otherwise reported with Xero's document. No read at all when nothing collides.

use super::outcome::{log, Outcome};
use super::reads::IDS_PER_READ;
use super::request::lookup_request;
use super::send::{SendPlan, Slot};
use crate::contacts::name_key;
use crate::decimal::money;
use crate::decode::Ctx;
use crate::error::Error;
use crate::parse::{parse_document, Collection};
use crate::plan::SendChanges;
use crate::records::{Invoice, InvoiceKind};
use serde_json::{json, Value};
use std::collections::BTreeMap;

impl SendPlan {
    /// Rule S8: the documents whose create Xero refused for their number, read back by number.
    pub(super) fn start_collision_reads(
        &mut self,
        decoded: &[Result<Invoice, Error>],
    ) -> Result<(), Error> {
        self.found.collisions_read = true;
        let mut by_kind: BTreeMap<u8, Vec<(usize, String)>> = BTreeMap::new();
        for &index in &self.found.collisions {
            if let Some(Ok(invoice)) = decoded.get(index) {
                let group = u8::from(invoice.kind == InvoiceKind::CreditNote);
                by_kind
                    .entry(group)
                    .or_default()
                    .push((index, invoice.number.clone()));
            }
        }
        for (group, list) in by_kind {
            let collection = if group == 0 {
                Collection::Invoices
            } else {
                Collection::CreditNotes
            };
            for chunk in list.chunks(IDS_PER_READ) {
                let numbers: Vec<String> = chunk.iter().map(|(_, n)| n.clone()).collect();
                let request =
                    lookup_request(self.read_id("numberRead"), collection, &numbers, false);
                let slots = chunk
                    .iter()
                    .map(|(index, _)| Slot::Document { index: *index })
                    .collect();
                self.add_read(collection, request, slots);
            }
        }
        if self.requests.is_empty() {
            let input = self.read_input()?;
            let (decoded, ctx) = (&input.0, &input.1);
            return self.advance_if_done(decoded, ctx);
        }
        Ok(())
    }

    /// Rule S8: a number Xero already has, created by someone else: linked when the contact and the total agree
    /// (the CRM invoice takes its id; nothing is written), otherwise reported with Xero's document.
    pub(super) fn resolve_collisions(&mut self, decoded: &[Result<Invoice, Error>], ctx: &Ctx) {
        let today = self.input.today.to_string();
        for index in self.found.collisions.clone() {
            let Some(Ok(invoice)) = decoded.get(index) else {
                continue;
            };
            if self
                .invoices
                .get(index)
                .is_none_or(|r| r.outcome != Outcome::Pending)
            {
                continue; // its read failed: already reported
            }
            let kind = invoice.kind.record_kind();
            let Some(document) = self.found_document(invoice, true) else {
                self.fail_invoice(
                    index,
                    "S8",
                    "Xero refused the number as already used, but no document with it could be found",
                    "Xero says this number is already used, but its invoice with that number could not be found. \
                     Check the number in Xero, or change it in the CRM.",
                );
                continue;
            };
            let state = parse_document(&document).ok();
            let contact = document.get("Contact").cloned().unwrap_or(json!({}));
            let company = ctx
                .company_entry(&invoice.company_id)
                .and_then(|c| c.as_ref().ok());
            let our_contact = company.and_then(|c| {
                self.companies
                    .iter()
                    .find(|r| r.id == c.id)
                    .and_then(|r| r.xero_contact_id.clone())
                    .or_else(|| c.xero_contact_id.clone())
            });
            let text = |k: &str| {
                contact
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let same_contact = company.is_some_and(|c| {
                our_contact
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(&text("ContactID")))
                    || text("ContactNumber") == c.id
                    || (!text("Name").is_empty() && name_key(&text("Name")) == name_key(&c.name))
            });
            let total = state.as_ref().and_then(|s| s.total);
            let same_total = total.is_some_and(|t| money(t) == money(invoice.total));
            let status = state.as_ref().map(|s| s.status.clone()).unwrap_or_default();
            let xero_id = state.as_ref().and_then(|s| s.xero_id.clone());
            let contact_name = if text("Name").is_empty() {
                text("ContactID")
            } else {
                text("Name")
            };
            let total_text = total
                .map(|t| money(t).to_string())
                .unwrap_or_else(|| "?".into());
            match (same_contact && same_total, xero_id) {
                (true, Some(xero_id)) => {
                    let message = format!(
                        "{} is already in Xero ({status}, same contact and total): linked to it, not written again (rule S8)",
                        invoice.number
                    );
                    if let Some(result) = self.invoices.get_mut(index) {
                        result.set(
                            Outcome::Sent,
                            Some("S8"),
                            message.clone(),
                            "Xero already had it, with the same customer and total: linked to Xero's copy, not \
                             written again."
                                .into(),
                        );
                        result.changes = Some(SendChanges {
                            sent_to_accounts: true,
                            sent_to_accounts_date: today.clone(),
                            xero_id: xero_id.clone(),
                        });
                    }
                    self.log
                        .push(log(kind, &invoice.id, Some(xero_id), "ok", message));
                }
                (_, xero_id) => {
                    let message = format!(
                        "Xero already has {} ({status}, contact {contact_name}, total {total_text}), not created by xerosync: not overwritten; renumber the CRM invoice or resolve it in Xero (rule S8)",
                        invoice.number
                    );
                    self.fail_invoice(
                        index,
                        "S8",
                        &message,
                        "Xero already has an invoice with this number that was not sent from the CRM, so it was not \
                         overwritten. Change the number in the CRM, or resolve it in Xero.",
                    );
                    self.log
                        .push(log(kind, &invoice.id, xero_id, "refused", message));
                }
            }
        }
    }
}
