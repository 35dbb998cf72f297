//! The messages kabar writes for an input: its enriched article on each routed topic, or its
//! dead letter, with their headers.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use kabar_pipeline::dedup::{EventTime, Record};
use kabar_pipeline::route::Encoding;
use kabar_pipeline::{Failure, Processed};
use kabar_proto::Message as _;
use rdkafka::Message;
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};
use rdkafka::producer::FutureRecord;

use super::fingerprints::Fingerprints;
use crate::config::Config;
use crate::dead_letter::DeadLetter;
use crate::engine::{Engine, Prepared};
use crate::events::{self, DeadLetterSource, DeadLettered, TopicsKnown};

/// The schema every enriched article follows, in the `kabar-schema` header.
pub const SCHEMA: &str = kabar_proto::ENRICHED_ARTICLE;

/// `content-type` of JSON outputs.
pub const CONTENT_TYPE_JSON: &str = "application/json";

/// `content-type` of binary protobuf outputs.
pub const CONTENT_TYPE_PROTOBUF: &str = "application/x-protobuf";

/// Why an enriched article could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("cannot encode as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The binary protobuf form of an article, from its proto3 JSON form.
pub fn to_protobuf(json: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    let message: kabar_proto::v1::EnrichedArticle = serde_json::from_slice(json)?;
    Ok(message.encode_to_vec())
}

/// Longest error message put in a dead-letter header.
const MAX_ERROR_MESSAGE_BYTES: usize = 512;

/// One message to produce.
#[derive(Debug, Clone)]
pub struct Output {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: OwnedHeaders,
}

impl Output {
    /// The record to hand to the producer.
    pub fn record(&self) -> FutureRecord<'_, [u8], [u8]> {
        let mut record = FutureRecord::to(&self.topic)
            .payload(self.payload.as_slice())
            .headers(self.headers.clone());
        if let Some(key) = &self.key {
            record = record.key(key.as_slice());
        }
        record
    }
}

/// Where an input's outputs go besides its routes.
pub struct OutputTopics {
    pub dead_letters: String,
    /// The fingerprint topic's writer, when near-duplicate detection is on.
    pub fingerprints: Option<Fingerprints>,
}

impl OutputTopics {
    pub fn new(config: &Config, engine: &Engine) -> Self {
        Self {
            dead_letters: config.kafka.dead_letter_topic.clone(),
            fingerprints: Fingerprints::new(config, engine),
        }
    }
}

/// The first step of an input, in parallel with others: enriched up to its fingerprint.
pub async fn prepare(engine: &Engine, message: &OwnedMessage) -> Result<Prepared, Failure> {
    let payload: Arc<[u8]> = Arc::from(message.payload().unwrap_or_default());
    engine.prepare(payload).await
}

/// The event time of an input: its timestamp, else now.
fn event_time(message: &OwnedMessage) -> EventTime {
    EventTime::Millis(message.timestamp().to_millis().unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }))
}

/// The second step, in input order: the near-duplicate decision and routes, then the outputs
/// (or the dead letter), and the fingerprint record last.
pub fn outputs(
    engine: &Engine,
    topics: &OutputTopics,
    message: &OwnedMessage,
    prepared: Result<Prepared, Failure>,
) -> Vec<Output> {
    let routed = prepared.and_then(|prepared| engine.complete(prepared, event_time(message)));
    let (letter, fingerprint) = match routed {
        // One settings snapshot enriched the article and chose its topics.
        Ok(routed) => {
            let processed = &routed.processed;
            let fingerprint = topics
                .fingerprints
                .as_ref()
                .zip(processed.record.as_ref())
                .map(|(writer, record)| fingerprint_output(writer, record));
            match enriched_outputs(processed, &routed.destinations, message) {
                Ok(mut outputs) => {
                    outputs.extend(fingerprint);
                    return outputs;
                }
                Err(error) => (
                    DeadLetter::encode_failed(&error, &processed.article.id),
                    fingerprint,
                ),
            }
        }
        Err(failure) => (DeadLetter::from_failure(&failure), None),
    };
    let mut outputs = vec![dead_letter_output(&topics.dead_letters, message, &letter)];
    outputs.extend(fingerprint);
    outputs
}

/// An article's fingerprint record, keyed by its id, for the other instances' indexes.
fn fingerprint_output(writer: &Fingerprints, record: &Record) -> Output {
    Output {
        topic: writer.topic.clone(),
        key: Some(record.id.as_bytes().to_vec()),
        payload: writer.payload(record),
        headers: OwnedHeaders::new()
            .insert(Header {
                key: "kabar-schema",
                value: Some(kabar_proto::FINGERPRINT),
            })
            .insert(Header {
                key: "content-type",
                value: Some(CONTENT_TYPE_PROTOBUF),
            }),
    }
}

