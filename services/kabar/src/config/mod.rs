//! One typed configuration: defaults, then an optional TOML file, then `KABAR_*` environment
//! variables, then command-line flags. Validated once at start-up.
//!
//! Environment variables name a section and a key: `KABAR_KAFKA_BROKERS` is `kafka.brokers`,
//! `KABAR_PIPELINE_MAX_IN_FLIGHT` is `pipeline.max_in_flight`. Lists may be given comma-separated.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use kabar_pipeline::LanguagePriors;
use kabar_pipeline::route::RouteRule;
use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;

mod kafka;
mod list;
mod pipeline;
mod security;

pub use kafka::{Delivery, KafkaConfig};
pub use pipeline::{
    LoadedRoutes, PipelineSettings, RouteProblem, SourceLanguages, default_routes, line_of,
};
pub use security::{SaslMechanism, Secret, SecurityProtocol};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kafka: KafkaConfig,
    pub http: HttpConfig,
    pub pipeline: PipelineSettings,
    pub log: LogConfig,
}

/// A setting whose value cannot work, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingProblem {
    /// `section.key`.
    pub setting: &'static str,
    pub message: String,
}

impl std::fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.setting, self.message)
    }
}

/// The HTTP endpoint for `/metrics`, `/healthz`, `/readyz` and `/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub listen: SocketAddr,
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `kabar=debug,rdkafka=warn`.
    pub level: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 9898)),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

/// `KABAR_KAFKA_CLIENT_SASL_USERNAME` sets the librdkafka property `sasl.username`.
const CLIENT_ENV_PREFIX: &str = "KABAR_KAFKA_CLIENT_";

/// Sections whose keys environment variables may set.
pub const SECTIONS: [&str; 4] = ["kafka", "http", "pipeline", "log"];

impl Config {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                bail!("config file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        figment = figment.merge(Self::env_provider());
        Self::from_figment(&figment)
    }

    /// The configuration from its merged layers, with the librdkafka properties of the
    /// environment and the SASL password file read.
    pub fn from_figment(figment: &Figment) -> anyhow::Result<Self> {
        let mut config: Config = figment.extract().context("invalid configuration")?;
        // librdkafka property names contain dots, which figment would read as nesting.
        for (name, value) in std::env::vars() {
            if let Some(property) = name.strip_prefix(CLIENT_ENV_PREFIX) {
                let property = property.to_ascii_lowercase().replace('_', ".");
                config.kafka.client.insert(property, value);
            }
        }
        config.kafka.load_password_file()?;
        Ok(config)
    }

