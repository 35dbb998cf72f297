//! kabar's Prometheus metrics: one static struct, registered once, labels from closed sets.
//!
//! Labels: `topic` (configured input, output and dead-letter topics), `stage` and `code`
//! (the pipeline's [`Stage`] and [`ErrorCode`]), `language` (the detector's codes), `type`
//! (PER/ORG/LOC/MISC), `partition` (of configured input topics), `kind`, `result` (the closed
//! sets below). Never an article id or URL.
//!
//! Only the [`events`](crate::events) module changes these metrics; everything else emits events.

use std::sync::LazyLock;

use kabar_pipeline::Stage;
use kabar_pipeline::article::EntityType;
use kabar_pipeline::error::ErrorCode;
use prometheus::{
    Encoder, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every metric kabar exports.
pub struct Metrics {
    pub registry: Registry,
    /// Input messages received from Kafka (or read from files), per input topic.
    pub messages_consumed: IntCounterVec,
    /// Output messages acknowledged by the broker (or written), per topic.
    pub messages_produced: IntCounterVec,
    /// Inputs sent to the dead-letter topic, by failing stage and error code.
    pub dead_letters: IntCounterVec,
    /// Time per pipeline stage.
    pub stage_duration: HistogramVec,
    /// From the input message's timestamp to the broker's acknowledgement of its first output.
    pub end_to_end_latency: Histogram,
    /// Enriched articles by detected language.
    pub articles: IntCounterVec,
    /// Entities found, by type.
    pub entities: IntCounterVec,
    /// Messages between the committed offset and the end of each input partition.
    pub consumer_lag: IntGaugeVec,
    /// Articles currently being processed or produced.
    pub in_flight: IntGauge,
    /// Produce attempts retried after a transient broker error.
    pub produce_retries: IntCounter,
    /// Errors reported by the Kafka client, by kind.
    pub kafka_errors: IntCounterVec,
    /// Offset commits, by result.
    pub offset_commits: IntCounterVec,
    /// Exactly-once transactions, by result (committed, aborted).
    pub transactions: IntCounterVec,
    /// 1 while the instance is ready to consume.
    pub ready: IntGauge,
    /// Always 1; the version and the git revision are labels.
    pub build_info: IntGaugeVec,
    /// Configuration reloads (SIGHUP or a changed routes or configuration file), by result.
    pub config_reloads: IntCounterVec,
    /// 1 when the last reload succeeded (or none was tried), 0 while the files on disk are not
    /// in force.
    pub config_last_reload_successful: IntGauge,
    /// Route rules in force.
    pub routes_loaded: IntGauge,
    /// Partitions assigned to or revoked from this instance, by kind: rebalances.
    pub rebalances: IntCounterVec,
    /// Messages waiting in the producer's queue (librdkafka statistics).
    pub producer_queue_messages: IntGauge,
    /// Bytes waiting in the producer's queue (librdkafka statistics).
    pub producer_queue_bytes: IntGauge,
    /// Mean round-trip time to each broker over the last statistics window, by client and
    /// broker node id.
    pub broker_rtt: GaugeVec,
    /// Failed or timed-out requests to brokers (librdkafka's txerrs, rxerrs and req_timeouts),
    /// by client.
    pub request_errors: IntCounterVec,
    /// Bytes sent to brokers, by client.
    pub sent_bytes: IntCounterVec,
    /// Bytes received from brokers, by client.
    pub received_bytes: IntCounterVec,
    /// File mode: files in the input (0 in Kafka mode, and for stdin).
    pub input_files: IntGauge,
    /// File mode: files of the input done.
    pub input_files_done: IntGauge,
    /// File mode: bytes in the input's files, as listed at start.
    pub input_bytes: IntGauge,
    /// File mode: input bytes done.
    pub input_bytes_done: IntGauge,
}

/// The process-wide metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Stage latency buckets from 100 µs to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

/// End-to-end latency buckets from 5 ms to an hour: a live stream takes milliseconds, a
/// backlog being caught up after an outage takes minutes, and both must be measurable.
pub const END_TO_END_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
    1800.0, 3600.0,
];

