//! The tools' Kafka clients: librdkafka's errors go to the log as the default context writes
//! them, except the end-of-partition events `tail --until-end` and `replay` ask for, which are
//! not errors.

use rdkafka::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;

/// The context of the tools' consumers.
pub struct ToolContext;

impl ClientContext for ToolContext {
    fn error(&self, error: KafkaError, reason: &str) {
        match error {
            // Also reported by the consumer itself, where the tools act on it.
            KafkaError::PartitionEOF(_) => {
                tracing::debug!(target: "rdkafka::client", "librdkafka: {error}: {reason}");
            }
            _ => tracing::error!(target: "rdkafka::client", "librdkafka: {error}: {reason}"),
        }
    }
}

impl ConsumerContext for ToolContext {}

/// A tool's consumer.
pub type ToolConsumer = StreamConsumer<ToolContext>;

/// Creates a consumer from `client`.
pub fn consumer(client: &ClientConfig) -> anyhow::Result<ToolConsumer> {
    client
        .create_with_context(ToolContext)
        .map_err(|error| anyhow::anyhow!("cannot create Kafka consumer: {error}"))
}
