//! The service as a function: [`start`] builds the pipeline, binds the HTTP endpoint and runs
//! Kafka mode (or, without brokers, file mode) until a shutdown token fires. The `kabar` binary
//! calls [`start_with`] with a token its signal handler cancels and reloads on SIGHUP; tests
//! call [`start`] with a configuration of their own and `http.listen` on port 0, and read the
//! bound address from [`Service::http_addr`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kabar_pipeline::StageSet;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::config::Config;
use crate::engine::Engine;
use crate::events::{self, HttpDisabled, HttpServing, ReadinessChanged, RoutesLoaded};
use crate::exit::Exit;
use crate::files::{self, FileModeOptions, Summary};
use crate::http;
use crate::kafka;
use crate::reload::{self, ConfigSource, Reloader};
use crate::status::ServiceState;

/// The longest a graceful shutdown may take, from the first signal to the exit: at least once,
/// 20 s to finish in-flight work, 10 s to flush the producer, 10 s for the final commit; exactly
/// once, the transaction under way (its calls time out after 30 s). Past it the process exits
/// with status 70 (`kabar` binary). docker-compose.yml's `stop_grace_period` must exceed it
/// (tests/deploy.rs compares them).
pub const SHUTDOWN_BUDGET: Duration = Duration::from_secs(50);

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

/// How a service reloads its configuration.
pub struct ServiceOptions {
    /// Where a reload reads the configuration.
    pub source: ConfigSource,
    /// Reload on SIGHUP (the process's signal: only the `kabar` binary asks for it).
    pub reload_on_hangup: bool,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        Self {
            source: ConfigSource::Fixed,
            reload_on_hangup: false,
        }
    }
}

/// A running service.
pub struct Service {
    http_addr: Option<SocketAddr>,
    state: Arc<ServiceState>,
    task: JoinHandle<anyhow::Result<Option<Summary>>>,
    /// Stops the service when the handle is dropped.
    _stop: DropGuard,
}

impl Service {
    /// Where `/metrics`, `/healthz`, `/readyz` and `/status` answer; `None` when file mode
    /// could not listen.
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.http_addr
    }

    /// The service's state (what `/status` shows).
    pub fn state(&self) -> &Arc<ServiceState> {
        &self.state
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

/// [`start_with`] without reloads from the configuration file or SIGHUP (a changed routes file
/// is still reloaded).
pub async fn start(
    config: Config,
    file_input: FileInput,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    start_with(config, file_input, ServiceOptions::default(), shutdown).await
}

/// Starts kabar with `config` until `shutdown` fires (or file mode's input ends). Fails at once
/// when the pipeline cannot be built or, in Kafka mode, the HTTP address cannot be bound.
pub async fn start_with(
    config: Config,
    file_input: FileInput,
    options: ServiceOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<Service> {
    let engine = Arc::new(Engine::from_config(&config, StageSet::ALL).context(Exit::Config)?);
    let routes = engine.settings().routes.clone();
    events::emit(RoutesLoaded {
        routes: routes.count,
        digest: &routes.digest,
    });
    let input_path = (!config.uses_kafka())
        .then(|| file_input.input.clone())
        .flatten();
    let state = Arc::new(ServiceState::new(&config, Arc::clone(&engine), input_path));
    // The service's own token: its end stops the endpoint without cancelling the caller's.
    let stop = shutdown.child_token();
    let (http_addr, http_task) = match http::bind(config.http.listen).await {
        Ok((listener, addr)) => {
            events::emit(HttpServing { addr });
            let task = tokio::spawn(http::serve(listener, Arc::clone(&state), stop.clone()));
            (Some(addr), Some(task))
        }
        // Kafka mode is a service: without its endpoints it cannot be watched. File mode is a
        // laptop run: a busy port should not stop it.
        Err(error) if !config.uses_kafka() => {
            events::emit(HttpDisabled { error: &error });
            (None, None)
        }
        Err(error) => return Err(error.context(Exit::Config)),
    };
    let (triggers, received) = mpsc::channel(4);
    if options.reload_on_hangup {
        reload::spawn_hangup_handler(triggers.clone(), stop.clone())?;
    }
    let watcher = reload::watch(&config, &options.source, triggers);
    let reloader = Reloader::new(
        options.source,
        config.clone(),
        Arc::clone(&engine),
        Arc::clone(&state),
    );
    tokio::spawn(reload::run(reloader, received, stop.clone()));
    tokio::spawn(publish_readiness(Arc::clone(&state), stop.clone()));
    let running = stop.clone();
    let service_state = Arc::clone(&state);
    let task = tokio::spawn(async move {
        let result = run(
            &config,
            engine,
            Arc::clone(&service_state),
            file_input,
            running.clone(),
        )
        .await;
        service_state.health.set_shutting_down();
        running.cancel();
        drop(watcher);
        if let Some(task) = http_task {
            let _ = task.await;
        }
        result
    });
    Ok(Service {
        http_addr,
        state,
        task,
        _stop: stop.drop_guard(),
    })
}

/// Keeps `kabar_ready` (and the log) in step with readiness, which is computed when asked:
/// shutdown marks the service unready at once.
async fn publish_readiness(state: Arc<ServiceState>, stop: CancellationToken) {
    let mut last = None;
    loop {
        let stopping = stop.is_cancelled();
        if stopping {
            state.health.set_shutting_down();
        }
        let reasons = state.health.not_ready_reasons();
        let ready = reasons.is_empty();
        if last != Some(ready) {
            events::emit(ReadinessChanged {
                ready,
                reasons: &reasons,
                initial: last.is_none(),
            });
            last = Some(ready);
        }
        if stopping {
            return;
        }
        tokio::select! {
            () = stop.cancelled() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

async fn run(
    config: &Config,
    engine: Arc<Engine>,
    state: Arc<ServiceState>,
    file_input: FileInput,
    shutdown: CancellationToken,
) -> anyhow::Result<Option<Summary>> {
    if config.uses_kafka() {
        kafka::run(config, engine, state, shutdown).await?;
        return Ok(None);
    }
    let options = FileModeOptions {
        input: file_input
            .input
            .context("no Kafka brokers configured and no --input given: nothing to read (use --brokers, KABAR_KAFKA_BROKERS, or --input PATH)")
            .context(Exit::Config)?,
        output_dir: file_input.output_dir,
        follow: file_input.follow,
        dead_letter_topic: config.kafka.dead_letter_topic.clone(),
        progress: Arc::clone(&state.input),
    };
    files::run(engine, options, shutdown).await.map(Some)
}
