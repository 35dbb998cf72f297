//! The group's one near-duplicate index, kept in Kafka as Kafka Streams keeps a global table.
//!
//! Every instance writes each article's fingerprint record (id, event time, sketch, story, its
//! answer) to the compacted fingerprint topic, keyed by article id, with the article's outputs:
//! at least once, the input offset is stored only when the record is acknowledged too; exactly
//! once, the record is part of the batch's transaction. Every instance reads the whole topic
//! into its own index with a [`Reader`]: a consumer outside the input group, assigned every
//! partition from the beginning, reading committed records only. A starting instance reads up
//! to the end of every partition before it says it is ready.
//!
//! An instance's index may lag behind another's by the time a record takes to come round (the
//! propagation delay, `kabar_dedup_propagation_seconds`): two copies decided by two instances
//! within that time may both be answered "first". The indexes still converge: entries are keyed
//! by id, the last record of an id wins, and the first copy is decided by event time and id.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use kabar_pipeline::article::Duplicate;
use kabar_pipeline::dedup::{Applied, Detector, Fingerprint, Record, sketch};
use kabar_proto::Message as _;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::client;
use crate::config::Config;
use crate::engine::Engine;
use crate::events::{
    self, FingerprintConsumeError, FingerprintInvalid, FingerprintRead, ForeignFingerprints,
    IndexRebuilding, IndexRebuilt, KafkaClientError,
};
use crate::metrics::FingerprintResult;
use crate::status::ServiceState;

/// Longest article id a record may carry (the input's own limit).
const MAX_ID_BYTES: usize = 512;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Writes fingerprint records: the topic, the format, and who this instance is.
#[derive(Debug, Clone)]
pub struct Fingerprints {
    pub topic: String,
    scheme: String,
    /// Random per process: tells this instance's records from the others'.
    instance: String,
}

impl Fingerprints {
    /// The fingerprint topic's writer, when near-duplicate detection is on.
    pub fn new(config: &Config, engine: &Engine) -> Option<Self> {
        let detector = engine.pipeline().detector()?;
        let mut hasher = RandomState::new().build_hasher();
        hasher
            .write_u128(u128::from(std::process::id()) << 64 | u128::from(now_ms().unsigned_abs()));
        Some(Self {
            topic: config.kafka.fingerprint_topic.clone(),
            scheme: detector.scheme(),
            instance: format!("{:016x}", hasher.finish()),
        })
    }

    /// The fingerprint topic's record of `record` (its key is the article id).
    pub fn payload(&self, record: &Record) -> Vec<u8> {
        kabar_proto::v1::Fingerprint {
            id: record.id.clone(),
            event_time_ms: record.time,
            scheme: self.scheme.clone(),
            sketch: record.fingerprint.sketch.to_vec(),
            keys: record.fingerprint.keys.to_vec(),
            shingles: record.fingerprint.shingles,
            story: record.story.clone(),
            duplicate: record
                .duplicate
                .as_ref()
                .map(|d| kabar_proto::v1::Duplicate {
                    of: d.of.clone(),
                    similarity: d.similarity,
                }),
            decided_at_ms: now_ms(),
            instance: self.instance.clone(),
        }
        .encode_to_vec()
    }
}

/// A record read back from the topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub record: Record,
    pub decided_at_ms: i64,
    pub instance: String,
}

/// Why a record is not one this instance can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not a fingerprint record: {0}")]
    Invalid(String),
    #[error("fingerprint format {0:?} is not this instance's")]
    Foreign(String),
}

/// A fingerprint record as this instance's index takes it.
pub fn decode(payload: &[u8], scheme: &str) -> Result<Decoded, DecodeError> {
    let message = kabar_proto::v1::Fingerprint::decode(payload)
        .map_err(|error| DecodeError::Invalid(error.to_string()))?;
    if message.scheme != scheme {
        return Err(DecodeError::Foreign(message.scheme));
    }
    let invalid = |what: &str| DecodeError::Invalid(what.to_owned());
    if message.id.is_empty() || message.id.len() > MAX_ID_BYTES {
        return Err(invalid("id empty or too long"));
    }
    if message.story.is_empty() || message.story.len() > MAX_ID_BYTES {
        return Err(invalid("story empty or too long"));
    }
    let sketch: [u8; sketch::SKETCH_BYTES] = message
        .sketch
        .as_slice()
        .try_into()
        .map_err(|_| invalid("sketch of the wrong size"))?;
    let keys: [u32; sketch::KEYS] = message
        .keys
        .as_slice()
        .try_into()
        .map_err(|_| invalid("wrong number of keys"))?;
    let duplicate = match message.duplicate {
        Some(d) if d.of.is_empty() || d.of.len() > MAX_ID_BYTES => {
            return Err(invalid("duplicate.of empty or too long"));
        }
        Some(d) => Some(Duplicate {
            of: d.of,
            similarity: d.similarity,
        }),
        None => None,
    };
    Ok(Decoded {
        record: Record {
            id: message.id,
            time: message.event_time_ms,
            fingerprint: Fingerprint {
                sketch,
                keys,
                shingles: message.shingles,
            },
            story: message.story,
            duplicate,
        },
        decided_at_ms: message.decided_at_ms,
        instance: message.instance,
    })
}

