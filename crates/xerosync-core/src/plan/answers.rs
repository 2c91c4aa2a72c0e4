//! Feeding Xero's answers back into a [`SendPlan`], and the look-up after a lost answer (rules S2, S3, S8, S9).

use super::outcome::{log, CompanyResult, Outcome, ProductFailure, SendChanges};
use super::request::{lookup_request, XeroAnswer, XeroRequest};
use super::send::{Batch, SendPlan, Slot};
use crate::error::{Error, RecordKind};
use crate::parse::{parse_elements, parse_xero_error, Collection, ElementResult, ElementStatus};
use crate::records::{Invoice, InvoiceStatus};
use crate::sentence::{xero_refusal, xero_words};
use serde_json::Value;

impl SendPlan {
    /// Feeds one answer back. Errors: an unknown or already answered request id, or an answer body that is not
    /// Xero's (the records of that request then stay pending, so the caller may retry).
    pub fn apply_answer(&mut self, answer: &XeroAnswer) -> Result<(), Error> {
        let position = self
            .batches
            .iter()
            .position(|b| b.request_id == answer.request_id && !b.answered)
            .ok_or_else(|| Error::xero(&answer.request_id, "no such request awaiting an answer"))?;
        let batch = self.batches[position].clone();
        if batch.read.is_some() {
            return self.apply_read(position, answer);
        }
        let results: Vec<ElementResult> = match (answer.status, answer.json()) {
            (200 | 400, Some(body))
                if body
                    .get(batch.collection.key())
                    .or_else(|| body.get("Elements"))
                    .is_some() =>
            {
                parse_elements(&body, batch.collection)?
            }
            (200, _) => {
                return Err(Error::xero(
                    &answer.request_id,
                    format!("expected a {} list", batch.collection.key()),
                ))
            }
            _ => {
                let error = parse_xero_error(
                    answer.status,
                    &answer.text(),
                    answer.retry_after.as_deref(),
                    answer.rate_limit_problem.as_deref(),
                );
                let message = format!("Xero answered {}: {}", answer.status, error.message);
                let failed = ElementResult {
                    status: ElementStatus::Error,
                    messages: vec![message],
                    xero_id: None,
                };
                vec![failed; batch.slots.len()]
            }
        };
        let input = self.read_input()?;
        let (decoded, ctx) = (&input.0, &input.1);
        let failed_before = self.failed_indexes();
        for (i, slot) in batch.slots.iter().enumerate() {
            let missing = ElementResult {
                status: ElementStatus::Error,
                messages: vec!["Xero returned no result for this record".into()],
                xero_id: None,
            };
            let element = results.get(i).cloned().unwrap_or(missing);
            if batch.create_only && is_number_taken(&element) {
                // Rule S8: Xero has this number already; read it back before deciding (reads.rs).
                if let Slot::Document { index } = slot {
                    self.found.collisions.push(*index);
                    continue;
                }
            }
            self.record_element(slot, element, decoded);
        }
        if !matches!(answer.status, 200 | 400) {
            self.mark_retryable(&failed_before);
        }
        self.batches[position].answered = true;
        self.requests.retain(|r| r.id != answer.request_id);
        self.advance_if_done(decoded, ctx)
    }

    pub(super) fn failed_indexes(&self) -> Vec<bool> {
        self.invoices
            .iter()
            .map(|r| r.outcome == Outcome::Failed)
            .collect()
    }

    /// The invoices that failed since `before` failed for a passing reason (rule B2 lets them be tried again).
    pub(super) fn mark_retryable(&mut self, before: &[bool]) {
        for (i, result) in self.invoices.iter_mut().enumerate() {
            if result.outcome == Outcome::Failed && !before.get(i).copied().unwrap_or(false) {
                result.retryable = true;
            }
        }
    }

