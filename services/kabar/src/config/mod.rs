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
use kabar_pipeline::route::Router;
use serde::{Deserialize, Serialize};

mod dedup;
mod kafka;
mod list;
mod pipeline;
mod security;

pub use dedup::DedupSettings;
pub use kafka::{Delivery, KafkaConfig};
pub use pipeline::{PipelineSettings, SourceLanguages, default_routes};
pub use security::{SaslMechanism, Secret, SecurityProtocol};

/// The whole configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub kafka: KafkaConfig,
    pub http: HttpConfig,
    pub pipeline: PipelineSettings,
    pub log: LogConfig,
    pub dedup: DedupSettings,
}

/// The HTTP endpoint for `/metrics`, `/healthz` and `/readyz`.
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
const SECTIONS: [&str; 5] = ["kafka", "http", "pipeline", "log", "dedup"];

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

    /// `KABAR_<SECTION>_<KEY>` → `<section>.<key>`. `KABAR_KAFKA_CLIENT_<PROP>` is read
    /// separately (see [`Config::load`]).
    fn env_provider() -> Env {
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

    /// Checks what serde cannot: values that are well-formed but unusable.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.pipeline.max_payload_bytes == 0 {
            bail!("pipeline.max_payload_bytes must be at least 1");
        }
        if self.pipeline.max_in_flight == 0 {
            bail!("pipeline.max_in_flight must be at least 1");
        }
        if self.uses_kafka() {
            if self.kafka.input_topics.is_empty() {
                bail!("kafka.input_topics is empty: there is nothing to consume");
            }
            if self.kafka.group_id.trim().is_empty() {
                bail!("kafka.group_id is empty");
            }
            if self.kafka.delivery == Delivery::ExactlyOnce
                && (self.kafka.transaction_max_messages == 0 || self.kafka.transaction_max_ms == 0)
            {
                bail!(
                    "kafka.transaction_max_messages and kafka.transaction_max_ms must be at least 1"
                );
            }
            if self.kafka.dead_letter_topic.trim().is_empty() {
                bail!("kafka.dead_letter_topic is empty: poison input would have nowhere to go");
            }
            if self.dedup.enabled && self.kafka.fingerprint_topic.trim().is_empty() {
                bail!("kafka.fingerprint_topic is empty: instances could not share their index");
            }
            self.kafka.validate_security()?;
        }
        Router::new(self.routes()?).context("invalid routes")?;
        let problems = self.dedup.problems();
        if !problems.is_empty() {
            bail!("invalid near-duplicate settings: {}", problems.join("; "));
        }
        let unknown = self.language_priors().unknown_codes();
        if !unknown.is_empty() {
            bail!(
                "unknown language codes in pipeline language settings: {} (ISO 639-3 \
                 codes such as ind, zsm, eng)",
                unknown.join(", ")
            );
        }
        Ok(())
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