/// kabar's version.
pub const VERSION: &str = kabar_pipeline::VERSION;

/// The git revision kabar was built from: `KABAR_REVISION` at build time (the Docker build
/// sets it), else what `git` said when the build script ran, else "unknown".
pub const REVISION: &str = env!("KABAR_BUILD_REVISION");

impl Metrics {
    #[allow(clippy::unwrap_used)] // static names and labels: a failure is a programming error
    fn new() -> Self {
        let registry = Registry::new();
        let counter_vec = |name: &str, help: &str, labels: &[&str]| {
            let metric = IntCounterVec::new(Opts::new(name, help), labels).unwrap();
            registry.register(Box::new(metric.clone())).unwrap();
            metric
        };
        let messages_consumed = counter_vec(
            "kabar_messages_consumed_total",
            "Input messages received, per input topic.",
            &["topic"],
        );
        let messages_produced = counter_vec(
            "kabar_messages_produced_total",
            "Output messages acknowledged by the broker (or written in file mode), per topic.",
            &["topic"],
        );
        let dead_letters = counter_vec(
            "kabar_dead_letters_total",
            "Inputs sent to the dead-letter topic, by stage and error code.",
            &["stage", "code"],
        );
        let articles = counter_vec(
            "kabar_articles_total",
            "Enriched articles, by detected language (ISO 639-3).",
            &["language"],
        );
        let entities = counter_vec(
            "kabar_entities_total",
            "Entities found, by type.",
            &["type"],
        );
        let kafka_errors = counter_vec(
            "kabar_kafka_errors_total",
            "Errors reported by the Kafka client, by kind.",
            &["kind"],
        );
        let offset_commits = counter_vec(
            "kabar_offset_commits_total",
            "Offset commits, by result.",
            &["result"],
        );
        let transactions = counter_vec(
            "kabar_transactions_total",
            "Exactly-once transactions, by result.",
            &["result"],
        );
        let stage_duration = HistogramVec::new(
            HistogramOpts::new(
                "kabar_stage_duration_seconds",
                "Time spent in each pipeline stage.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["stage"],
        )
        .unwrap();
        registry.register(Box::new(stage_duration.clone())).unwrap();
        let end_to_end_latency = Histogram::with_opts(
            HistogramOpts::new(
                "kabar_end_to_end_latency_seconds",
                "From the input message timestamp to the acknowledgement of its first output.",
            )
            .buckets(END_TO_END_BUCKETS.to_vec()),
        )
        .unwrap();
        registry
            .register(Box::new(end_to_end_latency.clone()))
            .unwrap();
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "kabar_consumer_lag",
                "Messages between the committed offset and the end of each input partition.",
            ),
            &["topic", "partition"],
        )
        .unwrap();
        registry.register(Box::new(consumer_lag.clone())).unwrap();
        let in_flight = IntGauge::new(
            "kabar_in_flight_articles",
            "Articles currently being processed or produced.",
        )
        .unwrap();
        registry.register(Box::new(in_flight.clone())).unwrap();
        let produce_retries = IntCounter::new(
            "kabar_produce_retries_total",
            "Produce attempts retried after a transient broker error.",
        )
        .unwrap();
        registry
            .register(Box::new(produce_retries.clone()))
            .unwrap();
        let ready =
            IntGauge::new("kabar_ready", "1 while the instance is ready to consume.").unwrap();
        registry.register(Box::new(ready.clone())).unwrap();
        let build_info = IntGaugeVec::new(
            Opts::new(
                "kabar_build_info",
                "Always 1; labelled with kabar's version and git revision.",
            ),
            &["version", "revision"],
        )
        .unwrap();
        registry.register(Box::new(build_info.clone())).unwrap();
        build_info.with_label_values(&[VERSION, REVISION]).set(1);
        let gauge = |name: &str, help: &str| {
            let metric = IntGauge::new(name, help).unwrap();
            registry.register(Box::new(metric.clone())).unwrap();
            metric
        };
        let config_reloads = counter_vec(
            "kabar_config_reloads_total",
            "Configuration reloads (SIGHUP or a changed routes or configuration file), by result.",
            &["result"],
        );
        let config_last_reload_successful = gauge(
            "kabar_config_last_reload_successful",
            "1 when the last configuration reload succeeded or none was tried, else 0.",
        );
        config_last_reload_successful.set(1);
        let routes_loaded = gauge("kabar_routes_loaded", "Route rules in force.");
        let rebalances = counter_vec(
            "kabar_rebalances_total",
            "Partitions assigned to or revoked from this instance, by kind.",
            &["kind"],
        );
        let producer_queue_messages = gauge(
            "kabar_kafka_producer_queue_messages",
            "Messages waiting in the Kafka producer's queue.",
        );
        let producer_queue_bytes = gauge(
            "kabar_kafka_producer_queue_bytes",
            "Bytes waiting in the Kafka producer's queue.",
        );
        let broker_rtt = GaugeVec::new(
            Opts::new(
                "kabar_kafka_broker_rtt_seconds",
                "Mean round-trip time to a broker over the last statistics window, by client and broker node id.",
            ),
            &["client", "broker"],
        )
        .unwrap();
        registry.register(Box::new(broker_rtt.clone())).unwrap();
        let request_errors = counter_vec(
            "kabar_kafka_request_errors_total",
            "Requests to brokers that failed or timed out, by client.",
            &["client"],
        );
        let sent_bytes = counter_vec(
            "kabar_kafka_sent_bytes_total",
            "Bytes sent to Kafka brokers, by client.",
            &["client"],
        );
        let received_bytes = counter_vec(
            "kabar_kafka_received_bytes_total",
            "Bytes received from Kafka brokers, by client.",
            &["client"],
        );
        // CPU seconds, resident memory, open file descriptors and start time of the process
        // (process_*), read from /proc.
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .unwrap();
        let input_files = gauge(
            "kabar_input_files",
            "File mode: files in the input (0 in Kafka mode and for stdin).",
        );
        let input_files_done = gauge(
            "kabar_input_files_done",
            "File mode: files of the input done.",
        );
        let input_bytes = gauge(
            "kabar_input_bytes",
            "File mode: bytes in the input's files, as listed at start.",
        );
        let input_bytes_done = gauge("kabar_input_bytes_done", "File mode: input bytes done.");