    fn record_element(
        &mut self,
        slot: &Slot,
        element: ElementResult,
        decoded: &[Result<Invoice, Error>],
    ) {
        let outcome = match element.status {
            ElementStatus::Ok => "ok",
            ElementStatus::Warning => "warning",
            ElementStatus::Error => "error",
        };
        let text = element.messages.join("; ");
        let ok = element.status != ElementStatus::Error;
        match slot {
            Slot::Product { id } => {
                self.log.push(log(
                    RecordKind::Product,
                    id,
                    element.xero_id.clone(),
                    outcome,
                    text.clone(),
                ));
                if !ok {
                    self.product_failures.push(ProductFailure {
                        id: id.clone(),
                        reason: format!("product {id}: Xero: {text}"),
                        sentence: Some(xero_refusal("this product", &text)),
                    });
                }
            }
            Slot::Company { id } => {
                self.log.push(log(
                    RecordKind::Company,
                    id,
                    element.xero_id.clone(),
                    outcome,
                    text.clone(),
                ));
                self.companies.push(CompanyResult {
                    id: id.clone(),
                    outcome: if ok { Outcome::Sent } else { Outcome::Failed },
                    xero_contact_id: element.xero_id.clone().filter(|_| ok),
                    message: (!text.is_empty()).then(|| text.clone()),
                    sentence: if ok {
                        xero_words(&text)
                            .map(|w| format!("Sent to Xero as a contact. Xero noted: {w}"))
                    } else {
                        Some(xero_refusal("this company as a contact", &text))
                    },
                    contact_match: None,
                });
                if !ok {
                    // Rule S3/S9: the company's invoices fail with Xero's message; the others go on.
                    for (index, invoice) in decoded.iter().enumerate() {
                        let belongs = invoice.as_ref().is_ok_and(|inv| inv.company_id == *id);
                        if let Some(result) = self
                            .invoices
                            .get_mut(index)
                            .filter(|r| belongs && r.outcome == Outcome::Pending)
                        {
                            result.set(
                                Outcome::Failed,
                                Some("S3"),
                                format!("company {id}: Xero: {text}"),
                                format!(
                                    "{} Correct the company, then send again.",
                                    xero_refusal("its company", &text)
                                ),
                            );
                        }
                    }
                }
            }
            Slot::Document { index } => self.record_document(*index, element, decoded),
            Slot::Amendment { index } => self.record_amendment(*index, element, decoded),
        }
    }

    fn record_document(
        &mut self,
        index: usize,
        element: ElementResult,
        decoded: &[Result<Invoice, Error>],
    ) {
        let kind = decoded
            .get(index)
            .and_then(|r| r.as_ref().ok())
            .map_or(RecordKind::Invoice, |i| i.kind.record_kind());
        let today = self.input.today.to_string();
        let Some(result) = self.invoices.get_mut(index) else {
            return;
        };
        let text = element.messages.join("; ");
        let cancelled = decoded
            .get(index)
            .and_then(|r| r.as_ref().ok())
            .is_some_and(|i| i.status == InvoiceStatus::Cancelled);
        match (element.status, element.xero_id) {
            (ElementStatus::Ok | ElementStatus::Warning, Some(xero_id)) if cancelled => {
                // Rule S10: the CRM keeps its own status; Xero's document is now deleted or voided.
                let status = self
                    .found
                    .cancellations
                    .get(&index)
                    .cloned()
                    .unwrap_or_default();
                let message = format!("{status} in Xero (rule S10)");
                let sentence = format!(
                    "Cancelled in the CRM, so it is now {} in Xero.",
                    status.to_ascii_lowercase()
                );
                result.set(Outcome::Sent, Some("S10"), message.clone(), sentence);
                self.log
                    .push(log(kind, &result.id, Some(xero_id), "ok", message));
            }
            (ElementStatus::Ok | ElementStatus::Warning, Some(xero_id)) => {
                result.outcome = Outcome::Sent;
                result.rule = None;
                result.message = (!text.is_empty()).then(|| text.clone());
                result.sentence =
                    xero_words(&text).map(|w| format!("Sent to Xero. Xero noted: {w}"));
                result.changes = Some(SendChanges {
                    sent_to_accounts: true,
                    sent_to_accounts_date: today,
                    xero_id: xero_id.clone(),
                });
                let outcome = if element.status == ElementStatus::Ok {
                    "ok"
                } else {
                    "warning"
                };
                let entry = log(kind, &result.id, Some(xero_id), outcome, text);
                self.log.push(entry);
            }
            (_, _) => {
                let text = if text.is_empty() {
                    "Xero returned no id for this record".to_string()
                } else {
                    text
                };
                let sentence = xero_refusal("it", &text);
                result.set(
                    Outcome::Failed,
                    Some("S9"),
                    format!("Xero: {text}"),
                    sentence,
                );
                let entry = log(kind, &result.id, None, "error", text);
                self.log.push(entry);
            }
        }
    }

