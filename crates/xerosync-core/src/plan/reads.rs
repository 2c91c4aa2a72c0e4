//! The reads of a send plan (rules S3a, S8, S10): what Xero already has, read before anything is written, in as few
//! requests as Xero allows.
//!
//! - **Contacts** (S3a): one `GET /Contacts?where=…&includeArchived=true` per ~1,500 characters of filter, each company
//!   contributing its ContactNumber, AccountNumber, Name and email terms; then [`match_contact`] decides per company.
//! - **Cancellations** (S10): the Xero state of cancelled invoices, `GET /Invoices?IDs=` (50 a request) and
//!   `GET /CreditNotes/{id}`: a draft is deleted, an approved one without payments voided, one with payments left alone.
//! - **Known documents** (S11): the Xero state of each invoice re-sent, whose amendment `amend.rs` decides.
//!
//! The reads after a number collision (S8) are in `collisions.rs`.

use super::outcome::{log, CompanyResult, ContactCandidate, ContactMatchReport, Outcome};
use super::request::{read_request, XeroAnswer};
use super::send::{Batch, Read, SendPlan, Slot};
use crate::contacts::{match_contact, XeroContact};
use crate::decimal::{from_json, money};
use crate::decode::Ctx;
use crate::error::{Error, RecordKind};
use crate::parse::{parse_document, Collection};
use crate::records::{Company, Invoice, InvoiceKind, InvoiceStatus};
use crate::where_filter;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Characters of `where` filter per contacts read: well inside the URL lengths Xero and the proxy accept.
const WHERE_BUDGET: usize = 1_500;
/// Ids per `GET /Invoices?IDs=` (xero-api-notes: about 50 before the URL is too long).
pub(super) const IDS_PER_READ: usize = 50;

