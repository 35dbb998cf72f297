//! `[kafka]`: brokers, topics, group, delivery, and how kabar authenticates to Kafka and
//! protects the connection: TLS and SASL settings, validated at start-up and turned into
//! librdkafka properties in one place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize};

use super::list::string_list;
use super::security::{SaslMechanism, Secret, SecurityProtocol};

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
    /// `/readyz` answers 503 once no broker has answered for this long, in milliseconds.
    pub broker_timeout_ms: u64,
    /// At start-up, kabar exits with status 69 when no broker answered within this long, in
    /// milliseconds; 0 waits for ever.
    pub startup_timeout_ms: u64,
}

/// Delivery guarantee towards output topics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    #[default]
    AtLeastOnce,
    ExactlyOnce,
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
            broker_timeout_ms: 30_000,
            startup_timeout_ms: 120_000,
        }
    }
}

impl KafkaConfig {
    /// How long without a broker before the instance is not ready.
    pub fn broker_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.broker_timeout_ms)
    }

    /// How long start-up waits for the broker; `None` for ever.
    pub fn startup_timeout(&self) -> Option<std::time::Duration> {
        (self.startup_timeout_ms > 0)
            .then(|| std::time::Duration::from_millis(self.startup_timeout_ms))
    }

    /// The transactional id for exactly-once delivery.
    pub fn transactional_id(&self) -> String {
        self.transactional_id.clone().unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME")
                .ok()
                .filter(|h| !h.is_empty())
                .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
                .map(|h| h.trim().to_owned())
                .unwrap_or_else(|| "localhost".to_owned());
            format!("kabar-{}-{host}", self.group_id)
        })
    }

    /// Reads `sasl_password_file` into `sasl_password` (a mounted secret, as Docker and
    /// Kubernetes provide them); giving both is an error, not a silent choice.
    pub(super) fn load_password_file(&mut self) -> anyhow::Result<()> {
        let Some(path) = &self.sasl_password_file else {
            return Ok(());
        };
        if self.sasl_password.is_some() {
            bail!("set kafka.sasl_password or kafka.sasl_password_file, not both");
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read kafka.sasl_password_file {}", path.display()))?;
        let password = text.trim_end_matches(['\r', '\n']);
        if password.is_empty() {
            bail!("kafka.sasl_password_file {} is empty", path.display());
        }
        self.sasl_password = Some(Secret::new(password));
        Ok(())
    }

    /// Settings that are well-formed but cannot work together: `(setting, why)`, all of them.
    pub(super) fn security_problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let protocol = self.security_protocol;
        if protocol.uses_sasl() {
            if self
                .sasl_username
                .as_deref()
                .is_none_or(|u| u.trim().is_empty())
            {
                problems.push((
                    "kafka.sasl_username",
                    format!("kafka.security_protocol = {protocol:?} needs kafka.sasl_username"),
                ));
            }
            if self.sasl_password.is_none() {
                problems.push((
                    "kafka.sasl_password",
                    format!(
                        "kafka.security_protocol = {protocol:?} needs kafka.sasl_password \
                         (or kafka.sasl_password_file, or KABAR_KAFKA_SASL_PASSWORD)"
                    ),
                ));
            }
        } else if self.sasl_username.is_some() || self.sasl_password.is_some() {
            problems.push((
                "kafka.security_protocol",
                format!(
                    "SASL credentials are set but kafka.security_protocol = {protocol:?}; \
                     use sasl_ssl (or sasl_plaintext)"
                ),
            ));
        }
        let tls_files = [
            ("kafka.ssl_ca_location", &self.ssl_ca_location),
            (
                "kafka.ssl_certificate_location",
                &self.ssl_certificate_location,
            ),
            ("kafka.ssl_key_location", &self.ssl_key_location),
        ];
        for (name, path) in tls_files {
            let Some(path) = path else { continue };
            if !protocol.uses_tls() {
                problems.push((
                    name,
                    format!("is set but kafka.security_protocol = {protocol:?} does not use TLS"),
                ));
            }
            if let Err(error) = readable(path) {
                problems.push((name, format!("{error:#}")));
            }
        }
        if self.ssl_certificate_location.is_some() != self.ssl_key_location.is_some() {
            problems.push((
                "kafka.ssl_key_location",
                "mutual TLS needs both kafka.ssl_certificate_location and \
                 kafka.ssl_key_location"
                    .to_owned(),
            ));
        }
        problems
    }

    /// The librdkafka properties for these settings. Properties in `kafka.client` are applied
    /// after these and win.
    pub fn apply_security(&self, client: &mut ClientConfig) {
        let protocol = self.security_protocol;
        client.set("security.protocol", protocol.as_librdkafka());
        if protocol.uses_sasl() {
            client.set("sasl.mechanism", self.sasl_mechanism.as_librdkafka());
            if let Some(username) = &self.sasl_username {
                client.set("sasl.username", username);
            }
            if let Some(password) = &self.sasl_password {
                client.set("sasl.password", password.expose());
            }
        }
        let files = [
            ("ssl.ca.location", &self.ssl_ca_location),
            ("ssl.certificate.location", &self.ssl_certificate_location),
            ("ssl.key.location", &self.ssl_key_location),
        ];
        for (property, path) in files {
            if let Some(path) = path {
                client.set(property, path.to_string_lossy());
            }
        }
        if let Some(password) = &self.ssl_key_password {
            client.set("ssl.key.password", password.expose());
        }
    }
}

fn readable(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .with_context(|| format!("cannot read {}", path.display()))
}
