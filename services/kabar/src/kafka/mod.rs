//! Kafka in, Kafka out, at least once.
//!
//! The consumer loop takes a message, hands it to a task and goes on, up to
//! `pipeline.max_in_flight` messages at once (then it waits: backpressure). Each task enriches
//! its article on the worker pool, enqueues its outputs (or its dead letter) in input order per
//! partition, waits until the broker acknowledges all of them, and only then tells the
//! [`offsets::OffsetTracker`] it is done; the tracker says which offset may be stored, and
//! librdkafka commits stored offsets. Transient produce errors are retried, never dead-lettered.

mod context;
pub use context::ERROR_KINDS;
mod exactly_once;
pub mod offsets;
pub mod records;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use rdkafka::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Delivery};
use crate::engine::Engine;
use crate::http::Readiness;
use crate::metrics::METRICS;
use context::KabarContext;
use offsets::{OffsetTracker, Ticket};
use records::{DeadLetterReason, Output};

/// How long shutdown waits for in-flight work before giving up on it (uncommitted, so it is
/// redone after restart).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

type KabarConsumer = StreamConsumer<KabarContext>;
type KabarProducer = FutureProducer<KabarContext>;

/// What every message task needs.
struct Shared {
    engine: Arc<Engine>,
    consumer: Arc<KabarConsumer>,
    producer: KabarProducer,
    tracker: Arc<OffsetTracker>,
    dead_letter_topic: String,
    /// Benchmarking: forward inputs here unchanged instead of enriching them.
    passthrough_topic: Option<String>,
    /// Fired when shutdown's grace period is over: tasks stop retrying.
    give_up: CancellationToken,
}

fn client_config(config: &Config) -> ClientConfig {
    let mut client = ClientConfig::new();
    client.set("bootstrap.servers", &config.kafka.brokers);
    config.kafka.apply_security(&mut client);
    client
}

pub(crate) fn apply_overrides(client: &mut ClientConfig, config: &Config) {
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

fn create_consumer(
    config: &Config,
    tracker: Arc<OffsetTracker>,
    revoked: Arc<std::sync::atomic::AtomicBool>,
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
        tracker,
        input_topics: config.kafka.input_topics.clone(),
        revoked,
    };
    client
        .create_with_context(context)
        .context("cannot create Kafka consumer")
}

fn create_producer(config: &Config) -> anyhow::Result<KabarProducer> {
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
        tracker: Arc::new(OffsetTracker::new()),
        input_topics: Vec::new(),
        revoked: Arc::default(),
    };
    client
        .create_with_context(context)
        .context("cannot create Kafka producer")
}