/// The `where` terms that find a company's possible contacts (rule S3a's evidence, in
/// [`where_filter::CONTACT_SEARCH_FIELDS`] order). A value the filter grammar cannot carry is left out (the proxy
/// would refuse it), and the other terms still find the contact.
fn search_terms(company: &Company) -> Vec<String> {
    let [number, account, name, email] = where_filter::CONTACT_SEARCH_FIELDS;
    let primary_email = company.primary_person().and_then(|p| p.email.as_deref());
    [
        where_filter::term(number, &company.id),
        company
            .account_number
            .as_deref()
            .and_then(|a| where_filter::term(account, a)),
        where_filter::term(name, &company.name),
        primary_email.and_then(|e| where_filter::term(email, e)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The fields of a contact that matching and the page read; the rest of Xero's record is dropped.
fn slim_contact(contact: &Value) -> Value {
    let mut out = Map::new();
    for key in [
        "ContactID",
        "Name",
        "ContactNumber",
        "AccountNumber",
        "EmailAddress",
        "ContactStatus",
    ] {
        if let Some(v) = contact.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(balance) = contact.pointer("/Balances/AccountsReceivable/Outstanding") {
        out.insert("Outstanding".into(), balance.clone());
    }
    Value::Object(out)
}

fn candidate(contact: &Value) -> ContactCandidate {
    let text = |key: &str| contact.get(key).and_then(Value::as_str).map(str::to_owned);
    ContactCandidate {
        contact_id: text("ContactID").unwrap_or_default(),
        name: text("Name").unwrap_or_default(),
        contact_number: text("ContactNumber"),
        email: text("EmailAddress"),
        balance: contact
            .get("Outstanding")
            .and_then(from_json)
            .map(|b| money(b).to_string()),
        archived: text("ContactStatus").is_some_and(|s| !s.eq_ignore_ascii_case("ACTIVE")),
    }
}

impl SendPlan {
    pub(super) fn add_read(
        &mut self,
        collection: Collection,
        request: super::XeroRequest,
        slots: Vec<Slot>,
    ) {
        self.batches.push(Batch {
            request_id: request.id.clone(),
            collection,
            slots,
            unitdp4: false,
            answered: false,
            create_only: false,
            read: Some(if collection == Collection::Contacts {
                Read::Contacts
            } else {
                Read::Documents
            }),
        });
        self.requests.push(request);
    }

    pub(super) fn read_id(&self, name: &str) -> String {
        let n = self
            .batches
            .iter()
            .filter(|b| b.request_id.starts_with(name))
            .count();
        format!("{name}-{}", n + 1)
    }

    /// Stage 0: the reads before any write, or straight on to the items when there is nothing to read.
    pub(super) fn start_reads(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        let mut searched: Vec<&Company> = Vec::new();
        for (_, invoice) in self.pending_writes(decoded) {
            let company = ctx.company(&invoice.company_id, &invoice.record_ref(), "companyId")?;
            let known = company
                .xero_contact_id
                .as_deref()
                .is_some_and(|id| !id.trim().is_empty());
            if !known
                && !company.create_xero_contact
                && !searched.iter().any(|c| c.id == company.id)
            {
                searched.push(company);
            }
        }
        // Companies into requests, each request's filter within the budget (at least one company each).
        let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for company in searched {
            let terms = search_terms(company);
            let size: usize = terms.iter().map(|t| t.len() + 4).sum();
            match groups.last_mut() {
                Some((ids, filter))
                    if filter.iter().map(|t| t.len() + 4).sum::<usize>() + size <= WHERE_BUDGET =>
                {
                    ids.push(company.id.clone());
                    filter.extend(terms);
                }
                _ => groups.push((vec![company.id.clone()], terms)),
            }
        }
        for (ids, terms) in groups {
            let mut query = BTreeMap::new();
            query.insert("where".to_string(), terms.join(" OR "));
            query.insert("includeArchived".to_string(), "true".to_string());
            let request = read_request(self.read_id("contactSearch"), "/Contacts".into(), query);
            let slots = ids.into_iter().map(|id| Slot::Company { id }).collect();
            self.add_read(Collection::Contacts, request, slots);
        }
        // Rule S10: the Xero state of each cancelled invoice; rule S11: of each invoice Xero already has, to know
        // whether it can still be edited in place (a re-send only; new invoices cost no read).
        let known: Vec<(usize, &Invoice)> = self
            .pending_invoices(decoded)
            .into_iter()
            .filter(|(_, i)| i.xero_id.as_deref().is_some_and(|id| !id.trim().is_empty()))
            .filter(|(_, i)| i.status == InvoiceStatus::Cancelled || i.kind == InvoiceKind::Invoice)
            .collect();
        let (invoices, credit_notes): (Vec<_>, Vec<_>) = known
            .into_iter()
            .partition(|(_, i)| i.kind == InvoiceKind::Invoice);
        for chunk in invoices.chunks(IDS_PER_READ) {
            let ids: Vec<String> = chunk
                .iter()
                .map(|(_, i)| i.xero_id.clone().unwrap_or_default().trim().to_owned())
                .collect();
            let mut query = BTreeMap::new();
            query.insert("IDs".to_string(), ids.join(","));
            let request = read_request(self.read_id("idRead"), "/Invoices".into(), query);
            let slots = chunk
                .iter()
                .map(|(index, _)| Slot::Document { index: *index })
                .collect();
            self.add_read(Collection::Invoices, request, slots);
        }
        for (index, note) in credit_notes {
            let id = note.xero_id.clone().unwrap_or_default();
            let request = read_request(
                self.read_id("idRead"),
                format!("/CreditNotes/{}", id.trim()),
                BTreeMap::new(),
            );
            self.add_read(
                Collection::CreditNotes,
                request,
                vec![Slot::Document { index }],
            );
        }
        if self.batches.is_empty() {
            return self.start_items(decoded, ctx);
        }
        Ok(())
    }

    /// Feeds the answer of a read. A failed read stops what depended on it (never a guess: no contact created
    /// that may be a duplicate, no cancellation blind), with Xero's message.
    pub(super) fn apply_read(&mut self, position: usize, answer: &XeroAnswer) -> Result<(), Error> {
        let batch = self.batches[position].clone();
        let key = batch.collection.key();
        let list = answer
            .json()
            .filter(|_| answer.status == 200)
            .and_then(|body| body.get(key).and_then(Value::as_array).cloned());
        let input = self.read_input()?;
        let (decoded, ctx) = (&input.0, &input.1);
        let failed_before = self.failed_indexes();
        // A malformed contact fails the read like an error answer would (never a plan left waiting on it).
        let malformed = list
            .as_ref()
            .filter(|_| batch.read == Some(Read::Contacts))
            .and_then(|l| XeroContact::list_from_json(&Value::Array(l.clone())).err());
        match list {
            Some(list) if batch.read == Some(Read::Contacts) && malformed.is_none() => {
                self.found.contacts.extend(list.iter().map(slim_contact));
            }
            Some(list) if batch.read != Some(Read::Contacts) => self.found.documents.extend(list),
            _ => {
                let error = crate::parse::parse_xero_error(
                    answer.status,
                    &answer.text(),
                    answer.retry_after.as_deref(),
                    answer.rate_limit_problem.as_deref(),
                );
                let why = match &malformed {
                    Some(e) => e.to_string(),
                    None => format!("Xero answered {}: {}", answer.status, error.message),
                };
                let message = format!(
                    "Xero's {key} could not be read ({why}), so nothing was written for it"
                );
                let sentence = if answer.status == 200 {
                    "Xero's records could not be read, so nothing was written for it. Try again in a few minutes."
                } else {
                    "Xero could not be read just now, so nothing was written for it. Try again in a few minutes."
                };
                for slot in &batch.slots {
                    match slot {
                        Slot::Company { id } => {
                            self.fail_company(id, "S3a", &message, sentence, decoded)
                        }
                        Slot::Document { index } => {
                            // The rule the read served: a number Xero has (S8), a cancellation (S10), a re-send (S11).
                            let cancelled = decoded
                                .get(*index)
                                .and_then(|r| r.as_ref().ok())
                                .is_some_and(|i| i.status == InvoiceStatus::Cancelled);
                            let rule = if batch.request_id.starts_with("numberRead") {
                                "S8"
                            } else if cancelled {
                                "S10"
                            } else {
                                "S11"
                            };
                            self.fail_invoice(*index, rule, &message, sentence)
                        }
                        Slot::Product { .. } | Slot::Amendment { .. } => {}
                    }
                }
            }
        }
        if answer.status != 200 {
            self.mark_retryable(&failed_before);
        }
        self.batches[position].answered = true;
        self.requests.retain(|r| r.id != answer.request_id);
        self.advance_if_done(decoded, ctx)
    }

    /// A pending invoice fails by `rule`, with the developer's `message` and the finance user's `sentence`.
    pub(super) fn fail_invoice(&mut self, index: usize, rule: &str, message: &str, sentence: &str) {
        if let Some(result) = self
            .invoices
            .get_mut(index)
            .filter(|r| r.outcome == Outcome::Pending)
        {
            result.set(Outcome::Failed, Some(rule), message.into(), sentence.into());
        }
    }

    /// Every pending invoice of the company fails with `message` and `sentence`.
    pub(super) fn fail_company(
        &mut self,
        id: &str,
        rule: &str,
        message: &str,
        sentence: &str,
        decoded: &[Result<Invoice, Error>],
    ) {
        for (index, invoice) in decoded.iter().enumerate() {
            if invoice.as_ref().is_ok_and(|inv| inv.company_id == id) {
                self.fail_invoice(index, rule, message, sentence);
            }
        }
    }

    /// After the reads: link or stop each searched company (S3a), decide each cancellation (S10).
    pub(super) fn resolve_reads(
        &mut self,
        decoded: &[Result<Invoice, Error>],
        ctx: &Ctx,
    ) -> Result<(), Error> {
        let contacts = XeroContact::list_from_json(&Value::Array(self.found.contacts.clone()))?;
        let searched: Vec<String> = self
            .batches
            .iter()
            .filter(|b| b.read == Some(Read::Contacts))
            .flat_map(|b| b.slots.iter())
            .filter_map(|s| match s {
                Slot::Company { id } => Some(id.clone()),
                _ => None,
            })
            .collect();
        for id in searched {
            let Some(Ok(company)) = ctx.company_entry(&id) else {
                continue;
            };
            let still_pending = decoded.iter().enumerate().any(|(i, r)| {
                r.as_ref().is_ok_and(|inv| inv.company_id == id)
                    && self
                        .invoices
                        .get(i)
                        .is_some_and(|x| x.outcome == Outcome::Pending)
            });
            if !still_pending {
                continue; // its read failed: already reported
            }
            let matched = match_contact(company, &contacts);
            if let Some(contact_id) = &matched.contact_id {
                self.found.links.insert(id.clone(), contact_id.clone());
                let name = self.found_contact(contact_id).map(|c| candidate(&c).name);
                self.log.push(log(
                    RecordKind::Company,
                    &id,
                    Some(contact_id.clone()),
                    "ok",
                    format!(
                        "linked to the Xero contact {} (rule S3a, by {})",
                        name.unwrap_or_else(|| contact_id.clone()),
                        serde_json::to_value(matched.by)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ),
                ));
            }
            if matched.needs_a_person() {
                let candidates: Vec<ContactCandidate> = matched
                    .candidates
                    .iter()
                    .filter_map(|c| self.found_contact(c))
                    .map(|c| candidate(&c))
                    .collect();
                let listed: Vec<String> = candidates
                    .iter()
                    .map(|c| {
                        let mut text = c.name.clone();
                        if c.archived {
                            text.push_str(" (archived)");
                        }
                        text
                    })
                    .collect();
                let message = format!(
                    "company {id} ({}): {} in Xero: {}; choose one, or create a new contact (rule S3a)",
                    company.name.trim(),
                    if matched.candidates.len() > 1 {
                        "several contacts fit"
                    } else {
                        "the only fitting contact is archived"
                    },
                    listed.join(", ")
                );
                let several = matched.candidates.len() > 1;
                self.fail_company(
                    &id,
                    "S3a",
                    &message,
                    if several {
                        "Not sent: Xero has several contacts that may be its company. Choose the contact for the company, then send again."
                    } else {
                        "Not sent: the only Xero contact that may be its company is archived. Choose it or a new contact for the company, then send again."
                    },
                    decoded,
                );
                self.log.push(log(
                    RecordKind::Company,
                    &id,
                    None,
                    "refused",
                    message.clone(),
                ));
                self.companies.push(CompanyResult {
                    id: id.clone(),
                    outcome: Outcome::Failed,
                    xero_contact_id: None,
                    message: Some(message),
                    sentence: Some(
                        if several {
                            "Xero has several contacts that may be this company: choose one, or create a new contact."
                        } else {
                            "The only Xero contact that may be this company is archived: choose it, or create a new contact."
                        }
                        .into(),
                    ),
                    contact_match: Some(ContactMatchReport {
                        by: matched.by,
                        candidates,
                    }),
                });
            }
        }
        self.resolve_cancellations(decoded);
        self.resolve_amendments(decoded);
        Ok(())
    }

    pub(super) fn found_contact(&self, contact_id: &str) -> Option<Value> {
        self.found
            .contacts
            .iter()
            .find(|c| c.get("ContactID").and_then(Value::as_str) == Some(contact_id))
            .cloned()
    }

    /// The document read whose id (or number) is `key`.
    pub(super) fn found_document(&self, invoice: &Invoice, by_number: bool) -> Option<Value> {
        let (id_key, number_key) = match invoice.kind {
            InvoiceKind::Invoice => ("InvoiceID", "InvoiceNumber"),
            InvoiceKind::CreditNote => ("CreditNoteID", "CreditNoteNumber"),
        };
        self.found
            .documents
            .iter()
            .find(|d| {
                let field = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default();
                if by_number {
                    field(number_key).eq_ignore_ascii_case(invoice.number.trim())
                } else {
                    invoice
                        .xero_id
                        .as_deref()
                        .is_some_and(|id| field(id_key).eq_ignore_ascii_case(id.trim()))
                }
            })
            .cloned()
    }

    /// Rule S10: DRAFT/SUBMITTED → DELETED; AUTHORISED with no payment and no credit → VOIDED; otherwise left
    /// alone and reported with the amounts.
    fn resolve_cancellations(&mut self, decoded: &[Result<Invoice, Error>]) {
        for (index, invoice) in self.pending_invoices(decoded) {
            if invoice.status != InvoiceStatus::Cancelled {
                continue;
            }
            let kind = invoice.kind.record_kind();
            let Some(document) = self.found_document(invoice, false) else {
                self.fail_invoice(
                    index,
                    "S10",
                    "cancelled in the CRM, but Xero has no document with its id: nothing to cancel",
                    "It is cancelled in the CRM, but Xero has no copy of it to cancel. Check it in Xero.",
                );
                continue;
            };
            let Ok(state) = parse_document(&document) else {
                self.fail_invoice(
                    index,
                    "S10",
                    "Xero's document could not be read: not cancelled",
                    "Xero's copy could not be read, so it was not cancelled there. Try again in a few minutes.",
                );
                continue;
            };
            let zero = rust_decimal::Decimal::ZERO;
            let paid = state.amount_paid.unwrap_or(zero);
            let credited = match invoice.kind {
                InvoiceKind::Invoice => state.amount_credited.unwrap_or(zero),
                // A credit note's allocations are what it no longer has to give.
                InvoiceKind::CreditNote => state
                    .total
                    .zip(state.remaining_credit)
                    .map_or(zero, |(t, r)| t - r),
            };
            match state.status.as_str() {
                "DRAFT" | "SUBMITTED" => {
                    self.found.cancellations.insert(index, "DELETED".into());
                }
                "AUTHORISED" if paid.is_zero() && credited.is_zero() => {
                    self.found.cancellations.insert(index, "VOIDED".into());
                }
                "DELETED" | "VOIDED" => {
                    let message = format!("already {} in Xero (rule S10)", state.status);
                    if let Some(result) = self.invoices.get_mut(index) {
                        let sentence = format!(
                            "Cancelled in the CRM; it was already {} in Xero.",
                            state.status.to_ascii_lowercase()
                        );
                        result.set(Outcome::Sent, Some("S10"), message.clone(), sentence);
                    }
                    self.log
                        .push(log(kind, &invoice.id, state.xero_id.clone(), "ok", message));
                }
                status => {
                    let message = format!(
                        "cancelled in the CRM, but Xero's {status} document has payments of {} and credits of {}: left alone in Xero (remove them there first, or credit it) (rule S10)",
                        money(paid),
                        money(credited)
                    );
                    self.fail_invoice(
                        index,
                        "S10",
                        &message,
                        "It is cancelled in the CRM, but Xero's copy has payments or credits, so it was left alone. \
                         Remove them in Xero first, or credit the invoice there.",
                    );
                    self.log.push(log(
                        kind,
                        &invoice.id,
                        state.xero_id.clone(),
                        "refused",
                        message,
                    ));
                }
            }
        }
    }
}
