//! One typed configuration: defaults, then an optional TOML file, then `KABAR_*` environment
//! variables, then command-line flags. Validated once at start-up.
//!
//! Environment variables name a section and a key: `KABAR_KAFKA_BROKERS` is `kafka.brokers`,
//! `KABAR_PIPELINE_MAX_IN_FLIGHT` is `pipeline.max_in_flight`. Lists may be given comma-separated.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use kabar_pipeline::LanguagePriors;
use kabar_pipeline::lang::DetectorOptions;
use kabar_pipeline::route::{Condition, Encoding, RouteRule, Router};
use serde::{Deserialize, Deserializer, Serialize};

mod security;
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

/// Where articles come from and go to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaConfig {
    /// Bootstrap servers; empty means no Kafka (file mode).
    pub brokers: String,
    /// Consumer group: instances with the same group share the input partitions.
    pub group_id: String,
    /// Topics raw articles are read from.
    #[serde(deserialize_with = "string_list")]
    pub input_topics: Vec<String>,
    /// Where input that can never be enriched goes, unchanged, with the reason in headers.
    pub dead_letter_topic: String,
    /// `plaintext` (default), `ssl`, `sasl_plaintext` or `sasl_ssl`.
    pub security_protocol: SecurityProtocol,
    /// With `sasl_*`: `SCRAM-SHA-512` (default), `SCRAM-SHA-256` or `PLAIN`.
    pub sasl_mechanism: SaslMechanism,
    pub sasl_username: Option<String>,
    /// Prefer `sasl_password_file` or `KABAR_KAFKA_SASL_PASSWORD` to writing it in a file.
    pub sasl_password: Option<Secret>,
    /// A file holding the SASL password (a mounted secret); trailing newlines are ignored.
    pub sasl_password_file: Option<PathBuf>,
    /// PEM file of the CA certificates that signed the brokers'; the system store if absent.
    pub ssl_ca_location: Option<PathBuf>,
    /// Mutual TLS: the client certificate and its private key (PEM).
    pub ssl_certificate_location: Option<PathBuf>,
    pub ssl_key_location: Option<PathBuf>,
    pub ssl_key_password: Option<Secret>,
    /// Extra librdkafka properties, applied to consumer and producer after the settings above
    /// (so they win). Values of properties named like secrets are masked in logs.
    pub client: BTreeMap<String, String>,
    /// `at-least-once` (the default) or `exactly-once` (transactions: consumers reading with
    /// `isolation.level=read_committed` see every input's outputs exactly once).
    pub delivery: Delivery,
    /// Exactly-once: the producer's transactional id. Keep it stable per instance across
    /// restarts, so a restarted instance fences its zombie; default `kabar-<group>-<hostname>`.
    pub transactional_id: Option<String>,
    /// Exactly-once: at most this many input messages per transaction.
    pub transaction_max_messages: usize,
    /// Exactly-once: a transaction collects input for at most this long, in milliseconds.
    pub transaction_max_ms: u64,
}

/// Delivery guarantee towards output topics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    #[default]
    AtLeastOnce,
    ExactlyOnce,
}

/// The HTTP endpoint for `/metrics`, `/healthz` and `/readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub listen: SocketAddr,
}

/// How articles are processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineSettings {
    /// Largest accepted input, in bytes; larger payloads are dead-lettered.
    pub max_payload_bytes: usize,
    /// Articles being processed or produced at once; the consumer pauses beyond it.
    pub max_in_flight: usize,
    /// Threads doing CPU work; 0 means one per core.
    pub workers: usize,
    /// TOML file of routes (`[[route]]` tables); kabar's defaults when absent.
    pub routes_file: Option<PathBuf>,
    /// Languages most articles are in (ISO 639-3): they win close calls, such as Indonesian
    /// against Malay. Empty: no preference.
    #[serde(deserialize_with = "string_list")]
    pub expected_languages: Vec<String>,
    /// The only languages kabar may answer (others become the closest allowed one, or `und`).
    /// Empty: every language kabar knows.
    #[serde(deserialize_with = "string_list")]
    pub allowed_languages: Vec<String>,
    /// Per source (an article's `source`, else its URL's host): `expected` and `allowed` for
    /// that source's articles; what a source leaves out comes from the two settings above.
    pub source_languages: BTreeMap<String, SourceLanguages>,
    /// Benchmarking only: forward every input unchanged to `passthrough_topic`, skipping
    /// enrichment, with the same consumer, producer and offset handling. Measures the ceiling
    /// that Kafka and kabar's IO allow on a machine.
    pub passthrough_topic: Option<String>,
}

