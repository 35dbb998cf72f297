//! The Kafka client context: statistics, client errors, rebalances and commits become events;
//! rebalances also reach the offset tracker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Statistics, TopicPartitionList};

use crate::events::{
    self, ConsumerLag, KafkaClientError, OffsetCommitFailed, OffsetsCommitted, PartitionsAssigned,
    PartitionsRevoked, RebalanceError,
};
use crate::kafka::offsets::{OffsetTracker, TopicPartition};

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
                events::emit(ConsumerLag {
                    topic: topic_name,
                    partition: *partition_id,
                    lag: partition.consumer_lag,
                });
            }
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        events::emit(KafkaClientError {
            error: &error,
            reason,
        });
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
                events::emit(PartitionsRevoked {
                    partitions: &revoked,
                    in_flight: self.tracker.in_flight(&revoked),
                });
                self.tracker.forget(&revoked);
                self.revoked.store(true, Ordering::SeqCst);
            }
            Rebalance::Assign(list) => events::emit(PartitionsAssigned {
                partitions: &partitions(list),
            }),
            Rebalance::Error(error) => events::emit(RebalanceError { error }),
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => events::emit(OffsetsCommitted),
            Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(error) => events::emit(OffsetCommitFailed {
                error: &error,
                offsets: offsets.count(),
            }),
        }
    }
}
