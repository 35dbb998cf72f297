//! What a running service knows about itself, shared by the Kafka loops, the client callbacks,
//! the reloader and the HTTP endpoint: readiness (`/readyz`, [`Health`]) and the status
//! document (`/status`, [`ServiceState::document`]).
//!
//! Readiness is computed when asked, from facts the rest of the service records: whether the
//! broker was reached at start-up, when a broker last answered (statistics, fetches,
//! acknowledgements, commits, the health probe), whether a fatal error happened, whether
//! shutdown began. An idle member with no partitions is ready: partitions play no part.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use crate::config::{Config, Delivery};
use crate::engine::Engine;
use crate::metrics::{REVISION, VERSION};

/// Whether this instance can do its job, and why not.
#[derive(Debug)]
pub struct Health {
    /// When the service started: the origin of the broker clock.
    origin: Instant,
    /// No broker for longer than this: not ready.
    broker_timeout: Duration,
    /// Kafka mode only: the broker answered once at start-up.
    connected: AtomicBool,
    /// Milliseconds after `origin` when a broker last answered; 0 before any.
    broker_seen_ms: AtomicU64,
    shutting_down: AtomicBool,
    /// A fatal client or transaction error: the instance cannot recover and stops.
    fatal: Mutex<Option<String>>,
    /// File mode needs no broker.
    needs_broker: bool,
}

impl Health {
    fn new(needs_broker: bool, broker_timeout: Duration) -> Self {
        Self {
            origin: Instant::now(),
            broker_timeout,
            connected: AtomicBool::new(false),
            broker_seen_ms: AtomicU64::new(0),
            shutting_down: AtomicBool::new(false),
            fatal: Mutex::new(None),
            needs_broker,
        }
    }

    /// A broker answered (a fetch, an acknowledgement, a commit, statistics with a broker up,
    /// a metadata probe).
    pub fn broker_seen(&self) {
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.broker_seen_ms.fetch_max(now.max(1), Ordering::Relaxed);
    }

    /// The broker was reached at start-up: from now on only the broker clock counts.
    pub fn set_connected(&self) {
        self.broker_seen();
        self.connected.store(true, Ordering::Relaxed);
    }

    pub fn set_shutting_down(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    /// Records a fatal error (the first one is kept).
    pub fn set_fatal(&self, reason: impl Into<String>) {
        let mut fatal = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        if fatal.is_none() {
            *fatal = Some(reason.into());
        }
    }

    pub fn fatal(&self) -> Option<String> {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How long since a broker last answered; `None` before any did.
    pub fn since_broker_seen(&self) -> Option<Duration> {
        match self.broker_seen_ms.load(Ordering::Relaxed) {
            0 => None,
            seen => Some(
                self.origin
                    .elapsed()
                    .saturating_sub(Duration::from_millis(seen)),
            ),
        }
    }

    pub fn broker_timeout(&self) -> Duration {
        self.broker_timeout
    }

    /// Why the instance is not ready; empty when it is.
    pub fn not_ready_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if self.shutting_down.load(Ordering::Relaxed) {
            reasons.push("shutting down".to_owned());
        }
        if let Some(fatal) = self.fatal() {
            reasons.push(format!("fatal error: {fatal}"));
        }
        if self.needs_broker {
            if !self.connected.load(Ordering::Relaxed) {
                reasons.push("waiting for the Kafka broker at start-up".to_owned());
            } else if let Some(since) = self.since_broker_seen() {
                if since > self.broker_timeout {
                    reasons.push(format!("broker unreachable for {} s", since.as_secs()));
                }
            }
        }
        reasons
    }

    pub fn is_ready(&self) -> bool {
        self.not_ready_reasons().is_empty()
    }
}

/// One assigned input partition, as the consumer's statistics last described it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionProgress {
    pub committed_offset: Option<i64>,
    pub end_offset: Option<i64>,
    pub lag: Option<i64>,
}

/// How the last reload went.
#[derive(Debug, Clone)]
pub struct ReloadOutcome {
    pub at: SystemTime,
    pub success: bool,
    pub errors: Vec<String>,
}

