//! The consent page: `GET/POST /identity/connect/authorize`.

use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::{first, html_escape, random_token, with_query, AuthCode};
use crate::state::Sim;

/// Checks the authorize request; `Err` is an error page (a bad client or redirect is never redirected to).
fn check_authorize(
    sim: &Sim,
    q: &[(String, String)],
) -> Result<(String, String, Vec<String>), Response> {
    let page = |msg: &str| {
        (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><title>Error</title><h1>Sorry, something went wrong</h1><p>{}</p>",
                html_escape(msg)
            )),
        )
            .into_response()
    };
    let client_id = first(q, "client_id").ok_or_else(|| page("client_id is missing"))?;
    if !sim
        .world()
        .identity
        .clients
        .iter()
        .any(|c| c.id == client_id)
    {
        return Err(page("unauthorized_client: unknown client_id"));
    }
    let redirect = first(q, "redirect_uri").ok_or_else(|| page("redirect_uri is missing"))?;
    if !(redirect.starts_with("http://") || redirect.starts_with("https://")) {
        return Err(page("invalid redirect_uri"));
    }
    if first(q, "response_type") != Some("code") {
        return Err(page("unsupported_response_type: only response_type=code"));
    }
    let scopes: Vec<String> = first(q, "scope")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if scopes.is_empty() {
        return Err(page("invalid_scope: scope is missing"));
    }
    Ok((client_id.to_owned(), redirect.to_owned(), scopes))
}

/// `GET /identity/connect/authorize`: the consent page (or, with `sim_auto_approve=true`, an immediate approval of
/// all organisations or of `sim_tenants=id,id`).
pub(super) async fn authorize_page(
    State(sim): State<Arc<Sim>>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let (client_id, redirect, scopes) = match check_authorize(&sim, &q) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if first(&q, "sim_auto_approve").is_some_and(|v| v == "true" || v == "1") {
        let tenants: Vec<Uuid> = match first(&q, "sim_tenants") {
            Some(list) => list
                .split(',')
                .filter_map(|s| Uuid::parse_str(s.trim()).ok())
                .collect(),
            None => sim.world().tenants.iter().map(|t| t.id).collect(),
        };
        return approve(&sim, &q, &client_id, &redirect, scopes, &tenants);
    }
    let tenants: Vec<(Uuid, String)> = sim
        .world()
        .tenants
        .iter()
        .map(|t| (t.id, t.name.clone()))
        .collect();
    let hidden: String = q
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(k),
                html_escape(v)
            )
        })
        .collect();
    let boxes: String = tenants
        .iter()
        .map(|(id, name)| format!("<li><label><input type=\"checkbox\" name=\"tenant\" value=\"{id}\" checked> {}</label></li>", html_escape(name)))
        .collect();
    let scope_list: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", html_escape(s)))
        .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Xero (simulated) – Allow access</title>\
<style>body{{font-family:sans-serif;max-width:34rem;margin:3rem auto}}button{{font-size:1rem;padding:.5rem 1.2rem}}</style></head>\
<body><h1>Allow <em>{app}</em> to access your Xero data?</h1><p>This is the xero-sim consent page.</p>\
<form method=\"post\" action=\"/identity/connect/authorize\">{hidden}<h2>Organisations</h2><ul>{boxes}</ul>\
<h2>Permissions</h2><ul>{scope_list}</ul>\
<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow access</button> \
<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Cancel</button></form></body></html>",
        app = html_escape(&client_id)
    ))
    .into_response()
}

/// `POST /identity/connect/authorize`: the consent form's answer.
pub(super) async fn authorize_decision(
    State(sim): State<Arc<Sim>>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (client_id, redirect, scopes) = match check_authorize(&sim, &form) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let state = first(&form, "state").unwrap_or("");
    if first(&form, "decision") != Some("allow") {
        return Redirect::to(&with_query(
            &redirect,
            &[("error", "access_denied"), ("state", state)],
        ))
        .into_response();
    }
    let tenants: Vec<Uuid> = form
        .iter()
        .filter(|(k, _)| k == "tenant")
        .filter_map(|(_, v)| Uuid::parse_str(v).ok())
        .collect();
    approve(&sim, &form, &client_id, &redirect, scopes, &tenants)
}

pub(super) fn approve(
    sim: &Sim,
    q: &[(String, String)],
    client_id: &str,
    redirect: &str,
    scopes: Vec<String>,
    tenants: &[Uuid],
) -> Response {
    let now = sim.clock.now();
    let code = random_token("code");
    let event = Uuid::new_v4();
    {
        let mut world = sim.world();
        let known: Vec<Uuid> = tenants
            .iter()
            .copied()
            .filter(|t| world.tenant(*t).is_some())
            .collect();
        for t in &known {
            world.identity.upsert_connection(client_id, *t, event, now);
        }
        world.identity.codes.insert(
            code.clone(),
            AuthCode {
                client_id: client_id.to_owned(),
                redirect_uri: redirect.to_owned(),
                scopes: scopes.clone(),
                auth_event_id: event,
                issued: now,
                code_challenge: first(q, "code_challenge").map(str::to_owned),
            },
        );
    }
    let state = first(q, "state").unwrap_or("");
    let scope = scopes.join(" ");
    Redirect::to(&with_query(
        redirect,
        &[
            ("code", &code),
            ("scope", &scope),
            ("state", state),
            ("session_state", "sim"),
        ],
    ))
    .into_response()
}
