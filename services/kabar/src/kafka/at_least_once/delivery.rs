//! Getting one output acknowledged, at least once: enqueue it (waiting while the producer's
//! queue is full), await the broker's acknowledgement, send it again after transient failures,
//! and dead-letter its input instead when the broker refuses it as too large.

use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::OwnedMessage;
use rdkafka::producer::DeliveryFuture;
use tokio_util::sync::CancellationToken;

use crate::dead_letter::DeadLetter;
use crate::events::{
    self, DeadLetterTooLarge, DeliveryFailed, DeliveryReportLost, EnqueueFailed, OutputProduced,
};
use crate::kafka::client::KabarProducer;
use crate::kafka::records::{self, Output};

/// What delivering an output needs.
pub(super) struct Deliverer {
    pub(super) producer: KabarProducer,
    /// Where an input goes when its output is too large for the broker.
    pub(super) dead_letter_topic: String,
    /// Fired when shutdown's grace period is over: stop retrying.
    pub(super) give_up: CancellationToken,
}

impl Deliverer {
    /// Hands an output to the producer's queue, waiting while the queue is full.
    /// `None` when it can never be produced (it was dead-lettered instead, or shutdown gave up).
    pub(super) async fn enqueue(
        &self,
        input: &OwnedMessage,
        output: Output,
    ) -> Option<(Output, DeliveryFuture)> {
        let mut backoff = Duration::from_millis(20);
        loop {
            let result = self
                .producer
                .send_result(output.record())
                .map_err(|(error, _)| error);
            match result {
                Ok(future) => return Some((output, future)),
                Err(KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull)) => {}
                Err(KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge)) => {
                    return self.too_large(input, output).await;
                }
                Err(error) => events::emit(EnqueueFailed {
                    error: &error,
                    topic: &output.topic,
                }),
            }
            if self.give_up.is_cancelled() {
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
        &self,
        input: &OwnedMessage,
        output: Output,
    ) -> Option<(Output, DeliveryFuture)> {
        if output.topic == self.dead_letter_topic {
            events::emit(DeadLetterTooLarge {
                topic: &output.topic,
                bytes: output.payload.len(),
            });
            let trimmed = Output {
                payload: Vec::new(),
                ..output
            };
            return self
                .producer
                .send_result(trimmed.record())
                .ok()
                .map(|future| (trimmed, future));
        }
        let letter = DeadLetter::output_too_large(
            output.payload.len(),
            &output.topic,
            &records::article_id_header(&output).unwrap_or_default(),
        );
        let letter = records::dead_letter_output(&self.dead_letter_topic, input, &letter);
        Box::pin(self.enqueue(input, letter)).await
    }

    /// Waits for the broker's acknowledgement, re-sending after transient failures.
    pub(super) async fn await_delivery(
        &self,
        input: &OwnedMessage,
        mut output: Output,
        mut future: DeliveryFuture,
    ) -> bool {
        let mut backoff = Duration::from_millis(100);
        loop {
            match future.await {
                Ok(Ok(_)) => {
                    events::emit(OutputProduced {
                        topic: &output.topic,
                    });
                    return true;
                }
                Ok(Err((
                    KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge),
                    _,
                ))) => match self.too_large(input, output).await {
                    Some((letter, next)) => {
                        output = letter;
                        future = next;
                        continue;
                    }
                    None => return false,
                },
                Ok(Err((error, _))) => events::emit(DeliveryFailed {
                    error: &error,
                    topic: &output.topic,
                }),
                Err(_canceled) => events::emit(DeliveryReportLost {
                    topic: &output.topic,
                }),
            }
            if self.give_up.is_cancelled() {
                return false;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            match self.enqueue(input, output).await {
                Some((again, next)) => {
                    output = again;
                    future = next;
                }
                None => return false,
            }
        }
    }
}
