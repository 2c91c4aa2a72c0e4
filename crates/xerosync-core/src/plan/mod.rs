//! The send plan, sans-IO (quinn-proto style): the ordered, batched requests to make, and what each answer means for
//! the CRM. The caller (the Worker, or the browser through the proxy) performs the requests and feeds the answers back.
//!
//! Order (rules S3a, S10, S2, S3, S4): reads first (`GET /Contacts` by the companies' numbers, names and emails; the
//! Xero state of cancelled invoices), then `POST /Items`, then `POST /Contacts`, then the documents: `PUT` (create only)
//! for new ones, so that an invoice number Xero already has is never overwritten (S8), `POST` for known ones.
//! Each request holds at most 50 records, asks `summarizeErrors=false` and carries an `Idempotency-Key` derived from
//! its content (rule X1). Documents are written with `POST` (create or update, matched by `InvoiceID` when the CRM
//! knows it, else by number), so a retried request never creates a second invoice (rule S8).

mod amend;
mod answers;
mod collisions;
mod outcome;
mod reads;
pub mod refusals;
mod request;
mod send;

pub use outcome::{
    CompanyResult, ContactCandidate, ContactMatchReport, InvoiceResult, LogEntry, Outcome,
    ProductFailure, SendChanges, Stage,
};
pub use request::{
    document_in_answer, document_request, idempotency_key, lookup_request, XeroAnswer, XeroRequest,
    MAX_RECORDS_PER_REQUEST,
};
pub use send::SendPlan;
