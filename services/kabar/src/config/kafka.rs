//! `[kafka]`: brokers, topics, group, security and delivery.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::security::{SaslMechanism, Secret, SecurityProtocol};
use super::{Config, string_list};

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

impl Config {
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
}
