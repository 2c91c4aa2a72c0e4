//! Applying Xero's documents to CRM invoices (rules U2-U5), shared by *Update from Xero* and the change feed
//! (rule B1: the same code turns a feed entry into CRM field changes).

use super::update::{CompanyChanges, Target, UpdateEntry, UpdateOutcome};
use crate::apply::apply_document;
use crate::date::IsoDate;
use crate::decode::decode_invoice;
use crate::error::{Error, RecordKind};
use crate::parse::{parse_document, XeroDocumentState};
use crate::records::{Company, InvoiceKind};
use crate::rules::{update_skip_reason, UpdateMode};
use crate::xero::is_guid;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

fn matches(target: &Target, document: &XeroDocumentState) -> bool {
    if target.credit_note != document.is_credit_note {
        return false;
    }
    let by_number = || {
        document
            .number
            .as_deref()
            .is_some_and(|n| n.trim() == target.number.trim())
    };
    match (&target.xero_id, &document.xero_id) {
        (Some(ours), Some(theirs)) if ours.eq_ignore_ascii_case(theirs) => true,
        // Not a Xero id (an older integration's reference): found by number; U4 reports the id difference.
        (Some(ours), _) if !is_guid(ours) => by_number(),
        (Some(_), _) => false,
        (None, _) => by_number(),
    }
}

/// Applies each document to the CRM invoice(s) it matches (by Xero id, else by number): the entry becomes
/// `updated`, `unchanged` or `discrepancy` (rule U4), and the company learns its ContactID (U3). Returns whether
/// any document matched.
pub(crate) fn read_documents(
    invoices: &Value,
    targets: &[Target],
    results: &mut [UpdateEntry],
    company_changes: &mut BTreeMap<String, CompanyChanges>,
    companies: &[Company],
    documents: &[XeroDocumentState],
    today: IsoDate,
) -> bool {
    // Indexes by Xero id and by number: pages of 1,000 against 10,000 invoices must not be quadratic.
    let mut by_id: BTreeMap<String, Vec<&Target>> = BTreeMap::new();
    let mut by_number: BTreeMap<&str, Vec<&Target>> = BTreeMap::new();
    for target in targets {
        match &target.xero_id {
            Some(id) if is_guid(id) => by_id
                .entry(id.to_ascii_lowercase())
                .or_default()
                .push(target),
            _ => by_number
                .entry(target.number.trim())
                .or_default()
                .push(target),
        }
    }
    let mut any = false;
    for document in documents {
        let by_xero_id = document
            .xero_id
            .as_ref()
            .and_then(|id| by_id.get(&id.to_ascii_lowercase()));
        let by_doc_number = document
            .number
            .as_deref()
            .and_then(|n| by_number.get(n.trim()));
        let candidates = by_xero_id.into_iter().chain(by_doc_number).flatten();
        for target in candidates.filter(|t| matches(t, document)) {
            any = true;
            let Some(raw) = invoices.get(target.index) else {
                continue;
            };
            let Some(entry) = results.get_mut(target.index) else {
                continue;
            };
            let applied = decode_invoice(raw, target.index)
                .and_then(|crm| apply_document(&crm, document, today));
            match applied {
                Err(error) => {
                    entry.outcome = UpdateOutcome::Failed;
                    entry.rule = Some("L2".into());
                    entry.say(error.to_string(), error.sentence());
                }
                Ok(applied) if !applied.discrepancies.is_empty() => {
                    entry.outcome = UpdateOutcome::Discrepancy;
                    entry.rule = Some("U4".into());
                    entry.say(
                        applied.discrepancies.join("; "),
                        format!(
                            "{} A person decides in Discrepancies.",
                            applied.discrepancy_sentences.join(" ")
                        ),
                    );
                    entry.discrepancies = applied.discrepancies;
                    entry.discrepancy_sentences = applied.discrepancy_sentences;
                    entry.changes = None;
                }
                Ok(applied) if applied.changes.is_empty() => {
                    entry.outcome = UpdateOutcome::Unchanged;
                    entry.rule = None;
                    entry.message = None;
                    entry.sentence = None;
                    entry.changes = None;
                }
                Ok(applied) => {
                    entry.outcome = UpdateOutcome::Updated;
                    entry.rule = Some(if target.credit_note { "U5" } else { "U2" }.into());
                    entry.message = None;
                    entry.sentence = None;
                    entry.changes = serde_json::to_value(&applied.changes).ok();
                }
            }
            learn_contact(target, document, company_changes, companies);
        }
    }
    any
}

/// Rule U3: the company gets its Xero ContactID (only when it differs from what the CRM holds).
fn learn_contact(
    target: &Target,
    document: &XeroDocumentState,
    company_changes: &mut BTreeMap<String, CompanyChanges>,
    companies: &[Company],
) {
    let Some(contact_id) = &document.contact_id else {
        return;
    };
    let held = companies
        .iter()
        .find(|c| c.id == target.company_id)
        .and_then(|c| c.xero_contact_id.clone());
    if held.is_some_and(|h| h.eq_ignore_ascii_case(contact_id)) {
        return;
    }
    let entry = company_changes
        .entry(target.company_id.clone())
        .or_insert_with(|| CompanyChanges {
            id: target.company_id.clone(),
            ..Default::default()
        });
    entry.xero_contact_id = Some(contact_id.clone());
}