    /// After a lost answer to a document request (rule S8): a `GET` by number of the documents in it. Feed its answer
    /// to [`SendPlan::apply_lookup`]; documents found count as sent, and the write request stays open for the rest.
    pub fn lookup_request(&self, request_id: &str) -> Result<XeroRequest, Error> {
        let batch = self.open_document_batch(request_id)?;
        let input = self.read_input()?;
        let decoded = &input.0;
        let numbers: Vec<String> = batch
            .slots
            .iter()
            .filter_map(|s| match s {
                Slot::Document { index } => decoded
                    .get(*index)
                    .and_then(|r| r.as_ref().ok())
                    .map(|i| i.number.clone()),
                _ => None,
            })
            .collect();
        Ok(lookup_request(
            format!("{request_id}-lookup"),
            batch.collection,
            &numbers,
            batch.unitdp4,
        ))
    }

    fn open_document_batch(&self, request_id: &str) -> Result<&Batch, Error> {
        self.batches
            .iter()
            .find(|b| {
                b.request_id == request_id
                    && !b.answered
                    && b.read.is_none()
                    && b.slots.iter().all(|s| matches!(s, Slot::Document { .. }))
                    && matches!(b.collection, Collection::Invoices | Collection::CreditNotes)
            })
            .ok_or_else(|| Error::xero(request_id, "no document request awaiting an answer"))
    }

    /// Applies the answer of [`SendPlan::lookup_request`]: when every document of the request is found in Xero, the
    /// request counts as answered; otherwise nothing changes and the caller re-sends the (idempotent) write.
    pub fn apply_lookup(&mut self, request_id: &str, answer: &XeroAnswer) -> Result<bool, Error> {
        let batch = self.open_document_batch(request_id)?.clone();
        let body = answer
            .json()
            .filter(|_| answer.status == 200)
            .ok_or_else(|| Error::xero(request_id, format!("lookup answered {}", answer.status)))?;
        let found = body
            .get(batch.collection.key())
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let number_key = if batch.collection == Collection::CreditNotes {
            "CreditNoteNumber"
        } else {
            "InvoiceNumber"
        };
        let input = self.read_input()?;
        let decoded = &input.0;
        let mut elements = Vec::new();
        for slot in &batch.slots {
            let Slot::Document { index } = slot else {
                continue;
            };
            let number = decoded
                .get(*index)
                .and_then(|r| r.as_ref().ok())
                .map(|i| i.number.clone())
                .unwrap_or_default();
            match found
                .iter()
                .find(|d| d.get(number_key).and_then(Value::as_str) == Some(number.as_str()))
            {
                Some(document) => elements.push(document.clone()),
                None => return Ok(false),
            }
        }
        let mut wrapped = serde_json::Map::new();
        wrapped.insert(batch.collection.key().into(), Value::Array(elements));
        let answer = XeroAnswer {
            request_id: request_id.into(),
            status: 200,
            body: Value::Object(wrapped),
            retry_after: None,
            rate_limit_problem: None,
        };
        self.apply_answer(&answer)?;
        Ok(true)
    }
}

/// Xero's refusal of a create whose number it already has ("Invoice # must be unique.").
fn is_number_taken(element: &ElementResult) -> bool {
    element.status == ElementStatus::Error
        && element
            .messages
            .iter()
            .any(|m| m.to_ascii_lowercase().contains("must be unique"))
}
