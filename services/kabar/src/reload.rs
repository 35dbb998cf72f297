//! Changing routes and language settings without a restart.
//!
//! On SIGHUP, and when the routes file or the configuration file changes on disk (watched,
//! debounced), kabar re-reads the configuration as at start-up and takes the reloadable
//! settings from it: the routes file's content, `pipeline.expected_languages`,
//! `pipeline.allowed_languages`, `pipeline.source_languages` and `log.level`. It checks them
//! as `kabar validate` does, and in Kafka mode that every topic the routes name outright exists
//! on the cluster (kabar never creates topics). Only then does it swap them in, whole, between
//! two articles ([`Engine::swap_settings`]): no consumer restart, no rebalance. A refused
//! reload changes nothing; its errors are logged, counted
//! (`kabar_config_reloads_total{result="failure"}`) and shown by `/status`. Other settings
//! changed on disk are logged as needing a restart and left as they are.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::engine::{ActiveSettings, Engine};
use crate::events::{
    self, ConfigReloadFailed, ConfigReloaded, ReloadTrigger, RestartNeeded, TopicsKnown,
    WatchFailed,
};
use crate::kafka::client;
use crate::status::{ReloadOutcome, ServiceState};
use crate::telemetry;
use crate::validate;

/// Quiet time after the last change on disk before a reload: an editor or a deployment writes a
/// file in several steps.
const DEBOUNCE: Duration = Duration::from_millis(500);

/// Re-applies the command line's settings to a configuration; returns each setting it set
/// and the flag that set it.
pub type Flags = Arc<dyn Fn(&mut Config) -> Vec<(&'static str, &'static str)> + Send + Sync>;

/// Where a reload reads the configuration from.
#[derive(Clone)]
pub enum ConfigSource {
    /// As `kabar run` loaded it: defaults, this file, the environment, then the flags
    /// (re-applied by the function, which names the settings they set).
    Loaded { file: Option<PathBuf>, flags: Flags },
    /// A configuration built in code (kabar in a test's process): only the routes file is
    /// read again.
    Fixed,
}

/// Settings a reload puts in force.
fn take_reloadable(into: &mut Config, from: &Config) {
    into.pipeline
        .expected_languages
        .clone_from(&from.pipeline.expected_languages);
    into.pipeline
        .allowed_languages
        .clone_from(&from.pipeline.allowed_languages);
    into.pipeline
        .source_languages
        .clone_from(&from.pipeline.source_languages);
    into.log.level.clone_from(&from.log.level);
}

/// `section.key` of every setting whose value differs.
fn changed_settings(before: &Config, after: &Config) -> Vec<String> {
    let (before, after) = (
        serde_json::to_value(before.redacted()).unwrap_or_default(),
        serde_json::to_value(after.redacted()).unwrap_or_default(),
    );
    let mut changed = Vec::new();
    for (section, keys) in before.as_object().into_iter().flatten() {
        for (key, value) in keys.as_object().into_iter().flatten() {
            if after[section][key] != *value {
                changed.push(format!("{section}.{key}"));
            }
        }
    }
    changed
}

/// Reads the files, checks, and swaps the settings in.
pub struct Reloader {
    source: ConfigSource,
    /// The configuration in force (what start-up loaded, with the reloaded settings since).
    running: Config,
    engine: Arc<Engine>,
    state: Arc<ServiceState>,
    /// What the watched files held at the last reload (or start-up), to tell a real change from
    /// other activity in their folders.
    fingerprint: Vec<u8>,
}

/// The contents of the routes file and the configuration file, as one value to compare.
fn fingerprint(config: &Config, source: &ConfigSource) -> Vec<u8> {
    let mut bytes = Vec::new();
    for path in watched_files(config, source) {
        bytes.extend(std::fs::read(&path).unwrap_or_default());
        bytes.push(0);
    }
    bytes
}

/// The routes file and, when kabar was started with one, the configuration file.
fn watched_files(config: &Config, source: &ConfigSource) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = config.pipeline.routes_file.iter().cloned().collect();
    if let ConfigSource::Loaded {
        file: Some(file), ..
    } = source
    {
        files.push(file.clone());
    }
    files
}

impl Reloader {
    pub fn new(
        source: ConfigSource,
        running: Config,
        engine: Arc<Engine>,
        state: Arc<ServiceState>,
    ) -> Self {
        let fingerprint = fingerprint(&running, &source);
        Self {
            source,
            running,
            engine,
            state,
            fingerprint,
        }
    }

