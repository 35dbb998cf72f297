//! `kabar produce TOPIC FILE...`: publishes articles, for demos, replays and the compose feeder.
//!
//! Reads files like file mode does (`.jsonl` one article per line, other files one article each,
//! folders file by file, `-` stdin). A JSON article's `id` is the message key. `--rate` paces
//! messages with a token bucket whose burst is capped (a twentieth of a second of messages), so
//! a stall (the process kept off the CPU, a full producer queue) is not made up in a burst.

use std::io::Write;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use governor::{Quota, RateLimiter};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::files::{self, InputPlan};
use crate::progress::{Display, Progress, Unit};

/// What to publish, where, and how fast.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    pub topic: String,
    pub inputs: Vec<PathBuf>,
    /// Messages per second; 0 means as fast as the broker takes them.
    pub rate: f64,
    /// Times to go over the inputs; 0 means until interrupted.
    pub repeat: u64,
}

fn key_of(payload: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(payload).ok()?.trim_start();
    if !text.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// Publishes every input, waiting for every acknowledgement; returns the count.
pub async fn run(
    config: &Config,
    options: ProduceOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<u64> {
    let producer: FutureProducer = crate::kafka::client::tool_client_config(config)
        // Without librdkafka's idempotent producer and its busy wait for responses (see
        // `create_producer` in the Kafka client module), and, unlike kabar's own output, several
        // requests in flight per connection: a load generator must not queue behind its own
        // round trips (a message's timestamp is taken before). A retry may repeat a message or
        // put it after a newer one.
        .set("enable.idempotence", "false")
        .set("max.in.flight.requests.per.connection", "5")
        .set("acks", "all")
        .set("linger.ms", "5")
        .create()
        .context("cannot create Kafka producer")?;
    let pacer = pacing(options.rate).map(RateLimiter::direct);
    let plans = options
        .inputs
        .iter()
        .map(|input| InputPlan::of(input))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let progress = std::sync::Arc::new(Progress::start(
        "produce",
        Unit::Messages,
        None,
        Display::for_stderr(),
    ));
    if options.repeat > 0 && plans.iter().all(|plan| *plan != InputPlan::Stdin) {
        // Counting reads the line files once more: off the runtime, the total shows when known.
        let (plans, progress, repeat) = (
            plans.clone(),
            std::sync::Arc::clone(&progress),
            options.repeat,
        );
        tokio::task::spawn_blocking(move || {
            let mut total = 0u64;
            for plan in &plans {
                match plan.count_articles() {
                    Ok(Some(count)) => total += count,
                    _ => return,
                }
            }
            progress.set_total(total.saturating_mul(repeat));
        });
    }
    // Acknowledgements are awaited by a task of their own, so that waiting for them never
    // stalls the pacing (a stalled loop catches up in a burst, which is not the asked rate).
    // The channel bounds how many may be outstanding.
    let (acks, unacked) = tokio::sync::mpsc::channel::<(String, DeliveryFuture)>(MAX_UNACKED);
    let settler = tokio::spawn(settle(unacked));
    let mut round = 0u64;
    'rounds: while options.repeat == 0 || round < options.repeat {
        round += 1;
        for plan in &plans {
            let (mut items, reader) = files::spawn_reader(plan.clone(), false, shutdown.clone());
            while let Some(item) = items.recv().await {
                if let Some(pacer) = &pacer {
                    tokio::select! {
                        () = shutdown.cancelled() => break 'rounds,
                        () = pacer.until_ready() => {}
                    }
                } else if shutdown.is_cancelled() {
                    break 'rounds;
                }
                let key = key_of(&item.payload);
                let mut record = FutureRecord::to(&options.topic).payload(&item.payload);
                if let Some(key) = &key {
                    record = record.key(key.as_str());
                }
                let delivery = loop {
                    match producer.send_result(record) {
                        Ok(delivery) => break delivery,
                        Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                            record = back;
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                        Err((error, _)) => {
                            anyhow::bail!("cannot publish {}: {error}", item.origin)
                        }
                    }
                };
                if acks.send((item.origin, delivery)).await.is_err() {
                    // The settler stopped at a failed acknowledgement: report it below.
                    break 'rounds;
                }
                progress.inc(1);
            }
            reader.await.context("input reader failed")??;
        }
    }
    drop(acks);
    let produced = settler.await.context("acknowledgement task failed")??;
    drop(progress);
    let _ = writeln!(
        std::io::stdout().lock(),
        "kabar: produced {produced} message(s) to {}",
        options.topic
    );
    Ok(produced)
}

/// The pacing of `rate` messages a second (none for 0): one message every 1/rate seconds, and
/// after a pause at most a twentieth of a second's worth at once.
fn pacing(rate: f64) -> Option<Quota> {
    if !(rate > 0.0 && rate.is_finite()) {
        return None;
    }
    let burst = (rate / 20.0).floor().clamp(1.0, f64::from(u32::MAX)) as u32;
    let quota = Quota::with_period(Duration::from_secs_f64(1.0 / rate))?;
    Some(quota.allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN)))
}

