//! Test support for kabar, shared by the tests, benchmarks and examples of both crates (a
//! `publish = false` dev-dependency, so no test reaches into another folder for its helpers).
//!
//! Always available:
//! - [`paths`]: the repository's root, to find fixtures, samples, scripts and docs.
//! - [`names`]: names no other test uses (topics, groups) and free ports.
//! - [`articles`]: a small deterministic corpus of mixed-language articles.
//! - [`bench_corpus`]: the benchmark corpus (realistic articles in the benchmark's mix).
//! - [`hostile`]: malformed and adversarial inputs.
//!
//! With the `service` feature (the service's integration tests):
//! - [`http`]: kabar's endpoints seen from a test, and metric values.
//! - [`kafka`]: a real Kafka broker per test binary, topics, producing and reading.
//! - [`broker`]: a broker of a test's own, which the test may stop and restart.
//! - [`in_process`]: a service started in the test's process, on a runtime of its own (most
//!   integration tests start `kabar::service` so).
//! - [`process`]: `kabar run` as a child process, for tests that need a process of its own
//!   (signals, `kill -9`, logs).
//! - [`stream`]: one test's own topics, group and routes file.
//! - [`python`]: the Python example consumer and its generated classes.
//! - [`prometheus`]: promtool, a real Prometheus server (alone, or with the project's
//!   configuration and alert rules pointed at a kabar under test), YAML read as JSON.

pub mod articles;
pub mod bench_corpus;
pub mod hostile;
pub mod names;
pub mod paths;

#[cfg(feature = "service")]
pub mod broker;
#[cfg(feature = "service")]
pub mod http;
#[cfg(feature = "service")]
pub mod in_process;
#[cfg(feature = "service")]
pub mod kafka;
#[cfg(feature = "service")]
pub mod process;
#[cfg(feature = "service")]
pub mod prometheus;
#[cfg(feature = "service")]
pub mod python;
#[cfg(feature = "service")]
pub mod stream;