/// Consumes, enriches and produces until `shutdown` fires; then drains, flushes and commits.
pub async fn run(
    config: &Config,
    engine: Arc<Engine>,
    readiness: Arc<Readiness>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    if config.kafka.delivery == Delivery::ExactlyOnce {
        return exactly_once::run(config, engine, readiness, shutdown).await;
    }
    let tracker = Arc::new(OffsetTracker::new());
    let consumer = Arc::new(create_consumer(
        config,
        Arc::clone(&tracker),
        Arc::default(),
    )?);
    let producer = create_producer(config)?;
    let topics = subscribe(&consumer, config)?;

    register_topic_labels(config, &engine);
    wait_for_broker(&consumer, &shutdown).await;
    readiness.set(true);
    tracing::info!(brokers = %config.kafka.brokers, topics = ?topics, group = %config.kafka.group_id, "consuming");

    let shared = Arc::new(Shared {
        engine,
        consumer: Arc::clone(&consumer),
        producer,
        tracker,
        dead_letter_topic: config.kafka.dead_letter_topic.clone(),
        passthrough_topic: config.pipeline.passthrough_topic.clone(),
        give_up: CancellationToken::new(),
    });
    let store_retries = spawn_store_retries(
        Arc::clone(&shared.tracker),
        Arc::clone(&consumer),
        shutdown.clone(),
    );
    let permits = Arc::new(Semaphore::new(config.pipeline.max_in_flight));
    let mut tasks = JoinSet::new();
    let mut last_of_partition: HashMap<(String, i32), oneshot::Receiver<()>> = HashMap::new();

    loop {
        let permit = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            permit = Arc::clone(&permits).acquire_owned() => permit.context("permits closed")?,
        };
        let message = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            message = consumer.recv() => message,
        };
        while let Some(finished) = tasks.try_join_next() {
            if let Err(error) = finished {
                tracing::error!(%error, "message task failed");
            }
        }
        let message = match message {
            Ok(message) => message.detach(),
            Err(error) => {
                tracing::warn!(%error, "consume error");
                METRICS.kafka_errors.with_label_values(&["consume"]).inc();
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        METRICS
            .messages_consumed
            .with_label_values(&[message.topic()])
            .inc();
        let ticket = shared
            .tracker
            .begin(message.topic(), message.partition(), message.offset());
        let (enqueued, enqueued_signal) = oneshot::channel();
        let previous = last_of_partition.insert(
            (message.topic().to_owned(), message.partition()),
            enqueued_signal,
        );
        tasks.spawn(handle(
            Arc::clone(&shared),
            message,
            ticket,
            previous,
            enqueued,
            permit,
        ));
    }

    tracing::info!(
        in_flight = tasks.len(),
        "shutting down: finishing in-flight work"
    );
    readiness.set(false);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(finished) = tasks.join_next().await {
            if let Err(error) = finished {
                tracing::error!(%error, "message task failed");
            }
        }
    })
    .await;
    if drained.is_err() {
        shared.give_up.cancel();
        tracing::warn!(
            in_flight = shared.tracker.total_in_flight(),
            "grace period over: unfinished work stays uncommitted and is redone after restart"
        );
        while tasks.join_next().await.is_some() {}
    }
    if let Err(error) = shared.producer.flush(Duration::from_secs(10)) {
        tracing::warn!(%error, "producer flush failed");
    }
    let _ = store_retries.await;
    shared.tracker.store_pending(|topic, partition, offset| {
        store_offset(&shared.consumer, topic, partition, offset)
    });
    let consumer_for_commit = Arc::clone(&shared.consumer);
    let committed = tokio::task::spawn_blocking(move || {
        consumer_for_commit.commit_consumer_state(CommitMode::Sync)
    })
    .await?;
    match committed {
        Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {
            METRICS.offset_commits.with_label_values(&["ok"]).inc();
            tracing::info!("offsets committed; stopped");
        }
        Err(error) => {
            METRICS.offset_commits.with_label_values(&["error"]).inc();
            tracing::warn!(%error, "final offset commit failed");
        }
    }
    Ok(())
}

/// Subscribes to the input topics; returns their names.
fn subscribe<'c>(consumer: &KabarConsumer, config: &'c Config) -> anyhow::Result<Vec<&'c str>> {
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

/// Pre-registers the topic labels known before any message, so dashboards show zeros.
fn register_topic_labels(config: &Config, engine: &Engine) {
    for topic in &config.kafka.input_topics {
        METRICS
            .messages_consumed
            .with_label_values(&[topic.as_str()]);
    }
    METRICS
        .messages_produced
        .with_label_values(&[config.kafka.dead_letter_topic.as_str()]);
    for topic in engine.pipeline().router().static_topics() {
        METRICS
            .messages_produced
            .with_label_values(&[topic.as_str()]);
    }
}

