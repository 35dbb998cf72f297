//! TLS and SASL/SCRAM-SHA-512 to a real broker: this test generates a CA and a broker
//! certificate, starts its own broker with a SASL_SSL listener (next to a plaintext one it uses
//! itself to produce and read), and runs kabar against the SASL_SSL listener only. It checks that
//! articles flow, that a wrong password fails clearly and never gets ready, and that no secret
//! reaches kabar's logs (at debug level) or its metrics, and that a real Prometheus with the
//! project's rules raises the authentication alert.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kabar_testkit::names::free_port;
use kabar_testkit::paths::repo_root;
use kabar_testkit::prometheus::ProjectPrometheus;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message};

const USER: &str = "kabar-svc";
// Distinctive, so a leak anywhere in the output is found by a plain substring search.
const PASSWORD: &str = "Scram512-pw-7f3c9a1e5b";
const WRONG_PASSWORD: &str = "Wrong-pw-0d8e2b6a4c";

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A test CA and a broker certificate for 127.0.0.1 signed by it (openssl), and the broker's
/// PEM key store (unencrypted key followed by its certificate).
fn generate_certificates(dir: &Path) -> (PathBuf, PathBuf) {
    let ca_key = dir.join("ca.key");
    let ca = dir.join("ca.pem");
    let key = dir.join("broker.key");
    let csr = dir.join("broker.csr");
    let cert = dir.join("broker.pem");
    let extensions = dir.join("broker.ext");
    std::fs::write(&extensions, "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=kabar test CA", "-keyout"])
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca));
    run(Command::new("openssl")
        .args([
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr));
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-set_serial", "2", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(&ca)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-extfile")
        .arg(&extensions)
        .arg("-out")
        .arg(&cert));
    let keystore = dir.join("broker-keystore.pem");
    let pem = std::fs::read_to_string(&key).unwrap() + &std::fs::read_to_string(&cert).unwrap();
    std::fs::write(&keystore, pem).unwrap();
    (ca, keystore)
}

/// A broker of our own: PLAINTEXT for the test's clients, SASL_SSL (SCRAM-SHA-512) for kabar.
struct SecureBroker {
    plaintext: String,
    sasl_ssl: String,
    port: u16,
}

impl SecureBroker {
    fn start(dir: &Path, keystore: &Path) -> Self {
        let port = free_port();
        let secure_port = free_port();
        let controller = free_port();
        let extra = dir.join("sasl-ssl.properties");
        std::fs::write(
            &extra,
            format!(
                "listeners=PLAINTEXT://127.0.0.1:{port},SASL_SSL://127.0.0.1:{secure_port},\
                 CONTROLLER://127.0.0.1:{controller}\n\
                 advertised.listeners=PLAINTEXT://127.0.0.1:{port},\
                 SASL_SSL://127.0.0.1:{secure_port},CONTROLLER://127.0.0.1:{controller}\n\
                 listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,\
                 SASL_SSL:SASL_SSL\n\
                 sasl.enabled.mechanisms=SCRAM-SHA-512\n\
                 listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=\
                 org.apache.kafka.common.security.scram.ScramLoginModule required;\n\
                 ssl.keystore.type=PEM\n\
                 ssl.keystore.location={}\n\
                 ssl.client.auth=none\n",
                keystore.display()
            ),
        )
        .unwrap();
        let status = Command::new("bash")
            .arg(repo_root().join("deploy/kafka/kafka-local.sh"))
            .arg("start")
            .env("KAFKA_PORT", port.to_string())
            .env("KAFKA_CONTROLLER_PORT", controller.to_string())
            .env("KAFKA_DATA_DIR", dir.join("kafka-data"))
            .env("KAFKA_EXTRA_CONFIG", &extra)
            .env(
                "KAFKA_FORMAT_ARGS",
                format!("--add-scram SCRAM-SHA-512=[name={USER},password={PASSWORD}]"),
            )
            .status()
            .unwrap();
        assert!(status.success(), "the SASL_SSL broker did not start");
        Self {
            plaintext: format!("127.0.0.1:{port}"),
            sasl_ssl: format!("127.0.0.1:{secure_port}"),
            port,
        }
    }

    fn client(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.plaintext);
        config
    }
}

impl Drop for SecureBroker {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("deploy/kafka/kafka-local.sh"))
            .arg("stop")
            .env("KAFKA_PORT", self.port.to_string())
            .stdout(Stdio::null())
            .status();
    }
}

/// `kabar run` against the SASL_SSL listener: the file names the user and the CA, the
/// password comes from the environment, logs at debug level go to `log`.
struct SecureKabar {
    child: Child,
    http: String,
    log: PathBuf,
}

impl SecureKabar {
    fn start(dir: &Path, broker: &SecureBroker, ca: &Path, password: &str, name: &str) -> Self {
        let config = dir.join(format!("{name}.toml"));
        std::fs::write(
            &config,
            format!(
                "[kafka]\nbrokers = \"{}\"\ninput_topics = [\"{name}.raw\"]\n\
                 group_id = \"{name}\"\ndead_letter_topic = \"{name}.dlq\"\n\
                 security_protocol = \"sasl_ssl\"\nsasl_mechanism = \"SCRAM-SHA-512\"\n\
                 sasl_username = \"{USER}\"\nssl_ca_location = \"{}\"\n",
                broker.sasl_ssl,
                ca.display()
            ),
        )
        .unwrap();
        let routes = dir.join(format!("{name}-routes.toml"));
        std::fs::write(&routes, format!("[[route]]\ntopic = \"{name}.enriched\"\n")).unwrap();
        let http = format!("127.0.0.1:{}", free_port());
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kabar"))
            .args(["--config"])
            .arg(&config)
            .args(["run", "--http-addr", &http, "--routes"])
            .arg(&routes)
            .env("KABAR_KAFKA_SASL_PASSWORD", password)
            .env("KABAR_LOG_LEVEL", "debug")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap();
        Self { child, http, log }
    }

