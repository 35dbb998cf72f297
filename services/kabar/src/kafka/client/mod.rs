//! The Kafka client as both delivery loops and the tools use it: client configuration (brokers,
//! security, the configured librdkafka overrides), consumer and producer creation, subscription,
//! and the wait for the broker at start-up.

mod context;

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, StreamConsumer};
use rdkafka::producer::FutureProducer;
use tokio_util::sync::CancellationToken;

pub use context::KabarContext;

use super::offsets::OffsetTracker;
use crate::config::{Config, Delivery};
use crate::engine::Engine;
use crate::events::{self, BrokerNotAnswering, BrokerUnreachableAtStartup, MetadataProbeFailed};
use crate::exit::Exit;
use crate::metrics::ClientRole;
use crate::status::ServiceState;

/// What both of the service's clients share: the service's state, and the token a fatal client
/// error cancels.
#[derive(Clone)]
pub struct ClientShared {
    pub state: Arc<ServiceState>,
    pub stop: CancellationToken,
}

/// kabar's consumer: its context feeds rebalances to the offset tracker.
pub type KabarConsumer = StreamConsumer<KabarContext>;
/// kabar's producer.
pub type KabarProducer = FutureProducer<KabarContext>;

/// Brokers and security settings.
fn client_config(config: &Config) -> ClientConfig {
    let mut client = ClientConfig::new();
    client.set("bootstrap.servers", &config.kafka.brokers);
    config.kafka.apply_security(&mut client);
    client
}

/// The configured librdkafka properties (`kafka.client`), applied last so they win.
fn apply_overrides(client: &mut ClientConfig, config: &Config) {
    for (key, value) in &config.kafka.client {
        client.set(key, value);
    }
}

/// A client configuration for kabar's tools (produce, tail, replay): brokers plus the
/// configured librdkafka overrides (security settings among them).
pub fn tool_client_config(config: &Config) -> ClientConfig {
    let mut client = client_config(config);
    apply_overrides(&mut client, config);
    client
}

/// The consumer of the input topics. `tracker` hears of revoked partitions; `revoked` is set
/// when partitions are revoked (the exactly-once loop drops the batch it was building).
pub fn create_consumer(
    config: &Config,
    tracker: Arc<OffsetTracker>,
    revoked: Arc<AtomicBool>,
    shared: &ClientShared,
) -> anyhow::Result<KabarConsumer> {
    let mut client = client_config(config);
    client
        .set("group.id", &config.kafka.group_id)
        .set("auto.offset.reset", "earliest");
    match config.kafka.delivery {
        Delivery::AtLeastOnce => client
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            // Offsets are stored by kabar only once every output of a message is acknowledged.
            .set("enable.auto.offset.store", "false"),
        // Offsets are committed inside each transaction; only committed input is read.
        Delivery::ExactlyOnce => client
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed"),
    };
    client
        .set("session.timeout.ms", "10000")
        .set("heartbeat.interval.ms", "2000")
        .set("statistics.interval.ms", "5000")
        // Bounds memory: librdkafka's prefetch queue, per partition.
        .set("queued.max.messages.kbytes", "16384");
    apply_overrides(&mut client, config);
    let context = KabarContext {
        role: ClientRole::Consumer,
        tracker,
        input_topics: config.kafka.input_topics.clone(),
        revoked,
        state: Some(Arc::clone(&shared.state)),
        stop: shared.stop.clone(),
        totals: Mutex::default(),
    };
    client
        .create_with_context(context)
        .context("cannot create Kafka consumer")
}

/// The producer of outputs and dead letters (transactional with exactly-once delivery).
pub fn create_producer(config: &Config, shared: &ClientShared) -> anyhow::Result<KabarProducer> {
    let mut client = client_config(config);
    match config.kafka.delivery {
        // Not idempotent, one request in flight per broker connection: outputs stay in order
        // and a retry can only repeat them, which at least once allows. librdkafka's idempotent
        // producer (2.12) compares the partition's in-flight *messages* with its limit of 5
        // in-flight *requests*, so once a request of 5 or more messages is out, the partition's
        // next batch waits for its response, and the broker thread polls with a zero timeout
        // until it comes (rd_kafka_toppar_producer_serve). Whenever the broker answers slower
        // than linger.ms that thread spins: fed 3,000 articles/s beside a local broker on 2
        // CPUs, it took 1-4.5 CPU-seconds per 5 s in half the runs, starving the broker further.
        Delivery::AtLeastOnce => client
            .set("enable.idempotence", "false")
            .set("max.in.flight.requests.per.connection", "1"),
        // Transactions need the idempotent producer.
        Delivery::ExactlyOnce => client.set("enable.idempotence", "true"),
    };
    client
        .set("acks", "all")
        // 10 ms, not 5: fewer, larger produce requests. Enriching 60,000 articles through a
        // local broker, librdkafka's broker threads used 1.1-1.6 CPU-seconds at 5 ms and
        // 0.35-0.6 at 10 ms (0.25 at 25 ms), about a tenth of kabar's CPU, for at most 5 ms
        // more latency when the output is quiet.
        .set("linger.ms", "10")
        .set("compression.type", "lz4")
        .set("message.timeout.ms", "30000")
        // Queue depth, round-trip times, request errors and bytes for the metrics.
        .set("statistics.interval.ms", "5000")
        // Room for a dead letter carrying the largest accepted input unchanged, plus headers.
        .set(
            "message.max.bytes",
            (config.pipeline.max_payload_bytes + 1024 * 1024)
                .max(1_000_000)
                .to_string(),
        );
    if config.kafka.delivery == Delivery::ExactlyOnce {
        client
            .set("transactional.id", config.transactional_id())
            .set("transaction.timeout.ms", "60000");
    }
    apply_overrides(&mut client, config);
    let context = KabarContext {
        role: ClientRole::Producer,
        tracker: Arc::new(OffsetTracker::new()),
        input_topics: Vec::new(),
        revoked: Arc::default(),
        state: Some(Arc::clone(&shared.state)),
        stop: shared.stop.clone(),
        totals: Mutex::default(),
    };
    client
        .create_with_context(context)
        .context("cannot create Kafka producer")
}

