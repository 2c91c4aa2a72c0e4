//! The I/O loop around a core run (quinn style: the core decides, this only fetches and waits): start what the run
//! hands out (it keeps at most 5 in flight), feed each answer back, sleep until a `Retry-After` is over, report
//! progress, and stop at once when the signal aborts (the run then gives a checkpoint).

use super::http::Proxy;
use super::js::{aborted, now, sleep, to_js};
use futures_util::future::{select, Either, LocalBoxFuture};
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use js_sys::Function;
use serde_json::Value;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;
use xerosync_core::plan::XeroAnswer;
use xerosync_core::sync::{Progress, Run};

/// How long a request may take before it counts as lost (the proxy waits for Xero's slots and retries a 401).
pub const REQUEST_TIMEOUT_MS: u64 = 120_000;

/// How a drive ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Finished,
    Cancelled,
}

type InFlight = LocalBoxFuture<'static, (String, Result<XeroAnswer, String>)>;

fn report(on_progress: Option<&Function>, progress: &Progress) {
    let Some(callback) = on_progress else { return };
    if let Ok(value) = serde_json::to_value(progress)
        .map_err(|_| ())
        .and_then(|v: Value| to_js(&v).map_err(|_| ()))
    {
        // A throwing callback must not break the run.
        let _ = callback.call1(&JsValue::NULL, &value);
    }
}

/// Drives `run` until it finishes or `signal` aborts.
pub async fn drive<R: Run>(
    run: &mut R,
    proxy: &Proxy,
    action: &str,
    signal: &AbortSignal,
    on_progress: Option<&Function>,
) -> Ended {
    let mut in_flight: FuturesUnordered<InFlight> = FuturesUnordered::new();
    let mut abort = aborted(signal).fuse();
    report(on_progress, &run.progress(now()));
    loop {
        if signal.aborted() {
            return Ended::Cancelled;
        }
        for request in run.poll(now()) {
            let (proxy, action, signal) = (proxy.clone(), action.to_string(), signal.clone());
            in_flight.push(
                async move {
                    // Rule S8: no answer in time counts as a lost answer (looked up before writing again).
                    let fetch = proxy.xero(&request, &action, &signal).boxed_local();
                    let answer = match select(fetch, sleep(REQUEST_TIMEOUT_MS)).await {
                        Either::Left((answer, _)) => answer,
                        Either::Right(_) => Err(format!(
                            "no answer from the proxy within {} s",
                            REQUEST_TIMEOUT_MS / 1000
                        )),
                    };
                    (request.id, answer)
                }
                .boxed_local(),
            );
        }
        if in_flight.is_empty() {
            if run.is_finished() {
                report(on_progress, &run.progress(now()));
                return Ended::Finished;
            }
            let Some(wake) = run.next_wake() else {
                // Nothing queued, nothing in flight, not finished: the run cannot move (a defect); end it here
                // rather than spin, and let the result show what is pending.
                return Ended::Finished;
            };
            let wait = wake.saturating_sub(now()).max(1);
            if let Either::Right(_) = select(sleep(wait), &mut abort).await {
                return Ended::Cancelled;
            }
            continue;
        }
        match select(in_flight.next(), &mut abort).await {
            Either::Left((Some((id, answer)), _)) => {
                let at = now();
                match answer {
                    Ok(answer) => run.handle_answer(&answer, at),
                    Err(reason) => run.handle_lost(&id, &reason, at),
                };
                report(on_progress, &run.progress(at));
            }
            Either::Left((None, _)) => {}
            Either::Right(_) => return Ended::Cancelled,
        }
    }
}
