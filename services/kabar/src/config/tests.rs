//! The configuration's layers, validation and redaction.

#![allow(clippy::result_large_err)] // figment's test jail returns its own large error type

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
