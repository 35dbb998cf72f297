//! The Kafka client and the at-least-once loop: client errors, consume errors, produce retries,
//! rebalances, offset commits, shutdown.

use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use tokio::task::JoinError;

use rdkafka::Statistics;

use super::internal_event::InternalEvent;
use super::internal_event::targets::{CLIENT, EXACTLY_ONCE, KAFKA};
use crate::kafka::offsets::TopicPartition;
use crate::metrics::{ClientRole, CommitResult, KafkaErrorKind, METRICS, RebalanceKind};

/// The Kafka client reported an error (librdkafka's error callback).
pub struct KafkaClientError<'a> {
    pub error: &'a KafkaError,
    pub reason: &'a str,
}

impl KafkaClientError<'_> {
    fn kind(&self) -> KafkaErrorKind {
        use RDKafkaErrorCode as Code;
        match self.error.rdkafka_error_code() {
            Some(
                Code::BrokerTransportFailure
                | Code::AllBrokersDown
                | Code::Resolve
                | Code::NetworkException
                | Code::RequestTimedOut
                | Code::OperationTimedOut,
            ) => KafkaErrorKind::Transport,
            Some(
                Code::Authentication
                | Code::SaslAuthenticationFailed
                | Code::TopicAuthorizationFailed
                | Code::GroupAuthorizationFailed
                | Code::ClusterAuthorizationFailed
                | Code::SSL,
            ) => KafkaErrorKind::Authentication,
            Some(Code::Fatal) => KafkaErrorKind::Fatal,
            _ => KafkaErrorKind::Other,
        }
    }
}

impl InternalEvent for KafkaClientError<'_> {
    fn emit(self) {
        let kind = self.kind();
        METRICS
            .kafka_errors
            .with_label_values(&[kind.as_str()])
            .inc();
        tracing::warn!(target: CLIENT, error = %self.error, reason = self.reason, kind = kind.as_str(), "kafka client error");
    }
}

/// librdkafka reported a fatal error: the client cannot be used any more and kabar stops.
pub struct FatalClientError<'a> {
    pub error: &'a KafkaError,
    pub reason: &'a str,
}

impl InternalEvent for FatalClientError<'_> {
    fn emit(self) {
        METRICS
            .kafka_errors
            .with_label_values(&[KafkaErrorKind::Fatal.as_str()])
            .inc();
        tracing::error!(target: CLIENT, error = %self.error, reason = self.reason, "fatal kafka client error: stopping");
    }
}

/// The cumulative counters of a client's previous statistics, to turn them into increments.
#[derive(Debug, Default, Clone, Copy)]
pub struct StatisticsTotals {
    request_errors: u64,
    sent_bytes: u64,
    received_bytes: u64,
}

/// A client's periodic statistics: its producer queue, round-trip times, request errors and
/// bytes on the wire.
pub struct ClientStatistics<'a> {
    pub role: ClientRole,
    pub statistics: &'a Statistics,
    /// Updated to this statistics' totals.
    pub previous: &'a mut StatisticsTotals,
}

impl InternalEvent for ClientStatistics<'_> {
    fn emit(self) {
        let statistics = self.statistics;
        let client = self.role.as_str();
        if self.role == ClientRole::Producer {
            METRICS
                .producer_queue_messages
                .set(i64::try_from(statistics.msg_cnt).unwrap_or(i64::MAX));
            METRICS
                .producer_queue_bytes
                .set(i64::try_from(statistics.msg_size).unwrap_or(i64::MAX));
        }
        let mut now = StatisticsTotals {
            sent_bytes: u64::try_from(statistics.tx_bytes).unwrap_or(0),
            received_bytes: u64::try_from(statistics.rx_bytes).unwrap_or(0),
            request_errors: 0,
        };
        for broker in statistics.brokers.values() {
            now.request_errors += broker.txerrs + broker.rxerrs + broker.req_timeouts;
            // Bootstrap and coordinator entries have no node id of their own: a real broker
            // is counted once, under its id (a closed set: the cluster's brokers).
            if broker.nodeid < 0 || broker.source == "logical" {
                continue;
            }
            if let Some(rtt) = broker.rtt.as_ref().filter(|w| w.cnt > 0) {
                METRICS
                    .broker_rtt
                    .with_label_values(&[client, &broker.nodeid.to_string()])
                    .set(rtt.avg as f64 / 1_000_000.0);
            }
        }
        // A counter only goes up: after a client's totals went back (a broker entry gone),
        // count from the new totals on.
        let increase = |now: u64, before: u64| now.saturating_sub(before);
        METRICS
            .request_errors
            .with_label_values(&[client])
            .inc_by(increase(now.request_errors, self.previous.request_errors));
        METRICS
            .sent_bytes
            .with_label_values(&[client])
            .inc_by(increase(now.sent_bytes, self.previous.sent_bytes));
        METRICS
            .received_bytes
            .with_label_values(&[client])
            .inc_by(increase(now.received_bytes, self.previous.received_bytes));
        *self.previous = now;
    }
}