/// File mode's progress through its input.
#[derive(Debug, Default)]
pub struct InputProgress {
    pub done: AtomicU64,
    /// Items in the input; `u64::MAX` while unknown (stdin, `--follow`, not counted yet).
    pub total: AtomicU64,
}

/// Everything `/status` shows and `/readyz` decides on.
pub struct ServiceState {
    started_at: SystemTime,
    started: Instant,
    pub health: Health,
    /// `Some` in Kafka mode.
    delivery: Option<Delivery>,
    group: String,
    input_topics: Vec<String>,
    /// Assigned input partitions and their offsets.
    partitions: Mutex<BTreeMap<(String, i32), PartitionProgress>>,
    in_flight: AtomicI64,
    /// Milliseconds since the epoch of the last successful commit (offsets or transaction); 0
    /// before any.
    last_commit_ms: AtomicU64,
    last_reload: Mutex<Option<ReloadOutcome>>,
    /// File mode: what is read, and how far.
    input_path: Option<PathBuf>,
    pub input: Arc<InputProgress>,
    engine: Arc<Engine>,
}

fn epoch_ms(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}

impl ServiceState {
    /// The state of a service about to run `config` with `engine`; `input_path` in file mode.
    pub fn new(config: &Config, engine: Arc<Engine>, input_path: Option<PathBuf>) -> Self {
        let kafka = config.uses_kafka();
        Self {
            started_at: SystemTime::now(),
            started: Instant::now(),
            health: Health::new(kafka, config.kafka.broker_timeout()),
            delivery: kafka.then_some(config.kafka.delivery),
            group: config.kafka.group_id.clone(),
            input_topics: config.kafka.input_topics.clone(),
            partitions: Mutex::default(),
            in_flight: AtomicI64::new(0),
            last_commit_ms: AtomicU64::new(0),
            last_reload: Mutex::new(None),
            input_path,
            input: Arc::new(InputProgress {
                done: AtomicU64::new(0),
                total: AtomicU64::new(u64::MAX),
            }),
            engine,
        }
    }

