//! The messages kabar writes for an input: its enriched article on each routed topic, or its
//! dead letter, with their headers.

use std::sync::Arc;

use kabar_pipeline::Processed;
use kabar_pipeline::route::Encoding;
use kabar_proto::Message as _;
use rdkafka::Message;
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};
use rdkafka::producer::FutureRecord;

use crate::config::Config;
use crate::dead_letter::DeadLetter;
use crate::engine::Engine;
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

/// Enriches one input: its outputs, or its dead letter.
pub async fn outputs_for(
    engine: &Engine,
    dead_letter_topic: &str,
    message: &OwnedMessage,
) -> Vec<Output> {
    let payload: Arc<[u8]> = Arc::from(message.payload().unwrap_or_default());
    let letter = match engine.enrich_routed(payload).await {
        // One settings snapshot enriched the article and chose its topics.
        Ok(routed) => match enriched_outputs(&routed.processed, &routed.destinations, message) {
            Ok(outputs) => return outputs,
            Err(error) => DeadLetter::encode_failed(&error, &routed.processed.article.id),
        },
        Err(failure) => DeadLetter::from_failure(&failure),
    };
    vec![dead_letter_output(dead_letter_topic, message, &letter)]
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

/// Tells the metrics every topic known before the first message: inputs, the dead-letter topic
/// and the routes' fixed topics.
pub fn register_topics(config: &Config, engine: &Engine) {
    let static_topics = engine.settings().routes.static_topics.clone();
    let mut outputs = vec![config.kafka.dead_letter_topic.as_str()];
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
