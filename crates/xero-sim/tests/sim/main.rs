//! xero-sim's integration tests: every behaviour over HTTP against an in-process simulator on port 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod accounting;
mod amend;
mod beyond;
mod cli;
mod contacts;
mod control;
mod idempotency;
mod identity;
mod limits;
mod lived_in;
mod load;
mod match_crm;
mod maths;
mod online;
mod reads;
mod summarize;
mod tokens;
mod webhooks;
