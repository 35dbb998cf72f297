//! Kafka in, Kafka out. This module only chooses the loop; its children do the work:
//!
//! - [`at_least_once`]: the default loop; offsets are stored once every output of a message is
//!   acknowledged ([`offsets`] says which).
//! - [`exactly_once`]: batches whose outputs and input offsets are one transaction.
//! - [`client`]: client configuration, security, consumer and producer, subscription, the wait
//!   for the broker, and the client context (statistics, rebalances, commits).
//! - [`records`]: what is written for an input: its enriched outputs or its dead letter.
//! - [`topics`]: `kabar topics create`, the topic list created in one request.

mod at_least_once;
pub mod client;
mod exactly_once;
pub mod offsets;
pub mod records;
pub mod topics;

use std::sync::Arc;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Delivery};
use crate::engine::Engine;
use crate::exit::Exit;
use crate::status::ServiceState;

/// Consumes, enriches and produces with the configured delivery guarantee until `shutdown`
/// fires (or a fatal client error cancels it); then finishes or abandons in-flight work as that
/// guarantee requires.
pub async fn run(
    config: &Config,
    engine: Arc<Engine>,
    state: Arc<ServiceState>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let result = match config.kafka.delivery {
        Delivery::AtLeastOnce => {
            at_least_once::run(config, engine, Arc::clone(&state), shutdown).await
        }
        Delivery::ExactlyOnce => {
            exactly_once::run(config, engine, Arc::clone(&state), shutdown).await
        }
    };
    match state.health.fatal() {
        Some(fatal) if result.is_ok() => {
            Err(anyhow::anyhow!("fatal Kafka client error: {fatal}")).context(Exit::Fatal)
        }
        _ => result,
    }
}
