//! The exactly-once loop: transactions committed and aborted, and what goes wrong around them.

use rdkafka::error::KafkaError;

use super::internal_event::InternalEvent;
use super::internal_event::targets::EXACTLY_ONCE;
use crate::metrics::{METRICS, TransactionResult};

/// The exactly-once loop is consuming.
pub struct ConsumingExactlyOnce<'a> {
    pub transactional_id: &'a str,
    pub topics: &'a [&'a str],
}

impl InternalEvent for ConsumingExactlyOnce<'_> {
    fn emit(self) {
        tracing::info!(
            target: EXACTLY_ONCE,
            transactional_id = %self.transactional_id,
            topics = ?self.topics,
            "consuming, exactly once"
        );
    }
}

/// A rebalance came while a batch was being collected: the batch is dropped and redone.
pub struct BatchDropped {
    pub dropped: usize,
}

impl InternalEvent for BatchDropped {
    fn emit(self) {
        tracing::info!(
            target: EXACTLY_ONCE,
            dropped = self.dropped,
            "rebalance during a batch: dropping it"
        );
    }
}

/// A batch's outputs and offsets were committed in one transaction.
pub struct TransactionCommitted;

impl InternalEvent for TransactionCommitted {
    fn emit(self) {
        transactions(TransactionResult::Committed);
    }
}

/// A transaction failed and is aborted; its batch is redone.
pub struct TransactionAborted<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for TransactionAborted<'_> {
    fn emit(self) {
        tracing::warn!(target: EXACTLY_ONCE, error = %self.error, "transaction failed: aborting and redoing the batch");
        transactions(TransactionResult::Aborted);
    }
}

fn transactions(result: TransactionResult) {
    METRICS
        .transactions
        .with_label_values(&[result.as_str()])
        .inc();
}

/// Aborting a failed transaction failed too (not fatally).
pub struct AbortFailed<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for AbortFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: EXACTLY_ONCE, error = %self.error, "abort failed");
    }
}

/// A transactional call failed with a retriable error: it is tried again.
pub struct TransactionCallRetried<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for TransactionCallRetried<'_> {
    fn emit(self) {
        tracing::warn!(target: EXACTLY_ONCE, error = %self.error, "transactional call failed; retrying");
    }
}

/// A transactional call never returned: the process exits.
pub struct TransactionCallHung {
    pub seconds: u64,
}

impl InternalEvent for TransactionCallHung {
    fn emit(self) {
        tracing::error!(
            target: EXACTLY_ONCE,
            seconds = self.seconds,
            "transactional call never returned: exiting, a restart aborts the transaction"
        );
    }
}

/// The consumer could not go back to a batch's first offset of a partition (no longer ours).
pub struct RewindFailed<'a> {
    pub error: &'a KafkaError,
    pub topic: &'a str,
    pub partition: i32,
}

impl InternalEvent for RewindFailed<'_> {
    fn emit(self) {
        let (topic, partition) = (self.topic, self.partition);
        tracing::info!(target: EXACTLY_ONCE, error = %self.error, topic, partition, "cannot rewind");
    }
}

/// The exactly-once loop stopped.
pub struct ExactlyOnceStopped;

impl InternalEvent for ExactlyOnceStopped {
    fn emit(self) {
        tracing::info!(
            target: EXACTLY_ONCE,
            "stopped; every committed transaction is complete"
        );
    }
}
