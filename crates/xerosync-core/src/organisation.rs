//! What an organisation offers beyond invoices, and the two actions on one approved invoice. Pure: requests to
//! make and the reading of their answers.
//!
//! - **M1, K1, K2**: [`OrganisationOptions`], the settings' pickers: base and enabled currencies, the active
//!   tracking categories with their active options (Xero allows two), the branding themes.
//! - **O1**: [`online_invoice_request`] / [`online_invoice_in_answer`]: the customer's link to the invoice.
//! - **O2**: [`email_request`] / [`email_in_answer`]: Xero emails the invoice to its contact.

use crate::error::{ActionRefusal, Error, RecordRef};
use crate::parse::parse_xero_error;
use crate::plan::{XeroAnswer, XeroRequest};
use crate::records::{Invoice, InvoiceKind, TrackingMap};
use crate::xero::is_guid;
use crate::xero::text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Rules M1, K1, K2: the read paths of [`OrganisationOptions::from_answers`], in its argument order.
pub const OPTIONS_PATHS: [&str; 4] = [
    "/Organisation",
    "/Currencies",
    "/TrackingCategories",
    "/BrandingThemes",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroCurrency"))]
pub struct Currency {
    pub code: String,
    pub description: String,
}

// Deserialize too: a page hands a category back to [`tracking_map_for`] as `organisationOptions()` gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroNamed"))]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "XeroTrackingCategory"))]
pub struct TrackingCategory {
    pub id: String,
    pub name: String,
    pub options: Vec<Named>,
}

/// `XeroClient.organisationOptions()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct OrganisationOptions {
    pub base_currency: Option<String>,
    /// Base currency first (rule M1: an invoice in any other currency is refused).
    pub currencies: Vec<Currency>,
    pub tracking_categories: Vec<TrackingCategory>,
    pub branding_themes: Vec<Named>,
}

/// Rule K1's default when a person sends a CRM line field as `category`: each of the field's CRM `values` spelled as
/// one of the category's options (case and surrounding spaces aside) is mapped to that option, as Xero spells it; the
/// other values are left out, for a person to choose (a line whose value has no option is refused, naming it).
pub fn tracking_map_for(category: &TrackingCategory, values: &[String]) -> TrackingMap {
    let options = values
        .iter()
        .filter_map(|value| {
            let wanted = value.trim();
            category
                .options
                .iter()
                .find(|option| option.name.trim().to_lowercase() == wanted.to_lowercase())
                .map(|option| (value.clone(), option.name.clone()))
        })
        .collect();
    TrackingMap {
        category: category.name.clone(),
        options,
    }
}

fn list<'a>(body: &'a Value, key: &str) -> Result<&'a Vec<Value>, Error> {
    body.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| Error::xero(key, "expected a list"))
}

fn active(value: &Value) -> bool {
    text(value, "Status").is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"))
}

