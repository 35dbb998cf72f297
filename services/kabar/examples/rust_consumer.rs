//! An example downstream consumer of kabar's topics, in Rust: rdkafka plus the generated types
//! of `kabar-proto`. It reads JSON (the proto3 JSON mapping, through pbjson's serde) and binary
//! protobuf alike, choosing by the `content-type` header, and prints one line per article.
//!
//! ```sh
//! cargo run -p kabar --example rust_consumer -- localhost:9092 news.lang.ind.v1 [MAX]
//! ```

#![allow(clippy::print_stdout)] // an example command-line consumer prints what it reads

use std::time::Duration;

use kabar_proto::Message as _;
use kabar_proto::v1::EnrichedArticle;
use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Headers;

fn decode(message: &rdkafka::message::BorrowedMessage<'_>) -> Result<EnrichedArticle, String> {
    let payload = message.payload().unwrap_or_default();
    let protobuf = message.headers().is_some_and(|headers| {
        headers
            .iter()
            .any(|h| h.key == "content-type" && h.value == Some(&b"application/x-protobuf"[..]))
    });
    if protobuf {
        EnrichedArticle::decode(payload).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(payload).map_err(|e| e.to_string())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, brokers, topic, rest @ ..] = args.as_slice() else {
        return Err("usage: rust_consumer BROKERS TOPIC [MAX]".into());
    };
    let max: usize = rest.first().map_or(Ok(usize::MAX), |m| m.parse())?;
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("rust-example-{}", std::process::id()))
        .set("auto.offset.reset", "earliest")
        .create()?;
    consumer.subscribe(&[topic.as_str()])?;
    let mut seen = 0;
    while seen < max {
        let message = tokio::time::timeout(Duration::from_secs(60), consumer.recv())
            .await
            .map_err(|_| format!("no message for 60 s after {seen} article(s)"))??;
        let article = decode(&message).map_err(|e| {
            format!(
                "offset {}: not a kabar.v1.EnrichedArticle: {e}",
                message.offset()
            )
        })?;
        let language = article.language.as_ref().map_or("und", |l| l.code.as_str());
        let people: Vec<&str> = article
            .entities
            .iter()
            .filter(|e| e.r#type() == kabar_proto::v1::EntityType::Per)
            .map(|e| e.name.as_str())
            .collect();
        println!(
            "{}\t{language}\t{}\t{}",
            article.id,
            article.title,
            people.join(", ")
        );
        seen += 1;
    }
    Ok(())
}
