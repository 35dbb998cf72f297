//! `kabar replay`: re-publishes dead letters, after a fix, to the topic they came from (or to
//! `--to`).
//!
//! Reads the dead-letter topic from where its consumer group (`--group`) left off, or from the
//! first letter at `--since`, up to the end the topic had when the replay started (or the
//! first letter after `--until`). Each selected letter's payload, key and original headers
//! (without kabar's `kabar-*` headers) are sent on; letters go in batches, and a batch's offsets
//! are committed once, after every message of the batch is acknowledged. A failure leaves the
//! batch uncommitted, so a second run repeats it: at least once, never lost. Letters that
//! `--code` does not select are passed over for the group, as are those before `--since`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Header, Headers, OwnedHeaders};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use rdkafka::{Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::progress::{Display, Progress, Unit};
use crate::tools::client;
use crate::tools::partitions;
use crate::tools::time::TimeArg;

/// Letters per batch (and per commit) unless `--batch-size` says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// What to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// The dead-letter topic.
    pub topic: String,
    /// Only letters with one of these error codes; all when empty.
    pub codes: Vec<String>,
    /// Consumer group remembering what was replayed.
    pub group: String,
    /// List what would be replayed; publish and commit nothing.
    pub dry_run: bool,
    /// Replay at most this many letters.
    pub max: Option<u64>,
    /// Start at the first letter written at or after this time.
    pub since: Option<TimeArg>,
    /// Stop before the first letter written after this time.
    pub until: Option<TimeArg>,
    /// Publish every letter here instead of its source topic.
    pub to: Option<String>,
    /// Letters per batch, and so per commit.
    pub batch_size: usize,
}

/// What a replay did (or, in a dry run, would do).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Letters re-published (or listed, in a dry run).
    pub replayed: u64,
    /// Letters `--code` did not select.
    pub skipped: u64,
    /// Batches committed: one commit each.
    pub commits: u64,
    /// Letters per destination topic.
    pub by_topic: BTreeMap<String, u64>,
    /// Letters per error code.
    pub by_code: BTreeMap<String, u64>,
    pub dry_run: bool,
}

fn header<'m>(message: &'m BorrowedMessage<'_>, name: &str) -> Option<&'m str> {
    message
        .headers()?
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| std::str::from_utf8(h.value?).ok())
}

