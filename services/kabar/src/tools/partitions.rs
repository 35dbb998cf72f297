//! Where the tools read: a topic's partitions, their watermarks, and the offsets where a time
//! begins. `tail` and `replay` assign partitions themselves (no group rebalance to wait for) and
//! know, before the first message, where each partition starts and where it ends.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};

use crate::tools::client::ToolConsumer;

/// How long a metadata or offset request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One partition's range: `low` is its first offset, `high` the one after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watermarks {
    pub low: i64,
    pub high: i64,
}

/// The partitions of `topic` (only those in `only`, when given) and their watermarks. An error
/// when the topic does not exist or a partition in `only` is not one of its partitions.
pub fn watermarks(
    consumer: &ToolConsumer,
    topic: &str,
    only: &[i32],
) -> anyhow::Result<BTreeMap<i32, Watermarks>> {
    let metadata = consumer
        .fetch_metadata(Some(topic), REQUEST_TIMEOUT)
        .with_context(|| format!("cannot read the metadata of {topic}"))?;
    let Some(described) = metadata.topics().iter().find(|t| t.name() == topic) else {
        bail!("topic {topic} does not exist");
    };
    if let Some(error) = described.error() {
        bail!(
            "topic {topic}: {}",
            rdkafka::types::RDKafkaErrorCode::from(error)
        );
    }
    let mut partitions = BTreeMap::new();
    for partition in described.partitions() {
        let id = partition.id();
        if !only.is_empty() && !only.contains(&id) {
            continue;
        }
        let (low, high) = consumer
            .fetch_watermarks(topic, id, REQUEST_TIMEOUT)
            .with_context(|| format!("cannot read the offsets of {topic} partition {id}"))?;
        partitions.insert(id, Watermarks { low, high });
    }
    if let Some(missing) = only.iter().find(|p| !partitions.contains_key(p)) {
        bail!("topic {topic} has no partition {missing}");
    }
    if partitions.is_empty() {
        bail!("topic {topic} has no partitions");
    }
    Ok(partitions)
}

/// Per partition, the first offset whose timestamp is at or after `millis` (milliseconds since
/// the epoch), or its `high` watermark when every message is older.
pub fn offsets_at_time(
    consumer: &ToolConsumer,
    topic: &str,
    partitions: &BTreeMap<i32, Watermarks>,
    millis: i64,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    let mut query = TopicPartitionList::new();
    for partition in partitions.keys() {
        query.add_partition_offset(topic, *partition, Offset::Offset(millis))?;
    }
    let found = consumer
        .offsets_for_times(query, REQUEST_TIMEOUT)
        .with_context(|| format!("cannot look up offsets by time in {topic}"))?;
    let mut offsets = BTreeMap::new();
    for element in found.elements() {
        let Some(range) = partitions.get(&element.partition()) else {
            continue;
        };
        let offset = match element.offset() {
            Offset::Offset(at) => at.clamp(range.low, range.high),
            // No message at or after the time.
            _ => range.high,
        };
        offsets.insert(element.partition(), offset);
    }
    Ok(offsets)
}

/// The offsets `group` committed on `topic`'s partitions (absent where it committed none).
pub fn committed(
    consumer: &ToolConsumer,
    topic: &str,
    partitions: &BTreeMap<i32, Watermarks>,
) -> anyhow::Result<BTreeMap<i32, i64>> {
    let mut query = TopicPartitionList::new();
    for partition in partitions.keys() {
        query.add_partition(topic, *partition);
    }
    let committed = consumer
        .committed_offsets(query, REQUEST_TIMEOUT)
        .with_context(|| format!("cannot read the committed offsets on {topic}"))?;
    Ok(committed
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(at) => Some((e.partition(), at)),
            _ => None,
        })
        .collect())
}

/// Assigns `topic`'s partitions at the given offsets.
pub fn assign(
    consumer: &ToolConsumer,
    topic: &str,
    starts: &BTreeMap<i32, i64>,
) -> anyhow::Result<()> {
    let mut assignment = TopicPartitionList::new();
    for (partition, offset) in starts {
        assignment.add_partition_offset(topic, *partition, Offset::Offset(*offset))?;
    }
    consumer
        .assign(&assignment)
        .with_context(|| format!("cannot assign the partitions of {topic}"))
}
