//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kabar_pipeline::StageSet;

use crate::config::{Config, LogFormat};
use crate::service::FileInput;

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
    /// Publish articles from files (or `-` for stdin) to a topic.
    Produce(ProduceArgs),
    /// Subscribe to a topic and pretty-print what arrives.
    Tail(TailArgs),
    /// Re-publish dead letters to the topic they came from.
    Replay(ReplayArgs),
    /// Print every environment variable kabar reads.
    EnvVars,
    /// Check the configuration and the routes as `run` would before it connects, and report
    /// every problem with where it came from (exit status 0, or 78 when there are problems).
    Validate(ValidateArgs),
    /// Print the effective configuration (defaults, file, environment, flags) as TOML,
    /// secrets masked.
    Config(ValidateArgs),
    /// Manage the Kafka topics kabar uses.
    #[command(subcommand)]
    Topics(TopicsCommand),
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Routes file (overrides pipeline.routes_file).
    #[arg(long)]
    pub routes: Option<PathBuf>,
}

impl ValidateArgs {
    /// The flags that override configuration, and the settings they set.
    pub fn apply(&self, config: &mut Config) -> Vec<(&'static str, &'static str)> {
        let mut set = Vec::new();
        if let Some(routes) = &self.routes {
            config.pipeline.routes_file = Some(routes.clone());
            set.push(("pipeline.routes_file", "--routes"));
        }
        set
    }
}

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// Create every topic of a topic list (lines of `name partitions retention.ms`; `#`
    /// comments) that does not exist yet, in one request, then check that all exist.
    Create(TopicsCreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct TopicsCreateArgs {
    /// The topic list, e.g. deploy/topics.txt.
    pub file: PathBuf,
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long)]
    pub brokers: Option<String>,
    /// Replicas per partition.
    #[arg(long, default_value_t = 1)]
    pub replication_factor: i32,
    /// Prepended to every topic name (tests).
    #[arg(long, default_value = "")]
    pub prefix: String,
}

#[derive(Debug, clap::Args)]
pub struct ProduceArgs {
    /// Topic to publish to.
    pub topic: String,
    /// Files or folders of articles (`.jsonl`: one per line; other files: one each), or `-`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long)]
    pub brokers: Option<String>,
    /// Messages per second (0: as fast as possible).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Times to publish the inputs (0: until interrupted).
    #[arg(long, default_value_t = 1)]
    pub repeat: u64,
}

#[derive(Debug, clap::Args)]
pub struct TailArgs {
    /// Topic to read.
    pub topic: String,
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long)]
    pub brokers: Option<String>,
    /// Start at the oldest message instead of the newest.
    #[arg(long)]
    pub from_beginning: bool,
    /// Only articles matching NAME=VALUE: lang=ind, type=PER, entity=Q423, source=..., id=...
    /// (repeat to require several).
    #[arg(long = "where", value_name = "NAME=VALUE")]
    pub filters: Vec<crate::tools::tail::Filter>,
    /// Stop after this many messages.
    #[arg(long)]
    pub max: Option<u64>,
    /// Stop after this many seconds without a message.
    #[arg(long)]
    pub idle_timeout: Option<f64>,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long)]
    pub brokers: Option<String>,
    /// Only dead letters with this error code (repeat for several); all when absent.
    #[arg(long = "code")]
    pub codes: Vec<String>,
    /// Consumer group remembering what was already replayed.
    #[arg(long, default_value = "kabar-replay")]
    pub group: String,
    /// Show what would be replayed; publish and commit nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    /// Address for /metrics, /healthz, /readyz and /status (overrides http.listen).
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

impl RunArgs {
    /// The flags that override configuration.
    pub fn apply(&self, config: &mut Config) {
        self.apply_naming(config);
    }

    /// The flags that override configuration; returns which settings they set, and the flag.
    pub fn apply_naming(&self, config: &mut Config) -> Vec<(&'static str, &'static str)> {
        let mut set = Vec::new();
        if let Some(brokers) = &self.brokers {
            config.kafka.brokers.clone_from(brokers);
            set.push(("kafka.brokers", "--brokers"));
        }
        if let Some(group) = &self.group_id {
            config.kafka.group_id.clone_from(group);
            set.push(("kafka.group_id", "--group-id"));
        }
        if let Some(topics) = &self.input_topics {
            config.kafka.input_topics.clone_from(topics);
            set.push(("kafka.input_topics", "--input-topics"));
        }
        if let Some(addr) = self.http_addr {
            config.http.listen = addr;
            set.push(("http.listen", "--http-addr"));
        }
        if let Some(routes) = &self.routes {
            config.pipeline.routes_file = Some(routes.clone());
            set.push(("pipeline.routes_file", "--routes"));
        }
        set
    }

    /// What file mode reads and writes, when no brokers are configured.
    pub fn file_input(&self) -> FileInput {
        FileInput {
            input: self.input.clone(),
            output_dir: self.output_dir.clone(),
            follow: self.follow,
        }
    }
}

/// The tools' `--brokers` over `kafka.brokers`; an error when neither names one.
pub fn override_brokers(config: &mut Config, brokers: Option<&str>) -> anyhow::Result<()> {
    if let Some(brokers) = brokers {
        config.kafka.brokers = brokers.to_owned();
    }
    if !config.uses_kafka() {
        anyhow::bail!("no Kafka brokers configured: use --brokers or KABAR_KAFKA_BROKERS");
    }
    Ok(())
}