/// Language priors of one source (see [`PipelineSettings::source_languages`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceLanguages {
    #[serde(deserialize_with = "string_list")]
    pub expected: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub allowed: Vec<String>,
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

impl Default for KafkaConfig {
    fn default() -> Self {
        Self {
            brokers: String::new(),
            group_id: "kabar".to_owned(),
            input_topics: vec!["news.raw".to_owned()],
            dead_letter_topic: "news.dlq.v1".to_owned(),
            security_protocol: SecurityProtocol::Plaintext,
            sasl_mechanism: SaslMechanism::ScramSha512,
            sasl_username: None,
            sasl_password: None,
            sasl_password_file: None,
            ssl_ca_location: None,
            ssl_certificate_location: None,
            ssl_key_location: None,
            ssl_key_password: None,
            client: BTreeMap::new(),
            delivery: Delivery::AtLeastOnce,
            transactional_id: None,
            transaction_max_messages: 500,
            transaction_max_ms: 100,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 9898)),
        }
    }
}

impl Default for PipelineSettings {
    fn default() -> Self {
        Self {
            max_payload_bytes: kabar_pipeline::input::Limits::DEFAULT_MAX_PAYLOAD_BYTES,
            max_in_flight: 256,
            workers: 0,
            routes_file: None,
            expected_languages: Vec::new(),
            allowed_languages: Vec::new(),
            source_languages: BTreeMap::new(),
            passthrough_topic: None,
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

/// Accepts a list or a comma-separated string (the form environment variables take).
fn string_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        One(String),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::List(list) => list,
        Either::One(joined) => joined
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// The routes file: `[[route]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    route: Vec<RouteRule>,
}

/// kabar's default routes: everything to the enriched stream, and one stream per language.
pub fn default_routes() -> Vec<RouteRule> {
    ["news.enriched.v1", "news.lang.{language}.v1"]
        .into_iter()
        .map(|topic| RouteRule {
            topic: topic.to_owned(),
            when: Condition::default(),
            encoding: Encoding::Json,
        })
        .collect()
}

/// `KABAR_KAFKA_CLIENT_SASL_USERNAME` sets the librdkafka property `sasl.username`.
const CLIENT_ENV_PREFIX: &str = "KABAR_KAFKA_CLIENT_";

/// Sections whose keys environment variables may set.
const SECTIONS: [&str; 4] = ["kafka", "http", "pipeline", "log"];

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
            self.kafka.validate_security()?;
        }
        Router::new(self.routes()?).context("invalid routes")?;
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

    /// The language priors for the pipeline: the defaults, and each source's own settings with
    /// what it leaves out taken from the defaults.
    pub fn language_priors(&self) -> LanguagePriors {
        let settings = &self.pipeline;
        let default = DetectorOptions {
            expected: settings.expected_languages.clone(),
            allowed: settings.allowed_languages.clone(),
            ..DetectorOptions::default()
        };
        let by_source = settings
            .source_languages
            .iter()
            .map(|(source, own)| {
                let pick = |own: &Vec<String>, default: &Vec<String>| {
                    if own.is_empty() {
                        default.clone()
                    } else {
                        own.clone()
                    }
                };
                let options = DetectorOptions {
                    expected: pick(&own.expected, &default.expected),
                    allowed: pick(&own.allowed, &default.allowed),
                    ..DetectorOptions::default()
                };
                (source.clone(), options)
            })
            .collect();
        LanguagePriors { default, by_source }
    }

    pub fn uses_kafka(&self) -> bool {
        !self.kafka.brokers.trim().is_empty()
    }

