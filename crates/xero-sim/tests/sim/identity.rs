//! Identity: consent page, code exchange, rotation with grace, idle expiry, revocation, connections, 401/403.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::*;

pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

pub fn authorize_url(h: &H, scope: &str, extra: &str) -> String {
    format!(
        "{}/identity/connect/authorize?response_type=code&client_id={DEMO_CLIENT_ID}&redirect_uri={}&scope={}&state=st-42{extra}",
        h.url,
        xero_sim::identity::url_encode(REDIRECT),
        xero_sim::identity::url_encode(scope)
    )
}

pub fn query_param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.replace("%20", " "))
    })
}

pub async fn exchange(h: &H, form: &[(&str, &str)], secret: &str) -> Resp {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", xero_sim::identity::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    send(
        h.http
            .post(format!("{}/connect/token", h.url))
            .basic_auth(DEMO_CLIENT_ID, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await
}

pub async fn auto_code(h: &H, scope: &str, extra: &str) -> String {
    let r = send(h.http.get(authorize_url(
        h,
        scope,
        &format!("&sim_auto_approve=true{extra}"),
    )))
    .await;
    assert_eq!(r.status, 303, "{}", r.text);
    let location = r.header("location").unwrap().to_owned();
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some("st-42"),
        "state is passed back"
    );
    query_param(&location, "code").unwrap()
}

pub async fn refresh(h: &H, token: &str) -> Resp {
    exchange(
        h,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
        DEMO_CLIENT_SECRET,
    )
    .await
}

pub async fn accounting_with(h: &H, token: &str, tenant: uuid::Uuid) -> Resp {
    send(
        h.http
            .get(format!("{}/api.xro/2.0/Organisation", h.url))
            .bearer_auth(token)
            .header("xero-tenant-id", tenant.to_string()),
    )
    .await
}

pub const FULL: &str = "openid offline_access accounting.invoices accounting.payments accounting.contacts accounting.settings";

