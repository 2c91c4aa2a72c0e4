//! Rule L1a: after a send, the run's local refusals go to the proxy's log (`POST /log/refusals`, through
//! [`Proxy::report_refusals`]); which ones and in what bodies is the core's business (`plan::refusals`).

use super::http::Proxy;
use super::js::{error_json, warn};
use serde_json::{json, Value};
use xerosync_core::plan::refusals::reports;
use xerosync_core::sync::SendRun;

/// Posts the refusals `run` has not handed out yet. Auto-send does not log the same refusal every poll: rule B2
/// (the core's `auto_send_selection`) leaves a refused invoice out until its inputs change.
/// `None` when there were none; otherwise `{ reported, stored, error? }` for the result. A failure to report never
/// fails the send: it is in that value and on the console.
pub async fn log_refusals(proxy: &Proxy, run: &mut SendRun, action: &str) -> Option<Value> {
    let list = run.take_refusals();
    if list.is_empty() {
        return None;
    }
    let reported = list.len();
    let mut stored = 0;
    let mut failure = None;
    for report in reports(action, list) {
        match proxy.report_refusals(&report).await {
            Ok(answer) => stored += answer["stored"].as_u64().unwrap_or(0),
            Err(e) => {
                let error = error_json(&e);
                warn(&format!(
                    "xerosync: {} refusals not logged (rule L1a): {}",
                    report.refusals.len(),
                    error["message"].as_str().unwrap_or("")
                ));
                failure.get_or_insert(error);
            }
        }
    }
    let mut out = json!({ "reported": reported, "stored": stored });
    if let Some(error) = failure {
        out["error"] = error;
    }
    Some(out)
}