    /// The routes: from the routes file, or kabar's defaults.
    pub fn routes(&self) -> anyhow::Result<Vec<RouteRule>> {
        let Some(path) = &self.pipeline.routes_file else {
            return Ok(default_routes());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read routes file {}", path.display()))?;
        let file: RoutesFile = toml::from_str(&text)
            .with_context(|| format!("invalid routes file {}", path.display()))?;
        Ok(file.route)
    }

    /// The transactional id for exactly-once delivery.
    pub fn transactional_id(&self) -> String {
        self.kafka.transactional_id.clone().unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME")
                .ok()
                .filter(|h| !h.is_empty())
                .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|| "localhost".to_owned());
            format!("kabar-{}-{host}", self.kafka.group_id)
        })
    }

    /// Worker threads for CPU work.
    pub fn worker_threads(&self) -> usize {
        if self.pipeline.workers > 0 {
            self.pipeline.workers
        } else {
            std::thread::available_parallelism().map_or(2, usize::from)
        }
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
#[allow(clippy::result_large_err)] // figment's test jail returns its own large error type
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn layers_in_order() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "kabar.toml",
                r#"
                [kafka]
                brokers = "file:9092"
                group_id = "from-file"
                [pipeline]
                max_in_flight = 8
                "#,
            )?;
            jail.set_env("KABAR_KAFKA_GROUP_ID", "from-env");
            jail.set_env("KABAR_KAFKA_INPUT_TOPICS", "a, b");
            jail.set_env("KABAR_PIPELINE_MAX_PAYLOAD_BYTES", "1000");
            jail.set_env("KABAR_KAFKA_CLIENT_SASL_PASSWORD", "hunter2");
            let config = Config::load(Some(Path::new("kabar.toml"))).expect("loads");
            assert_eq!(config.kafka.brokers, "file:9092");
            assert_eq!(config.kafka.group_id, "from-env");
            assert_eq!(config.kafka.input_topics, ["a", "b"]);
            assert_eq!(config.pipeline.max_in_flight, 8);
            assert_eq!(config.pipeline.max_payload_bytes, 1000);
            assert_eq!(config.kafka.client["sasl.password"], "hunter2");
            let logged = format!("{:?}", config.redacted());
            assert!(!logged.contains("hunter2"));
            Ok(())
        });
    }

    #[test]
    fn sasl_ssl_from_file_and_environment() {
        Jail::expect_with(|jail| {
            jail.create_file("ca.pem", "-----BEGIN CERTIFICATE-----\n")?;
            jail.create_file(
                "kabar.toml",
                r#"
                [kafka]
                brokers = "broker:9093"
                security_protocol = "SASL_SSL"
                sasl_username = "kabar"
                ssl_ca_location = "ca.pem"
                "#,
            )?;
            jail.set_env("KABAR_KAFKA_SASL_PASSWORD", "s3cret-from-env");
            let config = Config::load(Some(Path::new("kabar.toml"))).expect("loads");
            config.validate().expect("valid");
            assert_eq!(config.kafka.security_protocol, SecurityProtocol::SaslSsl);
            assert_eq!(config.kafka.sasl_mechanism, SaslMechanism::ScramSha512);
            let mut client = rdkafka::ClientConfig::new();
            config.kafka.apply_security(&mut client);
            assert_eq!(client.get("security.protocol"), Some("sasl_ssl"));
            assert_eq!(client.get("sasl.mechanism"), Some("SCRAM-SHA-512"));
            assert_eq!(client.get("sasl.password"), Some("s3cret-from-env"));
            assert_eq!(client.get("ssl.ca.location"), Some("ca.pem"));
            let logged = format!(
                "{config:?} {}",
                serde_json::to_string(&config).expect("serializes")
            );
            assert!(!logged.contains("s3cret"), "{logged}");
            assert!(logged.contains("[redacted]"), "{logged}");
            Ok(())
        });
    }

    #[test]
    fn sasl_password_file_is_read_and_exclusive() {
        Jail::expect_with(|jail| {
            jail.create_file("password", "from-file\n")?;
            jail.set_env("KABAR_KAFKA_BROKERS", "broker:9093");
            jail.set_env("KABAR_KAFKA_SECURITY_PROTOCOL", "sasl_plaintext");
            jail.set_env("KABAR_KAFKA_SASL_USERNAME", "kabar");
            jail.set_env("KABAR_KAFKA_SASL_PASSWORD_FILE", "password");
            let config = Config::load(None).expect("loads");
            config.validate().expect("valid");
            let password = config.kafka.sasl_password.as_ref().expect("read");
            assert_eq!(password.expose(), "from-file");
            jail.set_env("KABAR_KAFKA_SASL_PASSWORD", "inline");
            let error = Config::load(None).expect_err("both given");
            assert!(format!("{error:#}").contains("not both"), "{error:#}");
            Ok(())
        });
    }

    #[test]
    fn unusable_security_settings_are_rejected() {
        let mut config = Config::default();
        config.kafka.brokers = "broker:9093".to_owned();
        config.kafka.security_protocol = SecurityProtocol::SaslSsl;
        let error = config.validate().expect_err("no username");
        assert!(format!("{error:#}").contains("sasl_username"), "{error:#}");
        config.kafka.sasl_username = Some("kabar".to_owned());
        let error = config.validate().expect_err("no password");
        assert!(format!("{error:#}").contains("sasl_password"), "{error:#}");
        config.kafka.sasl_password = Some(Secret::new("x"));
        config.kafka.ssl_ca_location = Some("/nonexistent/ca.pem".into());
        let error = config.validate().expect_err("missing CA file");
        assert!(
            format!("{error:#}").contains("/nonexistent/ca.pem"),
            "{error:#}"
        );
        config.kafka.ssl_ca_location = None;
        config.validate().expect("valid");
        config.kafka.security_protocol = SecurityProtocol::Plaintext;
        let error = config.validate().expect_err("credentials on plaintext");
        assert!(
            format!("{error:#}").contains("SASL credentials"),
            "{error:#}"
        );
    }

    #[test]
    fn language_priors_from_file_and_environment() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "kabar.toml",
                r#"
                [pipeline]
                allowed_languages = ["ind", "zsm", "eng"]
                [pipeline.source_languages."bernama.com"]
                expected = ["zsm"]
                "#,
            )?;
            jail.set_env("KABAR_PIPELINE_EXPECTED_LANGUAGES", "ind");
            let config = Config::load(Some(Path::new("kabar.toml"))).expect("loads");
            config.validate().expect("valid");
            let priors = config.language_priors();
            assert_eq!(priors.default.expected, ["ind"]);
            assert_eq!(priors.default.allowed, ["ind", "zsm", "eng"]);
            let bernama = &priors.by_source["bernama.com"];
            assert_eq!(bernama.expected, ["zsm"]);
            assert_eq!(
                bernama.allowed,
                ["ind", "zsm", "eng"],
                "inherited from the defaults"
            );
            jail.set_env("KABAR_PIPELINE_EXPECTED_LANGUAGES", "ind, malay");
            let config = Config::load(Some(Path::new("kabar.toml"))).expect("loads");
            let error = config.validate().expect_err("unknown code");
            assert!(format!("{error:#}").contains("malay"), "{error:#}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_rejected() {
        Jail::expect_with(|jail| {
            jail.create_file("kabar.toml", "[kafka]\nbrokerz = \"x\"\n")?;
            let error = Config::load(Some(Path::new("kabar.toml"))).expect_err("typo");
            assert!(format!("{error:#}").contains("brokerz"), "{error:#}");
            Ok(())
        });
    }

    #[test]
    fn routes_file_is_validated() {
        Jail::expect_with(|jail| {
            jail.create_file("routes.toml", "[[route]]\ntopic = \"news.{lang}.v1\"\n")?;
            let mut config = Config::default();
            config.pipeline.routes_file = Some("routes.toml".into());
            let error = config.validate().expect_err("bad placeholder");
            assert!(format!("{error:#}").contains("placeholder"), "{error:#}");
            Ok(())
        });
    }

    #[test]
    fn environment_variables_are_listed() {
        let names = Config::environment_variables();
        assert!(names.contains(&"KABAR_KAFKA_BROKERS".to_owned()));
        assert!(names.contains(&"KABAR_PIPELINE_MAX_IN_FLIGHT".to_owned()));
        assert!(names.contains(&"KABAR_HTTP_LISTEN".to_owned()));
    }
}
