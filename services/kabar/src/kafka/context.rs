//! The Kafka client context: statistics into metrics, rebalances into the offset tracker,
//! client errors into logs and counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaResult;
use rdkafka::{ClientContext, Statistics, TopicPartitionList};

use super::offsets::{OffsetTracker, TopicPartition};
use crate::metrics::METRICS;

/// Shared by the consumer and the producer.
pub struct KabarContext {
    pub tracker: Arc<OffsetTracker>,
    /// Input topics, so lag is only reported for them.
    pub input_topics: Vec<String>,
    /// Set when partitions are revoked; the exactly-once loop drops the batch it was building.
    pub revoked: Arc<AtomicBool>,
}

impl ClientContext for KabarContext {
    fn stats(&self, statistics: Statistics) {
        for (topic_name, topic) in &statistics.topics {
            if !self.input_topics.contains(topic_name) {
                continue;
            }
            for (partition_id, partition) in &topic.partitions {
                // -1 is librdkafka's internal UA partition; lag is -1 until known.
                if *partition_id < 0 || partition.consumer_lag < 0 {
                    continue;
                }
                METRICS
                    .consumer_lag
                    .with_label_values(&[topic_name.as_str(), &partition_id.to_string()])
                    .set(partition.consumer_lag);
            }
        }
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        let kind = error_kind(error.rdkafka_error_code());
        METRICS.kafka_errors.with_label_values(&[kind]).inc();
        tracing::warn!(%error, reason, "kafka client error");
    }
}

/// Client error kinds: a closed set, for the `kind` label.
pub const ERROR_KINDS: [&str; 5] = ["transport", "authentication", "fatal", "other", "consume"];

fn error_kind(code: Option<rdkafka::types::RDKafkaErrorCode>) -> &'static str {
    use rdkafka::types::RDKafkaErrorCode as Code;
    match code {
        Some(
            Code::BrokerTransportFailure
            | Code::AllBrokersDown
            | Code::Resolve
            | Code::NetworkException
            | Code::RequestTimedOut
            | Code::OperationTimedOut,
        ) => "transport",
        Some(
            Code::Authentication
            | Code::SaslAuthenticationFailed
            | Code::TopicAuthorizationFailed
            | Code::GroupAuthorizationFailed
            | Code::ClusterAuthorizationFailed
            | Code::SSL,
        ) => "authentication",
        Some(Code::Fatal) => "fatal",
        _ => "other",
    }
}

fn partitions(list: &TopicPartitionList) -> Vec<TopicPartition> {
    list.elements()
        .iter()
        .map(|e| (e.topic().to_owned(), e.partition()))
        .collect()
}

impl ConsumerContext for KabarContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(list) => {
                let revoked = partitions(list);
                tracing::info!(
                    partitions = ?revoked,
                    in_flight = self.tracker.in_flight(&revoked),
                    "partitions revoked; their in-flight work will be redone by the new owner"
                );
                self.tracker.forget(&revoked);
                self.revoked.store(true, Ordering::SeqCst);
                for (topic, partition) in &revoked {
                    let _ = METRICS
                        .consumer_lag
                        .remove_label_values(&[topic.as_str(), &partition.to_string()]);
                }
            }
            Rebalance::Assign(list) => {
                tracing::info!(partitions = ?partitions(list), "partitions assigned");
            }
            Rebalance::Error(error) => tracing::warn!(%error, "rebalance error"),
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => METRICS.offset_commits.with_label_values(&["ok"]).inc(),
            Err(rdkafka::error::KafkaError::ConsumerCommit(
                rdkafka::types::RDKafkaErrorCode::NoOffset,
            )) => {}
            Err(error) => {
                METRICS.offset_commits.with_label_values(&["error"]).inc();
                tracing::warn!(%error, offsets = offsets.count(), "offset commit failed");
            }
        }
    }
}
