//! The service's life: start, its HTTP endpoint, signals, readiness.

use std::net::SocketAddr;

use super::internal_event::InternalEvent;
use super::internal_event::targets::SERVICE;
use crate::config::Config;
use crate::metrics::METRICS;

/// `kabar run` starts, with its configuration (secrets masked).
pub struct ServiceStarting<'a> {
    pub config: &'a Config,
}

impl InternalEvent for ServiceStarting<'_> {
    fn emit(self) {
        tracing::info!(target: SERVICE, config = ?self.config.redacted(), "starting kabar {}", kabar_pipeline::VERSION);
    }
}

/// The HTTP endpoint is listening.
pub struct HttpServing {
    pub addr: SocketAddr,
}

impl InternalEvent for HttpServing {
    fn emit(self) {
        let addr = self.addr;
        tracing::info!(target: SERVICE, %addr, "serving the live page at /, /metrics, /healthz and /readyz");
    }
}

/// File mode could not listen: it runs without its endpoint.
pub struct HttpDisabled<'a> {
    pub error: &'a anyhow::Error,
}

impl InternalEvent for HttpDisabled<'_> {
    fn emit(self) {
        tracing::warn!(target: SERVICE, error = %self.error, "metrics endpoint disabled");
    }
}

/// SIGTERM or SIGINT: the first starts a graceful shutdown, the second exits at once.
pub struct SignalReceived {
    pub first: bool,
}

impl InternalEvent for SignalReceived {
    fn emit(self) {
        if self.first {
            tracing::info!(target: SERVICE, "signal received: shutting down gracefully");
        } else {
            tracing::warn!(target: SERVICE, "second signal: exiting now");
        }
    }
}

/// The instance became ready for work, or stopped being ready.
pub struct ReadinessChanged {
    pub ready: bool,
}

impl InternalEvent for ReadinessChanged {
    fn emit(self) {
        METRICS.ready.set(i64::from(self.ready));
    }
}