/// Subscribes to the input topics; returns their names.
pub fn subscribe<'c>(consumer: &KabarConsumer, config: &'c Config) -> anyhow::Result<Vec<&'c str>> {
    let topics: Vec<&str> = config
        .kafka
        .input_topics
        .iter()
        .map(String::as_str)
        .collect();
    consumer
        .subscribe(&topics)
        .context("cannot subscribe to input topics")?;
    Ok(topics)
}

/// Waits until the broker answers a metadata request, shutdown, or `kafka.startup_timeout_ms`
/// (an [`Exit::Unavailable`] error).
pub async fn wait_for_broker(
    consumer: &Arc<KabarConsumer>,
    config: &Config,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let probe = Arc::clone(consumer);
        let answered = tokio::task::spawn_blocking(move || {
            probe
                .client()
                .fetch_metadata(None, Duration::from_secs(5))
                .map(|_| ())
        })
        .await;
        match answered {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(error)) => events::emit(BrokerNotAnswering { error: &error }),
            Err(error) => events::emit(MetadataProbeFailed { error: &error }),
        }
        if let Some(timeout) = config.kafka.startup_timeout() {
            if started.elapsed() >= timeout {
                events::emit(BrokerUnreachableAtStartup {
                    brokers: &config.kafka.brokers,
                    seconds: timeout.as_secs(),
                });
                return Err(anyhow::anyhow!(
                    "no broker at {} answered within kafka.startup_timeout_ms ({} ms)",
                    config.kafka.brokers,
                    config.kafka.startup_timeout_ms
                ))
                .context(Exit::Unavailable);
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// While `shutdown` has not fired: when no broker has answered for a third of
/// `kafka.broker_timeout_ms`, asks for the cluster's metadata, so an idle instance (no input,
/// no output) still knows whether a broker is there.
pub fn spawn_broker_probe(
    consumer: Arc<KabarConsumer>,
    state: Arc<ServiceState>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let quiet = (state.health.broker_timeout() / 3)
        .clamp(Duration::from_millis(500), Duration::from_secs(10));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(quiet / 2) => {}
            }
            if state
                .health
                .since_broker_seen()
                .is_some_and(|since| since < quiet)
            {
                continue;
            }
            let probe = Arc::clone(&consumer);
            let answered = tokio::task::spawn_blocking(move || {
                probe.client().fetch_metadata(None, quiet).is_ok()
            })
            .await;
            if answered.unwrap_or(false) {
                state.health.broker_seen();
            }
        }
    })
}

/// The `topics` that do not exist on the cluster (asked with a short-lived client of its own,
/// so that nothing is created by asking).
pub async fn missing_topics(config: &Config, topics: &[String]) -> anyhow::Result<Vec<String>> {
    if topics.is_empty() {
        return Ok(Vec::new());
    }
    let client = tool_client_config(config);
    let wanted = topics.to_vec();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = client
            .create()
            .context("cannot create a Kafka client to check topics")?;
        let metadata = consumer
            .fetch_metadata(None, Duration::from_secs(10))
            .context("cannot read the cluster's topics")?;
        let existing: BTreeSet<&str> = metadata.topics().iter().map(|t| t.name()).collect();
        Ok(wanted
            .into_iter()
            .filter(|topic| !existing.contains(topic.as_str()))
            .collect())
    })
    .await
    .context("the topic check stopped")?
}

/// After the broker answered at start-up: every topic kabar writes to by name (the dead-letter
/// topic and the routes' fixed topics) must exist, since kabar never creates topics.
pub async fn check_output_topics(config: &Config, engine: &Engine) -> anyhow::Result<()> {
    let mut topics = vec![config.kafka.dead_letter_topic.clone()];
    topics.extend(engine.settings().routes.static_topics.iter().cloned());
    let missing = missing_topics(config, &topics).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(anyhow::anyhow!(
        "topics named by the configuration or the routes do not exist on the cluster: {}          (kabar does not create topics; create them, or fix the routes)",
        missing.join(", ")
    ))
    .context(Exit::Config)
}