/// A message could not be read.
pub struct ConsumeError<'a> {
    pub error: &'a KafkaError,
    /// Read by the exactly-once loop (its log target), rather than the at-least-once one.
    pub exactly_once: bool,
}

impl InternalEvent for ConsumeError<'_> {
    fn emit(self) {
        if self.exactly_once {
            tracing::warn!(target: EXACTLY_ONCE, error = %self.error, "consume error");
        } else {
            tracing::warn!(target: KAFKA, error = %self.error, "consume error");
        }
        METRICS
            .kafka_errors
            .with_label_values(&[KafkaErrorKind::Consume.as_str()])
            .inc();
    }
}

/// The at-least-once loop is consuming.
pub struct ConsumingStarted<'a> {
    pub brokers: &'a str,
    pub topics: &'a [&'a str],
    pub group: &'a str,
}

impl InternalEvent for ConsumingStarted<'_> {
    fn emit(self) {
        tracing::info!(target: KAFKA, brokers = %self.brokers, topics = ?self.topics, group = %self.group, "consuming");
    }
}

/// A message's task ended in a panic.
pub struct MessageTaskFailed<'a> {
    pub error: &'a JoinError,
}

impl InternalEvent for MessageTaskFailed<'_> {
    fn emit(self) {
        tracing::error!(target: KAFKA, error = %self.error, "message task failed");
    }
}

/// Shutdown began: the loop stops reading and finishes what is in flight.
pub struct ShuttingDown {
    pub in_flight: usize,
}

impl InternalEvent for ShuttingDown {
    fn emit(self) {
        tracing::info!(
            target: KAFKA,
            in_flight = self.in_flight,
            "shutting down: finishing in-flight work"
        );
    }
}

/// Shutdown's grace period ended with work unfinished.
pub struct GracePeriodOver {
    pub in_flight: usize,
}

impl InternalEvent for GracePeriodOver {
    fn emit(self) {
        tracing::warn!(
            target: KAFKA,
            in_flight = self.in_flight,
            "grace period over: unfinished work stays uncommitted and is redone after restart"
        );
    }
}

/// The producer could not flush its queue at shutdown.
pub struct ProducerFlushFailed<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for ProducerFlushFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, error = %self.error, "producer flush failed");
    }
}

/// The last commit, at shutdown.
pub struct FinalCommit<'a> {
    /// `Err` when the commit failed.
    pub result: Result<(), &'a KafkaError>,
}

impl InternalEvent for FinalCommit<'_> {
    fn emit(self) {
        match self.result {
            Ok(()) => {
                commits(CommitResult::Ok);
                tracing::info!(target: KAFKA, "offsets committed; stopped");
            }
            Err(error) => {
                commits(CommitResult::Error);
                tracing::warn!(target: KAFKA, %error, "final offset commit failed");
            }
        }
    }
}

/// librdkafka committed offsets (its periodic commit).
pub struct OffsetsCommitted;

impl InternalEvent for OffsetsCommitted {
    fn emit(self) {
        commits(CommitResult::Ok);
    }
}

/// A periodic commit failed.
pub struct OffsetCommitFailed<'a> {
    pub error: &'a KafkaError,
    /// Partitions in the failed commit.
    pub offsets: usize,
}

impl InternalEvent for OffsetCommitFailed<'_> {
    fn emit(self) {
        commits(CommitResult::Error);
        tracing::warn!(target: CLIENT, error = %self.error, offsets = self.offsets, "offset commit failed");
    }
}

