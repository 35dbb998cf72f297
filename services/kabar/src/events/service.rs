//! The service's life: start, its HTTP endpoint, signals, readiness.

use std::net::SocketAddr;

use super::internal_event::InternalEvent;
use super::internal_event::targets::SERVICE;
use crate::config::Config;
use crate::metrics::{METRICS, REVISION, VERSION};

/// `kabar run` starts, with its effective configuration (secrets masked): one log line per
/// section, one field per setting (`kafka.brokers`, `pipeline.max_in_flight`...), so JSON logs
/// can be searched by setting.
pub struct ServiceStarting<'a> {
    pub config: &'a Config,
}

/// A setting's value as a log field: text as is, lists comma-separated, absent as "".
fn setting(section: &serde_json::Value, key: &str) -> String {
    match &section[key] {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

impl InternalEvent for ServiceStarting<'_> {
    fn emit(self) {
        tracing::info!(
            target: SERVICE,
            version = VERSION,
            revision = REVISION,
            "starting kabar {VERSION} ({REVISION})"
        );
        let config = serde_json::to_value(self.config.redacted()).unwrap_or_default();
        let kafka = &config["kafka"];
        let s = |key: &str| setting(kafka, key);
        tracing::info!(
            target: SERVICE,
            section = "kafka",
            kafka.brokers = s("brokers"),
            kafka.group_id = s("group_id"),
            kafka.input_topics = s("input_topics"),
            kafka.dead_letter_topic = s("dead_letter_topic"),
            kafka.security_protocol = s("security_protocol"),
            kafka.sasl_mechanism = s("sasl_mechanism"),
            kafka.sasl_username = s("sasl_username"),
            kafka.sasl_password = s("sasl_password"),
            kafka.sasl_password_file = s("sasl_password_file"),
            kafka.ssl_ca_location = s("ssl_ca_location"),
            kafka.ssl_certificate_location = s("ssl_certificate_location"),
            kafka.ssl_key_location = s("ssl_key_location"),
            kafka.ssl_key_password = s("ssl_key_password"),
            kafka.client = s("client"),
            kafka.delivery = s("delivery"),
            kafka.transactional_id = s("transactional_id"),
            kafka.transaction_max_messages = s("transaction_max_messages"),
            kafka.transaction_max_ms = s("transaction_max_ms"),
            kafka.broker_timeout_ms = s("broker_timeout_ms"),
            kafka.startup_timeout_ms = s("startup_timeout_ms"),
            "configuration: kafka"
        );
        let pipeline = &config["pipeline"];
        let s = |key: &str| setting(pipeline, key);
        tracing::info!(
            target: SERVICE,
            section = "pipeline",
            pipeline.max_payload_bytes = s("max_payload_bytes"),
            pipeline.max_in_flight = s("max_in_flight"),
            pipeline.workers = s("workers"),
            pipeline.routes_file = s("routes_file"),
            pipeline.watch_routes = s("watch_routes"),
            pipeline.expected_languages = s("expected_languages"),
            pipeline.allowed_languages = s("allowed_languages"),
            pipeline.source_languages = s("source_languages"),
            pipeline.passthrough_topic = s("passthrough_topic"),
            "configuration: pipeline"
        );
        let (http, log) = (&config["http"], &config["log"]);
        tracing::info!(
            target: SERVICE,
            section = "http, log",
            http.listen = setting(http, "listen"),
            log.format = setting(log, "format"),
            log.level = setting(log, "level"),
            "configuration: http, log"
        );
    }
}

/// The HTTP endpoint is listening.
pub struct HttpServing {
    pub addr: SocketAddr,
}

impl InternalEvent for HttpServing {
    fn emit(self) {
        let addr = self.addr;
        tracing::info!(target: SERVICE, %addr, "serving the live page at /, /metrics, /healthz, /readyz and /status");
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

/// SIGTERM or SIGINT: a graceful shutdown starts (a second one exits at once).
pub struct SignalReceived {
    pub signal: i32,
}

impl InternalEvent for SignalReceived {
    fn emit(self) {
        tracing::info!(target: SERVICE, signal = self.signal, "signal received: shutting down gracefully");
    }
}

/// The instance became ready for work, or stopped being ready (and why).
pub struct ReadinessChanged<'a> {
    pub ready: bool,
    pub reasons: &'a [String],
    /// The state at start-up (not ready yet is no news then).
    pub initial: bool,
}

impl InternalEvent for ReadinessChanged<'_> {
    fn emit(self) {
        METRICS.ready.set(i64::from(self.ready));
        if self.ready {
            tracing::info!(target: SERVICE, "ready");
        } else if self.initial {
            tracing::info!(target: SERVICE, reasons = ?self.reasons, "not ready yet");
        } else {
            tracing::warn!(target: SERVICE, reasons = ?self.reasons, "not ready");
        }
    }
}

/// A second signal cut the graceful shutdown short: the process exits at once.
pub struct ShutdownCutShort {
    pub signal: i32,
}

impl InternalEvent for ShutdownCutShort {
    fn emit(self) {
        tracing::warn!(target: SERVICE, signal = self.signal, "second signal: exiting now, unfinished work is redone after restart");
    }
}

/// Graceful shutdown took longer than its budget: the process exits.
pub struct ShutdownBudgetExceeded {
    pub seconds: u64,
}

impl InternalEvent for ShutdownBudgetExceeded {
    fn emit(self) {
        tracing::error!(target: SERVICE, seconds = self.seconds, "shutdown did not finish within its budget: exiting, unfinished work is redone after restart");
    }
}

/// No broker answered at start-up within `kafka.startup_timeout_ms`.
pub struct BrokerUnreachableAtStartup<'a> {
    pub brokers: &'a str,
    pub seconds: u64,
}

impl InternalEvent for BrokerUnreachableAtStartup<'_> {
    fn emit(self) {
        tracing::error!(target: SERVICE, brokers = self.brokers, seconds = self.seconds, "no broker answered at start-up: giving up");
    }
}