/// The consumer of the whole fingerprint topic, feeding this instance's index.
pub struct Reader {
    task: JoinHandle<()>,
    rebuilt: Option<oneshot::Receiver<()>>,
    stop: CancellationToken,
}

/// Connected, and, with near-duplicate detection on, the index rebuilt from the whole
/// fingerprint topic before consuming starts (`/readyz` says so meanwhile): the reader that keeps
/// it up to date, or `None` when detection is off. Both delivery loops start this way.
pub async fn rebuild_before_consuming(
    config: &Config,
    engine: &Arc<Engine>,
    fingerprints: Option<&Fingerprints>,
    state: &ServiceState,
    shutdown: &CancellationToken,
) -> anyhow::Result<Option<Reader>> {
    let Some(fingerprints) = fingerprints else {
        state.health.set_connected();
        return Ok(None);
    };
    state.health.set_index_rebuilding(true);
    state.health.set_connected();
    let mut reader = Reader::start(config, Arc::clone(engine), fingerprints, shutdown).await?;
    reader.rebuilt(shutdown).await;
    state.health.set_index_rebuilding(false);
    // The rebuild read from the broker until now.
    state.health.broker_seen();
    Ok(Some(reader))
}

impl Reader {
    /// Starts reading `fingerprints.topic` from the beginning of every partition.
    pub async fn start(
        config: &Config,
        engine: Arc<Engine>,
        fingerprints: &Fingerprints,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let consumer: BaseConsumer<FingerprintContext> = client::tool_client_config(config)
            // librdkafka's consumer wants a group even for assigned partitions; this one never
            // joins (no subscription) and never commits.
            .set(
                "group.id",
                format!("kabar-fingerprints-{}", fingerprints.instance),
            )
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "true")
            // Records of aborted transactions never reach the index.
            .set("isolation.level", "read_committed")
            .set("auto.offset.reset", "earliest")
            // Where the cluster creates topics on first use (a development broker), the topic
            // is created as the producer would create it; elsewhere it must exist.
            .set("allow.auto.create.topics", "true")
            .create_with_context(FingerprintContext)
            .context("cannot create the fingerprint consumer")?;
        let topic = fingerprints.topic.clone();
        let (consumer, partitions) = tokio::task::spawn_blocking(move || {
            let partitions = partitions_of(&consumer, &topic)?;
            let mut assignment = TopicPartitionList::new();
            for partition in &partitions {
                assignment.add_partition_offset(&topic, *partition, Offset::Beginning)?;
            }
            consumer
                .assign(&assignment)
                .context("cannot assign the fingerprint topic's partitions")?;
            anyhow::Ok((consumer, partitions))
        })
        .await??;
        events::emit(IndexRebuilding {
            topic: &fingerprints.topic,
            partitions: partitions.len(),
        });
        let (rebuilt, rebuilt_signal) = oneshot::channel();
        let stop = shutdown.child_token();
        let state = ReaderState {
            consumer,
            engine,
            scheme: fingerprints.scheme.clone(),
            instance: fingerprints.instance.clone(),
            waiting: partitions.into_iter().collect(),
            rebuilt: Some(rebuilt),
            started: Instant::now(),
            records: 0,
            stop: stop.clone(),
        };
        let task = tokio::task::spawn_blocking(move || state.run());
        Ok(Self {
            task,
            rebuilt: Some(rebuilt_signal),
            stop,
        })
    }

    /// Waits until the index holds every record the topic had (or shutdown).
    pub async fn rebuilt(&mut self, shutdown: &CancellationToken) {
        if let Some(rebuilt) = self.rebuilt.take() {
            tokio::select! {
                () = shutdown.cancelled() => {}
                _ = rebuilt => {}
            }
        }
    }

    /// Stops reading.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// The fingerprint consumer's client context: the end of a partition is how the rebuild knows it
/// is done, not an error to log.
struct FingerprintContext;

impl ClientContext for FingerprintContext {
    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() != Some(RDKafkaErrorCode::PartitionEOF) {
            events::emit(KafkaClientError {
                error: &error,
                reason,
            });
        }
    }
}

impl ConsumerContext for FingerprintContext {}

/// The partitions of `topic`; an error when it does not exist (after a few seconds, which a
/// broker creating it on first use needs).
fn partitions_of(
    consumer: &BaseConsumer<FingerprintContext>,
    topic: &str,
) -> anyhow::Result<Vec<i32>> {
    for attempt in 0..=10 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
        let metadata = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .with_context(|| {
                format!("cannot read the metadata of the fingerprint topic {topic}")
            })?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic && t.error().is_none())
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if !partitions.is_empty() {
            return Ok(partitions);
        }
    }
    anyhow::bail!(
        "the fingerprint topic {topic} does not exist: create it (compacted, retention \
         covering dedup.window_hours; deploy/topics.txt lists it) or set \
         kafka.fingerprint_topic"
    )
}

