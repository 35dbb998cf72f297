//! What happens to an article: consumed, enriched, dead-lettered, produced, delivered.

use std::time::{SystemTime, UNIX_EPOCH};

use kabar_pipeline::Processed;

use super::internal_event::InternalEvent;
use super::internal_event::targets::{FILES, KAFKA};
use crate::dead_letter::DeadLetter;
use crate::metrics::METRICS;

/// An input message was received (from Kafka, or read from a file: topic `file`).
pub struct MessageConsumed<'a> {
    pub topic: &'a str,
}

impl InternalEvent for MessageConsumed<'_> {
    fn emit(self) {
        METRICS
            .messages_consumed
            .with_label_values(&[self.topic])
            .inc();
    }
}

/// The pipeline enriched an article: time per stage, its language and its entities.
pub struct ArticleEnriched<'a> {
    pub processed: &'a Processed,
}

impl InternalEvent for ArticleEnriched<'_> {
    fn emit(self) {
        for (stage, elapsed) in &self.processed.timings {
            METRICS
                .stage_duration
                .with_label_values(&[stage.as_str()])
                .observe(elapsed.as_secs_f64());
        }
        let article = &self.processed.article;
        if let Some(language) = &article.language {
            METRICS.articles.with_label_values(&[&language.code]).inc();
        }
        for entity in &article.entities {
            METRICS
                .entities
                .with_label_values(&[entity.entity_type.as_str()])
                .inc();
        }
    }
}

/// Where a dead-lettered input came from.
pub enum DeadLetterSource<'a> {
    /// A Kafka message.
    Kafka {
        topic: &'a str,
        partition: i32,
        offset: i64,
    },
    /// File mode: `file.jsonl:12`, or `stdin:3`.
    File { origin: &'a str },
}

/// An input goes to the dead-letter topic (or file) with its reason.
pub struct DeadLettered<'a> {
    pub letter: &'a DeadLetter,
    pub source: DeadLetterSource<'a>,
}

impl InternalEvent for DeadLettered<'_> {
    fn emit(self) {
        let letter = self.letter;
        let (stage, code) = (letter.stage.as_str(), letter.code.as_str());
        match self.source {
            DeadLetterSource::Kafka {
                topic,
                partition,
                offset,
            } => tracing::info!(
                target: KAFKA,
                topic,
                partition,
                offset,
                stage,
                code,
                "dead letter: {}",
                letter.message
            ),
            DeadLetterSource::File { origin } => tracing::info!(
                target: FILES,
                origin = %origin,
                code,
                "dead letter: {}",
                letter.message
            ),
        }
        METRICS.dead_letters.with_label_values(&[stage, code]).inc();
    }
}

/// An output was acknowledged by the broker (or written, in file mode).
pub struct OutputProduced<'a> {
    pub topic: &'a str,
}

impl InternalEvent for OutputProduced<'_> {
    fn emit(self) {
        METRICS
            .messages_produced
            .with_label_values(&[self.topic])
            .inc();
    }
}

/// The first output of an input was acknowledged: the end-to-end latency, from the input's
/// timestamp (milliseconds since the epoch, when it has one).
pub struct ArticleDelivered {
    pub input_timestamp_ms: Option<i64>,
}

impl InternalEvent for ArticleDelivered {
    fn emit(self) {
        let Some(input) = self.input_timestamp_ms else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        if now >= input {
            METRICS
                .end_to_end_latency
                .observe((now - input) as f64 / 1000.0);
        }
    }
}

/// Articles being processed or produced.
pub enum InFlight {
    /// One more (at least once: a message task started).
    Began,
    /// One fewer (its task finished).
    Ended,
    /// Exactly this many (exactly once: the batch in its transaction; 0 between batches).
    Batch(usize),
}

impl InternalEvent for InFlight {
    fn emit(self) {
        match self {
            InFlight::Began => METRICS.in_flight.inc(),
            InFlight::Ended => METRICS.in_flight.dec(),
            InFlight::Batch(count) => METRICS
                .in_flight
                .set(i64::try_from(count).unwrap_or(i64::MAX)),
        }
    }
}

/// The topics known before any message, so dashboards show zeros rather than gaps.
pub struct TopicsKnown<'a> {
    pub inputs: &'a [String],
    /// The dead-letter topic and the routes' fixed topics.
    pub outputs: &'a [&'a str],
}

impl InternalEvent for TopicsKnown<'_> {
    fn emit(self) {
        for topic in self.inputs {
            METRICS
                .messages_consumed
                .with_label_values(&[topic.as_str()]);
        }
        for topic in self.outputs {
            METRICS.messages_produced.with_label_values(&[*topic]);
        }
    }
}