    /// The configuration the files describe now, checked like `kabar validate`.
    fn read_candidate(&self) -> Result<Config, Vec<String>> {
        let mut candidate = self.running.clone();
        match &self.source {
            ConfigSource::Loaded { file, flags } => {
                let flags = Arc::clone(flags);
                let on_disk = validate::load_checked(file.as_deref(), |config| flags(config))
                    .map_err(|problems| {
                        problems
                            .0
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                    })?;
                let mut comparable = on_disk.clone();
                take_reloadable(&mut comparable, &self.running);
                let needs_restart = changed_settings(&self.running, &comparable);
                if !needs_restart.is_empty() {
                    events::emit(RestartNeeded {
                        settings: &needs_restart,
                    });
                }
                take_reloadable(&mut candidate, &on_disk);
            }
            ConfigSource::Fixed => {
                let problems: Vec<String> = candidate
                    .pipeline
                    .route_problems()
                    .into_iter()
                    .map(|problem| problem.to_string())
                    .collect();
                if !problems.is_empty() {
                    return Err(problems);
                }
            }
        }
        Ok(candidate)
    }

    /// One reload: the new settings in force, or the reasons they are not.
    pub async fn reload(&mut self, trigger: ReloadTrigger) -> Result<(), Vec<String>> {
        self.fingerprint = fingerprint(&self.running, &self.source);
        let result = self.try_reload(trigger).await;
        let errors = match &result {
            Ok(()) => Vec::new(),
            Err(errors) => {
                events::emit(ConfigReloadFailed { trigger, errors });
                errors.clone()
            }
        };
        self.state.set_last_reload(ReloadOutcome {
            at: SystemTime::now(),
            success: result.is_ok(),
            errors,
        });
        result
    }

    async fn try_reload(&mut self, trigger: ReloadTrigger) -> Result<(), Vec<String>> {
        let candidate = self.read_candidate()?;
        let settings =
            ActiveSettings::from_config(&candidate).map_err(|error| vec![format!("{error:#}")])?;
        if candidate.uses_kafka() {
            let missing = client::missing_topics(&candidate, &settings.routes.static_topics)
                .await
                .map_err(|error| vec![format!("cannot check the routes' topics: {error:#}")])?;
            if !missing.is_empty() {
                return Err(vec![format!(
                    "the routes name topics that do not exist on the cluster: {} (kabar does \
                     not create topics)",
                    missing.join(", ")
                )]);
            }
        }
        if candidate.log.level != self.running.log.level {
            telemetry::set_level(&candidate.log.level)
                .map_err(|error| vec![format!("{error:#}")])?;
        }
        let (count, digest) = (settings.routes.count, settings.routes.digest.clone());
        let outputs: Vec<&str> = settings
            .routes
            .static_topics
            .iter()
            .map(String::as_str)
            .collect();
        events::emit(TopicsKnown {
            inputs: &[],
            outputs: &outputs,
        });
        self.engine.swap_settings(settings);
        self.running = candidate;
        events::emit(ConfigReloaded {
            trigger,
            routes: count,
            digest: &digest,
        });
        Ok(())
    }

    /// Whether the watched files changed since the last reload.
    fn files_changed(&self) -> bool {
        fingerprint(&self.running, &self.source) != self.fingerprint
    }
}

/// Reloads on each trigger until `stop` fires. File events only reload when a watched file's
/// content changed.
pub async fn run(
    mut reloader: Reloader,
    mut triggers: mpsc::Receiver<ReloadTrigger>,
    stop: CancellationToken,
) {
    loop {
        let trigger = tokio::select! {
            () = stop.cancelled() => return,
            trigger = triggers.recv() => match trigger {
                Some(trigger) => trigger,
                None => return,
            },
        };
        if trigger == ReloadTrigger::FileChanged && !reloader.files_changed() {
            continue;
        }
        let _ = reloader.reload(trigger).await;
    }
}

/// Sends a [`ReloadTrigger::FileChanged`] when something changes in the folder of a watched
/// file (the folder, not the file: editors and Kubernetes replace files rather than write
/// them). The watcher stops when the returned value is dropped.
pub fn watch(
    config: &Config,
    source: &ConfigSource,
    triggers: mpsc::Sender<ReloadTrigger>,
) -> Option<Debouncer<RecommendedWatcher>> {
    let files = watched_files(config, source);
    if files.is_empty() || !config.pipeline.watch_routes {
        return None;
    }
    let handler = move |result: DebounceEventResult| {
        if result.is_ok() {
            let _ = triggers.try_send(ReloadTrigger::FileChanged);
        }
    };
    let mut debouncer = match new_debouncer(DEBOUNCE, handler) {
        Ok(debouncer) => debouncer,
        Err(error) => {
            events::emit(WatchFailed {
                error: &error.to_string(),
            });
            return None;
        }
    };
    for file in files {
        let folder = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let Err(error) = debouncer
            .watcher()
            .watch(folder, RecursiveMode::NonRecursive)
        {
            events::emit(WatchFailed {
                error: &format!("{}: {error}", folder.display()),
            });
        }
    }
    Some(debouncer)
}

/// Sends a [`ReloadTrigger::Signal`] on every SIGHUP until `stop` fires.
pub fn spawn_hangup_handler(
    triggers: mpsc::Sender<ReloadTrigger>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                received = hangups.recv() => {
                    if received.is_none() {
                        return;
                    }
                    let _ = triggers.send(ReloadTrigger::Signal).await;
                }
            }
        }
    });
    Ok(())
}
