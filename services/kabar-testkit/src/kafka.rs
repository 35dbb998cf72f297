//! A real Kafka broker shared by one test binary, and helpers to create topics, produce, read
//! and look at offsets.
//!
//! The broker is `deploy/kafka/kafka-local.sh` on free ports, started on first use and stopped
//! when the test binary exits. Set `KABAR_TEST_BROKERS` to use a broker that is already running
//! (`scripts/dev/test.sh` starts one for all test binaries).

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};

use crate::names::{free_port, unique};
use crate::paths::repo_root;

static BROKER: OnceLock<String> = OnceLock::new();
static STARTED_PORT: OnceLock<u16> = OnceLock::new();

/// Bootstrap servers of the shared broker, starting it on first use.
pub fn brokers() -> &'static str {
    BROKER.get_or_init(|| {
        if let Ok(existing) = std::env::var("KABAR_TEST_BROKERS") {
            if !existing.trim().is_empty() {
                return existing;
            }
        }
        let port = free_port();
        let controller = free_port();
        let status = Command::new("bash")
            .arg(repo_root().join("deploy/kafka/kafka-local.sh"))
            .arg("start")
            .env("KAFKA_PORT", port.to_string())
            .env("KAFKA_CONTROLLER_PORT", controller.to_string())
            .status()
            .expect("cannot run deploy/kafka/kafka-local.sh (needs bash, java and mvn)");
        assert!(status.success(), "the test broker did not start");
        STARTED_PORT.set(port).unwrap();
        register_stop_at_exit();
        format!("127.0.0.1:{port}")
    })
}

extern "C" fn stop_broker() {
    if let Some(port) = STARTED_PORT.get() {
        let _ = Command::new("bash")
            .arg(repo_root().join("deploy/kafka/kafka-local.sh"))
            .arg("stop")
            .env("KAFKA_PORT", port.to_string())
            .stdout(Stdio::null())
            .status();
    }
}

#[allow(unsafe_code)] // atexit: the test harness has no other end-of-run hook
fn register_stop_at_exit() {
    unsafe extern "C" {
        fn atexit(callback: extern "C" fn()) -> i32;
    }
    // SAFETY: registers a plain function with no captured state.
    unsafe {
        atexit(stop_broker);
    }
}

/// A client configuration for the shared broker.
pub fn client() -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", brokers());
    config
}

/// Creates topics (ignoring ones that exist).
pub async fn create_topics(names: &[&str], partitions: i32) {
    create_topics_with(names, partitions, &[]).await;
}

/// Creates topics with topic-level configuration (ignoring ones that exist).
pub async fn create_topics_with(names: &[&str], partitions: i32, config: &[(&str, &str)]) {
    let admin: AdminClient<DefaultClientContext> = client().create().unwrap();
    let topics: Vec<NewTopic> = names
        .iter()
        .map(|name| {
            config.iter().fold(
                NewTopic::new(name, partitions, TopicReplication::Fixed(1)),
                |topic, (key, value)| topic.set(key, value),
            )
        })
        .collect();
    let results = admin
        .create_topics(
            &topics,
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .unwrap();
    for result in results {
        if let Err((topic, code)) = result {
            assert_eq!(
                code,
                rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists,
                "cannot create {topic}"
            );
        }
    }
}

/// Produces `(key, payload)` pairs, waiting for every acknowledgement.
pub async fn produce(topic: &str, messages: &[(String, Vec<u8>)]) {
    let producer: FutureProducer = client()
        .set("linger.ms", "5")
        .set("message.max.bytes", "10000000")
        .create()
        .unwrap();
    let mut pending = Vec::with_capacity(messages.len());
    for (key, payload) in messages {
        let record = FutureRecord::to(topic)
            .key(key.as_bytes())
            .payload(payload.as_slice())
            .headers(OwnedHeaders::new().insert(Header {
                key: "traceparent",
                value: Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            }));
        let delivery = producer.send_result(record).map_err(|(e, _)| e).unwrap();
        pending.push(delivery);
    }
    for delivery in pending {
        delivery.await.unwrap().map_err(|(e, _)| e).unwrap();
    }
}

/// Reads `topic` from the beginning until `done` (shown each new message) says so or `timeout`
/// passes.
pub fn consume_until(
    topic: &str,
    timeout: Duration,
    mut done: impl FnMut(&OwnedMessage) -> bool,
) -> Vec<OwnedMessage> {
    let consumer: BaseConsumer = client()
        .set("group.id", unique("reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let deadline = Instant::now() + timeout;
    let mut messages = Vec::new();
    while Instant::now() < deadline {
        if let Some(result) = consumer.poll(Duration::from_millis(200)) {
            let message = result.unwrap().detach();
            let finished = done(&message);
            messages.push(message);
            if finished {
                break;
            }
        }
    }
    messages
}

/// The article id in an output message, if any.
pub fn article_id(message: &OwnedMessage) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(message.payload()?).ok()?;
    value["id"].as_str().map(str::to_owned)
}

/// A `done` for [`consume_until`]: true once `count` distinct article ids were seen.
pub fn distinct_ids(count: usize) -> impl FnMut(&OwnedMessage) -> bool {
    let mut seen = std::collections::HashSet::new();
    move |message| {
        if let Some(id) = article_id(message) {
            seen.insert(id);
        }
        seen.len() >= count
    }
}

/// A `done` for [`consume_until`]: true once `count` messages were seen.
pub fn at_least(count: usize) -> impl FnMut(&OwnedMessage) -> bool {
    let mut seen = 0;
    move |_| {
        seen += 1;
        seen >= count
    }
}

/// Keys of messages, as strings.
pub fn keys(messages: &[OwnedMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| m.key())
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// A header's value, as a string.
pub fn header(message: &OwnedMessage, name: &str) -> Option<String> {
    use rdkafka::message::Headers;
    message
        .headers()?
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| h.value)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Committed offsets of `group` on `topic`, per partition.
pub fn committed(group: &str, topic: &str, partitions: i32) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = client().set("group.id", group).create().unwrap();
    let mut list = TopicPartitionList::new();
    for partition in 0..partitions {
        list.add_partition(topic, partition);
    }
    let committed = consumer
        .committed_offsets(list, Duration::from_secs(10))
        .unwrap();
    committed
        .elements()
        .iter()
        .map(|e| {
            let offset = match e.offset() {
                Offset::Offset(o) => o,
                _ => -1,
            };
            (e.partition(), offset)
        })
        .collect()
}

/// End offsets (high watermarks) of `topic`, per partition.
pub fn end_offsets(topic: &str, partitions: i32) -> HashMap<i32, i64> {
    let consumer: BaseConsumer = client().set("group.id", unique("wm")).create().unwrap();
    (0..partitions)
        .map(|p| {
            let (_, high) = consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .unwrap();
            (p, high)
        })
        .collect()
}