struct ReaderState {
    consumer: BaseConsumer<FingerprintContext>,
    engine: Arc<Engine>,
    scheme: String,
    instance: String,
    /// Partitions whose end has not been reached yet during the rebuild.
    waiting: BTreeSet<i32>,
    rebuilt: Option<oneshot::Sender<()>>,
    started: Instant,
    records: u64,
    stop: CancellationToken,
}

impl ReaderState {
    fn run(mut self) {
        let engine = Arc::clone(&self.engine);
        let Some(detector) = engine.pipeline().detector() else {
            return;
        };
        let mut reported_foreign: HashSet<String> = HashSet::new();
        self.finish_rebuild_if_done(detector);
        while !self.stop.is_cancelled() {
            // The index's size, at most once a second, also when nothing happens.
            self.engine.report_index();
            let Some(result) = self.consumer.poll(Duration::from_millis(100)) else {
                continue;
            };
            match result {
                Ok(message) => {
                    self.records += 1;
                    let Some(payload) = message.payload() else {
                        continue; // a tombstone: nothing kabar writes
                    };
                    let read = match decode(payload, &self.scheme) {
                        Ok(decoded) => self.apply(detector, &decoded),
                        Err(DecodeError::Foreign(scheme)) => {
                            if reported_foreign.insert(scheme.clone()) {
                                events::emit(ForeignFingerprints {
                                    theirs: &scheme,
                                    ours: &self.scheme,
                                });
                            }
                            FingerprintRead {
                                result: FingerprintResult::Foreign,
                                propagation_seconds: None,
                            }
                        }
                        Err(DecodeError::Invalid(error)) => {
                            events::emit(FingerprintInvalid {
                                error: &error,
                                partition: message.partition(),
                                offset: message.offset(),
                            });
                            continue;
                        }
                    };
                    events::emit(read);
                }
                Err(KafkaError::PartitionEOF(partition)) => {
                    self.waiting.remove(&partition);
                    self.finish_rebuild_if_done(detector);
                }
                Err(error) => {
                    events::emit(FingerprintConsumeError { error: &error });
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    fn apply(&self, detector: &Detector, decoded: &Decoded) -> FingerprintRead {
        let result = match detector.apply(&decoded.record) {
            Applied::Added => FingerprintResult::Added,
            Applied::Unchanged => FingerprintResult::Unchanged,
            Applied::OutOfWindow => FingerprintResult::OutOfWindow,
        };
        // Another instance's decision, read live (not during the rebuild): how long it took.
        let propagation_seconds = (decoded.instance != self.instance && self.rebuilt.is_none())
            .then(|| (now_ms() - decoded.decided_at_ms) as f64 / 1000.0);
        FingerprintRead {
            result,
            propagation_seconds,
        }
    }

    fn finish_rebuild_if_done(&mut self, detector: &Detector) {
        if !self.waiting.is_empty() {
            return;
        }
        if let Some(rebuilt) = self.rebuilt.take() {
            events::emit(IndexRebuilt {
                stats: detector.stats(),
                records: self.records,
                seconds: self.started.elapsed().as_secs_f64(),
            });
            let _ = rebuilt.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kabar_pipeline::dedup::{DedupConfig, EventTime};

    #[test]
    fn records_round_trip_and_other_formats_are_refused() {
        let detector = Detector::new(DedupConfig::default());
        let body = "Heavy overnight rain flooded dozens of neighbourhoods in Jakarta on Monday, \
            cutting power to thousands of homes and forcing schools to close, officials said.";
        let fingerprint = detector.fingerprint(body);
        detector.decide("a", "", EventTime::Millis(1), fingerprint.as_ref());
        let (_, record) = detector.decide("b", "", EventTime::Millis(2), fingerprint.as_ref());
        let record = record.expect("a record");
        assert!(record.duplicate.is_some());
        let writer = Fingerprints {
            topic: "fp".to_owned(),
            scheme: detector.scheme(),
            instance: "me".to_owned(),
        };
        let payload = writer.payload(&record);
        let decoded = decode(&payload, &detector.scheme()).expect("decodes");
        assert_eq!(decoded.record, record);
        assert_eq!(decoded.instance, "me");
        assert!(matches!(
            decode(&payload, "other"),
            Err(DecodeError::Foreign(_))
        ));
        assert!(matches!(
            decode(b"\xff\xff", "x"),
            Err(DecodeError::Invalid(_))
        ));
        let truncated = kabar_proto::v1::Fingerprint {
            id: "x".into(),
            story: "x".into(),
            scheme: detector.scheme(),
            sketch: vec![0; 3],
            ..Default::default()
        };
        assert!(matches!(
            decode(&truncated.encode_to_vec(), &detector.scheme()),
            Err(DecodeError::Invalid(_))
        ));
    }
}
