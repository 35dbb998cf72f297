//! Exactly-once: a batch of input is enriched, its outputs produced and its input offsets
//! committed in one Kafka transaction, so consumers reading with
//! `isolation.level=read_committed` see every input's outputs once.
//!
//! The loop follows librdkafka's transactional model (and rust-rdkafka's `transactions`
//! example): `begin`, produce, `send_offsets_to_transaction` with the *next* offset of each
//! partition, `commit`. Errors are handled by class: retriable ones retry the call, abortable
//! ones abort the transaction and rewind the consumer to the batch's first offsets (the batch is
//! redone), fatal ones (a newer instance with the same transactional id fenced this one) stop
//! the process with an error, so the orchestrator restarts it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use rdkafka::consumer::{Consumer, ConsumerGroupMetadata};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::Producer;
use rdkafka::{Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;

use super::client::{self, ClientShared, KabarConsumer, KabarProducer};
use super::fingerprints;
use super::offsets::OffsetTracker;
use super::records::{self, Output, OutputTopics};
use crate::config::Config;
use crate::engine::Engine;
use crate::events::{
    self, AbortFailed, BatchDropped, ConsumeError, ConsumingExactlyOnce, ExactlyOnceStopped,
    InFlight, MessageConsumed, OutputProduced, RewindFailed, TransactionAborted,
    TransactionCallHung, TransactionCallRetried, TransactionCommitted,
};
use crate::exit::Exit;
use crate::status::ServiceState;

/// Timeout of each transactional call.
const TRANSACTION_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a transactional call may block before kabar concludes librdkafka will never return
/// it. When the group coordinator dies mid-transaction, `send_offsets_to_transaction` can ignore
/// its timeout and block for good, even after the broker is back (librdkafka issues 5456 and
/// 5511; seen in the chaos suite's broker-kill scenario), holding the producer and the blocking
/// thread. The process then exits: a restart with the same transactional id fences this producer
/// and aborts its open transaction.
const TRANSACTION_CALL_HUNG: Duration = Duration::from_secs(60);

/// How a transactional error is handled.
#[derive(Debug, PartialEq, Eq)]
enum ErrorClass {
    Retriable,
    Abortable,
    Fatal,
}

fn classify(error: &KafkaError) -> ErrorClass {
    match error {
        KafkaError::Transaction(inner) if inner.is_fatal() => ErrorClass::Fatal,
        KafkaError::Transaction(inner) if inner.txn_requires_abort() => ErrorClass::Abortable,
        KafkaError::Transaction(inner) if inner.is_retriable() => ErrorClass::Retriable,
        _ => ErrorClass::Abortable,
    }
}

/// Runs a blocking transactional call off the async workers.
async fn blocking<T: Send + 'static>(
    producer: &KabarProducer,
    call: impl FnOnce(&KabarProducer) -> Result<T, KafkaError> + Send + 'static,
) -> Result<T, KafkaError> {
    let producer = producer.clone();
    tokio::task::spawn_blocking(move || call(&producer))
        .await
        .unwrap_or_else(|_| Err(KafkaError::Canceled))
}

