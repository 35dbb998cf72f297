//! How kabar authenticates to Kafka and protects the connection: TLS and SASL settings, typed,
//! validated at start-up and turned into librdkafka properties in one place.
//!
//! Secrets are held in [`Secret`], whose `Debug` and `Serialize` never show the value, so the
//! start-up log and any dump of the configuration stay safe to share.

use std::fmt;
use std::path::Path;

use anyhow::{Context, bail};
use rdkafka::ClientConfig;
use serde::{Deserialize, Serialize, Serializer};

use super::KafkaConfig;

/// A value that must never reach a log line, a metric or an error message.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that hands it to the Kafka client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

/// librdkafka's `security.protocol`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityProtocol {
    #[default]
    #[serde(alias = "PLAINTEXT")]
    Plaintext,
    #[serde(alias = "SSL")]
    Ssl,
    #[serde(alias = "SASL_PLAINTEXT")]
    SaslPlaintext,
    #[serde(alias = "SASL_SSL")]
    SaslSsl,
}

impl SecurityProtocol {
    fn as_librdkafka(self) -> &'static str {
        match self {
            Self::Plaintext => "plaintext",
            Self::Ssl => "ssl",
            Self::SaslPlaintext => "sasl_plaintext",
            Self::SaslSsl => "sasl_ssl",
        }
    }

    pub fn uses_sasl(self) -> bool {
        matches!(self, Self::SaslPlaintext | Self::SaslSsl)
    }

    pub fn uses_tls(self) -> bool {
        matches!(self, Self::Ssl | Self::SaslSsl)
    }
}

/// SASL mechanisms kabar supports (no Kerberos: it needs a system SASL library and a KDC).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaslMechanism {
    #[default]
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
    #[serde(rename = "SCRAM-SHA-256")]
    ScramSha256,
    #[serde(rename = "PLAIN")]
    Plain,
}

impl SaslMechanism {
    fn as_librdkafka(self) -> &'static str {
        match self {
            Self::ScramSha512 => "SCRAM-SHA-512",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::Plain => "PLAIN",
        }
    }
}

impl KafkaConfig {
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

    /// Settings that are well-formed but cannot work together.
    pub(super) fn validate_security(&self) -> anyhow::Result<()> {
        let protocol = self.security_protocol;
        if protocol.uses_sasl() {
            if self
                .sasl_username
                .as_deref()
                .is_none_or(|u| u.trim().is_empty())
            {
                bail!("kafka.security_protocol = {protocol:?} needs kafka.sasl_username");
            }
            if self.sasl_password.is_none() {
                bail!(
                    "kafka.security_protocol = {protocol:?} needs kafka.sasl_password \
                     (or kafka.sasl_password_file, or KABAR_KAFKA_SASL_PASSWORD)"
                );
            }
        } else if self.sasl_username.is_some() || self.sasl_password.is_some() {
            bail!(
                "SASL credentials are set but kafka.security_protocol = {protocol:?}; \
                 use sasl_ssl (or sasl_plaintext)"
            );
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
                bail!("{name} is set but kafka.security_protocol = {protocol:?} does not use TLS");
            }
            readable(name, path)?;
        }
        if self.ssl_certificate_location.is_some() != self.ssl_key_location.is_some() {
            bail!(
                "mutual TLS needs both kafka.ssl_certificate_location and kafka.ssl_key_location"
            );
        }
        Ok(())
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

fn readable(name: &str, path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .with_context(|| format!("{name}: cannot read {}", path.display()))
}
