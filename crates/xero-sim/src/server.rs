//! The HTTP server: one router for Identity, Accounting and (optionally) control, served by our own accept loop so
//! that a handler can close its connection without answering ("commit, then drop the connection").

use std::sync::Arc;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::state::Sim;

/// Xero's limit on a request body: 3.5 MB.
pub const MAX_BODY: usize = 3_500_000;

/// Closes the connection a request came on (inserted into every request's extensions).
#[derive(Clone)]
pub struct ConnKill(pub Arc<Notify>);

/// The whole app.
pub fn router(sim: Arc<Sim>) -> Router {
    let mut app = Router::new()
        .route("/", get(home))
        .route(
            "/online/{token}",
            get(crate::accounting::actions::online_page),
        )
        .merge(crate::identity::router())
        .nest("/api.xro/2.0", crate::accounting::router(sim.clone()));
    if sim.config.control {
        app = app.nest("/_sim", crate::control::router());
    }
    app.layer(DefaultBodyLimit::max(MAX_BODY))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found").into_response() })
        .with_state(sim)
}

async fn home() -> Response {
    Html("<!doctype html><title>xero-sim</title><h1>xero-sim</h1><p>A simulated Xero. Start the OAuth flow at \
<code>/identity/connect/authorize</code>; the Accounting API is under <code>/api.xro/2.0/</code>.</p>")
    .into_response()
}

/// Accepts connections until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => a,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let kill_for_requests = kill.clone();
            let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                req.extensions_mut()
                    .insert(ConnKill(kill_for_requests.clone()));
                router.clone().oneshot(req.map(Body::new))
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
            }
        });
    }
}