/// The consume → enrich → produce-and-commit loop with transactions.
pub async fn run(
    config: &Config,
    engine: Arc<Engine>,
    state: Arc<ServiceState>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let revoked: Arc<std::sync::atomic::AtomicBool> = Arc::default();
    let clients = ClientShared {
        state: Arc::clone(&state),
        stop: shutdown.clone(),
    };
    let consumer = Arc::new(client::create_consumer(
        config,
        Arc::new(OffsetTracker::new()),
        Arc::clone(&revoked),
        &clients,
    )?);
    let producer = client::create_producer(config, &clients)?;
    let topics = client::subscribe(&consumer, config)?;
    records::register_topics(config, &engine);
    client::wait_for_broker(&consumer, config, &shutdown).await?;
    client::check_output_topics(config, &engine).await?;
    // Fences any earlier instance with the same transactional id and settles its transactions.
    blocking(&producer, |p| p.init_transactions(TRANSACTION_CALL_TIMEOUT))
        .await
        .context("cannot initialise transactions")?;
    // After the fencing, so that a killed predecessor's open transaction (aborted by it) does not
    // hold the committed end of the fingerprint topic back: ready once the index holds it all.
    let output_topics = OutputTopics::new(config, &engine);
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
    events::emit(ConsumingExactlyOnce {
        transactional_id: &config.transactional_id(),
        topics: &topics,
    });

    let limits = (
        config.kafka.transaction_max_messages,
        Duration::from_millis(config.kafka.transaction_max_ms),
    );
    while !shutdown.is_cancelled() {
        revoked.store(false, Ordering::SeqCst);
        let batch = collect(&consumer, limits.0, limits.1, &shutdown).await;
        if batch.is_empty() {
            continue;
        }
        // The group generation the batch was read in, taken before the revoke check: if a
        // rebalance comes after this, the broker refuses the offsets of the stale generation
        // and the transaction is aborted and redone instead of committing partitions that
        // another instance now owns.
        let metadata = consumer.group_metadata();
        // A rebalance while collecting: whoever owns the batch's partitions now reads them from
        // the committed offsets. The batch may also hold messages read after the new
        // assignment, from those offsets: rewind partitions still ours to the batch's first
        // offsets, or dropping the batch would skip them (inputs lost, seen in the chaos suite).
        if revoked.load(Ordering::SeqCst) {
            events::emit(BatchDropped {
                dropped: batch.len(),
            });
            rewind(&consumer, &batch).await;
            continue;
        }
        state.health.broker_seen();
        events::emit(InFlight::Batch(batch.len()));
        state.set_in_flight(batch.len());
        for message in &batch {
            events::emit(MessageConsumed {
                topic: message.topic(),
            });
        }
        let outputs = enrich_batch(&engine, &output_topics, &batch).await;
        match transact(metadata, &producer, &batch, outputs).await {
            Ok(()) => {
                events::emit(TransactionCommitted);
                state.committed();
            }
            Err(error) if classify(&error) == ErrorClass::Fatal => {
                events::emit(InFlight::Batch(0));
                state.set_in_flight(0);
                state.health.set_fatal(error.to_string());
                return Err(error)
                    .context("fatal transaction error (fenced by a newer instance?): stopping")
                    .context(Exit::Fatal);
            }
            Err(error) => {
                events::emit(TransactionAborted { error: &error });
                if let Err(error) =
                    blocking(&producer, |p| p.abort_transaction(TRANSACTION_CALL_TIMEOUT)).await
                {
                    if classify(&error) == ErrorClass::Fatal {
                        state.health.set_fatal(error.to_string());
                        return Err(error)
                            .context("cannot abort transaction")
                            .context(Exit::Fatal);
                    }
                    events::emit(AbortFailed { error: &error });
                }
                rewind(&consumer, &batch).await;
            }
        }
        events::emit(InFlight::Batch(0));
        state.set_in_flight(0);
    }
    state.health.set_shutting_down();
    probe.abort();
    events::emit(ExactlyOnceStopped);
    if let Some(reader) = reader {
        reader.stop().await;
    }
    Ok(())
}

/// Up to `max` messages, waiting at most `max_wait` after the first one.
async fn collect(
    consumer: &KabarConsumer,
    max: usize,
    max_wait: Duration,
    shutdown: &CancellationToken,
) -> Vec<OwnedMessage> {
    let mut batch = Vec::new();
    let first = tokio::select! {
        () = shutdown.cancelled() => return batch,
        message = consumer.recv() => message,
    };
    match first {
        Ok(message) => batch.push(message.detach()),
        Err(error) => {
            events::emit(ConsumeError {
                error: &error,
                exactly_once: true,
            });
            // The broker is away: do not spin.
            tokio::time::sleep(Duration::from_millis(200)).await;
            return batch;
        }
    }
    let deadline = tokio::time::Instant::now() + max_wait;
    while batch.len() < max {
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => break,
            message = consumer.recv() => match message {
                Ok(message) => batch.push(message.detach()),
                Err(error) => {
                    events::emit(ConsumeError {
                        error: &error,
                        exactly_once: true,
                    });
                    break;
                }
            },
        }
    }
    batch
}