    fn get(&self, path: &str) -> Option<(u16, String)> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .get(&format!("http://{}{path}", self.http))
            .call()
            .ok()?;
        let status = response.status().as_u16();
        Some((status, response.body_mut().read_to_string().unwrap()))
    }

    fn metrics(&self) -> String {
        self.get("/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }

    /// Stops it (SIGTERM, then kill) and returns everything it logged.
    fn stop(mut self) -> String {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap()
    }
}

fn produce_article(broker: &SecureBroker, topic: &str, id: &str) {
    let producer: FutureProducer = broker.client().create().unwrap();
    let payload = serde_json::json!({
        "id": id,
        "title": "Presiden bertemu Perdana Menteri di Jakarta",
        "text": "Presiden Indonesia bertemu Perdana Menteri Malaysia di Jakarta pada hari Senin \
                 untuk membahas kerja sama perdagangan dan keamanan di kawasan Asia Tenggara.",
    })
    .to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(producer.send(
            FutureRecord::to(topic).key(id).payload(&payload),
            Duration::from_secs(30),
        ))
        .map_err(|(error, _)| error)
        .unwrap();
}

fn create_topics(broker: &SecureBroker, topics: &[&str]) {
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    let admin: AdminClient<rdkafka::client::DefaultClientContext> =
        broker.client().create().unwrap();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|t| NewTopic::new(t, 1, TopicReplication::Fixed(1)))
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for result in runtime
        .block_on(admin.create_topics(&new, &AdminOptions::new()))
        .unwrap()
    {
        result.unwrap();
    }
}

fn read_one(broker: &SecureBroker, topic: &str, timeout: Duration) -> Option<serde_json::Value> {
    let consumer: BaseConsumer = broker
        .client()
        .set("group.id", format!("{topic}-reader"))
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(Ok(message)) = consumer.poll(Duration::from_millis(200)) {
            return serde_json::from_slice(message.payload()?).ok();
        }
    }
    None
}

fn authentication_errors(metrics: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| {
            line.strip_prefix("kabar_kafka_errors_total{kind=\"authentication\"}")?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or(0.0)
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [PASSWORD, WRONG_PASSWORD] {
        assert!(!text.contains(secret), "{what} contains a SASL password");
    }
}

#[test]
fn sasl_ssl_scram_sha_512_end_to_end_without_leaking_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, keystore) = generate_certificates(dir.path());
    let broker = SecureBroker::start(dir.path(), &keystore);

    // The right password: an article in, its enriched form out, over TLS + SCRAM (kabar never
    // creates topics: its outputs exist first).
    create_topics(&broker, &["secure.dlq", "secure.enriched"]);
    produce_article(&broker, "secure.raw", "secure-1");
    let kabar = SecureKabar::start(dir.path(), &broker, &ca, PASSWORD, "secure");
    let output = read_one(&broker, "secure.enriched", Duration::from_secs(90));
    let metrics = kabar.metrics();
    let ready = kabar.get("/readyz").map(|(status, _)| status);
    let log = kabar.stop();
    let output = output.unwrap_or_else(|| panic!("no output over SASL_SSL; kabar log:\n{log}"));
    assert_eq!(output["id"], "secure-1");
    assert_eq!(output["language"]["code"], "ind");
    assert_eq!(
        ready,
        Some(200),
        "kabar with valid credentials is not ready"
    );
    assert_eq!(authentication_errors(&metrics), 0.0);
    assert!(
        log.contains("[redacted]"),
        "the start-up log does not show the masked password"
    );
    assert!(metrics.contains("kabar_articles"), "no metrics scraped");
    assert_no_secret("the log", &log);
    assert_no_secret("/metrics", &metrics);

    // A wrong password: an authentication error, counted and logged, never ready, no leak;
    // the project's alert rules, in a real Prometheus, raise KabarKafkaAuthFailures.
    let kabar = SecureKabar::start(dir.path(), &broker, &ca, WRONG_PASSWORD, "denied");
    let prometheus = ProjectPrometheus::start(&[&kabar.http]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut metrics = String::new();
    while Instant::now() < deadline {
        metrics = kabar.metrics();
        if authentication_errors(&metrics) > 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let ready = kabar.get("/readyz").map(|(status, _)| status);
    let fired = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prometheus.wait_firing("KabarKafkaAuthFailures", Duration::from_secs(90))
    }));
    let log = kabar.stop();
    let labels = fired.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert_eq!(labels["severity"], "critical");
    assert!(
        authentication_errors(&metrics) > 0.0,
        "no authentication error counted; log:\n{log}"
    );
    assert!(
        log.to_ascii_lowercase().contains("authentication"),
        "the log does not say authentication failed:\n{log}"
    );
    assert_ne!(
        ready,
        Some(200),
        "kabar with a wrong password says it is ready"
    );
    assert_no_secret("the log", &log);
    assert_no_secret("/metrics", &metrics);
}
