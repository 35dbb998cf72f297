//! Command-line interface.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use kabar_pipeline::StageSet;

use crate::config::{Config, LogFormat};
use crate::service::FileInput;
use crate::tools::tail::{Filter, Format, Isolation};
use crate::tools::time::TimeArg;

/// kabar: enriches news articles (language, clean text, entities) and routes them to topics.
#[derive(Debug, Parser)]
#[command(name = "kabar", version, about, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (settings are also read from KABAR_* environment variables).
    #[arg(long, global = true, env = "KABAR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format.
    #[arg(long, global = true, value_enum, env = "KABAR_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `kabar=debug`.
    #[arg(long, global = true, env = "KABAR_LOG_LEVEL")]
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
    /// Print what arrives on a topic: JSON lines, or pretty on a terminal.
    Tail(TailArgs),
    /// Re-publish dead letters to the topic they came from (or another).
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
    /// Print the completion script for a shell.
    ///
    /// bash: `kabar completions bash > /etc/bash_completion.d/kabar`;
    /// zsh: `kabar completions zsh > "${fpath[1]}/_kabar"`;
    /// fish: `kabar completions fish > ~/.config/fish/completions/kabar.fish`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a folder.
    ///
    /// `kabar man | man -l -` reads it; `kabar man --dir /usr/local/share/man/man1` installs
    /// kabar.1 and kabar-<command>.1.
    Man(ManArgs),
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
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write kabar.1 and kabar-<command>.1 into this folder instead of printing kabar.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// A list item with the spaces around it removed, as configuration lists are read.
fn trimmed(text: &str) -> Result<String, String> {
    Ok(text.trim().to_owned())
}

#[derive(Debug, clap::Args)]
pub struct ProduceArgs {
    /// Topic to publish to.
    pub topic: String,
    /// Files or folders of articles (`.jsonl`: one per line; other files: one each), or `-`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long, env = "KABAR_KAFKA_BROKERS")]
    pub brokers: Option<String>,
    /// Messages per second (0: as fast as possible).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Times to publish the inputs (0: until interrupted).
    #[arg(long, default_value_t = 1)]
    pub repeat: u64,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Output: one JSON object per record when stdout is not a terminal \
(topic, partition, offset, timestamp, timestampType, time, key, keyEncoding, headers, value, \
valueEncoding; the value is JSON when it is JSON, else a string, or base64 for bytes that are \
not UTF-8), pretty and coloured on a terminal.\n\nExamples:\n  \
kabar tail news.dlq.v1 --from-beginning --until-end | jq '.headers[\"kabar-error-code\"]'\n  \
kabar tail news.enriched.v1 --since 10m --where lang=ind --format value"
)]
pub struct TailArgs {
    /// Topic to read.
    pub topic: String,
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long, env = "KABAR_KAFKA_BROKERS")]
    pub brokers: Option<String>,
    /// Start at the oldest record instead of the newest.
    #[arg(long, conflicts_with_all = ["offset", "since"])]
    pub from_beginning: bool,
    /// Start at this offset in every partition read; negative: that many records before the
    /// end.
    #[arg(long, allow_negative_numbers = true, conflicts_with = "since")]
    pub offset: Option<i64>,
    /// Start at the first record at or after TIME: RFC 3339 (2026-12-01T15:00:00Z, +07:00
    /// offsets, a date), milliseconds since the epoch, or a span ago (10m, 2h, 1day).
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Only these partitions (repeat, or comma-separated); all when absent.
    #[arg(long = "partition", value_delimiter = ',', value_name = "N")]
    pub partitions: Vec<i32>,
    /// Only articles matching NAME=VALUE: lang=ind, type=PER, entity=Q423, source=..., id=...
    /// (repeat to require several).
    #[arg(long = "where", value_name = "NAME=VALUE")]
    pub filters: Vec<Filter>,
    /// Stop after this many records printed.
    #[arg(long)]
    pub max: Option<u64>,
    /// Stop once every partition is read to the end it had when tail started.
    #[arg(long)]
    pub until_end: bool,
    /// Stop after this many seconds without a record.
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<f64>,
    /// Output format [default: json when stdout is not a terminal, pretty when it is].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Records of open or aborted transactions too (read_uncommitted), or committed ones only.
    #[arg(long, value_enum, default_value = "read-committed")]
    pub isolation: Isolation,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Letters go in batches, one commit per batch once every message of the \
