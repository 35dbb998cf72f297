//! The Kafka client and the at-least-once loop: client errors, consume errors, produce retries,
//! rebalances, offset commits, shutdown.

use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use tokio::task::JoinError;

use super::internal_event::InternalEvent;
use super::internal_event::targets::{CLIENT, EXACTLY_ONCE, KAFKA};
use crate::kafka::offsets::TopicPartition;
use crate::metrics::{CommitResult, KafkaErrorKind, METRICS};

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
        METRICS
            .kafka_errors
            .with_label_values(&[self.kind().as_str()])
            .inc();
        tracing::warn!(target: CLIENT, error = %self.error, reason = self.reason, "kafka client error");
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
    }
}

/// Partitions were given to this instance in a rebalance.
pub struct PartitionsAssigned<'a> {
    pub partitions: &'a [TopicPartition],
}

impl InternalEvent for PartitionsAssigned<'_> {
    fn emit(self) {
        tracing::info!(target: CLIENT, partitions = ?self.partitions, "partitions assigned");
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
