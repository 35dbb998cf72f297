//! Kafka in, Kafka out, at least once.
//!
//! The consumer loop takes a message, hands it to a task and goes on, up to
//! `pipeline.max_in_flight` messages at once (then it waits: backpressure). Each task enriches
//! its article on the worker pool, then, in input order per partition, takes the near-duplicate
//! decision and enqueues its outputs (or its dead letter) and its fingerprint record; it waits
//! until the broker acknowledges all of them ([`delivery`]), and only then tells the
//! [`OffsetTracker`] it is done; the tracker says which offset may be stored, and librdkafka
//! commits stored offsets. Transient produce errors are retried, never dead-lettered. Before the
//! loop starts, the instance reads the fingerprint topic into its index
//! ([`fingerprints`](super::fingerprints)); until then it is not ready.

mod delivery;

use delivery::Deliverer;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::Producer;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::client::{self, ClientShared, KabarConsumer};
use super::fingerprints;
use super::offsets::{OffsetTracker, Ticket};
use super::records::{self, OutputTopics};
use crate::config::Config;
use crate::engine::Engine;
use crate::events::{
    self, ArticleDelivered, ConsumeError, ConsumingStarted, FinalCommit, GracePeriodOver, InFlight,
    MessageConsumed, MessageTaskFailed, OffsetNotStored, ProducerFlushFailed, ShuttingDown,
};
use crate::status::ServiceState;

/// How long shutdown waits for in-flight work before giving up on it (uncommitted, so it is
/// redone after restart).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// How long shutdown waits for the producer to flush its queue.
pub const SHUTDOWN_FLUSH: Duration = Duration::from_secs(10);

/// How long shutdown waits for the final offset commit.
pub const SHUTDOWN_COMMIT: Duration = Duration::from_secs(10);

/// What every message task needs.
struct Shared {
    engine: Arc<Engine>,
    consumer: Arc<KabarConsumer>,
    tracker: Arc<OffsetTracker>,
    state: Arc<ServiceState>,
    /// Benchmarking: forward inputs here unchanged instead of enriching them.
    passthrough_topic: Option<String>,
    /// The dead-letter topic and the fingerprint topic.
    topics: OutputTopics,
    delivery: Deliverer,
}

/// Consumes, enriches and produces until `shutdown` fires; then drains, flushes and commits.
pub async fn run(
    config: &Config,
    engine: Arc<Engine>,
    state: Arc<ServiceState>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let tracker = Arc::new(OffsetTracker::new());
    let clients = ClientShared {
        state: Arc::clone(&state),
        stop: shutdown.clone(),
    };
    let consumer = Arc::new(client::create_consumer(
        config,
        Arc::clone(&tracker),
        Arc::default(),
        &clients,
    )?);
    let producer = client::create_producer(config, &clients)?;
    let topics = client::subscribe(&consumer, config)?;

    records::register_topics(config, &engine);
    client::wait_for_broker(&consumer, config, &shutdown).await?;
    client::check_output_topics(config, &engine).await?;
    let output_topics = OutputTopics::new(config, &engine);
    // Ready, and consuming, only once the index holds the whole fingerprint topic.
    let reader = fingerprints::rebuild_before_consuming(
        config,
        &engine,
        output_topics.fingerprints.as_ref(),
        &state,
        &shutdown,
    )
    .await?;
    let probe =
        client::spawn_broker_probe(Arc::clone(&consumer), Arc::clone(&state), shutdown.clone());
    events::emit(ConsumingStarted {
        brokers: &config.kafka.brokers,
        topics: &topics,
        group: &config.kafka.group_id,
    });

    let shared = Arc::new(Shared {
        engine,
        consumer: Arc::clone(&consumer),
        tracker,
        state: Arc::clone(&state),
        passthrough_topic: config.pipeline.passthrough_topic.clone(),
        topics: output_topics,
        delivery: Deliverer {
            producer,
            dead_letter_topic: config.kafka.dead_letter_topic.clone(),
            give_up: CancellationToken::new(),
        },
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
                events::emit(MessageTaskFailed { error: &error });
            }
        }
        let message = match message {
            Ok(message) => {
                state.health.broker_seen();
                message.detach()
            }
            Err(error) => {
                events::emit(ConsumeError {
                    error: &error,
                    exactly_once: false,
                });
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        events::emit(MessageConsumed {
            topic: message.topic(),
        });
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

    events::emit(ShuttingDown {
        in_flight: tasks.len(),
    });
    state.health.set_shutting_down();
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while let Some(finished) = tasks.join_next().await {
            if let Err(error) = finished {
                events::emit(MessageTaskFailed { error: &error });
            }
        }
    })
    .await;
    if drained.is_err() {
        shared.delivery.give_up.cancel();
        events::emit(GracePeriodOver {
            in_flight: shared.tracker.total_in_flight(),
        });
        while tasks.join_next().await.is_some() {}
    }
    if let Err(error) = shared.delivery.producer.flush(SHUTDOWN_FLUSH) {
        events::emit(ProducerFlushFailed { error: &error });
    }
    let _ = store_retries.await;
    probe.abort();
    shared.tracker.store_pending(|topic, partition, offset| {
        store_offset(&shared.consumer, topic, partition, offset)
    });
    let consumer_for_commit = Arc::clone(&shared.consumer);
    let commit = tokio::task::spawn_blocking(move || {
        consumer_for_commit.commit_consumer_state(CommitMode::Sync)
    });
    // The broker may be gone: the commit gets its share of the shutdown budget, no more.
    let committed = match tokio::time::timeout(SHUTDOWN_COMMIT, commit).await {
        Ok(joined) => joined?,
        Err(_) => Err(KafkaError::Canceled),
    };
    events::emit(FinalCommit {
        result: match &committed {
            Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => Ok(()),
            Err(error) => Err(error),
        },
    });
    if committed.is_ok() {
        state.committed();
    }
    if let Some(reader) = reader {
        reader.stop().await;
    }
    Ok(())
}