/// Most messages produced but not yet acknowledged (bounds memory).
const MAX_UNACKED: usize = 10_000;

/// Awaits every acknowledgement, in order; returns the count, or the first failure.
async fn settle(
    mut unacked: tokio::sync::mpsc::Receiver<(String, DeliveryFuture)>,
) -> anyhow::Result<u64> {
    let mut count = 0;
    while let Some((origin, delivery)) = unacked.recv().await {
        delivery
            .await
            .map_err(|_| anyhow::anyhow!("cannot publish {origin}: producer stopped"))?
            .map_err(|(error, _)| anyhow::anyhow!("cannot publish {origin}: {error}"))?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::*;
    use governor::clock::{Clock, FakeRelativeClock};
    use governor::middleware::NoOpMiddleware;
    use governor::state::{InMemoryState, NotKeyed};

    /// Messages the pacer allows right now (for the tests: after a stall, at most the burst).
    fn allowed_now(
        pacer: &RateLimiter<
            NotKeyed,
            InMemoryState,
            FakeRelativeClock,
            NoOpMiddleware<<FakeRelativeClock as Clock>::Instant>,
        >,
    ) -> u32 {
        let mut allowed = 0;
        while pacer.check().is_ok() {
            allowed += 1;
        }
        allowed
    }

    #[test]
    fn a_stall_is_not_made_up_in_a_burst() {
        for (rate, burst) in [(2.0, 1), (50.0, 2), (1000.0, 50), (3800.0, 190)] {
            let clock = FakeRelativeClock::default();
            let pacer = RateLimiter::direct_with_clock(pacing(rate).unwrap(), clock.clone());
            assert_eq!(allowed_now(&pacer), burst, "rate {rate}: the first burst");
            // Ten seconds without sending: at most the burst goes at once, not 10 s of messages.
            clock.advance(Duration::from_secs(10));
            assert_eq!(allowed_now(&pacer), burst, "rate {rate}: after a stall");
            // Steady: one message per period.
            clock.advance(Duration::from_secs_f64(1.0 / rate));
            assert_eq!(allowed_now(&pacer), 1, "rate {rate}: one period later");
        }
        assert!(pacing(0.0).is_none());
        assert!(pacing(f64::NAN).is_none());
    }

    #[test]
    fn a_slow_rate_paces_every_message() {
        let clock = FakeRelativeClock::default();
        let pacer = RateLimiter::direct_with_clock(pacing(0.5).unwrap(), clock.clone());
        assert_eq!(allowed_now(&pacer), 1);
        clock.advance(Duration::from_millis(1999));
        assert_eq!(allowed_now(&pacer), 0);
        clock.advance(Duration::from_millis(1));
        assert_eq!(allowed_now(&pacer), 1);
    }
}
