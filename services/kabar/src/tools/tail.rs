//! `kabar tail TOPIC`: prints what arrives on a topic: one JSON object per record when stdout
//! is not a terminal (topic, partition, offset, timestamp, key, headers, value; like
//! `kcat -J`), pretty and coloured when it is.
//!
//! tail assigns the topic's partitions itself (no consumer group to join, nothing committed):
//! it starts at their end, their beginning, an offset, or the first record at a time, and with
//! `--until-end` stops where each partition ended when it started.

mod record;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{Context, bail};
use rdkafka::Message;
use rdkafka::error::KafkaError;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::progress::{Display, Progress, Unit};
use crate::tools::client::{self, ToolConsumer};
use crate::tools::partitions::{self, Watermarks};
use crate::tools::time::TimeArg;

pub use record::{Format, Record, Value};

/// One `--where` filter: `lang=ind`, `type=PER`, `entity=Q423`, `source=antara`, `id=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    field: FilterField,
    value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FilterField {
    Language,
    EntityType,
    Entity,
    Source,
    Id,
}

impl std::str::FromStr for Filter {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected NAME=VALUE, e.g. lang=ind"))?;
        let field = match name.trim() {
            "lang" | "language" => FilterField::Language,
            "type" => FilterField::EntityType,
            "entity" | "wikidata" => FilterField::Entity,
            "source" => FilterField::Source,
            "id" => FilterField::Id,
            other => {
                return Err(format!(
                    "unknown filter {other:?}; use lang, type, entity, source or id"
                ));
            }
        };
        Ok(Self {
            field,
            value: value.trim().to_owned(),
        })
    }
}

impl Filter {
    /// Whether an enriched article (as JSON) passes.
    pub fn matches(&self, article: &serde_json::Value) -> bool {
        let entities = || article["entities"].as_array().into_iter().flatten();
        match self.field {
            FilterField::Language => article["language"]["code"] == self.value.as_str(),
            FilterField::EntityType => entities().any(|e| e["type"] == self.value.as_str()),
            FilterField::Entity => entities()
                .any(|e| e["wikidata"] == self.value.as_str() || e["name"] == self.value.as_str()),
            FilterField::Source => article["source"] == self.value.as_str(),
            FilterField::Id => article["id"] == self.value.as_str(),
        }
    }
}

/// Where each partition starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// After the last record: only what arrives from now on.
    End,
    /// The oldest record kept.
    Beginning,
    /// This offset (`-N`: N records before the end).
    Offset(i64),
    /// The first record at or after this time.
    Time(TimeArg),
}

/// Which transactional records tail sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Isolation {
    /// Committed transactions only (what kabar's exactly-once consumers see).
    ReadCommitted,
    /// Also records of open and aborted transactions.
    ReadUncommitted,
}

impl Isolation {
    fn as_config(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "read_committed",
            Isolation::ReadUncommitted => "read_uncommitted",
        }
    }
}

/// What to tail.
#[derive(Debug, Clone)]
pub struct TailOptions {
    pub topic: String,
    /// Only these partitions; all when empty.
    pub partitions: Vec<i32>,
    pub start: Start,
    pub filters: Vec<Filter>,
    /// Stop after this many printed records.
    pub max: Option<u64>,
    /// Stop once every partition's end at start is reached.
    pub until_end: bool,
    /// Stop after this long without a record.
    pub idle_timeout: Option<Duration>,
    /// How to print; `None`: JSON lines, or pretty on a terminal.
    pub format: Option<Format>,
    pub isolation: Isolation,
}

/// Where each partition starts, as an offset within its watermarks.
fn start_offsets(
    consumer: &ToolConsumer,
    topic: &str,
    ranges: &BTreeMap<i32, Watermarks>,
    start: Start,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    if let Start::Time(time) = start {
        return partitions::offsets_at_time(consumer, topic, ranges, time.millis());
    }
    Ok(ranges
        .iter()
        .map(|(partition, range)| {
            let offset = match start {
                Start::End => range.high,
                Start::Beginning => range.low,
                Start::Offset(at) if at < 0 => range.high.saturating_add(at).max(range.low),
                Start::Offset(at) => at.clamp(range.low, range.high),
                Start::Time(_) => range.low,
            };
            (*partition, offset)
        })
        .collect())
}