impl OrganisationOptions {
    /// Reads the four answers of [`OPTIONS_PATHS`] (bodies as Xero sends them).
    pub fn from_answers(
        organisation: &Value,
        currencies: &Value,
        tracking: &Value,
        branding: &Value,
    ) -> Result<OrganisationOptions, Error> {
        let base_currency = list(organisation, "Organisations")?
            .first()
            .and_then(|o| text(o, "BaseCurrency"))
            .map(|c| c.to_ascii_uppercase());
        let mut currencies: Vec<Currency> = list(currencies, "Currencies")?
            .iter()
            .filter_map(|c| {
                Some(Currency {
                    code: text(c, "Code")?.to_ascii_uppercase(),
                    description: text(c, "Description").unwrap_or_default(),
                })
            })
            .collect();
        // Base first, as the page lists it; Xero's list may or may not start with it.
        currencies.sort_by_key(|c| Some(&c.code) != base_currency.as_ref());
        let tracking_categories = list(tracking, "TrackingCategories")?
            .iter()
            .filter(|c| active(c))
            .filter_map(|c| {
                let options = c
                    .get("Options")
                    .and_then(Value::as_array)
                    .map(|options| {
                        options
                            .iter()
                            .filter(|o| active(o))
                            .filter_map(|o| {
                                Some(Named {
                                    id: text(o, "TrackingOptionID")?,
                                    name: text(o, "Name")?,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Some(TrackingCategory {
                    id: text(c, "TrackingCategoryID")?,
                    name: text(c, "Name")?,
                    options,
                })
            })
            // Rule K1: Xero allows two active categories; a third in an answer is not one a line can carry.
            .take(2)
            .collect();
        let branding_themes = list(branding, "BrandingThemes")?
            .iter()
            .filter_map(|b| {
                Some(Named {
                    id: text(b, "BrandingThemeID")?,
                    name: text(b, "Name")?,
                })
            })
            .collect();
        Ok(OrganisationOptions {
            base_currency,
            currencies,
            tracking_categories,
            branding_themes,
        })
    }
}

/// The Xero id of a sent invoice an action can be asked for; credit notes have no online invoice or email here.
fn approved_target(invoice: &Invoice) -> Result<String, Error> {
    let record = invoice.record_ref();
    if invoice.kind != InvoiceKind::Invoice {
        return Err(Error::invalid(
            &record,
            "kind",
            "only invoices have an online invoice and can be emailed from Xero",
        ));
    }
    match invoice.xero_id.as_deref().map(str::trim) {
        Some(id) if is_guid(id) => Ok(id.to_owned()),
        Some(_) => Err(Error::invalid(&record, "xeroId", "expected a Xero id")),
        None => Err(Error::ActionRefused {
            record,
            reason: ActionRefusal::NotApproved,
            message: "not sent to Xero yet".into(),
        }),
    }
}

fn action_request(id: String, method: &str, path: String, body: Option<Value>) -> XeroRequest {
    let mut headers = BTreeMap::new();
    headers.insert("Accept".to_string(), "application/json".to_string());
    if body.is_some() {
        headers.insert("Content-Type".to_string(), "application/json".to_string());
    }
    XeroRequest {
        id,
        method: method.into(),
        path,
        query: BTreeMap::new(),
        headers,
        body,
    }
}

/// A plain read of one of the organisation's lists (`/TaxRates`, `/Currencies`, …), for the settings' pickers.
pub fn list_read(path: &str) -> XeroRequest {
    action_request(
        format!("read-{}", path.trim_start_matches('/')),
        "GET",
        path.to_owned(),
        None,
    )
}

/// The body of a 200 answer to a [`list_read`]; otherwise an error with Xero's words.
pub fn list_in_answer(path: &str, answer: &XeroAnswer) -> Result<Value, Error> {
    match answer.json() {
        Some(body) if answer.status == 200 => Ok(body),
        _ => {
            let error = parse_xero_error(answer.status, &answer.text(), None, None);
            Err(Error::xero(
                path.trim_start_matches('/').to_owned(),
                format!("Xero answered {}: {}", answer.status, error.message),
            ))
        }
    }
}

/// Rule O1: `GET /Invoices/{id}/OnlineInvoice` for a sent invoice.
pub fn online_invoice_request(invoice: &Invoice) -> Result<XeroRequest, Error> {
    let id = approved_target(invoice)?;
    Ok(online_invoice_read(&id, format!("online-invoice-{id}")))
}

/// The read of one invoice's online link by its Xero id (also the update run's, rule O1), named `request_id`.
pub fn online_invoice_read(xero_id: &str, request_id: String) -> XeroRequest {
    action_request(
        request_id,
        "GET",
        format!("/Invoices/{xero_id}/OnlineInvoice"),
        None,
    )
}

/// Xero's refusal of an action, as a person reads it: which of [`ActionRefusal`] (from Xero's message), else an
/// unreadable-answer error carrying Xero's words.
fn refusal(record: RecordRef, answer: &XeroAnswer, what: &str) -> Error {
    let error = parse_xero_error(answer.status, &answer.text(), None, None);
    let words = error
        .elements
        .iter()
        .flatten()
        .cloned()
        .chain(std::iter::once(error.message.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    let lower = words.to_ascii_lowercase();
    let reason = if lower.contains("daily limit") || lower.contains("email limit") {
        Some(ActionRefusal::EmailLimit)
    } else if lower.contains("no email") || lower.contains("email address") {
        Some(ActionRefusal::NoContactEmail)
    } else if answer.status == 400 && (lower.contains("draft") || lower.contains("approved")) {
        Some(ActionRefusal::NotApproved)
    } else {
        None
    };
    match reason {
        Some(reason) => Error::ActionRefused {
            record,
            reason,
            message: match reason {
                ActionRefusal::EmailLimit => {
                    "Xero's daily email limit for this organisation is reached: try again tomorrow"
                        .into()
                }
                ActionRefusal::NoContactEmail => {
                    "the customer has no email address in Xero: add one to the contact".into()
                }
                ActionRefusal::NotApproved => {
                    format!("Xero can only {what} once the invoice is approved ({words})")
                }
            },
        },
        None => Error::xero(
            what.to_owned(),
            format!("Xero answered {}: {words}", answer.status),
        ),
    }
}

/// Rule O1: the link in the answer of [`online_invoice_request`], or why there is none.
pub fn online_invoice_in_answer(invoice: &Invoice, answer: &XeroAnswer) -> Result<String, Error> {
    if answer.status != 200 {
        return Err(refusal(
            invoice.record_ref(),
            answer,
            "give a customer link",
        ));
    }
    online_invoice_url(answer)
        .ok_or_else(|| Error::xero("OnlineInvoices", "no OnlineInvoiceUrl in Xero's answer"))
}

/// `OnlineInvoices[0].OnlineInvoiceUrl` of a 200 answer, when it is a web address.
pub fn online_invoice_url(answer: &XeroAnswer) -> Option<String> {
    answer
        .json()
        .filter(|_| answer.status == 200)
        .and_then(|body| {
            body.pointer("/OnlineInvoices/0/OnlineInvoiceUrl")
                .and_then(Value::as_str)
                .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
                .map(str::to_owned)
        })
}

/// Rule O2: `POST /Invoices/{id}/Email` (an empty JSON body) for a sent invoice.
pub fn email_request(invoice: &Invoice) -> Result<XeroRequest, Error> {
    let id = approved_target(invoice)?;
    Ok(action_request(
        format!("email-{id}"),
        "POST",
        format!("/Invoices/{id}/Email"),
        Some(Value::Object(Default::default())),
    ))
}

/// Rule O2: a sentence saying the invoice was emailed, or why it was not.
pub fn email_in_answer(invoice: &Invoice, answer: &XeroAnswer) -> Result<String, Error> {
    if (200..300).contains(&answer.status) {
        Ok(format!(
            "Xero emailed invoice {} to the customer.",
            invoice.number
        ))
    } else {
        Err(refusal(invoice.record_ref(), answer, "email an invoice"))
    }
}

#[cfg(test)]
mod tests;