fn commits(result: CommitResult) {
    METRICS
        .offset_commits
        .with_label_values(&[result.as_str()])
        .inc();
}

/// The broker did not answer a metadata request yet (start-up waits for it).
pub struct BrokerNotAnswering<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for BrokerNotAnswering<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, error = %self.error, "broker not answering yet");
    }
}

/// The metadata request's thread failed.
pub struct MetadataProbeFailed<'a> {
    pub error: &'a JoinError,
}

impl InternalEvent for MetadataProbeFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, error = %self.error, "metadata probe failed");
    }
}

/// The consumer's offset store refused an offset (revoked, or the assignment is in doubt).
pub struct OffsetNotStored<'a> {
    pub error: &'a KafkaError,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

impl InternalEvent for OffsetNotStored<'_> {
    fn emit(self) {
        let (topic, partition, offset) = (self.topic, self.partition, self.offset);
        tracing::debug!(target: KAFKA, error = %self.error, topic, partition, offset, "offset not stored");
    }
}

/// The producer would not take an output: it is retried.
pub struct EnqueueFailed<'a> {
    pub error: &'a KafkaError,
    pub topic: &'a str,
}

impl InternalEvent for EnqueueFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, error = %self.error, topic = %self.topic, "enqueue failed; retrying");
        METRICS.produce_retries.inc();
    }
}

/// The broker did not acknowledge an output: it is sent again.
pub struct DeliveryFailed<'a> {
    pub error: &'a KafkaError,
    pub topic: &'a str,
}

impl InternalEvent for DeliveryFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, error = %self.error, topic = %self.topic, "delivery failed; retrying");
        METRICS.produce_retries.inc();
    }
}

/// An output's delivery report never came: it is sent again.
pub struct DeliveryReportLost<'a> {
    pub topic: &'a str,
}

impl InternalEvent for DeliveryReportLost<'_> {
    fn emit(self) {
        tracing::warn!(target: KAFKA, topic = %self.topic, "delivery report lost; retrying");
        METRICS.produce_retries.inc();
    }
}

/// A dead letter over the broker's size limit goes out without its payload.
pub struct DeadLetterTooLarge<'a> {
    pub topic: &'a str,
    pub bytes: usize,
}

impl InternalEvent for DeadLetterTooLarge<'_> {
    fn emit(self) {
        tracing::error!(target: KAFKA, topic = %self.topic, bytes = self.bytes, "dead letter itself too large; dropping its payload");
    }
}

/// Partitions were taken away in a rebalance.
pub struct PartitionsRevoked<'a> {
    pub partitions: &'a [TopicPartition],
    /// Messages of theirs still in flight (redone by the new owner).
    pub in_flight: usize,
}

impl InternalEvent for PartitionsRevoked<'_> {
    fn emit(self) {
        tracing::info!(
            target: CLIENT,
            partitions = ?self.partitions,
            in_flight = self.in_flight,
            "partitions revoked; their in-flight work will be redone by the new owner"
        );
        for (topic, partition) in self.partitions {
            let _ = METRICS
                .consumer_lag
                .remove_label_values(&[topic.as_str(), &partition.to_string()]);
        }
        METRICS
            .rebalances
            .with_label_values(&[RebalanceKind::Revoke.as_str()])
            .inc();
    }
}

/// Partitions were given to this instance in a rebalance.
pub struct PartitionsAssigned<'a> {
    pub partitions: &'a [TopicPartition],
}

impl InternalEvent for PartitionsAssigned<'_> {
    fn emit(self) {
        tracing::info!(target: CLIENT, partitions = ?self.partitions, "partitions assigned");
        METRICS
            .rebalances
            .with_label_values(&[RebalanceKind::Assign.as_str()])
            .inc();
    }
}

/// A rebalance failed.
pub struct RebalanceError<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for RebalanceError<'_> {
    fn emit(self) {
        tracing::warn!(target: CLIENT, error = %self.error, "rebalance error");
    }
}

/// The client's statistics: how far behind one input partition is.
pub struct ConsumerLag<'a> {
    pub topic: &'a str,
    pub partition: i32,
    pub lag: i64,
}

impl InternalEvent for ConsumerLag<'_> {
    fn emit(self) {
        METRICS
            .consumer_lag
            .with_label_values(&[self.topic, &self.partition.to_string()])
            .set(self.lag);
    }
}
