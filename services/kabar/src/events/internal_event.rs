//! What every event is, and where its log lines go.

/// Something that happened, told once: its log line and its metrics.
pub trait InternalEvent {
    fn emit(self);
}

/// Log targets of the service's lines (the module paths they were first written under).
pub(crate) mod targets {
    /// The service's start, endpoint and signals.
    pub const SERVICE: &str = "kabar";
    /// The at-least-once loop and what both loops share.
    pub const KAFKA: &str = "kabar::kafka";
    /// The Kafka client's callbacks: errors, statistics, rebalances, commits.
    pub const CLIENT: &str = "kabar::kafka::context";
    /// The exactly-once loop.
    pub const EXACTLY_ONCE: &str = "kabar::kafka::exactly_once";
    /// File mode.
    pub const FILES: &str = "kabar::files";
    /// Near-duplicate detection: the index and the fingerprint topic.
    pub const DEDUP: &str = "kabar::dedup";
}