        // Pre-register closed label sets so dashboards see zeros, not gaps.
        for stage in Stage::ALL {
            stage_duration.with_label_values(&[stage.as_str()]);
        }
        for entity_type in EntityType::ALL {
            entities.with_label_values(&[entity_type.as_str()]);
        }
        for code in ErrorCode::ALL {
            match code.stage() {
                Some(stage) => {
                    dead_letters.with_label_values(&[stage.as_str(), code.as_str()]);
                }
                // A stage failure can happen in any stage.
                None => {
                    for stage in Stage::ALL {
                        dead_letters.with_label_values(&[stage.as_str(), code.as_str()]);
                    }
                }
            }
        }
        for result in CommitResult::ALL {
            offset_commits.with_label_values(&[result.as_str()]);
        }
        for kind in KafkaErrorKind::ALL {
            kafka_errors.with_label_values(&[kind.as_str()]);
        }
        for result in TransactionResult::ALL {
            transactions.with_label_values(&[result.as_str()]);
        }
        for result in ReloadResult::ALL {
            config_reloads.with_label_values(&[result.as_str()]);
        }
        for kind in RebalanceKind::ALL {
            rebalances.with_label_values(&[kind.as_str()]);
        }
        for client in ClientRole::ALL {
            let client = client.as_str();
            request_errors.with_label_values(&[client]);
            sent_bytes.with_label_values(&[client]);
            received_bytes.with_label_values(&[client]);
        }