#[tokio::test]
async fn consent_page_lists_the_organisations_and_allow_sends_code_and_state_back() {
    let h = H::start().await;
    let page = send(h.http.get(authorize_url(&h, FULL, ""))).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("Demo Company (UK)") && page.text.contains("Demo Company (NZ)"),
        "{}",
        page.text
    );
    assert!(page.text.contains("Allow access") && page.text.contains("<form"));
    // Allow, for the UK organisation only (as a browser posts the form).
    let mut form = vec![
        ("response_type", "code".to_owned()),
        ("client_id", DEMO_CLIENT_ID.to_owned()),
        ("redirect_uri", REDIRECT.to_owned()),
        ("scope", FULL.to_owned()),
        ("state", "st-42".to_owned()),
        ("tenant", UK.to_string()),
        ("decision", "allow".to_owned()),
    ];
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", xero_sim::identity::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = send(
        h.http
            .post(format!("{}/identity/connect/authorize", h.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(r.status, 303);
    let location = r.header("location").unwrap();
    assert!(location.starts_with(REDIRECT));
    assert_eq!(query_param(location, "state").as_deref(), Some("st-42"));
    let code = query_param(location, "code").unwrap();
    let t = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.text);
    assert_eq!(t.body["expires_in"], 1800);
    assert_eq!(t.body["token_type"], "Bearer");
    let access = t.body["access_token"].as_str().unwrap();
    assert!(t.body["refresh_token"].is_string() && t.body["id_token"].is_string());
    // One connection, for the UK organisation; the token cannot reach NZ (C7: the tenant is explicit).
    let conns = send(
        h.http
            .get(format!("{}/connections", h.url))
            .bearer_auth(access),
    )
    .await;
    assert_eq!(conns.status, 200);
    let list = conns.body.as_array().unwrap();
    assert!(list.iter().any(|c| c["tenantId"] == UK.to_string()
        && c["tenantName"] == "Demo Company (UK)"
        && c["tenantType"] == "ORGANISATION"));
    assert_eq!(accounting_with(&h, access, UK).await.status, 200);
    assert_eq!(
        accounting_with(&h, access, NZ).await.status,
        200,
        "the /_sim/tokens connection of the harness covers NZ"
    );
    // Deny sends access_denied back.
    form.retain(|(k, _)| *k != "decision");
    form.push(("decision", "deny".to_owned()));
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", xero_sim::identity::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = send(
        h.http
            .post(format!("{}/identity/connect/authorize", h.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    assert_eq!(
        query_param(r.header("location").unwrap(), "error").as_deref(),
        Some("access_denied")
    );
}

#[tokio::test]
async fn a_fresh_app_connected_to_one_organisation_gets_403_for_the_others() {
    let h = H::start().await;
    h.control(
        Method::POST,
        "/clients",
        json!({ "clientId": "other-app", "clientSecret": "s3cret" }),
    )
    .await;
    let url = format!(
        "{}/identity/connect/authorize?response_type=code&client_id=other-app&redirect_uri={}&scope={}&state=x&sim_auto_approve=1&sim_tenants={UK}",
        h.url, xero_sim::identity::url_encode(REDIRECT), xero_sim::identity::url_encode(FULL));
    let r = send(h.http.get(url)).await;
    let code = query_param(r.header("location").unwrap(), "code").unwrap();
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}",
        xero_sim::identity::url_encode(REDIRECT)
    );
    let t = send(
        h.http
            .post(format!("{}/connect/token", h.url))
            .basic_auth("other-app", Some("s3cret"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body),
    )
    .await;
    let access = t.body["access_token"].as_str().unwrap();
    assert_eq!(accounting_with(&h, access, UK).await.status, 200);
    let nz = accounting_with(&h, access, NZ).await;
    assert_eq!(nz.status, 403);
    assert_eq!(nz.body["Detail"], "AuthenticationUnsuccessful");
}

#[tokio::test]
async fn no_refresh_token_without_offline_access() {
    let h = H::start().await;
    let code = auto_code(&h, "openid accounting.invoices", "").await;
    let t = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(t.status, 200);
    assert!(t.body.get("refresh_token").is_none(), "{}", t.text);
    assert!(t.body["access_token"].is_string());
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_redirect_uri_and_client_secret() {
    let h = H::start().await;
    let code = auto_code(&h, FULL, "").await;
    let wrong_secret = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        "nope",
    )
    .await;
    assert_eq!(
        (wrong_secret.status, wrong_secret.body["error"].as_str()),
        (400, Some("invalid_client"))
    );
    let no_basic = send(
        h.http
            .post(format!("{}/connect/token", h.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=authorization_code&code={code}")),
    )
    .await;
    assert_eq!(no_basic.body["error"], "invalid_client");
    let wrong_redirect = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/other"),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(wrong_redirect.body["error"], "invalid_grant");
    // The failed attempt used the code up.
    let code = auto_code(&h, FULL, "").await;
    let ok = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(ok.status, 200);
    let again = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(
        (again.status, again.body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let bad_grant = exchange(&h, &[("grant_type", "password")], DEMO_CLIENT_SECRET).await;
    assert_eq!(bad_grant.body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn pkce_s256_is_checked_when_a_challenge_was_sent() {
    let h = H::start().await;
    let verifier = "a-long-enough-code-verifier-0123456789-abcdefghijkl";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let extra = format!("&code_challenge={challenge}&code_challenge_method=S256");
    let code = auto_code(&h, FULL, &extra).await;
    let bad = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", "wrong"),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(bad.body["error"], "invalid_grant");
    let code = auto_code(&h, FULL, &extra).await;
    let good = exchange(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
        DEMO_CLIENT_SECRET,
    )
    .await;
    assert_eq!(good.status, 200, "{}", good.text);
}

#[tokio::test]
async fn bearer_missing_or_unknown_is_401_and_tenant_missing_or_wrong_is_403() {
    let h = H::start().await;
    let none = send(
        h.http
            .get(format!("{}/api.xro/2.0/Invoices", h.url))
            .header("xero-tenant-id", UK.to_string()),
    )
    .await;
    assert_eq!(none.status, 401);
    assert_eq!(accounting_with(&h, "not-a-token", UK).await.status, 401);
    let no_tenant = send(
        h.http
            .get(format!("{}/api.xro/2.0/Invoices", h.url))
            .bearer_auth(&h.token),
    )
    .await;
    assert_eq!(
        (no_tenant.status, no_tenant.body["Detail"].as_str()),
        (403, Some("AuthenticationUnsuccessful"))
    );
    let r = accounting_with(&h, &h.token, uuid::Uuid::new_v4()).await;
    assert_eq!(r.status, 403);
    let garbage = send(
        h.http
            .get(format!("{}/api.xro/2.0/Invoices", h.url))
            .bearer_auth(&h.token)
            .header("xero-tenant-id", "nope"),
    )
    .await;
    assert_eq!(garbage.status, 403);
}

#[tokio::test]
async fn connections_list_filter_and_delete() {
    let h = H::start().await;
    let list = send(
        h.http
            .get(format!("{}/connections", h.url))
            .bearer_auth(&h.token),
    )
    .await;
    let conns = list.body.as_array().unwrap().clone();
    assert_eq!(
        conns.len(),
        4,
        "the harness token connected every organisation (three demo ones and the lived-in one)"
    );
    let nz: &Value = conns
        .iter()
        .find(|c| c["tenantId"] == NZ.to_string())
        .unwrap();
    for key in ["id", "authEventId", "createdDateUtc", "updatedDateUtc"] {
        assert!(nz[key].is_string(), "{key} in {nz}");
    }
    // Each connection is a valid `Connection` of Xero's identity description, strictly.
    let identity = xero_schema::XeroSchemas::load_file(
        &xero_schema::openapi_dir()
            .unwrap()
            .join("xero-identity.yaml"),
    )
    .unwrap();
    for c in &conns {
        if let Err(v) = identity.validate_with("Connection", c, xero_schema::Options::response()) {
            panic!("{}", xero_schema::format_violations(&v));
        }
    }
    let filtered = send(
        h.http
            .get(format!(
                "{}/connections?authEventId={}",
                h.url,
                nz["authEventId"].as_str().unwrap()
            ))
            .bearer_auth(&h.token),
    )
    .await;
    assert_eq!(
        filtered.body.as_array().unwrap().len(),
        conns.len(),
        "one consent, one authEventId"
    );
    let id = nz["id"].as_str().unwrap();
    let del = send(
        h.http
            .delete(format!("{}/connections/{id}", h.url))
            .bearer_auth(&h.token),
    )
    .await;
    assert_eq!(del.status, 204);
    assert_eq!(
        accounting_with(&h, &h.token, NZ).await.status,
        403,
        "disconnected organisation"
    );
    assert_eq!(accounting_with(&h, &h.token, UK).await.status, 200);
    let again = send(
        h.http
            .delete(format!("{}/connections/{id}", h.url))
            .bearer_auth(&h.token),
    )
    .await;
    assert_eq!(again.status, 404);
    let anon = send(h.http.get(format!("{}/connections", h.url))).await;
    assert_eq!(anon.status, 401);
}

#[tokio::test]
async fn a_token_without_the_contacts_scope_cannot_read_contacts() {
    let h = H::start().await;
    let t = h
        .control(
            Method::POST,
            "/tokens",
            json!({ "scopes": "offline_access accounting.invoices" }),
        )
        .await;
    let token = t["access_token"].as_str().unwrap();
    let r = send(
        h.http
            .get(format!("{}/api.xro/2.0/Contacts", h.url))
            .bearer_auth(token)
            .header("xero-tenant-id", UK.to_string()),
    )
    .await;
    assert_eq!(r.status, 401);
    let ok = send(
        h.http
            .get(format!("{}/api.xro/2.0/Invoices", h.url))
            .bearer_auth(token)
            .header("xero-tenant-id", UK.to_string()),
    )
    .await;
    assert_eq!(ok.status, 200);
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// Rule C7 (and issue 11's tenant isolation): as Xero's, an access token is a JWT naming its consent
/// (`authentication_event_id`, kept across refreshes), and `GET /connections?authEventId=` lists only the
/// organisations of that consent, although the app's (and the same Xero user's) other consents are there too.
#[tokio::test]
async fn rule_c7_access_tokens_name_their_consent_and_connections_filter_by_it() {
    let h = H::start().await;
    let scope = "offline_access accounting.transactions";
    let mut events = Vec::new();
    for tenant in [UK, NZ] {
        let code = auto_code(&h, scope, &format!("&sim_tenants={tenant}")).await;
        let t = exchange(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
            DEMO_CLIENT_SECRET,
        )
        .await;
        assert_eq!(t.status, 200, "{}", t.text);
        let access = t.body["access_token"].as_str().unwrap().to_owned();
        let claims = jwt_claims(&access);
        let event = claims["authentication_event_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(claims["client_id"], DEMO_CLIENT_ID);
        assert!(claims["exp"].as_i64().unwrap() > claims["nbf"].as_i64().unwrap());
        let mine = send(
            h.http
                .get(format!("{}/connections?authEventId={event}", h.url))
                .bearer_auth(&access),
        )
        .await;
        let list = mine.body.as_array().unwrap();
        assert_eq!(list.len(), 1, "only this consent's organisation: {list:?}");
        assert_eq!(list[0]["tenantId"], tenant.to_string());
        assert_eq!(list[0]["authEventId"], event.as_str());
        // Unfiltered, the same user's token sees the app's other connections: the hole an integration closes.
        let all = send(
            h.http
                .get(format!("{}/connections", h.url))
                .bearer_auth(&access),
        )
        .await;
        assert!(all.body.as_array().unwrap().len() > 1);
        // A refreshed token keeps the consent's event.
        let r = refresh(&h, t.body["refresh_token"].as_str().unwrap()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            jwt_claims(r.body["access_token"].as_str().unwrap())["authentication_event_id"],
            event.as_str()
        );
        events.push(event);
    }
    assert_ne!(events[0], events[1], "two consents, two events");
}
