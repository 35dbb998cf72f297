//! The `kabar` service: configuration, Kafka in and out, dead letters, metrics, health and
//! shutdown around the Kafka-free [`kabar_pipeline`].
//!
//! - [`service`]: the service as a function: pipeline, HTTP endpoint, Kafka or file mode, until
//!   a shutdown token fires. The `kabar` binary (`main.rs`) parses flags and calls it.
//! - [`config`]: one typed configuration (defaults, TOML file, `KABAR_*` variables, flags).
//! - [`cli`]: the command line, and the flags that override configuration.
//! - [`engine`]: runs the pipeline on a worker pool, off the async runtime.
//! - [`kafka`]: Kafka in and out, at least once or exactly once.
//! - [`files`]: the same pipeline over files or stdin, without Kafka.
//! - [`enrich`]: the one-shot `kabar enrich` command.
//! - [`dead_letter`]: why an input could not be enriched, as every mode reports it.
//! - [`events`]: telemetry: each thing that happens writes its log line and metrics in one place.
//! - [`metrics`]: the Prometheus registry and its closed label sets.
//! - [`http`]: `/metrics`, `/healthz`, `/readyz`, `/status`, and at `/` the live [`page`];
//!   [`status`]: what they report (readiness from the broker clock, fatal errors and shutdown;
//!   the status document).
//! - [`reload`]: routes and language settings changed without a restart (SIGHUP, a changed
//!   routes file); [`validate`]: every configuration problem at once, with its origin
//!   (`kabar validate`, and `run` before it connects).
//! - [`exit`]: the process's exit statuses (sysexits).
//! - [`telemetry`]: the logger; [`signals`]: SIGTERM and SIGINT for the process.
//! - [`progress`]: progress of long runs on stderr (a bar on a terminal, log lines otherwise).
//! - [`tools`]: `kabar produce`, `kabar tail` and `kabar replay`; completions and man pages.

pub mod cli;
pub mod config;
pub mod dead_letter;
pub mod engine;
pub mod enrich;
pub mod events;
pub mod exit;
pub mod files;
pub mod http;
pub mod kafka;
pub mod metrics;
pub mod page;
pub mod progress;
pub mod reload;
pub mod service;
pub mod signals;
pub mod status;
pub mod telemetry;
pub mod tools;
pub mod validate;
