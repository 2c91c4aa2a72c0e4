//! Rate limits: X-*-Remaining headers, 429 with Retry-After and X-Rate-Limit-Problem for the minute, day (Standard
//! and Starter), app-minute and in-flight limits. Windows run on the simulated clock.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn the_61st_call_in_a_minute_is_a_429_with_retry_after() {
    let h = H::start().await;
    let first = h.get("/Organisation").await;
    assert_eq!(first.header("x-minlimit-remaining"), Some("59"));
    assert_eq!(first.header("x-daylimit-remaining"), Some("4999"));
    assert_eq!(first.header("x-appminlimit-remaining"), Some("9999"));
    for i in 2..=60 {
        let r = h.get("/Organisation").await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("x-minlimit-remaining"),
            Some((60 - i).to_string().as_str())
        );
    }
    let r = h.get("/Organisation").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-rate-limit-problem"), Some("minute"));
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another organisation has its own window.
    assert_eq!(
        h.call_as(Method::GET, "/Organisation", None, NZ, &[])
            .await
            .status,
        200
    );
    h.advance(retry).await;
    assert_eq!(h.get("/Organisation").await.status, 200);
}

#[tokio::test]
async fn day_limits_standard_and_starter_tier() {
    let h = H::start().await;
    h.control(
        Method::POST,
        "/limits",
        json!({ "perDay": 4, "starterPerDay": 2 }),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            h.call_as(Method::GET, "/Organisation", None, STARTER, &[])
                .await
                .status,
            200
        );
    }
    let s = h
        .call_as(Method::GET, "/Organisation", None, STARTER, &[])
        .await;
    assert_eq!(
        (s.status, s.header("x-rate-limit-problem")),
        (429, Some("day"))
    );
    for _ in 0..4 {
        assert_eq!(h.get("/Organisation").await.status, 200);
    }
    let r = h.get("/Organisation").await;
    assert_eq!(
        (r.status, r.header("x-rate-limit-problem")),
        (429, Some("day"))
    );
    assert_eq!(r.header("x-daylimit-remaining"), Some("0"));
    let retry: i64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 86_000, "the day window rolls: {retry}");
    let mut h = h;
    h.advance(86_401).await;
    h.fresh_token().await;
    assert_eq!(h.get("/Organisation").await.status, 200);
}

#[tokio::test]
async fn app_minute_limit_spans_organisations() {
    let h = H::start().await;
    h.control(Method::POST, "/limits", json!({ "appPerMinute": 3 }))
        .await;
    assert_eq!(h.get("/Organisation").await.status, 200);
    assert_eq!(
        h.call_as(Method::GET, "/Organisation", None, NZ, &[])
            .await
            .status,
        200
    );
    assert_eq!(
        h.call_as(Method::GET, "/Organisation", None, STARTER, &[])
            .await
            .status,
        200
    );
    let r = h.call_as(Method::GET, "/Organisation", None, NZ, &[]).await;
    assert_eq!(
        (r.status, r.header("x-rate-limit-problem")),
        (429, Some("appminute"))
    );
}

#[tokio::test]
async fn at_most_five_calls_in_flight_per_organisation() {
    let h = H::start().await;
    h.control(Method::POST, "/faults", json!({ "latencyMs": 1000 }))
        .await;
    let calls = (0..7).map(|_| h.get("/Organisation"));
    let answers = futures_join_all(calls).await;
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let refused: Vec<_> = answers.iter().filter(|r| r.status == 429).collect();
    assert_eq!(ok, 5);
    assert_eq!(refused.len(), 2);
    assert!(refused
        .iter()
        .all(|r| r.header("x-rate-limit-problem") == Some("concurrent")
            && r.header("retry-after").is_some()));
    // All released afterwards.
    h.control(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
    assert_eq!(h.get("/Organisation").await.status, 200);
}

/// Runs futures concurrently on the current task (no extra dependency).
pub async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}