/// Waits until the broker answers a metadata request (or shutdown).
async fn wait_for_broker(consumer: &Arc<KabarConsumer>, shutdown: &CancellationToken) {
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
            Ok(Ok(())) => return,
            Ok(Err(error)) => tracing::warn!(%error, "broker not answering yet"),
            Err(error) => tracing::warn!(%error, "metadata probe failed"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Hands an offset to the consumer's offset store (committed by the next auto-commit); false
/// when refused: the partition was revoked, or its assignment is in doubt after a session
/// timeout. The tracker offers it again ([`OffsetTracker::store_pending`]) or, once the
/// partition is revoked, drops it: its new owner redoes the work.
fn store_offset(consumer: &KabarConsumer, topic: &str, partition: i32, offset: i64) -> bool {
    match consumer.store_offset(topic, partition, offset) {
        Ok(()) => true,
        Err(error) => {
            tracing::debug!(%error, topic, partition, offset, "offset not stored");
            false
        }
    }
}

/// Every second, offers the offsets the consumer's store refused again, so a partition whose
/// input has stopped still gets its last offsets committed.
fn spawn_store_retries(
    tracker: Arc<OffsetTracker>,
    consumer: Arc<KabarConsumer>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticks.tick() => tracker.store_pending(|topic, partition, offset| {
                    store_offset(&consumer, topic, partition, offset)
                }),
            }
        }
    })
}

/// One message, start to finish.
async fn handle(
    shared: Arc<Shared>,
    message: OwnedMessage,
    ticket: Ticket,
    previous: Option<oneshot::Receiver<()>>,
    enqueued: oneshot::Sender<()>,
    _permit: OwnedSemaphorePermit,
) {
    METRICS.in_flight.inc();
    let payload: Arc<[u8]> = Arc::from(message.payload().unwrap_or_default());
    let outputs = if let Some(topic) = &shared.passthrough_topic {
        vec![records::passthrough(topic, &message)]
    } else {
        enrich_to_outputs(&shared.engine, &shared.dead_letter_topic, &message, payload).await
    };
    // Keep input order per partition: enqueue only after the previous message has.
    if let Some(previous) = previous {
        let _ = previous.await;
    }
    let mut pending = Vec::with_capacity(outputs.len());
    for output in outputs {
        pending.push(enqueue(&shared, &message, output).await);
    }
    let _ = enqueued.send(());

    let input_timestamp = message.timestamp().to_millis();
    let mut all_delivered = true;
    let mut first = true;
    for delivery in pending {
        let delivered = match delivery {
            Some((output, future)) => await_delivery(&shared, &message, output, future).await,
            None => false,
        };
        if delivered && first {
            observe_latency(input_timestamp);
            first = false;
        }
        all_delivered &= delivered;
    }
    if all_delivered {
        shared.tracker.finish(&ticket, |topic, partition, offset| {
            store_offset(&shared.consumer, topic, partition, offset)
        });
    }
    METRICS.in_flight.dec();
}

/// Enriches one input: its outputs, or its dead letter.
async fn enrich_to_outputs(
    engine: &Engine,
    dead_letter_topic: &str,
    message: &OwnedMessage,
    payload: Arc<[u8]>,
) -> Vec<Output> {
    match engine.enrich(payload).await {
        Ok(processed) => match records::enriched_outputs(
            &processed,
            &engine.pipeline().router().destinations(&processed.article),
            message,
        ) {
            Ok(outputs) => outputs,
            Err(error) => vec![dead_letter_for(
                dead_letter_topic,
                message,
                "route",
                "encode_failed",
                &error.to_string(),
                &processed.article.id,
            )],
        },
        Err(failure) => vec![dead_letter_for(
            dead_letter_topic,
            message,
            failure.error.stage().as_str(),
            failure.error.code(),
            &failure.error.to_string(),
            &failure.id,
        )],
    }
}

fn dead_letter_for(
    dead_letter_topic: &str,
    message: &OwnedMessage,
    stage: &str,
    code: &str,
    detail: &str,
    article_id: &str,
) -> Output {
    tracing::info!(
        topic = message.topic(),
        partition = message.partition(),
        offset = message.offset(),
        stage,
        code,
        "dead letter: {detail}"
    );
    METRICS.record_dead_letter(stage, code);
    records::dead_letter(
        dead_letter_topic,
        message,
        &DeadLetterReason {
            stage: stage.to_owned(),
            code: code.to_owned(),
            message: detail.to_owned(),
            article_id: article_id.to_owned(),
        },
    )
}