/// Prints records until `max`, the end (`until_end`), the idle timeout, or shutdown; returns
/// how many were printed.
pub async fn run(
    config: &Config,
    options: TailOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<u64> {
    let topic = options.topic.as_str();
    let consumer = client::consumer(
        crate::kafka::client::tool_client_config(config)
            // Never joins or commits: the id only satisfies the client.
            .set("group.id", format!("kabar-tail-{}", std::process::id()))
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "true")
            .set("isolation.level", options.isolation.as_config()),
    )?;
    let ranges = partitions::watermarks(&consumer, topic, &options.partitions)?;
    let starts = start_offsets(&consumer, topic, &ranges, options.start)?;
    partitions::assign(&consumer, topic, &starts)?;

    // With --until-end: the partitions not yet read to the end they had at start.
    let mut unfinished: BTreeMap<i32, i64> = BTreeMap::new();
    let mut progress = Progress::hidden();
    if options.until_end {
        let mut total = 0;
        for (partition, start) in &starts {
            let end = ranges.get(partition).map_or(*start, |r| r.high);
            if *start < end {
                unfinished.insert(*partition, end);
                total += u64::try_from(end - start).unwrap_or(0);
            }
        }
        // On a terminal the records themselves show how far tail is.
        let display = if std::io::stdout().is_terminal() {
            Display::Hidden
        } else {
            Display::for_stderr()
        };
        progress = Progress::start("tail", Unit::Messages, Some(total), display);
    }

    let format = options
        .format
        .unwrap_or(if std::io::stdout().is_terminal() {
            Format::Pretty
        } else {
            Format::Json
        });
    let color = format == Format::Pretty
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut stdout = std::io::stdout().lock();
    let mut printed = 0u64;
    while !(options.until_end && unfinished.is_empty()) {
        let idle = async {
            match options.idle_timeout {
                Some(timeout) => tokio::time::sleep(timeout).await,
                None => std::future::pending().await,
            }
        };
        let message = tokio::select! {
            () = shutdown.cancelled() => break,
            () = idle => break,
            message = consumer.recv() => message,
        };
        let message = match message {
            Ok(message) => message,
            // The end of a partition as it is now: past the end it had at start.
            Err(KafkaError::PartitionEOF(partition)) => {
                unfinished.remove(&partition);
                continue;
            }
            Err(error) => bail!("cannot read {topic}: {error}"),
        };
        let (partition, offset) = (message.partition(), message.offset());
        if options.until_end {
            match unfinished.get(&partition) {
                Some(end) if offset < *end => {
                    progress.inc(1);
                    if offset + 1 >= *end {
                        unfinished.remove(&partition);
                    }
                }
                // Arrived after tail started: not part of this run.
                _ => {
                    unfinished.remove(&partition);
                    continue;
                }
            }
        }
        let record = Record::from_message(&message);
        if !options.filters.is_empty() {
            let Some(value) = record.value.as_json() else {
                continue;
            };
            if !options.filters.iter().all(|f| f.matches(&value)) {
                continue;
            }
        }
        let written = match format {
            Format::Json => record.write_json_line(&mut stdout),
            Format::Pretty => record.write_pretty(&mut stdout, color),
            Format::Value => record.write_value(&mut stdout),
        }
        .and_then(|()| stdout.flush());
        match written {
            Ok(()) => {}
            // The reader went away (`kabar tail ... | head`): done, not failed.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => break,
            Err(error) => return Err(error).context("cannot write to stdout"),
        }
        printed += 1;
        if options.max.is_some_and(|max| printed >= max) {
            break;
        }
    }
    progress.finish();
    Ok(printed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let article = serde_json::json!({
            "id": "a", "source": "antara", "language": {"code": "ind"},
            "entities": [{"name": "North Korea", "type": "LOC", "wikidata": "Q423"}]
        });
        for (filter, expected) in [
            ("lang=ind", true),
            ("lang=eng", false),
            ("type=LOC", true),
            ("type=PER", false),
            ("entity=Q423", true),
            ("source=antara", true),
            ("id=b", false),
        ] {
            let filter: Filter = filter.parse().expect("valid");
            assert_eq!(filter.matches(&article), expected, "{filter:?}");
        }
        assert!("nope=1".parse::<Filter>().is_err());
        assert!("lang".parse::<Filter>().is_err());
    }
}
