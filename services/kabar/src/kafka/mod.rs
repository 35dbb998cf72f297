//! Kafka in, Kafka out. This module only chooses the loop; its children do the work:
//!
//! - [`at_least_once`]: the default loop; offsets are stored once every output of a message is
//!   acknowledged ([`offsets`] says which).
//! - [`exactly_once`]: batches whose outputs and input offsets are one transaction.
//! - [`client`]: client configuration, security, consumer and producer, subscription, the wait
//!   for the broker, and the client context (statistics, rebalances, commits).
//! - [`records`]: what is written for an input: its enriched outputs or its dead letter.
//! - [`fingerprints`]: the near-duplicate index kept in Kafka: the fingerprint records every
//!   instance writes, and the reader that feeds them to every instance's index.

mod at_least_once;
pub mod client;
mod exactly_once;
pub mod fingerprints;
pub mod offsets;
pub mod records;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::config::{Config, Delivery};
use crate::engine::Engine;
use crate::http::Readiness;

/// Consumes, enriches and produces with the configured delivery guarantee until `shutdown`
/// fires; then finishes or abandons in-flight work as that guarantee requires.
pub async fn run(
    config: &Config,
    engine: Arc<Engine>,
    readiness: Arc<Readiness>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    match config.kafka.delivery {
        Delivery::AtLeastOnce => at_least_once::run(config, engine, readiness, shutdown).await,
        Delivery::ExactlyOnce => exactly_once::run(config, engine, readiness, shutdown).await,
    }
}