    /// The configuration as TOML (what `kabar config` prints), secrets masked.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        toml::to_string(&self.redacted()).context("cannot write the configuration as TOML")
    }

    /// `KABAR_<SECTION>_<KEY>` → `<section>.<key>`. `KABAR_KAFKA_CLIENT_<PROP>` is read
    /// separately (see [`Config::load`]).
    pub fn env_provider() -> Env {
        Env::prefixed("KABAR_")
            .filter(|key| {
                let key = key.as_str().to_ascii_lowercase();
                !key.starts_with("kafka_client_")
                    && SECTIONS.iter().any(|s| key.starts_with(&format!("{s}_")))
            })
            .map(|key| {
                key.as_str()
                    .to_ascii_lowercase()
                    .replacen('_', ".", 1)
                    .into()
            })
    }

    /// Every environment variable kabar reads, for documentation and the deploy checks.
    pub fn environment_variables() -> Vec<String> {
        let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
        let mut names = vec!["KABAR_CONFIG".to_owned()];
        if let Some(sections) = defaults.as_object() {
            for (section, keys) in sections {
                for key in keys.as_object().into_iter().flat_map(|k| k.keys()) {
                    names.push(format!("KABAR_{section}_{key}").to_ascii_uppercase());
                }
            }
        }
        names.push("KABAR_KAFKA_CLIENT_<PROPERTY>".to_owned());
        names
    }

    /// Checks what serde cannot: values that are well-formed but unusable, the routes, the
    /// language codes, the files the settings name. Every problem, one a line.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut problems: Vec<String> = self
            .setting_problems()
            .into_iter()
            .map(|problem| problem.to_string())
            .collect();
        problems.extend(
            self.pipeline
                .route_problems()
                .into_iter()
                .map(|problem| problem.to_string()),
        );
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{}", problems.join("\n"))
        }
    }

    /// Problems with settings (the routes file's content aside), each naming its setting.
    pub fn setting_problems(&self) -> Vec<SettingProblem> {
        let mut problems = Vec::new();
        let mut problem = |setting: &'static str, message: String| {
            problems.push(SettingProblem { setting, message });
        };
        if self.pipeline.max_payload_bytes == 0 {
            problem(
                "pipeline.max_payload_bytes",
                "must be at least 1".to_owned(),
            );
        }
        if self.pipeline.max_in_flight == 0 {
            problem("pipeline.max_in_flight", "must be at least 1".to_owned());
        }
        if let Err(error) = EnvFilter::try_new(&self.log.level) {
            problem("log.level", format!("invalid log filter: {error}"));
        }
        if self.uses_kafka() {
            if self.kafka.input_topics.is_empty() {
                problem(
                    "kafka.input_topics",
                    "is empty: there is nothing to consume".to_owned(),
                );
            }
            if self.kafka.group_id.trim().is_empty() {
                problem("kafka.group_id", "is empty".to_owned());
            }
            if self.kafka.delivery == Delivery::ExactlyOnce {
                if self.kafka.transaction_max_messages == 0 {
                    problem(
                        "kafka.transaction_max_messages",
                        "must be at least 1".to_owned(),
                    );
                }
                if self.kafka.transaction_max_ms == 0 {
                    problem("kafka.transaction_max_ms", "must be at least 1".to_owned());
                }
            }
            if self.kafka.dead_letter_topic.trim().is_empty() {
                problem(
                    "kafka.dead_letter_topic",
                    "is empty: poison input would have nowhere to go".to_owned(),
                );
            }
            if self.kafka.broker_timeout_ms < 3000 {
                problem(
                    "kafka.broker_timeout_ms",
                    "must be at least 3000: shorter, a busy broker flaps readiness".to_owned(),
                );
            }
            for (setting, message) in self.kafka.security_problems() {
                problem(setting, message);
            }
        }
        let known = kabar_pipeline::lang::supported_codes();
        let unknown = |codes: &mut dyn Iterator<Item = &String>| -> Vec<String> {
            codes
                .filter(|code| !known.contains(&code.as_str()))
                .cloned()
                .collect()
        };
        let sources = &self.pipeline.source_languages;
        for (setting, codes) in [
            (
                "pipeline.expected_languages",
                unknown(&mut self.pipeline.expected_languages.iter()),
            ),
            (
                "pipeline.allowed_languages",
                unknown(&mut self.pipeline.allowed_languages.iter()),
            ),
            (
                "pipeline.source_languages",
                unknown(
                    &mut sources
                        .values()
                        .flat_map(|own| own.expected.iter().chain(&own.allowed)),
                ),
            ),
        ] {
            if !codes.is_empty() {
                problem(
                    setting,
                    format!(
                        "unknown language codes: {} (ISO 639-3 codes such as ind, zsm, eng)",
                        codes.join(", ")
                    ),
                );
            }
        }
        problems
    }

    /// The language priors for the pipeline (see [`PipelineSettings::language_priors`]).
    pub fn language_priors(&self) -> LanguagePriors {
        self.pipeline.language_priors()
    }

    /// The routes: from the routes file, or kabar's defaults.
    pub fn routes(&self) -> anyhow::Result<Vec<RouteRule>> {
        self.pipeline.routes()
    }

    /// Worker threads for CPU work.
    pub fn worker_threads(&self) -> usize {
        self.pipeline.worker_threads()
    }

    /// The transactional id for exactly-once delivery.
    pub fn transactional_id(&self) -> String {
        self.kafka.transactional_id()
    }

    pub fn uses_kafka(&self) -> bool {
        !self.kafka.brokers.trim().is_empty()
    }

    /// The configuration as it is logged: secrets in client properties masked.
    pub fn redacted(&self) -> Config {
        let mut copy = self.clone();
        for (key, value) in &mut copy.kafka.client {
            if is_secret(key) {
                *value = "[redacted]".to_owned();
            }
        }
        copy
    }
}

/// librdkafka properties that hold secrets.
pub fn is_secret(property: &str) -> bool {
    let property = property.to_ascii_lowercase();
    ["password", "secret", "key.pem", "token", "credentials"]
        .iter()
        .any(|word| property.contains(word))
}

#[cfg(test)]
mod tests;
