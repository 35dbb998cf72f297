//! The service as a function: [`start`] builds the pipeline, binds the HTTP endpoint and runs
//! Kafka mode (or, without brokers, file mode) until a shutdown token fires. The `kabar` binary
//! calls it with a token its signal handler cancels; tests call it with a configuration of
//! their own and `http.listen` on port 0, and read the bound address from [`Service::http_addr`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use kabar_pipeline::StageSet;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::config::Config;
use crate::engine::Engine;
use crate::events::{self, DedupConfigured, HttpDisabled, HttpServing};
use crate::files::{self, FileModeOptions, Summary};
use crate::http::{self, Readiness};
use crate::kafka;

/// What file mode reads and where it writes (used only without Kafka brokers).
#[derive(Debug, Clone)]
pub struct FileInput {
    /// A file, a folder, or `-` for stdin; file mode without it is an error.
    pub input: Option<PathBuf>,
    /// Where `<topic>.jsonl` files are written.
    pub output_dir: PathBuf,
    /// Keep reading stdin or a growing file after its end.
    pub follow: bool,
}

impl Default for FileInput {
    fn default() -> Self {
        Self {
            input: None,
            output_dir: PathBuf::from("out"),
            follow: false,
        }
    }
}

/// A running service.
pub struct Service {
    http_addr: Option<SocketAddr>,
    task: JoinHandle<anyhow::Result<Option<Summary>>>,
    /// Stops the service when the handle is dropped.
    _stop: DropGuard,
}

impl Service {
    /// Where `/metrics`, `/healthz` and `/readyz` answer; `None` when file mode could not
    /// listen.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// Whether the service has stopped (finished its input, failed, or shut down).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Waits until the service stops; file mode's summary of what it did.
    pub async fn wait(self) -> anyhow::Result<Option<Summary>> {
        let Service { task, _stop, .. } = self;
        task.await.context("the service stopped abnormally")?
    }
}

/// Starts kabar with `config` until `shutdown` fires (or file mode's input ends). Fails at once
/// when the pipeline cannot be built or, in Kafka mode, the HTTP address cannot be bound.
pub async fn start(
    config: Config,
    file_input: FileInput,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    let engine = Arc::new(Engine::from_config(&config, StageSet::ALL)?);
    let readiness = Arc::new(Readiness::default());
    // The service's own token: its end stops the endpoint without cancelling the caller's.
    let stop = shutdown.child_token();
    let (http_addr, http_task) = match http::bind(config.http.listen).await {
        Ok((listener, addr)) => {
            events::emit(HttpServing { addr });
            let task = tokio::spawn(http::serve(listener, Arc::clone(&readiness), stop.clone()));
            (Some(addr), Some(task))
        }
        // Kafka mode is a service: without its endpoints it cannot be watched. File mode is a
        // laptop run: a busy port should not stop it.
        Err(error) if !config.uses_kafka() => {
            events::emit(HttpDisabled { error: &error });
            (None, None)
        }
        Err(error) => return Err(error),
    };
    let running = stop.clone();
    let task = tokio::spawn(async move {
        let result = run(&config, engine, readiness, file_input, running.clone()).await;
        running.cancel();
        if let Some(task) = http_task {
            let _ = task.await;
        }
        result
    });
    Ok(Service {
        http_addr,
        task,
        _stop: stop.drop_guard(),
    })
}

async fn run(
    config: &Config,
    engine: Arc<Engine>,
    readiness: Arc<Readiness>,
    file_input: FileInput,
    shutdown: CancellationToken,
) -> anyhow::Result<Option<Summary>> {
    if let Some(detector) = engine.pipeline().detector() {
        events::emit(DedupConfigured {
            settings: &config.dedup,
            scheme: &detector.scheme(),
            topic: config
                .uses_kafka()
                .then_some(config.kafka.fingerprint_topic.as_str()),
        });
    }
    if config.uses_kafka() {
        kafka::run(config, engine, readiness, shutdown).await?;
        return Ok(None);
    }
    readiness.set(true);
    let options = FileModeOptions {
        input: file_input
            .input
            .context("no Kafka brokers configured and no --input given: nothing to read (use --brokers, KABAR_KAFKA_BROKERS, or --input PATH)")?,
        output_dir: file_input.output_dir,
        follow: file_input.follow,
        dead_letter_topic: config.kafka.dead_letter_topic.clone(),
    };
    files::run(engine, options, shutdown).await.map(Some)
}
