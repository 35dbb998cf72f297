//! The near-duplicate index: what it answered, its size, the fingerprint topic, rebuilds.

use kabar_pipeline::Processed;
use kabar_pipeline::dedup::IndexStats;
use rdkafka::error::KafkaError;

use super::internal_event::InternalEvent;
use super::internal_event::targets::DEDUP;
use crate::config::DedupSettings;
use crate::metrics::{EvictionReason, FingerprintResult, METRICS};

/// An article was checked against the index (or was too short to be).
pub struct DuplicateChecked<'a> {
    pub processed: &'a Processed,
}

impl InternalEvent for DuplicateChecked<'_> {
    fn emit(self) {
        let metrics = &METRICS.dedup;
        if self.processed.record.is_none() {
            metrics.skipped.inc();
            return;
        }
        metrics.lookups.inc();
        if self.processed.article.duplicate.is_some() {
            metrics.duplicates.inc();
        }
    }
}

/// The index's size now (reported at most once a second).
pub struct IndexSize {
    pub stats: IndexStats,
}

impl InternalEvent for IndexSize {
    fn emit(self) {
        let metrics = &METRICS.dedup;
        let stats = self.stats;
        metrics
            .index_entries
            .set(i64::try_from(stats.entries).unwrap_or(i64::MAX));
        metrics
            .index_bytes
            .set(i64::try_from(stats.bytes).unwrap_or(i64::MAX));
        // The index counts evictions itself; the counters catch up with it.
        for (reason, total) in [
            (EvictionReason::Window, stats.counters.evicted_window),
            (EvictionReason::Cap, stats.counters.evicted_cap),
        ] {
            let counter = metrics.evictions.with_label_values(&[reason.as_str()]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
    }
}

/// Near-duplicate detection is on: its settings, once at start-up.
pub struct DedupConfigured<'a> {
    pub settings: &'a DedupSettings,
    pub scheme: &'a str,
    /// The fingerprint topic in Kafka mode; file mode keeps the index to itself.
    pub topic: Option<&'a str>,
}

impl InternalEvent for DedupConfigured<'_> {
    fn emit(self) {
        let settings = self.settings;
        let cap_bytes = settings.max_entries * kabar_pipeline::dedup::TYPICAL_ENTRY_BYTES;
        tracing::info!(
            target: DEDUP,
            threshold = settings.threshold,
            window_hours = settings.window_hours,
            max_entries = settings.max_entries,
            max_index_mib = cap_bytes / (1024 * 1024),
            scheme = self.scheme,
            topic = self.topic.unwrap_or("(none: file mode)"),
            "near-duplicate index: threshold {}, window {} h, at most {} entries (about {} MiB)",
            settings.threshold,
            settings.window_hours,
            settings.max_entries,
            cap_bytes / (1024 * 1024)
        );
    }
}

/// The instance reads the fingerprint topic into its index before it reports ready.
pub struct IndexRebuilding<'a> {
    pub topic: &'a str,
    pub partitions: usize,
}

impl InternalEvent for IndexRebuilding<'_> {
    fn emit(self) {
        tracing::info!(
            target: DEDUP,
            topic = self.topic,
            partitions = self.partitions,
            "rebuilding the near-duplicate index from {}",
            self.topic
        );
    }
}

/// The index holds every fingerprint of the topic (up to its end when the rebuild began).
pub struct IndexRebuilt {
    pub stats: IndexStats,
    pub records: u64,
    pub seconds: f64,
}

impl InternalEvent for IndexRebuilt {
    fn emit(self) {
        METRICS.dedup.rebuild_seconds.set(self.seconds);
        tracing::info!(
            target: DEDUP,
            entries = self.stats.entries,
            bytes = self.stats.bytes,
            records = self.records,
            seconds = self.seconds,
            "near-duplicate index rebuilt: {} entries ({} KiB) from {} records in {:.2} s",
            self.stats.entries,
            self.stats.bytes / 1024,
            self.records,
            self.seconds
        );
        IndexSize { stats: self.stats }.emit();
    }
}

/// A record of the fingerprint topic was read.
pub struct FingerprintRead {
    pub result: FingerprintResult,
    /// Another instance's record: seconds from its decision to now.
    pub propagation_seconds: Option<f64>,
}

impl InternalEvent for FingerprintRead {
    fn emit(self) {
        METRICS
            .dedup
            .fingerprints_read
            .with_label_values(&[self.result.as_str()])
            .inc();
        if let Some(seconds) = self.propagation_seconds {
            METRICS.dedup.propagation.observe(seconds.max(0.0));
        }
    }
}

/// A record of the fingerprint topic is not a fingerprint: skipped.
pub struct FingerprintInvalid<'a> {
    pub error: &'a str,
    pub partition: i32,
    pub offset: i64,
}

impl InternalEvent for FingerprintInvalid<'_> {
    fn emit(self) {
        tracing::warn!(
            target: DEDUP,
            partition = self.partition,
            offset = self.offset,
            error = self.error,
            "skipping an invalid fingerprint record"
        );
        FingerprintRead {
            result: FingerprintResult::Invalid,
            propagation_seconds: None,
        }
        .emit();
    }
}

/// The fingerprint topic holds records of another format (other dedup settings, or another
/// kabar version mid-upgrade): they are ignored. Told once per format.
pub struct ForeignFingerprints<'a> {
    pub theirs: &'a str,
    pub ours: &'a str,
}

impl InternalEvent for ForeignFingerprints<'_> {
    fn emit(self) {
        tracing::warn!(
            target: DEDUP,
            theirs = self.theirs,
            ours = self.ours,
            "ignoring fingerprint records of another format: do all instances of the group \
             have the same dedup settings and version?"
        );
    }
}

/// The fingerprint topic could not be read (retried).
pub struct FingerprintConsumeError<'a> {
    pub error: &'a KafkaError,
}

impl InternalEvent for FingerprintConsumeError<'_> {
    fn emit(self) {
        tracing::warn!(target: DEDUP, error = %self.error, "cannot read the fingerprint topic");
        METRICS
            .kafka_errors
            .with_label_values(&[crate::metrics::KafkaErrorKind::Consume.as_str()])
            .inc();
    }
}