batch is acknowledged; a failure leaves its batch uncommitted, so a second run repeats it. The \
group remembers what was read: letters --code did not select, and those before --since, are \
passed over for it (another --group replays them later).\n\nExamples:\n  \
kabar replay --code invalid_json --dry-run\n  \
kabar replay --since 2026-12-01T15:00:00Z --until 2026-12-01T16:00:00Z --to news.raw.retry"
)]
pub struct ReplayArgs {
    /// Kafka bootstrap servers (overrides kafka.brokers).
    #[arg(long, env = "KABAR_KAFKA_BROKERS")]
    pub brokers: Option<String>,
    /// The dead-letter topic to read (overrides kafka.dead_letter_topic).
    #[arg(long, value_name = "TOPIC", env = "KABAR_KAFKA_DEAD_LETTER_TOPIC")]
    pub from: Option<String>,
    /// Re-publish every letter to TOPIC instead of the topic it came from.
    #[arg(long, value_name = "TOPIC")]
    pub to: Option<String>,
    /// Only dead letters with this error code (repeat for several); all when absent.
    #[arg(long = "code")]
    pub codes: Vec<String>,
    /// Replay at most this many letters.
    #[arg(long)]
    pub max: Option<u64>,
    /// Start at the first letter written at or after TIME (as in `tail --since`).
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeArg>,
    /// Stop before the first letter written after TIME.
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeArg>,
    /// Consumer group remembering what was already replayed.
    #[arg(long, default_value = "kabar-replay")]
    pub group: String,
    /// Letters per batch (and per commit).
    #[arg(long, default_value_t = crate::tools::replay::DEFAULT_BATCH_SIZE)]
    pub batch_size: usize,
    /// List what would be re-published, and where; publish and commit nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Kafka bootstrap servers (overrides kafka.brokers); without any, file mode.
    #[arg(long, env = "KABAR_KAFKA_BROKERS")]
    pub brokers: Option<String>,
    /// Consumer group (overrides kafka.group_id).
    #[arg(long, env = "KABAR_KAFKA_GROUP_ID")]
    pub group_id: Option<String>,
    /// Input topics, comma-separated (overrides kafka.input_topics).
    #[arg(long, value_delimiter = ',', value_parser = trimmed, env = "KABAR_KAFKA_INPUT_TOPICS")]
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
    /// Address for the live page (/), /metrics, /healthz, /readyz and /status (overrides
    /// http.listen).
    #[arg(long, env = "KABAR_HTTP_LISTEN")]
    pub http_addr: Option<SocketAddr>,
    /// Routes file (overrides pipeline.routes_file).
    #[arg(long, env = "KABAR_PIPELINE_ROUTES_FILE")]
    pub routes: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Stages to run, comma-separated: any of clean,lang,entities,route.
    #[arg(long, default_value = "clean,lang,entities,route")]
    pub stages: StageSet,
    /// Routes file (overrides pipeline.routes_file).
    #[arg(long, env = "KABAR_PIPELINE_ROUTES_FILE")]
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every flag that overrides a setting, and the variable its help must show.
    const FLAG_VARIABLES: [(&str, &str, &str); 12] = [
        ("run", "brokers", "KABAR_KAFKA_BROKERS"),
        ("run", "group_id", "KABAR_KAFKA_GROUP_ID"),
        ("run", "input_topics", "KABAR_KAFKA_INPUT_TOPICS"),
        ("run", "http_addr", "KABAR_HTTP_LISTEN"),
        ("run", "routes", "KABAR_PIPELINE_ROUTES_FILE"),
        ("run", "config", "KABAR_CONFIG"),
        ("run", "log_format", "KABAR_LOG_FORMAT"),
        ("run", "log_level", "KABAR_LOG_LEVEL"),
        ("enrich", "routes", "KABAR_PIPELINE_ROUTES_FILE"),
        ("produce", "brokers", "KABAR_KAFKA_BROKERS"),
        ("tail", "brokers", "KABAR_KAFKA_BROKERS"),
        ("replay", "from", "KABAR_KAFKA_DEAD_LETTER_TOPIC"),
    ];

    #[test]
    fn flags_show_the_variables_they_stand_for() {
        let mut command = Cli::command();
        command.build();
        let known = Config::environment_variables();
        for (sub, flag, variable) in FLAG_VARIABLES {
            let sub = command.find_subcommand(sub).unwrap();
            let arg = sub
                .get_arguments()
                .find(|a| a.get_id() == flag)
                .unwrap_or_else(|| panic!("no --{flag}"));
            assert_eq!(
                arg.get_env().and_then(|e| e.to_str()),
                Some(variable),
                "--{flag}"
            );
            assert!(
                known.contains(&variable.to_owned()),
                "{variable} is not read"
            );
        }
        // And no flag names a variable kabar does not read.
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments() {
                if let Some(env) = arg.get_env().and_then(|e| e.to_str()) {
                    assert!(
                        known.contains(&env.to_owned()),
                        "--{} names {env}",
                        arg.get_id()
                    );
                }
            }
        }
    }

    #[test]
    fn tail_takes_its_start_once() {
        let parse = |args: &[&str]| Cli::try_parse_from([&["kabar", "tail", "t"], args].concat());
        assert!(parse(&["--offset", "-5"]).is_ok());
        assert!(parse(&["--since", "10m", "--until-end"]).is_ok());
        assert!(parse(&["--from-beginning", "--offset", "3"]).is_err());
        assert!(parse(&["--since", "10m", "--offset", "3"]).is_err());
        assert!(parse(&["--since", "someday"]).is_err());
        assert!(parse(&["--format", "value", "--isolation", "read-uncommitted"]).is_ok());
    }
}