/// The dead letter of `input` for `letter`, reported as it is made.
pub fn dead_letter_output(topic: &str, input: &OwnedMessage, letter: &DeadLetter) -> Output {
    events::emit(DeadLettered {
        letter,
        source: DeadLetterSource::Kafka {
            topic: input.topic(),
            partition: input.partition(),
            offset: input.offset(),
        },
    });
    dead_letter(topic, input, letter)
}

/// Tells the metrics every topic known before the first message: inputs, the dead-letter topic,
/// the fingerprint topic and the routes' fixed topics.
pub fn register_topics(config: &Config, engine: &Engine) {
    let static_topics = engine.settings().routes.static_topics.clone();
    let mut outputs = vec![config.kafka.dead_letter_topic.as_str()];
    if engine.pipeline().detector().is_some() {
        outputs.push(config.kafka.fingerprint_topic.as_str());
    }
    outputs.extend(static_topics.iter().map(String::as_str));
    events::emit(TopicsKnown {
        inputs: &config.kafka.input_topics,
        outputs: &outputs,
    });
}

fn header_value<'m>(message: &'m OwnedMessage, name: &str) -> Option<&'m [u8]> {
    message
        .headers()?
        .iter()
        .find(|h| h.key.eq_ignore_ascii_case(name))
        .and_then(|h| h.value)
}

/// One output per routed topic, in the route's encoding. The Kafka key is kept; without one,
/// the article id is the key, so every output of an article lands in one partition of each topic.
pub fn enriched_outputs(
    processed: &Processed,
    destinations: &[(String, Encoding)],
    input: &OwnedMessage,
) -> Result<Vec<Output>, EncodeError> {
    let article = &processed.article;
    let json = serde_json::to_vec(article)?;
    let protobuf = if destinations.iter().any(|(_, e)| *e == Encoding::Protobuf) {
        Some(to_protobuf(&json)?)
    } else {
        None
    };
    let key = input
        .key()
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| article.id.as_bytes().to_vec());
    let mut headers = OwnedHeaders::new()
        .insert(Header {
            key: "kabar-schema",
            value: Some(SCHEMA),
        })
        .insert(Header {
            key: "kabar-article-id",
            value: Some(article.id.as_str()),
        });
    if let Some(traceparent) = header_value(input, "traceparent") {
        headers = headers.insert(Header {
            key: "traceparent",
            value: Some(traceparent),
        });
    }
    Ok(destinations
        .iter()
        .map(|(topic, encoding)| {
            let (payload, content_type) = match (encoding, &protobuf) {
                (Encoding::Protobuf, Some(binary)) => (binary.clone(), CONTENT_TYPE_PROTOBUF),
                _ => (json.clone(), CONTENT_TYPE_JSON),
            };
            Output {
                topic: topic.clone(),
                key: Some(key.clone()),
                payload,
                headers: headers.clone().insert(Header {
                    key: "content-type",
                    value: Some(content_type),
                }),
            }
        })
        .collect())
}

/// The `kabar-article-id` header of an output.
pub fn article_id_header(output: &Output) -> Option<String> {
    output
        .headers
        .iter()
        .find(|h| h.key == "kabar-article-id")
        .and_then(|h| h.value)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Benchmarking: the input unchanged, to `topic`, with its key and headers.
pub fn passthrough(topic: &str, input: &OwnedMessage) -> Output {
    Output {
        topic: topic.to_owned(),
        key: input.key().map(<[u8]>::to_vec),
        payload: input.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        headers: input.headers().cloned().unwrap_or_default(),
    }
}

/// The input, unchanged, with its own headers and the reason it could not be enriched.
pub fn dead_letter(topic: &str, input: &OwnedMessage, reason: &DeadLetter) -> Output {
    let mut headers = OwnedHeaders::new();
    if let Some(original) = input.headers() {
        for header in original.iter() {
            headers = headers.insert(header);
        }
    }
    let mut message = reason.message.clone();
    if message.len() > MAX_ERROR_MESSAGE_BYTES {
        let mut cut = MAX_ERROR_MESSAGE_BYTES;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
    }
    let partition = input.partition().to_string();
    let offset = input.offset().to_string();
    for (key, value) in [
        ("kabar-source-topic", input.topic()),
        ("kabar-source-partition", partition.as_str()),
        ("kabar-source-offset", offset.as_str()),
        ("kabar-error-stage", reason.stage.as_str()),
        ("kabar-error-code", reason.code.as_str()),
        ("kabar-error-message", message.as_str()),
        ("kabar-article-id", reason.article_id.as_str()),
    ] {
        headers = headers.insert(Header {
            key,
            value: Some(value),
        });
    }
    Output {
        topic: topic.to_owned(),
        key: input.key().map(<[u8]>::to_vec),
        payload: input.payload().map(<[u8]>::to_vec).unwrap_or_default(),
        headers,
    }
}
