//! Tokens over time: 30-minute access tokens, rotation with a 30-minute grace, reuse detection, 60 idle days,
//! revocation. The simulated clock makes these instant.

use crate::common::*;
use crate::identity::{accounting_with, refresh};

#[tokio::test]
async fn access_tokens_expire_after_30_minutes_with_token_expired() {
    let h = H::start().await;
    assert_eq!(h.get("/Organisation").await.status, 200);
    h.advance(29 * 60).await;
    assert_eq!(h.get("/Organisation").await.status, 200);
    h.advance(61).await;
    let r = h.get("/Organisation").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["Title"], "Unauthorized");
    assert!(
        r.body["Detail"]
            .as_str()
            .unwrap()
            .starts_with("TokenExpired"),
        "{}",
        r.text
    );
    // Refresh once and retry, as the notes say.
    let t = refresh(&h, &h.refresh).await;
    assert_eq!(
        accounting_with(&h, t.body["access_token"].as_str().unwrap(), UK)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_old_one_has_a_30_minute_grace() {
    let h = H::start().await;
    let first = refresh(&h, &h.refresh).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let rt2 = first.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rt2, h.refresh, "rotates on every refresh");
    // The answer was lost: the old token works again within 30 minutes and gives the same new refresh token.
    h.advance(29 * 60).await;
    let reuse = refresh(&h, &h.refresh).await;
    assert_eq!(reuse.status, 200, "{}", reuse.text);
    assert_eq!(reuse.body["refresh_token"].as_str(), Some(rt2.as_str()));
    assert_eq!(
        accounting_with(&h, reuse.body["access_token"].as_str().unwrap(), UK)
            .await
            .status,
        200
    );
    // After the grace window the old token is refused, and reusing a dead token kills the grant.
    h.advance(2 * 60).await;
    let late = refresh(&h, &h.refresh).await;
    assert_eq!(
        (late.status, late.body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let after = refresh(&h, &rt2).await;
    assert_eq!(
        after.body["error"], "invalid_grant",
        "the whole connection is dead"
    );
}

#[tokio::test]
async fn two_refreshes_racing_with_different_tokens_end_the_connection() {
    let h = H::start().await;
    let rt2 = refresh(&h, &h.refresh).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let rt3 = refresh(&h, &rt2).await.body["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A stale worker still holds rt1 (two rotations back): invalid_grant, and the grant dies.
    let stale = refresh(&h, &h.refresh).await;
    assert_eq!(stale.body["error"], "invalid_grant");
    assert_eq!(refresh(&h, &rt3).await.body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_tokens_die_after_60_idle_days_but_live_at_59() {
    let h = H::start().await;
    h.advance(59 * 86_400).await;
    let ok = refresh(&h, &h.refresh).await;
    assert_eq!(ok.status, 200);
    let rt = ok.body["refresh_token"].as_str().unwrap().to_owned();
    h.advance(61 * 86_400).await;
    let dead = refresh(&h, &rt).await;
    assert_eq!(
        (dead.status, dead.body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn revocation_kills_the_refresh_token_its_access_tokens_and_connections() {
    let h = H::start().await;
    let body = format!("token={}", h.refresh);
    let r = send(
        h.http
            .post(format!("{}/connect/revocation", h.url))
            .basic_auth(DEMO_CLIENT_ID, Some(DEMO_CLIENT_SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(refresh(&h, &h.refresh).await.body["error"], "invalid_grant");
    assert_eq!(h.get("/Organisation").await.status, 401);
}