/// What [`apply_change_feed`] returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChangeFeedResult {
    /// One entry per CRM invoice a change named, with the changes to store.
    pub invoices: Vec<UpdateEntry>,
    pub companies: Vec<CompanyChanges>,
    /// Pass as `after` to the next pull.
    pub cursor: i64,
    /// More changes wait after `cursor`.
    pub more: bool,
    /// Indexes (into `invoices` as given) of CRM invoices whose change carried no record (a webhook): read them
    /// from Xero with an update run.
    pub to_read: Vec<usize>,
    /// Changes for documents the CRM does not have.
    pub unmatched: usize,
}

/// Rule B1: one page of the proxy's `/changes` feed (`{ changes: [{ seq, kind, xeroId, source, at, record? }],
/// cursor, more }`) applied to the CRM invoices with the rules of U2-U5.
pub fn apply_change_feed(
    invoices: &Value,
    companies: &Value,
    feed: &Value,
    today: IsoDate,
) -> Result<ChangeFeedResult, Error> {
    let bad = |field: &str, message: &str| Error::options(RecordKind::Options, field, message);
    let list = invoices
        .as_array()
        .ok_or_else(|| bad("invoices", "expected an array"))?;
    let companies: Vec<Company> = match companies {
        Value::Null => Vec::new(),
        other => {
            serde_json::from_value(other.clone()).map_err(|e| bad("companies", &e.to_string()))?
        }
    };
    let changes = feed
        .get("changes")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("feed.changes", "expected an array"))?;
    // Every decodable CRM invoice with a Xero id is a possible target; rule U1 keeps `Paid` and `Cancelled` ones
    // closed (a feed entry never reopens them).
    let mut targets = Vec::new();
    let mut closed: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for (index, raw) in list.iter().enumerate() {
        if let Ok(invoice) = decode_invoice(raw, index) {
            if let Some(xero_id) = invoice.xero_id.clone().filter(|s| !s.trim().is_empty()) {
                if let Some((_, reason, sentence)) =
                    update_skip_reason(&(&invoice).into(), UpdateMode::All)
                {
                    closed.insert(index, (reason, sentence));
                }
                targets.push(Target {
                    index,
                    credit_note: invoice.kind == InvoiceKind::CreditNote,
                    xero_id: Some(xero_id),
                    number: invoice.number.clone(),
                    company_id: invoice.company_id.clone(),
                });
            }
        }
    }
    let mut results: Vec<UpdateEntry> = list
        .iter()
        .enumerate()
        .map(|(index, raw)| UpdateEntry {
            id: raw
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{index}"), str::to_string),
            outcome: UpdateOutcome::Pending,
            rule: None,
            message: None,
            sentence: None,
            changes: None,
            discrepancies: Vec::new(),
            discrepancy_sentences: Vec::new(),
        })
        .collect();
    let mut company_changes = BTreeMap::new();
    let mut to_read = Vec::new();
    let mut unmatched = 0;
    for change in changes {
        let kind = change.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind != "invoice" && kind != "creditNote" {
            continue; // contacts: balances come with Update all (rule A2)
        }
        let xero_id = change.get("xeroId").and_then(Value::as_str).unwrap_or("");
        let Some(target) = targets.iter().find(|t| {
            t.credit_note == (kind == "creditNote")
                && t.xero_id
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(xero_id))
        }) else {
            unmatched += 1;
            continue;
        };
        if let Some((reason, sentence)) = closed.get(&target.index) {
            if let Some(entry) = results.get_mut(target.index) {
                entry.outcome = UpdateOutcome::Skipped;
                entry.rule = Some("U1".into());
                entry.say(reason.clone(), sentence.clone());
            }
            continue;
        }
        match change.get("record").filter(|r| r.is_object()) {
            Some(record) => {
                let mut record = record.clone();
                // The feed's record may omit the type: the change's kind says it.
                if kind == "creditNote" && record.get("CreditNoteID").is_none() {
                    record["CreditNoteID"] = Value::String(xero_id.to_string());
                }
                match parse_document(&record) {
                    Ok(document) => {
                        read_documents(
                            invoices,
                            std::slice::from_ref(target),
                            &mut results,
                            &mut company_changes,
                            &companies,
                            &[document],
                            today,
                        );
                    }
                    Err(_) => to_read.push(target.index),
                }
            }
            None => to_read.push(target.index),
        }
    }
    to_read.sort_unstable();
    to_read.dedup();
    let touched: Vec<UpdateEntry> = results
        .into_iter()
        .enumerate()
        .filter(|(i, e)| e.outcome != UpdateOutcome::Pending && !to_read.contains(i))
        .map(|(_, e)| e)
        .collect();
    Ok(ChangeFeedResult {
        invoices: touched,
        companies: company_changes.into_values().collect(),
        cursor: feed.get("cursor").and_then(Value::as_i64).unwrap_or(0),
        more: feed.get("more").and_then(Value::as_bool).unwrap_or(false),
        to_read,
        unmatched,
    })
}
