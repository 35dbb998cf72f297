//! `kabar tail TOPIC`: subscribes to a topic and pretty-prints what arrives, JSON or protobuf.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use kabar_proto::Message as _;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Headers;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::kafka::records::CONTENT_TYPE_PROTOBUF;

/// One `--where` filter: `lang=ind`, `type=PER`, `entity=Q423`, `source=antara`, `id=...`,
/// `duplicate=false` (first copies only; `true`: near copies only), `story=<id>`.
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
    Duplicate,
    Story,
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
            "duplicate" => FilterField::Duplicate,
            "story" => FilterField::Story,
            other => {
                return Err(format!(
                    "unknown filter {other:?}; use lang, type, entity, source, id, duplicate or story"
                ));
            }
        };
        if field == FilterField::Duplicate && !matches!(value.trim(), "true" | "false") {
            return Err(format!("{text:?}: duplicate=true or duplicate=false"));
        }
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
            FilterField::Duplicate => article["duplicate"].is_object() == (self.value == "true"),
            FilterField::Story => article["story"]["id"] == self.value.as_str(),
        }
    }
}

/// What to tail.
#[derive(Debug, Clone)]
pub struct TailOptions {
    pub topic: String,
    pub from_beginning: bool,
    pub filters: Vec<Filter>,
    /// Stop after this many matching messages.
    pub max: Option<u64>,
    /// Stop after this long without a message.
    pub idle_timeout: Option<Duration>,
}

/// The message as JSON: enriched articles decoded from protobuf when the header says so;
/// other payloads (dead letters, raw input) as JSON when they are, else as text.
fn decode(message: &rdkafka::message::BorrowedMessage<'_>) -> serde_json::Value {
    let payload = message.payload().unwrap_or_default();
    let protobuf = message.headers().is_some_and(|headers| {
        headers
            .iter()
            .any(|h| h.key == "content-type" && h.value == Some(CONTENT_TYPE_PROTOBUF.as_bytes()))
    });
    if protobuf {
        if let Ok(article) = kabar_proto::v1::EnrichedArticle::decode(payload) {
            return serde_json::to_value(article).unwrap_or_default();
        }
    }
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(payload).into()))
}

/// Prints matching messages until `max`, the idle timeout, or shutdown.
pub async fn run(
    config: &Config,
    options: TailOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<u64> {
    let group = format!("kabar-tail-{}", std::process::id());
    let consumer: StreamConsumer = crate::kafka::client::tool_client_config(config)
        .set("group.id", &group)
        .set("enable.auto.commit", "false")
        .set(
            "auto.offset.reset",
            if options.from_beginning {
                "earliest"
            } else {
                "latest"
            },
        )
        .create()
        .context("cannot create Kafka consumer")?;
    consumer
        .subscribe(&[options.topic.as_str()])
        .with_context(|| format!("cannot subscribe to {}", options.topic))?;
    let mut printed = 0u64;
    let mut stdout = std::io::stdout().lock();
    loop {
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
            Err(error) => bail!("cannot read {}: {error}", options.topic),
        };
        let value = decode(&message);
        if !options.filters.iter().all(|f| f.matches(&value)) {
            continue;
        }
        writeln!(
            stdout,
            "# {} partition {} offset {}",
            message.topic(),
            message.partition(),
            message.offset()
        )?;
        writeln!(stdout, "{}", serde_json::to_string_pretty(&value)?)?;
        stdout.flush()?;
        printed += 1;
        if options.max.is_some_and(|max| printed >= max) {
            break;
        }
    }
    Ok(printed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let article = serde_json::json!({
            "id": "a", "source": "antara", "language": {"code": "ind"}, "story": {"id": "a"},
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
            ("duplicate=false", true),
            ("duplicate=true", false),
            ("story=a", true),
        ] {
            let filter: Filter = filter.parse().expect("valid");
            assert_eq!(filter.matches(&article), expected, "{filter:?}");
        }
        let copy = serde_json::json!({"id": "c", "duplicate": {"of": "a", "similarity": 0.9}});
        assert!(
            "duplicate=true"
                .parse::<Filter>()
                .expect("valid")
                .matches(&copy)
        );
        assert!("duplicate=maybe".parse::<Filter>().is_err());
        assert!("nope=1".parse::<Filter>().is_err());
        assert!("lang".parse::<Filter>().is_err());
    }
}
