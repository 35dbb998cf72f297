//! Test support: a real Kafka broker shared by one test binary, unique topics, and helpers to
//! produce, consume and run the `kabar` binary.
//!
//! The broker is `deploy/kafka/kafka-local.sh` on free ports, started on first use and stopped
//! when the test binary exits. Set `KABAR_TEST_BROKERS` to use a broker that is already running
//! (CI starts one for all test binaries).

#![allow(dead_code, clippy::unwrap_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};

pub mod corpus;
pub mod prometheus;
pub mod python;

static BROKER: OnceLock<String> = OnceLock::new();
static STARTED_PORT: OnceLock<u16> = OnceLock::new();

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

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

/// A name no other test (or earlier run on the same broker) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

fn client() -> ClientConfig {
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

/// A running `kabar run` process against the test broker.
pub struct Kabar {
    pub child: Child,
    pub http: String,
}

/// How to start kabar: its input topic, group, dead-letter topic, routes and extra variables.
pub struct KabarOptions<'a> {
    pub input_topic: &'a str,
    pub group: &'a str,
    pub dead_letter_topic: &'a str,
    pub routes_file: Option<&'a std::path::Path>,
    pub env: Vec<(&'a str, String)>,
}

impl Kabar {
    pub fn start(options: &KabarOptions<'_>) -> Self {
        let port = free_port();
        let http = format!("127.0.0.1:{port}");
        let mut command = Command::new(env!("CARGO_BIN_EXE_kabar"));
        command
            .args([
                "run",
                "--brokers",
                brokers(),
                "--input-topics",
                options.input_topic,
            ])
            .args(["--group-id", options.group, "--http-addr", &http])
            .env("KABAR_KAFKA_DEAD_LETTER_TOPIC", options.dead_letter_topic)
            .env("KABAR_LOG_LEVEL", "warn")
            .stdout(Stdio::null());
        if let Some(routes) = options.routes_file {
            command.arg("--routes").arg(routes);
        }
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let child = command.spawn().expect("cannot start kabar");
        Self { child, http }
    }

    /// The `/metrics` page, once the endpoint answers.
    pub fn metrics(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match ureq::get(&format!("http://{}/metrics", self.http)).call() {
                Ok(mut response) => return response.body_mut().read_to_string().unwrap(),
                Err(error) if Instant::now() > deadline => panic!("no /metrics: {error}"),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// A metric's value for a label set written as in the exposition, e.g.
    /// `kabar_dead_letters_total{code="empty",stage="decode"}`.
    pub fn metric(&self, series: &str) -> f64 {
        self.metrics()
            .lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "kabar did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Kabar {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One test's own stream: input `<prefix>.raw`, dead letters `<prefix>.dlq`, outputs
/// `<prefix>.enriched` (topics created), a consumer group of its own, and a routes file sending
/// everything to `<prefix>.enriched` and `<prefix>.lang.{language}`.
pub struct Stream {
    pub prefix: String,
    pub input: String,
    pub dlq: String,
    pub enriched: String,
    pub group: String,
    pub routes: PathBuf,
    _dir: tempfile::TempDir,
}

impl Stream {
    pub async fn new(name: &str, partitions: i32) -> Self {
        let prefix = unique(name);
        let dir = tempfile::tempdir().unwrap();
        let stream = Self {
            input: format!("{prefix}.raw"),
            dlq: format!("{prefix}.dlq"),
            enriched: format!("{prefix}.enriched"),
            group: unique("kabar"),
            routes: routes_file(dir.path(), &prefix),
            prefix,
            _dir: dir,
        };
        create_topics(&[&stream.input, &stream.dlq, &stream.enriched], partitions).await;
        stream
    }

    /// How to start kabar on this stream, with extra environment variables.
    pub fn options(&self, env: Vec<(&'static str, String)>) -> KabarOptions<'_> {
        KabarOptions {
            input_topic: &self.input,
            group: &self.group,
            dead_letter_topic: &self.dlq,
            routes_file: Some(&self.routes),
            env,
        }
    }
}

/// A routes file sending everything to `<prefix>.enriched` and `<prefix>.lang.{language}`.
pub fn routes_file(dir: &std::path::Path, prefix: &str) -> PathBuf {
    let path = dir.join("routes.toml");
    std::fs::write(
        &path,
        format!(
            "[[route]]\ntopic = \"{prefix}.enriched\"\n\n[[route]]\ntopic = \"{prefix}.lang.{{language}}\"\n"
        ),
    )
    .unwrap();
    path
}
