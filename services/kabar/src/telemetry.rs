//! Structured logs with tracing, as text or JSON, to stderr; the level can be changed while
//! kabar runs (a configuration reload).

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::config::LogFormat;

/// Changes the installed logger's filter.
static FILTER: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

/// Parses a log filter such as `info` or `kabar=debug,rdkafka=warn`.
pub fn parse_level(level: &str) -> anyhow::Result<EnvFilter> {
    EnvFilter::try_new(level)
        .map_err(|error| anyhow::anyhow!("invalid log level {level:?}: {error}"))
}

/// Installs the global subscriber. Logs go to stderr: stdout belongs to `kabar enrich`.
pub fn init(format: LogFormat, level: &str) -> anyhow::Result<()> {
    let (filter, handle) = reload::Layer::new(parse_level(level)?);
    let registry = tracing_subscriber::registry().with(filter);
    // stderr, with a progress bar lifted around each line; colours for a person at a terminal,
    // not for a file or a log collector.
    let ansi = std::io::stderr().is_terminal();
    let installed = match format {
        LogFormat::Text => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(crate::progress::LogWriter)
                    .with_ansi(ansi),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_writer(crate::progress::LogWriter)
                    .with_ansi(ansi),
            )
            .try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install logger: {error}"))?;
    let _ = FILTER.set(handle);
    Ok(())
}

/// Puts a new log filter in force; without a logger installed by [`init`] (kabar in a test's
/// process) only checks it.
pub fn set_level(level: &str) -> anyhow::Result<()> {
    let filter = parse_level(level)?;
    if let Some(handle) = FILTER.get() {
        handle
            .reload(filter)
            .map_err(|error| anyhow::anyhow!("cannot change the log level: {error}"))?;
    }
    Ok(())
}
