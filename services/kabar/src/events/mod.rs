//! Telemetry as events, after Vector's internal events: one small type per thing that happens
//! (an article enriched, an input dead-lettered, a produce retried, a commit failed...), whose
//! [`InternalEvent::emit`] writes its log line and updates its metrics together. Call sites build
//! an event and [`emit`] it; they never touch [`METRICS`](crate::metrics::METRICS) or a log format.
//!
//! - [`article`]: what happens to an article: consumed, enriched, dead-lettered, produced.
//! - [`input`]: file mode's progress through its input.
//! - [`kafka`]: the Kafka client and the at-least-once loop: errors, retries, rebalances, commits.
//! - [`transaction`]: the exactly-once loop's transactions.
//! - [`service`]: start, the HTTP endpoint, signals, readiness, shutdown.
//! - [`config`]: configuration reloads.
//!
//! Each log line keeps the target (the `tracing` module path) it was written under before the
//! events existed, so a filter such as `kabar::kafka=debug` selects the same lines.

pub mod article;
pub mod config;
pub mod input;
mod internal_event;
pub mod kafka;
pub mod service;
pub mod transaction;

pub use input::{InputMeasured, InputProgressed};
pub use internal_event::InternalEvent;

pub use article::{
    ArticleDelivered, ArticleEnriched, DeadLetterSource, DeadLettered, InFlight, MessageConsumed,
    OutputProduced, TopicsKnown,
};
pub use config::{
    ConfigReloadFailed, ConfigReloaded, ReloadTrigger, RestartNeeded, RoutesLoaded, WatchFailed,
};
pub use kafka::{
    BrokerNotAnswering, ClientStatistics, ConsumeError, ConsumerLag, ConsumingStarted,
    DeadLetterTooLarge, DeliveryFailed, DeliveryReportLost, EnqueueFailed, FatalClientError,
    FinalCommit, GracePeriodOver, KafkaClientError, MessageTaskFailed, MetadataProbeFailed,
    OffsetCommitFailed, OffsetNotStored, OffsetsCommitted, PartitionsAssigned, PartitionsRevoked,
    ProducerFlushFailed, RebalanceError, ShuttingDown, StatisticsTotals,
};
pub use service::{
    BrokerUnreachableAtStartup, HttpDisabled, HttpServing, ReadinessChanged, ServiceStarting,
    ShutdownBudgetExceeded, ShutdownCutShort, SignalReceived,
};
pub use transaction::{
    AbortFailed, BatchDropped, ConsumingExactlyOnce, ExactlyOnceStopped, RewindFailed,
    TransactionAborted, TransactionCallHung, TransactionCallRetried, TransactionCommitted,
};

/// Emits an event.
pub fn emit(event: impl InternalEvent) {
    event.emit();
}