fn observe_latency(input_timestamp_ms: Option<i64>) {
    let Some(input) = input_timestamp_ms else {
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

fn record<'a>(output: &'a Output) -> FutureRecord<'a, [u8], [u8]> {
    let mut record = FutureRecord::to(&output.topic)
        .payload(output.payload.as_slice())
        .headers(output.headers.clone());
    if let Some(key) = &output.key {
        record = record.key(key.as_slice());
    }
    record
}

type DeliveryReport = rdkafka::producer::DeliveryFuture;

/// Hands an output to the producer's queue, waiting while the queue is full.
/// `None` when it can never be produced (it was dead-lettered instead, or shutdown gave up).
async fn enqueue(
    shared: &Shared,
    input: &OwnedMessage,
    output: Output,
) -> Option<(Output, DeliveryReport)> {
    let mut backoff = Duration::from_millis(20);
    loop {
        let result = shared
            .producer
            .send_result(record(&output))
            .map_err(|(error, _)| error);
        match result {
            Ok(future) => return Some((output, future)),
            Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {}
            Err(KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge)) => {
                return too_large(shared, input, output).await;
            }
            Err(error) => {
                tracing::warn!(%error, topic = %output.topic, "enqueue failed; retrying");
                METRICS.produce_retries.inc();
            }
        }
        if shared.give_up.is_cancelled() {
            return None;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

/// An output over the broker's size limit can never be produced: dead-letter its input
/// (unchanged) instead. A dead letter that is itself too large keeps its headers and loses its
/// payload, so the reason and the source offset still reach the dead-letter topic.
async fn too_large(
    shared: &Shared,
    input: &OwnedMessage,
    output: Output,
) -> Option<(Output, DeliveryReport)> {
    if output.topic == shared.dead_letter_topic {
        tracing::error!(topic = %output.topic, bytes = output.payload.len(), "dead letter itself too large; dropping its payload");
        let trimmed = Output {
            payload: Vec::new(),
            ..output
        };
        return shared
            .producer
            .send_result(record(&trimmed))
            .ok()
            .map(|future| (trimmed, future));
    }
    let letter = dead_letter_for(
        &shared.dead_letter_topic,
        input,
        "route",
        "output_too_large",
        &format!(
            "enriched article of {} bytes is over the producer's message size limit for {}",
            output.payload.len(),
            output.topic
        ),
        &records::article_id_header(&output).unwrap_or_default(),
    );
    Box::pin(enqueue(shared, input, letter)).await
}

/// Waits for the broker's acknowledgement, re-sending after transient failures.
async fn await_delivery(
    shared: &Shared,
    input: &OwnedMessage,
    mut output: Output,
    mut future: DeliveryReport,
) -> bool {
    let mut backoff = Duration::from_millis(100);
    loop {
        match future.await {
            Ok(Ok(_)) => {
                METRICS
                    .messages_produced
                    .with_label_values(&[output.topic.as_str()])
                    .inc();
                return true;
            }
            Ok(Err((KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge), _))) => {
                match too_large(shared, input, output).await {
                    Some((letter, next)) => {
                        output = letter;
                        future = next;
                        continue;
                    }
                    None => return false,
                }
            }
            Ok(Err((error, _))) => {
                tracing::warn!(%error, topic = %output.topic, "delivery failed; retrying");
            }
            Err(_canceled) => {
                tracing::warn!(topic = %output.topic, "delivery report lost; retrying");
            }
        }
        METRICS.produce_retries.inc();
        if shared.give_up.is_cancelled() {
            return false;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
        match enqueue(shared, input, output).await {
            Some((again, next)) => {
                output = again;
                future = next;
            }
            None => return false,
        }
    }
}
