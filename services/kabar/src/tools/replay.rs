//! `kabar replay`: re-publishes dead letters to the topic they came from, after a fix.
//!
//! Reads the dead-letter topic with its own consumer group (so a second replay does not repeat
//! the first), up to the end it had when the replay started, and sends each selected letter's
//! payload, key and original headers (without kabar's error headers) back to its source topic.
//! An offset is committed only after the re-published message is acknowledged.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use crate::config::Config;

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Only letters with one of these error codes; all when empty.
    pub codes: Vec<String>,
    /// Consumer group remembering what was replayed.
    pub group: String,
    /// Print what would be replayed without publishing or committing.
    pub dry_run: bool,
}

/// What a replay did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    pub replayed: u64,
    pub skipped: u64,
}

fn header<'m>(
    headers: Option<&'m rdkafka::message::BorrowedHeaders>,
    name: &str,
) -> Option<&'m str> {
    headers?
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| std::str::from_utf8(h.value?).ok())
}

/// Replays the dead-letter topic up to its current end.
pub async fn run(
    config: &Config,
    options: ReplayOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<ReplaySummary> {
    let topic = config.kafka.dead_letter_topic.clone();
    let consumer: StreamConsumer = crate::kafka::client::tool_client_config(config)
        .set("group.id", &options.group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()
        .context("cannot create Kafka consumer")?;
    let producer: FutureProducer = crate::kafka::client::tool_client_config(config)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .create()
        .context("cannot create Kafka producer")?;

    // Where the dead-letter topic ends now: the replay stops there.
    let metadata = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .with_context(|| format!("cannot read metadata of {topic}"))?;
    let mut remaining: HashMap<i32, i64> = HashMap::new();
    for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
        let (low, high) = consumer
            .fetch_watermarks(&topic, partition.id(), Duration::from_secs(10))
            .context("cannot read watermarks")?;
        if high > low {
            remaining.insert(partition.id(), high);
        }
    }
    let mut assigned = TopicPartitionList::new();
    for partition in remaining.keys() {
        assigned.add_partition(&topic, *partition);
    }
    let committed = consumer
        .committed_offsets(assigned, Duration::from_secs(10))
        .ok();
    if let Some(committed) = committed {
        for element in committed.elements() {
            if let (Offset::Offset(at), Some(end)) =
                (element.offset(), remaining.get(&element.partition()))
            {
                if at >= *end {
                    remaining.remove(&element.partition());
                }
            }
        }
    }
    let mut summary = ReplaySummary::default();
    if remaining.is_empty() {
        report(&summary, &topic)?;
        return Ok(summary);
    }
    consumer.subscribe(&[topic.as_str()])?;

    while !remaining.is_empty() {
        let message = tokio::select! {
            () = shutdown.cancelled() => break,
            message = consumer.recv() => message.with_context(|| format!("cannot read {topic}"))?,
        };
        let partition = message.partition();
        let headers = message.headers();
        let code = header(headers, "kabar-error-code").unwrap_or_default();
        let selected = options.codes.is_empty() || options.codes.iter().any(|c| c == code);
        match (selected, header(headers, "kabar-source-topic")) {
            (true, Some(source)) => {
                if options.dry_run {
                    let _ = writeln!(
                        std::io::stdout().lock(),
                        "would replay offset {} ({code}) to {source}",
                        message.offset()
                    );
                } else {
                    let mut original = OwnedHeaders::new();
                    if let Some(headers) = headers {
                        for h in headers.iter().filter(|h| !h.key.starts_with("kabar-")) {
                            original = original.insert(Header {
                                key: h.key,
                                value: h.value,
                            });
                        }
                    }
                    let mut record = FutureRecord::to(source)
                        .payload(message.payload().unwrap_or_default())
                        .headers(original);
                    if let Some(key) = message.key() {
                        record = record.key(key);
                    }
                    producer
                        .send(record, Duration::from_secs(30))
                        .await
                        .map_err(|(error, _)| {
                            anyhow::anyhow!("cannot re-publish to {source}: {error}")
                        })?;
                }
                summary.replayed += 1;
            }
            (true, None) => bail!(
                "dead letter at offset {} has no kabar-source-topic header",
                message.offset()
            ),
            (false, _) => summary.skipped += 1,
        }
        if !options.dry_run {
            let mut list = TopicPartitionList::new();
            list.add_partition_offset(&topic, partition, Offset::Offset(message.offset() + 1))?;
            consumer.commit(&list, CommitMode::Sync)?;
        }
        if remaining
            .get(&partition)
            .is_some_and(|end| message.offset() + 1 >= *end)
        {
            remaining.remove(&partition);
        }
    }
    report(&summary, &topic)?;
    Ok(summary)
}

fn report(summary: &ReplaySummary, topic: &str) -> anyhow::Result<()> {
    writeln!(
        std::io::stdout().lock(),
        "kabar: replayed {} dead letter(s) from {topic}, skipped {}",
        summary.replayed,
        summary.skipped
    )?;
    Ok(())
}
