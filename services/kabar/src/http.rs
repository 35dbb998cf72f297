//! `/metrics`, `/healthz`, `/readyz` and `/status`, and the live page at `/`.
//!
//! - `/`: the live page ([`page`](crate::page)), updated from `/metrics` and `/status`.
//! - `/healthz`: 200 while the process lives.
//! - `/readyz`: 200 when the instance can do its job, else 503 with the reasons, one a line
//!   ([`Health::not_ready_reasons`](crate::status::Health::not_ready_reasons)).
//! - `/status`: the status document (JSON, always 200), see
//!   [`StatusDocument`](crate::status::StatusDocument).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::metrics::METRICS;
use crate::status::ServiceState;

/// Binds the listener (so a bad address fails at start-up) and returns the bound address.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {addr}: {error}"))?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Serves until `shutdown` fires.
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServiceState>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let app = Router::new()
        .route("/", get(page))
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/status", get(status))
        .with_state(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await?;
    Ok(())
}

async fn readyz(State(state): State<Arc<ServiceState>>) -> (StatusCode, String) {
    let reasons = state.health.not_ready_reasons();
    if reasons.is_empty() {
        (StatusCode::OK, "ready\n".to_owned())
    } else {
        let mut body = "not ready\n".to_owned();
        for reason in reasons {
            body.push_str(&reason);
            body.push('\n');
        }
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}

async fn status(State(state): State<Arc<ServiceState>>) -> impl IntoResponse {
    let body = serde_json::to_string(&state.document()).unwrap_or_else(|_| "{}".to_owned());
    ([(header::CONTENT_TYPE, "application/json")], body)
}

async fn page() -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Html(crate::page::HTML),
    )
}

async fn metrics() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        METRICS.render(),
    )
}