/// Hands an offset to the consumer's offset store (committed by the next auto-commit); false
/// when refused: the partition was revoked, or its assignment is in doubt after a session
/// timeout. The tracker offers it again ([`OffsetTracker::store_pending`]) or, once the
/// partition is revoked, drops it: its new owner redoes the work.
fn store_offset(consumer: &KabarConsumer, topic: &str, partition: i32, offset: i64) -> bool {
    match consumer.store_offset(topic, partition, offset) {
        Ok(()) => true,
        Err(error) => {
            events::emit(OffsetNotStored {
                error: &error,
                topic,
                partition,
                offset,
            });
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
    mut previous: Option<oneshot::Receiver<()>>,
    enqueued: oneshot::Sender<()>,
    _permit: OwnedSemaphorePermit,
) {
    events::emit(InFlight::Began);
    shared.state.add_in_flight(1);
    let outputs = if let Some(topic) = &shared.passthrough_topic {
        vec![records::passthrough(topic, &message)]
    } else {
        let prepared = records::prepare(&shared.engine, &message).await;
        // Near duplicates are decided in input order per partition: after the previous message.
        if let Some(previous) = previous.take() {
            let _ = previous.await;
        }
        records::outputs(&shared.engine, &shared.topics, &message, prepared)
    };
    // Keep input order per partition: enqueue only after the previous message has.
    if let Some(previous) = previous {
        let _ = previous.await;
    }
    let mut pending = Vec::with_capacity(outputs.len());
    for output in outputs {
        pending.push(shared.delivery.enqueue(&message, output).await);
    }
    let _ = enqueued.send(());

    let input_timestamp_ms = message.timestamp().to_millis();
    let mut all_delivered = true;
    let mut first = true;
    for pending in pending {
        let delivered = match pending {
            Some((output, future)) => {
                shared
                    .delivery
                    .await_delivery(&message, output, future)
                    .await
            }
            None => false,
        };
        if delivered && first {
            events::emit(ArticleDelivered { input_timestamp_ms });
            first = false;
        }
        all_delivered &= delivered;
    }
    if all_delivered {
        shared.state.health.broker_seen();
        shared.tracker.finish(&ticket, |topic, partition, offset| {
            store_offset(&shared.consumer, topic, partition, offset)
        });
    }
    shared.state.add_in_flight(-1);
    events::emit(InFlight::Ended);
}