/// Enriches a batch in parallel on the worker pool, then decides near duplicates and makes the
/// outputs in input order.
async fn enrich_batch(
    engine: &Arc<Engine>,
    topics: &OutputTopics,
    batch: &[OwnedMessage],
) -> Vec<Output> {
    let mut tasks = Vec::with_capacity(batch.len());
    for message in batch {
        let engine = Arc::clone(engine);
        let message = message.clone();
        tasks.push(tokio::spawn(async move {
            records::prepare(&engine, &message).await
        }));
    }
    let mut outputs = Vec::new();
    for (message, task) in batch.iter().zip(tasks) {
        let prepared = task.await.unwrap_or_else(|_| {
            Err(kabar_pipeline::Failure {
                id: kabar_pipeline::input::payload_id(message.payload().unwrap_or_default()),
                error: kabar_pipeline::PipelineError::StageFailed {
                    stage: kabar_pipeline::Stage::Decode,
                    detail: "worker task stopped".to_owned(),
                },
            })
        });
        outputs.extend(records::outputs(engine, topics, message, prepared));
    }
    outputs
}

/// The next offset to read of every partition in the batch.
fn next_offsets(batch: &[OwnedMessage]) -> anyhow::Result<TopicPartitionList> {
    let mut next: BTreeMap<(&str, i32), i64> = BTreeMap::new();
    for message in batch {
        let entry = next
            .entry((message.topic(), message.partition()))
            .or_insert(0);
        *entry = (*entry).max(message.offset() + 1);
    }
    let mut list = TopicPartitionList::new();
    for ((topic, partition), offset) in next {
        list.add_partition_offset(topic, partition, Offset::Offset(offset))?;
    }
    Ok(list)
}

/// One transaction: begin, produce every output, add the input offsets, commit.
async fn transact(
    metadata: Option<ConsumerGroupMetadata>,
    producer: &KabarProducer,
    batch: &[OwnedMessage],
    outputs: Vec<Output>,
) -> Result<(), KafkaError> {
    producer.begin_transaction()?;
    let mut deliveries = Vec::with_capacity(outputs.len());
    for output in &outputs {
        let delivery = loop {
            match producer.send_result(output.record()) {
                Ok(delivery) => break delivery,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err((error, _)) => return Err(error),
            }
        };
        deliveries.push((output.topic.as_str(), delivery));
    }
    let offsets = next_offsets(batch).map_err(|_| KafkaError::Canceled)?;
    // Without group metadata (not in a group right now) the offsets cannot join the
    // transaction: abort and redo.
    let Some(metadata) = metadata else {
        return Err(KafkaError::Canceled);
    };
    let (offsets, metadata) = (Arc::new(offsets), Arc::new(metadata));
    retrying(producer, move |p| {
        p.send_offsets_to_transaction(&offsets, &metadata, TRANSACTION_CALL_TIMEOUT)
    })
    .await?;
    retrying(producer, |p| p.commit_transaction(TRANSACTION_CALL_TIMEOUT)).await?;
    for (topic, delivery) in deliveries {
        if let Ok(Ok(_)) = delivery.await {
            events::emit(OutputProduced { topic });
        }
    }
    Ok(())
}

/// Retries a transactional call while its error is retriable.
async fn retrying<F>(producer: &KabarProducer, call: F) -> Result<(), KafkaError>
where
    F: Fn(&KabarProducer) -> Result<(), KafkaError> + Send + Sync + Clone + 'static,
{
    let mut backoff = Duration::from_millis(100);
    loop {
        let attempt = call.clone();
        let Ok(result) = tokio::time::timeout(
            TRANSACTION_CALL_HUNG,
            blocking(producer, move |p| attempt(p)),
        )
        .await
        else {
            events::emit(TransactionCallHung {
                seconds: TRANSACTION_CALL_HUNG.as_secs(),
            });
            // Not an error return: the runtime would wait for the stuck thread for ever.
            std::process::exit(i32::from(Exit::Fatal.code()));
        };
        match result {
            Err(error) if classify(&error) == ErrorClass::Retriable => {
                events::emit(TransactionCallRetried { error: &error });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            result => return result,
        }
    }
}

/// Moves the consumer back to the first offset of each partition in the batch.
async fn rewind(consumer: &Arc<KabarConsumer>, batch: &[OwnedMessage]) {
    let mut first: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for message in batch {
        let entry = first
            .entry((message.topic().to_owned(), message.partition()))
            .or_insert(i64::MAX);
        *entry = (*entry).min(message.offset());
    }
    let consumer = Arc::clone(consumer);
    let _ = tokio::task::spawn_blocking(move || {
        for ((topic, partition), offset) in first {
            if let Err(error) = consumer.seek(
                &topic,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            ) {
                // Not ours any more after a rebalance: the new owner reads from the commit.
                events::emit(RewindFailed {
                    error: &error,
                    topic: &topic,
                    partition,
                });
            }
        }
    })
    .await;
}
