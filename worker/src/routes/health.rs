//! `GET /health`: whether this deployment can work, not just whether its code runs. Checks the configuration
//! (every required var and secret, their strength), the D1 binding and its migrations, the Durable Object
//! binding and the webhook key. Answers 200 `{ok: true, checks}` or 503 with the failing checks named (names and
//! reasons only, never a value). Unauthenticated, as a load balancer or uptime check calls it.

use serde_json::{json, Map, Value};
use worker::{Env, Response};

use super::json_response;
use crate::config::Config;
use crate::db;
use crate::error::ProxyError;

/// The tables the migrations create; a missing one means `wrangler d1 migrations apply` was not run.
const TABLES: [&str; 6] = [
    "xero_log",
    "settings",
    "connections",
    "sync_state",
    "changes",
    "tenant_bindings",
];

/// Runs every check.
pub async fn check(env: &Env) -> Result<Response, ProxyError> {
    let mut checks = Map::new();
    let mut put = |name: &str, r: Result<(), String>| {
        checks.insert(
            name.to_owned(),
            match r {
                Ok(()) => json!("ok"),
                Err(why) => json!({ "failed": why }),
            },
        );
    };
    put(
        "config",
        Config::from_env(env).map(|_| ()).map_err(|e| match e {
            ProxyError::Config(why) => why,
            other => other.code().to_owned(),
        }),
    );
    put(
        "webhookKey",
        Config::webhook_key(env)
            .map(|_| ())
            .map_err(|_| "XERO_WEBHOOK_KEY is not set".into()),
    );
    put(
        "durableObject",
        env.durable_object("CONNECTION")
            .map(|_| ())
            .map_err(|_| "binding CONNECTION is missing".into()),
    );
    put("d1", d1(env).await);
    let ok = checks.values().all(|v| v == "ok");
    json_response(
        if ok { 200 } else { 503 },
        &json!({ "ok": ok, "checks": Value::Object(checks) }),
    )
}

async fn d1(env: &Env) -> Result<(), String> {
    #[derive(serde::Deserialize)]
    struct Row {
        name: String,
    }
    let db = db::database(env).map_err(|_| "binding DB is missing".to_owned())?;
    let rows: Vec<Row> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|_| "DB does not answer".to_owned())?;
    let missing: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !rows.iter().any(|r| r.name == *t))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "tables missing (apply the migrations): {}",
            missing.join(", ")
        ))
    }
}
