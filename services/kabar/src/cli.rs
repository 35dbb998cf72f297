//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kabar_pipeline::StageSet;

use crate::config::LogFormat;

/// kabar: enriches news articles (language, clean text, entities) and routes them to topics.
#[derive(Debug, Parser)]
#[command(name = "kabar", version, about, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (settings are also read from KABAR_* environment variables).
    #[arg(long, global = true, env = "KABAR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `kabar=debug`.
    #[arg(long, global = true)]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: Kafka in and out when brokers are configured, files otherwise.
    Run(RunArgs),
    /// One-shot: JSON lines on stdin, one enriched JSON object per line on stdout, in order.
    Enrich(EnrichArgs),
    /// Print every environment variable kabar reads.
    EnvVars,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Kafka bootstrap servers (overrides kafka.brokers / KABAR_KAFKA_BROKERS).
    #[arg(long)]
    pub brokers: Option<String>,
    /// Consumer group (overrides kafka.group_id).
    #[arg(long)]
    pub group_id: Option<String>,
    /// Input topics, comma-separated (overrides kafka.input_topics).
    #[arg(long, value_delimiter = ',')]
    pub input_topics: Option<Vec<String>>,
    /// Without Kafka: a file, a folder, or `-` for stdin.
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Without Kafka: where `<topic>.jsonl` files are written.
    #[arg(long, default_value = "out")]
    pub output_dir: PathBuf,
    /// Without Kafka: keep reading stdin or a growing file after its end.
    #[arg(long)]
    pub follow: bool,
    /// Address for /metrics, /healthz and /readyz (overrides http.listen).
    #[arg(long)]
    pub http_addr: Option<SocketAddr>,
    /// Routes file (overrides pipeline.routes_file).
    #[arg(long)]
    pub routes: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Stages to run, comma-separated: any of clean,lang,entities,route.
    #[arg(long, default_value = "clean,lang,entities,route")]
    pub stages: StageSet,
    /// Routes file (overrides pipeline.routes_file).
    #[arg(long)]
    pub routes: Option<PathBuf>,
}
