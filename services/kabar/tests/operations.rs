//! Operating kabar: readiness that follows the broker (a broker of the test's own, stopped and
//! restarted), the status document, exit statuses, and alerts seen firing in a real Prometheus
//! with the project's rules.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kabar_testkit::broker::OwnBroker;
use kabar_testkit::kafka;
use kabar_testkit::names::unique;
use kabar_testkit::paths::repo_root;
use kabar_testkit::process::{KabarOptions, KabarProcess};
use kabar_testkit::prometheus::ProjectPrometheus;
use nix::sys::signal::Signal;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;

const KABAR: &str = env!("CARGO_BIN_EXE_kabar");

/// A child process killed when the test ends, passing or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn create_topics(broker: &OwnBroker, topics: &[&str], partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = broker.client().create().unwrap();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1)))
        .collect();
    for result in admin
        .create_topics(&new, &AdminOptions::new())
        .await
        .unwrap()
    {
        result.unwrap();
    }
}

/// `kabar produce` replaying the samples into `topic` at `rate` a second, until dropped.
fn feeder(brokers: &str, topic: &str, rate: &str) -> Running {
    Running(
        Command::new(KABAR)
            .args(["produce", topic])
            .arg(repo_root().join("deploy/samples"))
            .args(["--rate", rate, "--repeat", "0", "--brokers", brokers])
            .env("KABAR_LOG_LEVEL", "error")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Polls `check` every 200 ms until it holds; panics with `what` after `timeout`.
fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn routes_file(dir: &Path, topics: &[&str]) -> std::path::PathBuf {
    let path = dir.join("routes.toml");
    let text: String = topics
        .iter()
        .map(|t| format!("[[route]]\ntopic = \"{t}\"\n\n"))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_follows_the_broker_and_a_second_signal_cuts_shutdown_short() {
    // No topic appears by accident: kabar's checks see the cluster as it is.
    let mut broker = OwnBroker::start("auto.create.topics.enable=false\n");
    let prefix = unique("ops");
    let (input, dlq, out) = (
        format!("{prefix}.raw"),
        format!("{prefix}.dlq"),
        format!("{prefix}.out"),
    );
    // The near-duplicate index's topic: kabar reads it before it is ready.
    let fingerprints = format!("{prefix}.fingerprints");
    create_topics(&broker, &[&input, &dlq, &out, &fingerprints], 3).await;
    let dir = tempfile::tempdir().unwrap();
    let routes = routes_file(dir.path(), &[&out]);
    let group = unique("kabar");
    let mut kabar = KabarProcess::start_with_brokers(
        KABAR,
        &broker.address(),
        &KabarOptions {
            input_topic: &input,
            group: &group,
            dead_letter_topic: &dlq,
            routes_file: Some(&routes),
            env: vec![
                ("KABAR_KAFKA_BROKER_TIMEOUT_MS", "3000".to_owned()),
                ("KABAR_KAFKA_FINGERPRINT_TOPIC", fingerprints.clone()),
            ],
        },
    );
    let _feeder = feeder(&broker.address(), &input, "20");
    let prometheus = ProjectPrometheus::start(&[&kabar.http]);

    wait_until("kabar ready", Duration::from_secs(90), || {
        kabar
            .get("/readyz")
            .is_some_and(|(status, _)| status == 200)
    });
    wait_until(
        "a commit and the assigned partitions in /status",
        Duration::from_secs(60),
        || {
            let status = kabar.status();
            !status["lastCommitAt"].is_null()
                && status["partitions"].as_array().unwrap().len() == 3
                && status["partitions"][0]["committedOffset"].is_i64()
        },
    );
    let status = kabar.status();
    println!("status while the broker is up: {status:#}");
    assert_eq!(status["ready"], true);
    assert_eq!(status["mode"], "kafka");
    assert_eq!(status["delivery"], "at-least-once");
    assert_eq!(status["group"], group.as_str());
    assert_eq!(status["routes"]["count"], 1);
    assert!(
        status["routes"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );

    let commit_before_outage = status["lastCommitAt"].clone();

    // The broker goes away: not ready once the broker timeout has passed, and the alert fires.
    let stopped = Instant::now();
    broker.stop();
    wait_until("/readyz 503", Duration::from_secs(60), || {
        kabar
            .get("/readyz")
            .is_some_and(|(status, body)| status == 503 && body.contains("broker unreachable"))
    });
    println!(
        "not ready {:.1} s after the broker stopped",
        stopped.elapsed().as_secs_f64()
    );
    let status = kabar.status();
    assert_eq!(status["ready"], false);
    assert!(
        status["notReadyReasons"][0]
            .as_str()
            .unwrap()
            .starts_with("broker unreachable"),
        "{status:#}"
    );
    prometheus.wait_firing("KabarNotReady", Duration::from_secs(60));
    // Offsets stored before the outage cannot be committed while it lasts.
    prometheus.wait_firing("KabarCommitFailures", Duration::from_secs(90));

    // Back: ready again, the alert resolves.
    let resumed = Instant::now();
    broker.resume();
    wait_until("/readyz 200 again", Duration::from_secs(90), || {
        kabar
            .get("/readyz")
            .is_some_and(|(status, _)| status == 200)
    });
    println!(
        "ready {:.1} s after the broker came back",
        resumed.elapsed().as_secs_f64()
    );
    prometheus.wait_inactive("KabarNotReady", Duration::from_secs(60));
    // Consuming again (partitions assigned, a commit since the outage), so that shutdown has
    // offsets to commit: on a busy machine the group can take a while to re-form.
    wait_until(
        "a commit after the broker came back",
        Duration::from_secs(90),
        || {
            let status = kabar.status();
            status["lastCommitAt"] != commit_before_outage
                && status["partitions"].as_array().unwrap().len() == 3
        },
    );

    // Shutdown with the broker gone waits for the final commit; a second SIGTERM cuts it
    // short: 128 + 15.
    broker.stop();
    kabar.signal(Signal::SIGTERM);
    std::thread::sleep(Duration::from_millis(300));
    kabar.signal(Signal::SIGTERM);
    let status = kabar
        .wait_exit(Duration::from_secs(30))
        .expect("kabar exits");
    assert_eq!(status.code(), Some(143), "{status:?}");
}

/// Commits offset 0 of every partition of `topic` for `group`: the group has a position, so
/// the consumer's statistics can tell its lag from the start.
fn commit_start(broker: &OwnBroker, group: &str, topic: &str, partitions: i32) {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    let consumer: BaseConsumer = broker.client().set("group.id", group).create().unwrap();
    let mut list = rdkafka::TopicPartitionList::new();
    for partition in 0..partitions {
        list.add_partition_offset(topic, partition, rdkafka::Offset::Offset(0))
            .unwrap();
    }
    consumer.commit(&list, CommitMode::Sync).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn outputs_to_a_missing_topic_raise_no_throughput_and_transaction_aborts() {
    // Routes to per-language topics that nobody created, on a cluster that does not create
    // topics: every produce fails (the routes' fixed topics are checked, templates cannot be).
    let broker = OwnBroker::start("auto.create.topics.enable=false\n");
    let dir = tempfile::tempdir().unwrap();
    let mut instances = Vec::new();
    for delivery in ["at-least-once", "exactly-once"] {
        let prefix = unique("stuck");
        let (input, dlq) = (format!("{prefix}.raw"), format!("{prefix}.dlq"));
        let fingerprints = format!("{prefix}.fingerprints");
        create_topics(&broker, &[&input, &dlq, &fingerprints], 1).await;
        let group = unique("kabar");
        commit_start(&broker, &group, &input, 1);
        let routes = dir.path().join(format!("{delivery}.toml"));
        std::fs::write(
            &routes,
            format!("[[route]]\ntopic = \"{prefix}.lang.{{language}}\"\n"),
        )
        .unwrap();
        let kabar = KabarProcess::start_with_brokers(
            KABAR,
            &broker.address(),
            &KabarOptions {
                input_topic: &input,
                group: &group,
                dead_letter_topic: &dlq,
                routes_file: Some(&routes),
                env: vec![
                    ("KABAR_KAFKA_DELIVERY", delivery.to_owned()),
                    ("KABAR_KAFKA_TRANSACTIONAL_ID", unique("txn")),
                    ("KABAR_KAFKA_CLIENT_MESSAGE_TIMEOUT_MS", "3000".to_owned()),
                    ("KABAR_KAFKA_FINGERPRINT_TOPIC", fingerprints.clone()),
                ],
            },
        );
        instances.push((kabar, input));
    }
    for (_, input) in &instances {
        let status = Command::new(KABAR)
            .args(["produce", input])
            .arg(repo_root().join("deploy/samples"))
            .args(["--brokers", &broker.address()])
            .env("KABAR_LOG_LEVEL", "error")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let targets: Vec<&str> = instances.iter().map(|(k, _)| k.http.as_str()).collect();
    let prometheus = ProjectPrometheus::start(&targets);
    let labels = prometheus.wait_firing("KabarTransactionAborts", Duration::from_secs(120));
    assert_eq!(labels["instance"], instances[1].0.http.as_str());
    // The rule's rate window is five minutes (only `for:` is shortened here), so it fires five
    // minutes after the last dead letter of the samples was produced at the earliest; on a busy
    // machine that last one comes late.
    prometheus.wait_firing("KabarNoThroughput", Duration::from_secs(480));
    println!(
        "aborted transactions: {}; produce retries at least once: {}",
        instances[1]
            .0
            .metric("kabar_transactions_total{result=\"aborted\"}"),
        instances[0].0.metric("kabar_produce_retries_total"),
    );
}

/// Runs the kabar binary to its end; its status code and stderr.
fn kabar(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = Command::new(KABAR)
        .args(args)
        .envs(env.iter().copied())
        .env("KABAR_LOG_LEVEL", "warn")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_statuses_follow_sysexits() {
    let dir = tempfile::tempdir().unwrap();
    // 78: every configuration problem at once, each with its origin.
    let config = dir.path().join("kabar.toml");
    std::fs::write(
        &config,
        "[kafka]\nbrokers = \"127.0.0.1:1\"\ngroup = \"typo\"\n[pipeline]\nmax_in_flight = 0\n",
    )
    .unwrap();
    let routes = routes_file(dir.path(), &["news.{lang}.v1"]);
    let config_arg = config.to_str().unwrap();
    let routes_arg = routes.to_str().unwrap();
    let (code, stderr) = kabar(
        &["--config", config_arg, "validate", "--routes", routes_arg],
        &[("KABAR_PIPELINE_ALLOWED_LANGUAGES", "ind,klingon")],
    );
    assert_eq!(code, Some(78), "{stderr}");
    for expected in [
        "kabar.toml:3: kafka.group: unknown setting",
        "KABAR_PIPELINE_ALLOWED_LANGUAGES: pipeline.allowed_languages: unknown language codes: klingon",
        "routes.toml:2: route 1:",
    ] {
        assert!(stderr.contains(expected), "{expected}:\n{stderr}");
    }
    // `run` checks the same before it connects.
    let (code, stderr) = kabar(&["--config", config_arg, "run"], &[]);
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("kafka.group: unknown setting"), "{stderr}");

    // 69: no broker within the start-up timeout.
    let nobody = format!("127.0.0.1:{}", kabar_testkit::names::free_port());
    let started = Instant::now();
    let (code, stderr) = kabar(
        &["run", "--brokers", &nobody, "--http-addr", "127.0.0.1:0"],
        &[("KABAR_KAFKA_STARTUP_TIMEOUT_MS", "2000")],
    );
    assert_eq!(code, Some(69), "{stderr}");
    println!(
        "gave up on the broker after {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 78: the routes name a topic the cluster does not have.
    let prefix = unique("exit");
    kafka::create_topics(&[&format!("{prefix}.raw"), &format!("{prefix}.dlq")], 1).await;
    let missing = routes_file(dir.path(), &[&format!("{prefix}.never-created")]);
    let (code, stderr) = kabar(
        &[
            "run",
            "--brokers",
            kafka::brokers(),
            "--input-topics",
            &format!("{prefix}.raw"),
            "--routes",
            missing.to_str().unwrap(),
            "--http-addr",
            "127.0.0.1:0",
        ],
        &[("KABAR_KAFKA_DEAD_LETTER_TOPIC", &format!("{prefix}.dlq"))],
    );
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("never-created"), "{stderr}");

    // `kabar config` prints the effective configuration as TOML, secrets masked.
    let output = Command::new(KABAR)
        .args(["config"])
        .env("KABAR_KAFKA_BROKERS", "b:9093")
        .env("KABAR_KAFKA_SECURITY_PROTOCOL", "sasl_ssl")
        .env("KABAR_KAFKA_SASL_USERNAME", "kabar")
        .env("KABAR_KAFKA_SASL_PASSWORD", "hunter2-secret")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(!printed.contains("hunter2"), "{printed}");
    let parsed: toml::Value = toml::from_str(&printed).unwrap();
    assert_eq!(
        parsed["kafka"]["sasl_password"].as_str(),
        Some("[redacted]")
    );
    assert_eq!(parsed["kafka"]["brokers"].as_str(), Some("b:9093"));
}

#[test]
fn the_start_up_log_has_one_field_per_setting() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(KABAR)
        .args([
            "--log-format",
            "json",
            "run",
            "--http-addr",
            "127.0.0.1:0",
            "--input",
        ])
        .arg(repo_root().join("deploy/samples"))
        .arg("--output-dir")
        .arg(out.path())
        .env_remove("KABAR_KAFKA_BROKERS")
        .env("KABAR_LOG_LEVEL", "info")
        .output()
        .unwrap();
    assert!(output.status.success());
    let mut fields = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stderr).lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if event["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("configuration:"))
        {
            fields.extend(event.as_object().unwrap().keys().cloned());
        }
    }
    let defaults = serde_json::to_value(kabar::config::Config::default()).unwrap();
    for (section, keys) in defaults.as_object().unwrap() {
        for key in keys.as_object().unwrap().keys() {
            let field = format!("{section}.{key}");
            assert!(fields.contains(&field), "no log field {field}: {fields:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn file_mode_status_counts_its_input() {
    use kabar::service::{self, FileInput};
    let out = tempfile::tempdir().unwrap();
    let mut config = kabar::config::Config::default();
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    let samples = repo_root().join("deploy/samples");
    let running = service::start(
        config,
        FileInput {
            input: Some(samples.clone()),
            output_dir: out.path().to_path_buf(),
            follow: false,
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    let state = std::sync::Arc::clone(running.state());
    let summary = running.wait().await.unwrap().unwrap();
    let document = serde_json::to_value(state.document()).unwrap();
    assert_eq!(document["mode"], "files");
    assert!(document.get("delivery").is_none());
    let processed = summary.articles + summary.dead_letters;
    assert_eq!(document["input"]["done"], processed);
    assert_eq!(document["input"]["total"], processed);
    assert_eq!(document["input"]["path"], samples.display().to_string());
    assert_eq!(document["routes"]["source"], "(defaults)");
}
