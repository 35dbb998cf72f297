//! `kabar produce TOPIC FILE...`: publishes articles, for demos, replays and the compose feeder.
//!
//! Reads files like file mode does (`.jsonl` one article per line, other files one article each,
//! folders file by file, `-` stdin). A JSON article's `id` is the message key.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::files;

/// What to publish, where, and how fast.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    pub topic: String,
    pub inputs: Vec<PathBuf>,
    /// Messages per second; 0 means as fast as the broker takes them.
    pub rate: f64,
    /// Times to go over the inputs; 0 means until interrupted.
    pub repeat: u64,
}

fn key_of(payload: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(payload).ok()?.trim_start();
    if !text.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// Publishes every input, waiting for every acknowledgement; returns the count.
pub async fn run(
    config: &Config,
    options: ProduceOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<u64> {
    let producer: FutureProducer = crate::kafka::client::tool_client_config(config)
        // Without librdkafka's idempotent producer and its busy wait for responses (see
        // `create_producer` in the Kafka client module), and, unlike kabar's own output, several
        // requests in flight per connection: a load generator must not queue behind its own
        // round trips (a message's timestamp is taken before). A retry may repeat a message or
        // put it after a newer one.
        .set("enable.idempotence", "false")
        .set("max.in.flight.requests.per.connection", "5")
        .set("acks", "all")
        .set("linger.ms", "5")
        .create()
        .context("cannot create Kafka producer")?;
    let interval = (options.rate > 0.0).then(|| Duration::from_secs_f64(1.0 / options.rate));
    let mut ticker = interval.map(tokio::time::interval);
    // Acknowledgements are awaited by a task of their own, so that waiting for them never
    // stalls the pacing (a stalled loop catches up in a burst, which is not the asked rate).
    // The channel bounds how many may be outstanding.
    let (acks, unacked) = tokio::sync::mpsc::channel::<(String, DeliveryFuture)>(MAX_UNACKED);
    let settler = tokio::spawn(settle(unacked));
    let mut round = 0u64;
    'rounds: while options.repeat == 0 || round < options.repeat {
        round += 1;
        for input in &options.inputs {
            let (mut items, reader) = files::spawn_reader(input.clone(), false, shutdown.clone());
            while let Some(item) = items.recv().await {
                if let Some(ticker) = ticker.as_mut() {
                    tokio::select! {
                        () = shutdown.cancelled() => break 'rounds,
                        _ = ticker.tick() => {}
                    }
                } else if shutdown.is_cancelled() {
                    break 'rounds;
                }
                let key = key_of(&item.payload);
                let mut record = FutureRecord::to(&options.topic).payload(&item.payload);
                if let Some(key) = &key {
                    record = record.key(key.as_str());
                }
                let delivery = loop {
                    match producer.send_result(record) {
                        Ok(delivery) => break delivery,
                        Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                            record = back;
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        Err((error, _)) => {
                            anyhow::bail!("cannot publish {}: {error}", item.origin)
                        }
                    }
                };
                if acks.send((item.origin, delivery)).await.is_err() {
                    // The settler stopped at a failed acknowledgement: report it below.
                    break 'rounds;
                }
            }
            reader.await.context("input reader failed")??;
        }
    }
    drop(acks);
    let produced = settler.await.context("acknowledgement task failed")??;
    let _ = writeln!(
        std::io::stdout().lock(),
        "kabar: produced {produced} message(s) to {}",
        options.topic
    );
    Ok(produced)
}

/// Most messages produced but not yet acknowledged (bounds memory).
const MAX_UNACKED: usize = 10_000;

/// Awaits every acknowledgement, in order; returns the count, or the first failure.
async fn settle(
    mut unacked: tokio::sync::mpsc::Receiver<(String, DeliveryFuture)>,
) -> anyhow::Result<u64> {
    let mut count = 0;
    while let Some((origin, delivery)) = unacked.recv().await {
        delivery
            .await
            .map_err(|_| anyhow::anyhow!("cannot publish {origin}: producer stopped"))?
            .map_err(|(error, _)| anyhow::anyhow!("cannot publish {origin}: {error}"))?;
        count += 1;
    }
    Ok(count)
}