    /// Kafka mode's delivery guarantee; `None` in file mode.
    pub fn delivery(&self) -> Option<Delivery> {
        self.delivery
    }

    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Partitions were assigned to this instance.
    pub fn partitions_assigned(&self, assigned: &[(String, i32)]) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        for key in assigned {
            partitions.entry(key.clone()).or_default();
        }
    }

    /// Partitions were taken away.
    pub fn partitions_revoked(&self, revoked: &[(String, i32)]) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        for key in revoked {
            partitions.remove(key);
        }
    }

    /// The statistics' view of an assigned partition (ignored for partitions not assigned).
    pub fn partition_progress(&self, topic: &str, partition: i32, progress: PartitionProgress) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = partitions.get_mut(&(topic.to_owned(), partition)) {
            *entry = progress;
        }
    }

    /// Articles being worked on: `delta` more (or fewer).
    pub fn add_in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// Exactly once: the batch in its transaction.
    pub fn set_in_flight(&self, count: usize) {
        self.in_flight
            .store(i64::try_from(count).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// Offsets (or a transaction with offsets) were committed.
    pub fn committed(&self) {
        self.last_commit_ms
            .store(epoch_ms(SystemTime::now()), Ordering::Relaxed);
        self.health.broker_seen();
    }

    pub fn set_last_reload(&self, outcome: ReloadOutcome) {
        *self.last_reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    }

    pub fn last_reload(&self) -> Option<ReloadOutcome> {
        self.last_reload
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The `/status` document.
    pub fn document(&self) -> StatusDocument {
        let reasons = self.health.not_ready_reasons();
        let settings = self.engine.settings();
        let routes = &settings.routes;
        let partitions = self
            .partitions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|((topic, partition), progress)| PartitionDocument {
                topic: topic.clone(),
                partition: *partition,
                committed_offset: progress.committed_offset,
                end_offset: progress.end_offset,
                lag: progress.lag,
            })
            .collect();
        let last_commit = self.last_commit_ms.load(Ordering::Relaxed);
        let kafka = self.delivery.is_some();
        StatusDocument {
            version: VERSION,
            revision: REVISION,
            started_at: rfc3339(self.started_at),
            uptime_seconds: (self.started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
            mode: if kafka { "kafka" } else { "files" },
            delivery: self.delivery.map(|d| match d {
                Delivery::AtLeastOnce => "at-least-once",
                Delivery::ExactlyOnce => "exactly-once",
            }),
            ready: reasons.is_empty(),
            not_ready_reasons: reasons,
            group: kafka.then(|| self.group.clone()),
            input_topics: kafka.then(|| self.input_topics.clone()),
            partitions,
            in_flight: self.in_flight.load(Ordering::Relaxed).max(0),
            routes: RoutesDocument {
                count: routes.count,
                digest: routes.digest.clone(),
                loaded_at: rfc3339(routes.loaded_at),
                source: routes
                    .source
                    .as_ref()
                    .map_or_else(|| "(defaults)".to_owned(), |p| p.display().to_string()),
            },
            last_reload: self.last_reload().map(|outcome| ReloadDocument {
                at: rfc3339(outcome.at),
                result: if outcome.success {
                    "success"
                } else {
                    "failure"
                },
                errors: outcome.errors,
            }),
            last_commit_at: (last_commit > 0)
                .then(|| rfc3339(SystemTime::UNIX_EPOCH + Duration::from_millis(last_commit))),
            input: self.input_path.as_ref().map(|path| InputDocument {
                path: path.display().to_string(),
                done: self.input.done.load(Ordering::Relaxed),
                total: match self.input.total.load(Ordering::Relaxed) {
                    u64::MAX => None,
                    total => Some(total),
                },
            }),
            broker_last_seen_seconds_ago: self
                .health
                .since_broker_seen()
                .filter(|_| kafka)
                .map(|d| (d.as_secs_f64() * 10.0).round() / 10.0),
        }
    }
}

/// `GET /status` (docs/runbook.md describes each field).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDocument {
    pub version: &'static str,
    pub revision: &'static str,
    pub started_at: String,
    pub uptime_seconds: f64,
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<&'static str>,
    pub ready: bool,
    pub not_ready_reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_topics: Option<Vec<String>>,
    pub partitions: Vec<PartitionDocument>,
    pub in_flight: i64,
    pub routes: RoutesDocument,
    pub last_reload: Option<ReloadDocument>,
    pub last_commit_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<InputDocument>,
    /// Kafka mode: seconds since a broker last answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_last_seen_seconds_ago: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartitionDocument {
    pub topic: String,
    pub partition: i32,
    pub committed_offset: Option<i64>,
    pub end_offset: Option<i64>,
    pub lag: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutesDocument {
    pub count: usize,
    pub digest: String,
    pub loaded_at: String,
    pub source: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReloadDocument {
    pub at: String,
    pub result: &'static str,
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputDocument {
    pub path: String,
    pub done: u64,
    pub total: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_follows_the_broker_clock() {
        let health = Health::new(true, Duration::ZERO);
        assert!(!health.is_ready(), "not before the broker answered");
        health.set_connected();
        std::thread::sleep(Duration::from_millis(5));
        let reasons = health.not_ready_reasons();
        assert!(reasons[0].starts_with("broker unreachable"), "{reasons:?}");

        let health = Health::new(true, Duration::from_secs(3600));
        health.set_connected();
        assert!(health.is_ready(), "a broker answered within the timeout");
        health.set_shutting_down();
        assert_eq!(health.not_ready_reasons(), ["shutting down"]);
    }

    #[test]
    fn a_fatal_error_keeps_the_first_reason() {
        let health = Health::new(false, Duration::from_secs(1));
        assert!(health.is_ready(), "file mode needs no broker");
        health.set_fatal("fenced");
        health.set_fatal("later");
        assert_eq!(health.not_ready_reasons(), ["fatal error: fenced"]);
    }
}