/// Replays the dead-letter topic up to the end it has now (or `--until`).
pub async fn run(
    config: &Config,
    options: ReplayOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<ReplaySummary> {
    let topic = options.topic.as_str();
    let consumer = client::consumer(
        crate::kafka::client::tool_client_config(config)
            .set("group.id", &options.group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "true")
            .set("isolation.level", "read_committed"),
    )?;
    let producer: Option<FutureProducer> = if options.dry_run {
        None
    } else {
        let producer = crate::kafka::client::tool_client_config(config)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "5")
            .create()
            .context("cannot create Kafka producer")?;
        Some(producer)
    };

    // Where each partition starts (the group's position, or --since) and ends (the end now, or
    // --until): only these letters are read.
    let ranges = partitions::watermarks(&consumer, topic, &[])?;
    let committed = partitions::committed(&consumer, topic, &ranges)?;
    let since = match options.since {
        Some(time) => Some(partitions::offsets_at_time(
            &consumer,
            topic,
            &ranges,
            time.millis(),
        )?),
        None => None,
    };
    let until = match options.until {
        Some(time) => Some(partitions::offsets_at_time(
            &consumer,
            topic,
            &ranges,
            time.millis().saturating_add(1),
        )?),
        None => None,
    };
    let mut starts = BTreeMap::new();
    let mut ends = BTreeMap::new();
    for (partition, range) in &ranges {
        let mut start = committed
            .get(partition)
            .copied()
            .unwrap_or(range.low)
            .max(range.low);
        if let Some(at) = since.as_ref().and_then(|s| s.get(partition)) {
            start = start.max(*at);
        }
        let mut end = range.high;
        if let Some(at) = until.as_ref().and_then(|u| u.get(partition)) {
            end = end.min(*at);
        }
        if start < end {
            starts.insert(*partition, start);
            ends.insert(*partition, end);
        }
    }
    let total: i64 = ends.iter().map(|(p, end)| end - starts[p]).sum();

    let mut summary = ReplaySummary {
        dry_run: options.dry_run,
        ..ReplaySummary::default()
    };
    if ends.is_empty() {
        report(&summary, topic)?;
        return Ok(summary);
    }
    partitions::assign(&consumer, topic, &starts)?;
    let mut progress = Progress::start(
        "replay",
        Unit::Messages,
        u64::try_from(total).ok(),
        Display::for_stderr(),
    );
    let mut stdout = std::io::stdout().lock();
    let batch_size = options.batch_size.max(1);
    let reached_max =
        |summary: &ReplaySummary| options.max.is_some_and(|max| summary.replayed >= max);
    let mut stopping = false;
    while !ends.is_empty() && !reached_max(&summary) && !stopping {
        // One batch: read, send, then await every acknowledgement and commit once.
        let mut next_offsets: BTreeMap<i32, i64> = BTreeMap::new();
        let mut deliveries: Vec<(String, DeliveryFuture)> = Vec::new();
        let mut in_batch = 0;
        while in_batch < batch_size && !ends.is_empty() && !reached_max(&summary) {
            let message = tokio::select! {
                () = shutdown.cancelled() => { stopping = true; break }
                message = consumer.recv() => message,
            };
            let message = match message {
                Ok(message) => message,
                Err(KafkaError::PartitionEOF(partition)) => {
                    ends.remove(&partition);
                    continue;
                }
                Err(error) => bail!("cannot read {topic}: {error}"),
            };
            let (partition, offset) = (message.partition(), message.offset());
            let Some(end) = ends.get(&partition).copied() else {
                continue;
            };
            if offset >= end {
                ends.remove(&partition);
                continue;
            }
            if offset + 1 >= end {
                ends.remove(&partition);
            }
            progress.inc(1);
            in_batch += 1;
            next_offsets.insert(partition, offset + 1);
            let code = header(&message, "kabar-error-code")
                .unwrap_or_default()
                .to_owned();
            if !options.codes.is_empty() && !options.codes.contains(&code) {
                summary.skipped += 1;
                continue;
            }
            let Some(target) = options
                .to
                .as_deref()
                .or_else(|| header(&message, "kabar-source-topic"))
                .map(str::to_owned)
            else {
                bail!(
                    "dead letter at {topic} partition {partition} offset {offset} has no \
                     kabar-source-topic header: name a topic with --to"
                );
            };
            match &producer {
                None => {
                    let reason = header(&message, "kabar-error-message").unwrap_or_default();
                    let key = message
                        .key()
                        .map(|k| String::from_utf8_lossy(k).into_owned())
                        .unwrap_or_default();
                    progress.suspend(|| {
                        writeln!(
                            stdout,
                            "would replay {topic} partition {partition} offset {offset} to \
                             {target}: {code} ({reason}), key {key:?}"
                        )
                    })?;
                }
                Some(producer) => {
                    let delivery = send(producer, &message, &target).await?;
                    deliveries.push((target.clone(), delivery));
                }
            }
            summary.replayed += 1;
            *summary.by_topic.entry(target).or_default() += 1;
            *summary.by_code.entry(code).or_default() += 1;
        }
        for (target, delivery) in deliveries {
            delivery
                .await
                .map_err(|_| anyhow::anyhow!("cannot re-publish to {target}: producer stopped"))?
                .map_err(|(error, _)| {
                    anyhow::anyhow!(
                        "cannot re-publish to {target}: {error} (this batch is not committed: \
                         a second replay repeats it)"
                    )
                })?;
        }
        if producer.is_some() && !next_offsets.is_empty() {
            let mut list = TopicPartitionList::new();
            for (partition, next) in &next_offsets {
                list.add_partition_offset(topic, *partition, Offset::Offset(*next))?;
            }
            consumer
                .commit(&list, CommitMode::Sync)
                .with_context(|| format!("cannot commit the replayed offsets of {topic}"))?;
            summary.commits += 1;
        }
    }
    progress.finish();
    drop(stdout);
    report(&summary, topic)?;
    Ok(summary)
}

/// Enqueues one letter's payload, key and original headers for `target`, waiting while the
/// producer's queue is full.
async fn send(
    producer: &FutureProducer,
    message: &BorrowedMessage<'_>,
    target: &str,
) -> anyhow::Result<DeliveryFuture> {
    let mut original = OwnedHeaders::new();
    if let Some(headers) = message.headers() {
        for h in headers.iter().filter(|h| !h.key.starts_with("kabar-")) {
            original = original.insert(Header {
                key: h.key,
                value: h.value,
            });
        }
    }
    let mut record = FutureRecord::to(target)
        .payload(message.payload().unwrap_or_default())
        .headers(original);
    if let Some(key) = message.key() {
        record = record.key(key);
    }
    loop {
        match producer.send_result(record) {
            Ok(delivery) => return Ok(delivery),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err((error, _)) => bail!("cannot re-publish to {target}: {error}"),
        }
    }
}

/// The closing summary on stdout.
fn report(summary: &ReplaySummary, topic: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if summary.dry_run {
        writeln!(
            out,
            "kabar: dry run: would replay {} dead letter(s) from {topic}, skip {}; nothing \
             published or committed",
            summary.replayed, summary.skipped
        )?;
    } else {
        writeln!(
            out,
            "kabar: replayed {} dead letter(s) from {topic}, skipped {}, in {} batch(es) of one \
             commit each",
            summary.replayed, summary.skipped, summary.commits
        )?;
    }
    for (target, count) in &summary.by_topic {
        writeln!(out, "  {count:>6}  to {target}")?;
    }
    for (code, count) in &summary.by_code {
        writeln!(out, "  {count:>6}  {code}")?;
    }
    Ok(())
}
