//! Runs every shared fixture in `tests/fixtures/core/*.json` against `xerosync_core::api` (the JS runner executes
//! the same files against the wasm build, so native and wasm agree). Also checks every payload a fixture produces
//! against Xero's OpenAPI schemas.

use crate::assert_valid_document;
use serde_json::Value;
use std::path::PathBuf;
use xerosync_core::{api, Error};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/core");

/// Dispatches a fixture's `call` (the JS export name) to the api function.
fn call(name: &str, args: &[Value]) -> Result<Value, Error> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    match name {
        "planSend" => api::plan_send(&arg(0), &arg(1)),
        "planUpdate" => api::plan_update(&arg(0), &arg(1)),
        "previewInvoice" => api::preview_invoice(&arg(0), &arg(1)),
        "buildInvoicePayload" => api::build_invoice_payload(&arg(0), &arg(1)),
        "applyXeroInvoice" => api::apply_xero_invoice(&arg(0), &arg(1), &arg(2)),
        "parseXeroError" => api::parse_xero_error(&arg(0)),
        "matchContact" => api::match_contact(&arg(0), &arg(1)),
        "trackingMapFor" => api::tracking_map_for(&arg(0), &arg(1)),
        "reconcile" => api::reconcile(&arg(0), &arg(1), &arg(2)),
        "resolveDiscrepancy" => api::resolve_discrepancy(&arg(0), &arg(1), &arg(2)),
        "planSendRequests" => api::plan_send_requests(&arg(0), &arg(1), &arg(2)),
        "applySendAnswer" => api::apply_send_answer(&arg(0), &arg(1)),
        "sendLookupRequest" => api::send_lookup_request(&arg(0), &arg(1)),
        "applySendLookup" => api::apply_send_lookup(&arg(0), &arg(1)),
        other => panic!("fixture calls unknown export {other}"),
    }
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("tests/fixtures/core exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn load(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_shared_fixture_passes() {
    let files = fixture_files();
    assert!(
        files.len() >= 30,
        "expected at least 30 fixtures, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let fixture = load(path);
        let rule = fixture["rule"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no rule"));
        assert!(!rule.is_empty(), "{name}: empty rule");
        assert!(fixture["description"].is_string(), "{name}: no description");
        let args = fixture["args"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: args is not an array"));
        let result = call(fixture["call"].as_str().unwrap(), args);
        match (&result, fixture.get("expect"), fixture.get("expectError")) {
            (Ok(got), Some(want), None) => {
                if got != want {
                    failures.push(format!(
                        "{name} (rule {rule}):\n  got  {got}\n  want {want}"
                    ));
                }
                if fixture["call"] == "buildInvoicePayload" {
                    assert_valid_document(got, &name);
                }
            }
            (Err(err), None, Some(want)) => {
                let message = err.to_string();
                if want["code"] != err.code() {
                    failures.push(format!(
                        "{name}: code {} ({message}), want {}",
                        err.code(),
                        want["code"]
                    ));
                }
                for part in want["messageIncludes"].as_array().into_iter().flatten() {
                    if !message.contains(part.as_str().unwrap()) {
                        failures.push(format!("{name}: message {message:?} lacks {part}"));
                    }
                }
            }
            (Ok(got), _, Some(_)) => failures.push(format!("{name}: expected an error, got {got}")),
            (Err(err), Some(_), _) => {
                failures.push(format!("{name}: unexpected error {} {err}", err.code()))
            }
            _ => failures.push(format!("{name}: needs exactly one of expect / expectError")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Every rule the core implements has at least one fixture naming it.
#[test]
fn fixtures_cover_the_core_rules() {
    let rules: Vec<String> = fixture_files()
        .iter()
        .map(|p| load(p)["rule"].as_str().unwrap().to_string())
        .collect();
    for rule in [
        "S1", "A1", "U1", "A2", "S4", "S5", "S6", "S7", "T1", "L2", "U2", "U4", "U5",
    ] {
        assert!(
            rules
                .iter()
                .any(|r| r.split([',', ' ']).any(|part| part == rule)),
            "no fixture for rule {rule}"
        );
    }
}
