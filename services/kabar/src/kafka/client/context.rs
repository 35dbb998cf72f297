//! The Kafka client context: statistics, client errors, rebalances and commits become events;
//! rebalances also reach the offset tracker, and what the broker says reaches the service's
//! state (the broker clock of readiness, assigned partitions and their offsets, commits, fatal
//! errors).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Statistics, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use crate::config::Delivery;
use crate::events::{
    self, ClientStatistics, ConsumerLag, FatalClientError, KafkaClientError, OffsetCommitFailed,
    OffsetsCommitted, PartitionsAssigned, PartitionsRevoked, RebalanceError, StatisticsTotals,
};
use crate::kafka::offsets::{OffsetTracker, TopicPartition};
use crate::metrics::ClientRole;
use crate::status::{PartitionProgress, ServiceState};

/// Shared by the consumer and the producer.
pub struct KabarContext {
    pub role: ClientRole,
    pub tracker: Arc<OffsetTracker>,
    /// Input topics, so lag is only reported for them.
    pub input_topics: Vec<String>,
    /// Set when partitions are revoked; the exactly-once loop drops the batch it was building.
    pub revoked: Arc<AtomicBool>,
    /// The service's state; `None` for the tools' clients.
    pub state: Option<Arc<ServiceState>>,
    /// Cancelled on a fatal client error: the service stops.
    pub stop: CancellationToken,
    /// What the previous statistics said of the cumulative counters.
    pub totals: Mutex<StatisticsTotals>,
}

impl KabarContext {
    fn with_state(&self, f: impl FnOnce(&ServiceState)) {
        if let Some(state) = &self.state {
            f(state);
        }
    }
}

impl ClientContext for KabarContext {
    fn stats(&self, statistics: Statistics) {
        if statistics.brokers.values().any(|b| b.state == "UP") {
            self.with_state(|state| state.health.broker_seen());
        }
        let read_committed = self
            .state
            .as_ref()
            .is_some_and(|s| s.delivery() == Some(Delivery::ExactlyOnce));
        for (topic_name, topic) in &statistics.topics {
            if !self.input_topics.contains(topic_name) {
                continue;
            }
            for (partition_id, partition) in &topic.partitions {
                // -1 is librdkafka's internal UA partition.
                if *partition_id < 0 {
                    continue;
                }
                let known = |offset: i64| (offset >= 0).then_some(offset);
                let end = if read_committed {
                    partition.ls_offset
                } else {
                    partition.hi_offset
                };
                self.with_state(|state| {
                    state.partition_progress(
                        topic_name,
                        *partition_id,
                        PartitionProgress {
                            committed_offset: known(partition.committed_offset),
                            end_offset: known(end),
                            lag: known(partition.consumer_lag),
                        },
                    );
                });
                // Lag is -1 until known.
                if partition.consumer_lag >= 0 {
                    events::emit(ConsumerLag {
                        topic: topic_name,
                        partition: *partition_id,
                        lag: partition.consumer_lag,
                    });
                }
            }
        }
        let mut totals = self.totals.lock().unwrap_or_else(|p| p.into_inner());
        events::emit(ClientStatistics {
            role: self.role,
            statistics: &statistics,
            previous: &mut totals,
        });
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::Fatal) {
            events::emit(FatalClientError {
                error: &error,
                reason,
            });
            self.with_state(|state| state.health.set_fatal(reason));
            self.stop.cancel();
            return;
        }
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
                self.with_state(|state| state.partitions_revoked(&revoked));
                self.revoked.store(true, Ordering::SeqCst);
            }
            Rebalance::Assign(list) => {
                let assigned = partitions(list);
                events::emit(PartitionsAssigned {
                    partitions: &assigned,
                });
                self.with_state(|state| state.partitions_assigned(&assigned));
            }
            Rebalance::Error(error) => events::emit(RebalanceError { error }),
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => {
                events::emit(OffsetsCommitted);
                self.with_state(ServiceState::committed);
            }
            Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
            Err(error) => events::emit(OffsetCommitFailed {
                error: &error,
                offsets: offsets.count(),
            }),
        }
    }
}