        Self {
            registry,
            messages_consumed,
            messages_produced,
            dead_letters,
            stage_duration,
            end_to_end_latency,
            articles,
            entities,
            consumer_lag,
            in_flight,
            produce_retries,
            kafka_errors,
            offset_commits,
            transactions,
            ready,
            build_info,
            config_reloads,
            config_last_reload_successful,
            routes_loaded,
            rebalances,
            producer_queue_messages,
            producer_queue_bytes,
            broker_rtt,
            request_errors,
            sent_bytes,
            received_bytes,
            input_files,
            input_files_done,
            input_bytes,
            input_bytes_done,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(error) = encoder.encode(&self.registry.gather(), &mut buffer) {
            tracing::warn!(%error, "cannot encode metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

/// The `kind` label of `kabar_kafka_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KafkaErrorKind {
    /// The network or a broker is away.
    Transport,
    /// Credentials or TLS refused, or not authorised.
    Authentication,
    /// librdkafka gave up on the client.
    Fatal,
    /// Anything else the client reports.
    Other,
    /// A message could not be read.
    Consume,
}

impl KafkaErrorKind {
    pub const ALL: [KafkaErrorKind; 5] = [
        KafkaErrorKind::Transport,
        KafkaErrorKind::Authentication,
        KafkaErrorKind::Fatal,
        KafkaErrorKind::Other,
        KafkaErrorKind::Consume,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            KafkaErrorKind::Transport => "transport",
            KafkaErrorKind::Authentication => "authentication",
            KafkaErrorKind::Fatal => "fatal",
            KafkaErrorKind::Other => "other",
            KafkaErrorKind::Consume => "consume",
        }
    }
}

/// The `result` label of `kabar_offset_commits_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitResult {
    Ok,
    Error,
}

impl CommitResult {
    pub const ALL: [CommitResult; 2] = [CommitResult::Ok, CommitResult::Error];

    pub const fn as_str(self) -> &'static str {
        match self {
            CommitResult::Ok => "ok",
            CommitResult::Error => "error",
        }
    }
}

/// The `result` label of `kabar_transactions_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionResult {
    Committed,
    Aborted,
}

impl TransactionResult {
    pub const ALL: [TransactionResult; 2] =
        [TransactionResult::Committed, TransactionResult::Aborted];

    pub const fn as_str(self) -> &'static str {
        match self {
            TransactionResult::Committed => "committed",
            TransactionResult::Aborted => "aborted",
        }
    }
}

/// The `result` label of `kabar_config_reloads_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadResult {
    Success,
    Failure,
}

impl ReloadResult {
    pub const ALL: [ReloadResult; 2] = [ReloadResult::Success, ReloadResult::Failure];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReloadResult::Success => "success",
            ReloadResult::Failure => "failure",
        }
    }
}

/// The `kind` label of `kabar_rebalances_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebalanceKind {
    Assign,
    Revoke,
}

impl RebalanceKind {
    pub const ALL: [RebalanceKind; 2] = [RebalanceKind::Assign, RebalanceKind::Revoke];

    pub const fn as_str(self) -> &'static str {
        match self {
            RebalanceKind::Assign => "assign",
            RebalanceKind::Revoke => "revoke",
        }
    }
}

/// The `client` label of the librdkafka statistics: which of kabar's two Kafka clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    Consumer,
    Producer,
}

impl ClientRole {
    pub const ALL: [ClientRole; 2] = [ClientRole::Consumer, ClientRole::Producer];

    pub const fn as_str(self) -> &'static str {
        match self {
            ClientRole::Consumer => "consumer",
            ClientRole::Producer => "producer",
        }
    }
}
