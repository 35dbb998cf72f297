//! The `kabar` service: configuration, Kafka in and out, dead letters, metrics, health and
//! shutdown around the Kafka-free [`kabar_pipeline`].
//!
//! - [`config`]: one typed configuration (defaults, TOML file, `KABAR_*` variables, flags).
//! - [`engine`]: runs the pipeline on a worker pool, off the async runtime.
//! - [`kafka`]: the at-least-once consume → enrich → produce loop.
//! - [`files`]: the same pipeline over files or stdin, without Kafka.
//! - [`enrich`]: the one-shot `kabar enrich` command.
//! - [`http`] and [`metrics`]: `/metrics`, `/healthz`, `/readyz`.
//! - [`tools`]: `kabar produce`, `kabar tail` and `kabar replay`.

pub mod cli;
pub mod config;
pub mod engine;
pub mod enrich;
pub mod files;
pub mod http;
pub mod kafka;
pub mod metrics;
pub mod telemetry;
pub mod tools;
