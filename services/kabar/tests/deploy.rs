//! The operator's side, checked without a Docker engine: docker-compose.yml against the Compose
//! specification and against what kabar reads, the topic list and its init script against a real
//! broker, the feeder, the Dockerfile against CI's build, promtool on the Prometheus files, and a
//! real Prometheus scraping a real kabar, evaluating every dashboard query and alert expression
//! and seeing alerts fire.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kabar_testkit::paths::repo_root;
use kabar_testkit::process::KabarProcess;
use kabar_testkit::prometheus::{ProjectPrometheus, run, tool, yaml_to_json};
use kabar_testkit::{kafka, names, stream};
use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Message};
use serde_json::{Value, json};

/// The alerts kabar ships (the README and docs/runbook.md name them).
const REQUIRED_ALERTS: [&str; 11] = [
    "KabarInstanceDown",
    "KabarAllInstancesGone",
    "KabarNotReady",
    "KabarConsumerLagGrowing",
    "KabarDeadLetterRate",
    "KabarNoThroughput",
    "KabarKafkaAuthFailures",
    "KabarCommitFailures",
    "KabarTransactionAborts",
    "KabarEndToEndLatencyHigh",
    "KabarConfigReloadFailed",
];

/// The dashboard panels kabar ships, by title.
const REQUIRED_PANELS: [&str; 17] = [
    "Input throughput per topic",
    "Output throughput per topic",
    "Dead letters by code",
    "Stage latency p50 / p95 / p99",
    "End-to-end latency",
    "Consumer lag per partition",
    "Language mix",
    "Entity types",
    "Instances up and ready",
    "Kafka errors",
    "Commits and rebalances",
    "Transactions",
    "Configuration reloads",
    "CPU",
    "Memory and file descriptors",
    "Producer queue and broker round trip",
    "Bytes to and from Kafka",
];

fn compose() -> Value {
    yaml_to_json(&repo_root().join("docker-compose.yml"))
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    let service = &compose["services"][name];
    assert!(
        service.is_object(),
        "docker-compose.yml has no service {name}"
    );
    service
}

/// A service's `environment`, in either of Compose's forms (map or `KEY=VALUE` list).
fn environment(service: &Value) -> BTreeMap<String, String> {
    let text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match &service["environment"] {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        Value::Array(list) => list
            .iter()
            .map(|item| {
                let item = text(item);
                let (key, value) = item.split_once('=').unwrap_or((&item, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// `service.volumes` in short form, as `(source, target)`.
fn volumes(service: &Value) -> Vec<(String, String)> {
    service["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|spec| {
            let mut parts = spec.split(':');
            (
                parts.next().unwrap_or_default().to_owned(),
                parts.next().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `deploy/topics.txt`: name → (partitions, retention.ms).
fn topic_list() -> BTreeMap<String, (i32, i64)> {
    let text = std::fs::read_to_string(repo_root().join("deploy/topics.txt")).unwrap();
    let mut topics = BTreeMap::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 3, "deploy/topics.txt: {line:?}");
        let previous = topics.insert(
            fields[0].to_owned(),
            (fields[1].parse().unwrap(), fields[2].parse().unwrap()),
        );
        assert!(previous.is_none(), "{} listed twice", fields[0]);
    }
    topics
}

/// What `kabar env-vars` prints.
fn kabar_env_vars() -> Vec<String> {
    let output = run(Command::new(env!("CARGO_BIN_EXE_kabar")).arg("env-vars"));
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn kabar_reads(names: &[String], variable: &str) -> bool {
    names.iter().any(|name| match name.split_once('<') {
        Some((prefix, _)) => variable.starts_with(prefix) && variable.len() > prefix.len(),
        None => name == variable,
    })
}

#[test]
fn compose_file_follows_the_compose_specification() {
    let validator = tool("check-jsonschema");
    let file = repo_root().join("docker-compose.yml");
    let output = run(Command::new(&validator)
        .args(["--builtin-schema", "vendor.compose-spec"])
        .arg(&file));
    assert!(
        output.status.success(),
        "docker-compose.yml breaks the Compose specification:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The validator does reject what the specification forbids.
    let mut broken = compose();
    broken["services"]["kabar"]["restart_policy"] = json!("always");
    let dir = tempfile::tempdir().unwrap();
    let broken_file = dir.path().join("docker-compose.json");
    std::fs::write(&broken_file, broken.to_string()).unwrap();
    let output = run(Command::new(&validator)
        .args(["--builtin-schema", "vendor.compose-spec"])
        .arg(&broken_file));
    assert!(!output.status.success(), "the validator accepted a bad key");
}

#[test]
fn compose_passes_kabar_only_variables_it_reads_and_can_scale_it() {
    let compose = compose();
    let names = kabar_env_vars();
    let kabar = service(&compose, "kabar");
    let env = environment(kabar);
    assert!(env.contains_key("KABAR_KAFKA_BROKERS"));
    for variable in env.keys() {
        assert!(
            kabar_reads(&names, variable),
            "docker-compose.yml passes {variable} to kabar, which does not read it \
             (`kabar env-vars`: {names:?})"
        );
    }
    // Every other service running kabar's image passes only variables kabar reads, too.
    for (name, other) in compose["services"].as_object().unwrap() {
        if name != "kabar" && other["image"] == kabar["image"] {
            for variable in environment(other).keys() {
                assert!(kabar_reads(&names, variable), "{name}: {variable}");
            }
        }
    }
    assert_eq!(kabar["build"]["dockerfile"], "deploy/Dockerfile");
    // `--scale kabar=3`: no fixed name, no fixed host port.
    assert!(
        kabar["container_name"].is_null(),
        "container_name prevents scaling"
    );
    for port in kabar["ports"].as_array().into_iter().flatten() {
        let port = port.as_str().map(str::to_owned).unwrap_or(port.to_string());
        assert!(
            !port.contains(':'),
            "fixed host port {port} prevents scaling"
        );
    }
    // Prometheus finds every instance by the service's DNS name, on the port kabar listens on.
    let listen_port = env
        .get("KABAR_HTTP_LISTEN")
        .map_or("9898", |listen| listen.rsplit(':').next().unwrap())
        .parse::<u64>()
        .unwrap();
    let scrape = yaml_to_json(&repo_root().join("deploy/prometheus/prometheus.yml"));
    let job = scrape["scrape_configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|job| job["job_name"] == "kabar")
        .expect("a kabar scrape job");
    let sd = &job["dns_sd_configs"][0];
    assert_eq!(sd["names"], json!(["kabar"]));
    assert_eq!(sd["port"], json!(listen_port));
    // Every service that others wait for says when it is healthy.
    for (name, other) in compose["services"].as_object().unwrap() {
        for (dependency, condition) in other["depends_on"].as_object().into_iter().flatten() {
            let dependency_service = service(&compose, dependency);
            match condition["condition"].as_str() {
                Some("service_healthy") => assert!(
                    dependency_service["healthcheck"].is_object(),
                    "{name} waits for {dependency} to be healthy, which has no healthcheck"
                ),
                Some("service_completed_successfully") => {
                    assert_eq!(dependency_service["restart"], "no", "{dependency}")
                }
                other => panic!("{name} -> {dependency}: condition {other:?}"),
            }
        }
    }
}

#[test]
fn every_topic_kabar_uses_is_created_by_the_init_service() {
    let compose = compose();
    let topics = topic_list();
    let env = environment(service(&compose, "kabar"));
    let defaults = kabar::config::Config::default();
    let input_topics: Vec<String> = env.get("KABAR_KAFKA_INPUT_TOPICS").map_or_else(
        || defaults.kafka.input_topics.clone(),
        |list| list.split(',').map(|t| t.trim().to_owned()).collect(),
    );
    let dead_letters = env
        .get("KABAR_KAFKA_DEAD_LETTER_TOPIC")
        .cloned()
        .unwrap_or(defaults.kafka.dead_letter_topic.clone());
    assert!(
        !env.contains_key("KABAR_PIPELINE_ROUTES_FILE") && !env.contains_key("KABAR_CONFIG"),
        "compose gives kabar a routes or config file: teach this test to read it"
    );
    let mut used: BTreeSet<String> = input_topics.iter().cloned().collect();
    used.insert(dead_letters);
    for rule in defaults.routes().unwrap() {
        if rule.topic.contains("{language}") {
            for code in kabar_pipeline::lang::supported_codes() {
                used.insert(rule.topic.replace("{language}", code));
            }
        } else {
            used.insert(rule.topic.clone());
        }
    }
    let missing: Vec<&String> = used.iter().filter(|t| !topics.contains_key(*t)).collect();
    assert!(
        missing.is_empty(),
        "kabar uses topics deploy/topics.txt does not create: {missing:?}"
    );
    // Input partitions allow `--scale kabar=3`.
    for topic in &input_topics {
        assert!(topics[topic].0 >= 3, "{topic} has fewer than 3 partitions");
    }
    // The init service runs `kabar topics create` on deploy/topics.txt, before kabar and
    // feeder, with kabar's image and broker.
    let init = service(&compose, "kafka-init");
    let listed = volumes(init)
        .into_iter()
        .find(|(source, _)| source == "./deploy/topics.txt")
        .map(|(_, target)| target)
        .expect("kafka-init mounts deploy/topics.txt");
    assert_eq!(init["image"], service(&compose, "kabar")["image"]);
    assert_eq!(init["command"], json!(["topics", "create", listed]));
    assert_eq!(
        environment(init).get("KABAR_KAFKA_BROKERS"),
        env.get("KABAR_KAFKA_BROKERS")
    );
    for dependent in ["kabar", "feeder"] {
        assert_eq!(
            service(&compose, dependent)["depends_on"]["kafka-init"]["condition"],
            "service_completed_successfully",
            "{dependent} must wait for the topics"
        );
    }
    let feeder = &service(&compose, "feeder")["command"];
    assert!(
        input_topics.iter().any(|t| feeder[1] == t.as_str()),
        "feeder feeds {feeder}"
    );
    // The broker does not invent topics behind the list's back.
    assert_eq!(
        environment(service(&compose, "kafka"))["KAFKA_AUTO_CREATE_TOPICS_ENABLE"],
        "false"
    );
}

/// deploy/kafka/pom.xml's Kafka version: the jars `deploy/kafka/kafka-local.sh` fetches and
/// every test broker runs.
fn pinned_kafka_version() -> String {
    let pom = std::fs::read_to_string(repo_root().join("deploy/kafka/pom.xml")).unwrap();
    pom.split("<kafka.version>")
        .filter_map(|rest| rest.split("</kafka.version>").next())
        .find(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap()
        .to_owned()
}

#[test]
fn compose_runs_the_kafka_version_the_tests_run() {
    let version = pinned_kafka_version();
    assert_eq!(
        service(&compose(), "kafka")["image"],
        format!("apache/kafka:{version}"),
        "docker-compose.yml and deploy/kafka/pom.xml pin different Kafka versions"
    );
    // The test broker runs that version's jars.
    let _ = kafka::brokers();
    let cache = std::env::var("KABAR_KAFKA_CACHE").map_or_else(
        |_| {
            PathBuf::from(std::env::var("HOME").unwrap())
                .join(format!(".cache/kabar/kafka-{version}"))
        },
        PathBuf::from,
    );
    let jar = cache.join(format!("lib/kafka_2.13-{version}.jar"));
    assert!(jar.is_file(), "{} is missing", jar.display());
}

#[test]
fn kabar_has_time_to_shut_down_before_compose_kills_it() {
    let grace = service(&compose(), "kabar")["stop_grace_period"]
        .as_str()
        .expect("kabar has a stop_grace_period")
        .to_owned();
    let seconds: u64 = grace
        .strip_suffix('s')
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("stop_grace_period {grace:?}: write it in seconds, e.g. 65s"));
    let budget = kabar::service::SHUTDOWN_BUDGET.as_secs();
    assert!(
        seconds >= budget + 10,
        "stop_grace_period {seconds} s leaves no margin over kabar's {budget} s shutdown budget"
    );
}

#[test]
fn the_kabar_image_is_built_once_and_reused() {
    let compose = compose();
    let image = service(&compose, "kabar")["image"].clone();
    let services = compose["services"].as_object().unwrap();
    let builders: Vec<&String> = services
        .iter()
        .filter(|(_, s)| s["image"] == image && s["build"].is_object())
        .map(|(name, _)| name)
        .collect();
    assert_eq!(builders, ["kabar"], "one service builds {image}");
    for (name, other) in services {
        if other["image"] == image && name != "kabar" {
            assert_eq!(
                other["pull_policy"], "never",
                "{name} would try to pull {image}"
            );
        }
    }
}

#[test]
fn grafana_has_no_default_admin_password() {
    let compose = compose();
    let env = environment(service(&compose, "grafana"));
    let password = env
        .get("GF_SECURITY_ADMIN_PASSWORD")
        .or_else(|| env.get("GF_SECURITY_ADMIN_PASSWORD__FILE"))
        .expect("Grafana's admin password is set");
    // Either a required variable (`${NAME:?message}`) or a secret file, never a literal.
    let required = password.starts_with("${") && password.contains(":?");
    let secret = env.contains_key("GF_SECURITY_ADMIN_PASSWORD__FILE");
    assert!(
        required || secret,
        "GF_SECURITY_ADMIN_PASSWORD = {password:?}"
    );
    assert!(!password.contains(":-"), "a default password: {password:?}");
    // The README says how to set it.
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    assert!(readme.contains("GRAFANA_ADMIN_PASSWORD"));
}

#[test]
fn scripts_and_the_topic_list_keep_unix_line_ends() {
    let output = run(Command::new("git")
        .args([
            "check-attr",
            "eol",
            "--",
            "deploy/topics.txt",
            "deploy/kafka/kafka-local.sh",
        ])
        .args(["scripts/dev/test.sh", ".ci/run"])
        .current_dir(repo_root()));
    assert!(output.status.success());
    let answer = String::from_utf8(output.stdout).unwrap();
    for line in answer.lines() {
        assert!(line.ends_with("eol: lf"), "{line}");
    }
    assert_eq!(answer.lines().count(), 4, "{answer}");
}

#[test]
fn kafka_is_reachable_from_the_host_as_the_readme_says() {
    let compose = compose();
    let kafka = service(&compose, "kafka");
    let env = environment(kafka);
    let advertised = &env["KAFKA_ADVERTISED_LISTENERS"];
    let host_listener = advertised
        .split(',')
        .find(|l| l.contains("localhost:"))
        .expect("a listener advertised to the host");
    let port = host_listener.rsplit(':').next().unwrap();
    let published: Vec<String> = kafka["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert!(
        published
            .iter()
            .any(|p| p.ends_with(&format!(":{port}:{port}"))),
        "port {port} is not published: {published:?}"
    );
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("--brokers localhost:{port}")),
        "the README does not show `kabar produce ... --brokers localhost:{port}`"
    );
}

fn admin_config() -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", kafka::brokers());
    config
}

#[tokio::test(flavor = "multi_thread")]
async fn topics_create_makes_the_listed_topics_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("topics.txt");
    std::fs::write(
        &list,
        "# name partitions retention.ms\nraw 3 604800000\n\ndlq   1  2592000000  # comment\n",
    )
    .unwrap();
    let prefix = format!("{}.", names::unique("init"));
    let create = || {
        run(Command::new(env!("CARGO_BIN_EXE_kabar"))
            .args(["topics", "create"])
            .arg(&list)
            .args(["--brokers", kafka::brokers(), "--prefix", &prefix])
            .env("KABAR_LOG_LEVEL", "warn"))
    };
    for attempt in ["first", "second (idempotent)"] {
        let output = create();
        assert!(
            output.status.success(),
            "{attempt} run of kabar topics create failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(said.contains("2 topics ready"), "{said}");
    }
    let consumer: BaseConsumer = admin_config().create().unwrap();
    let admin: AdminClient<DefaultClientContext> = admin_config().create().unwrap();
    for (name, partitions, retention) in [("raw", 3, "604800000"), ("dlq", 1, "2592000000")] {
        let topic = format!("{prefix}{name}");
        let metadata = consumer
            .fetch_metadata(Some(&topic), Duration::from_secs(10))
            .unwrap();
        assert_eq!(
            metadata.topics()[0].partitions().len(),
            partitions,
            "{topic}"
        );
        let configs = admin
            .describe_configs(&[ResourceSpecifier::Topic(&topic)], &AdminOptions::new())
            .await
            .unwrap();
        let resource = configs.into_iter().next().unwrap().unwrap();
        let value = resource
            .get("retention.ms")
            .and_then(|entry| entry.value.clone());
        assert_eq!(value.as_deref(), Some(retention), "{topic}");
    }
    // A malformed line is refused with its line number, as a configuration error.
    std::fs::write(&list, "raw three 1000\n").unwrap();
    let output = create();
    assert_eq!(output.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&output.stderr).contains("topics.txt:1:"));
    // deploy/topics.txt itself is well formed.
    let text = std::fs::read_to_string(repo_root().join("deploy/topics.txt")).unwrap();
    let topics = kabar::kafka::topics::parse_list(&text, "deploy/topics.txt").unwrap();
    assert_eq!(topics.len(), topic_list().len());
}

/// The messages `kabar produce` makes of deploy/samples: one per file, one per line of `.jsonl`.
fn sample_messages() -> Vec<String> {
    let mut messages = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("deploy/samples")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if path.extension().is_some_and(|e| e == "jsonl") {
            messages.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned),
            );
        } else {
            messages.push(text);
        }
    }
    messages
}

/// `kabar produce` as the compose feeder runs it, with the compose arguments after `produce`
/// (the samples folder and the rate replaced), against the test broker.
fn feeder_command(topic: &str, extra_inputs: &[&Path], rate: &str, repeat: &str) -> Command {
    let compose = compose();
    let args: Vec<String> = service(&compose, "feeder")["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(args[0], "produce");
    let mut command = Command::new(env!("CARGO_BIN_EXE_kabar"));
    command.arg("produce").arg(topic);
    let mut rest = args[2..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "/usr/share/kabar/samples" => {
                command.arg(repo_root().join("deploy/samples"));
                command.args(extra_inputs);
            }
            "--rate" => {
                assert!(
                    rest.next().unwrap().starts_with("${FEEDER_RATE"),
                    "rate not configurable"
                );
                command.args(["--rate", rate]);
            }
            "--repeat" => {
                assert_eq!(rest.next().unwrap(), "0", "the feeder should not stop");
                command.args(["--repeat", repeat]);
            }
            other => panic!("teach the test about feeder argument {other}"),
        }
    }
    command
        .args(["--brokers", kafka::brokers()])
        .env("KABAR_LOG_LEVEL", "warn")
        .stdout(Stdio::null());
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn feeder_replays_every_sample_into_the_input_topic() {
    // The feeder's samples are the ones the image carries.
    let dockerfile = std::fs::read_to_string(repo_root().join("deploy/Dockerfile")).unwrap();
    assert!(dockerfile.contains("COPY deploy/samples /usr/share/kabar/samples"));
    let messages = sample_messages();
    let topic = names::unique("feeder");
    kafka::create_topics(&[&topic], 1).await;
    let status = feeder_command(&topic, &[], "50", "2").status().unwrap();
    assert!(status.success());
    let received = kafka::consume_until(
        &topic,
        Duration::from_secs(60),
        kafka::at_least(2 * messages.len()),
    );
    assert_eq!(received.len(), 2 * messages.len());
    let expected: BTreeSet<&str> = messages.iter().map(|m| m.trim()).collect();
    for message in &received {
        let payload = String::from_utf8_lossy(message.payload().unwrap_or_default()).into_owned();
        assert!(
            expected.contains(payload.trim()),
            "not a sample: {payload:.80}"
        );
    }
}

#[test]
fn dockerfile_builds_kabar_like_ci() {
    let root = repo_root();
    let dockerfile = std::fs::read_to_string(root.join("deploy/Dockerfile")).unwrap();
    let instructions: Vec<String> = dockerfile
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let builds: Vec<Vec<&str>> = instructions
        .iter()
        .filter(|i| i.starts_with("RUN "))
        .flat_map(|i| i["RUN ".len()..].split("&&"))
        .map(|command| command.split_whitespace().collect::<Vec<_>>())
        .filter(|words| words.starts_with(&["cargo"]))
        .collect();
    assert_eq!(
        builds,
        [["cargo", "build", "--release", "--locked", "-p", "kabar"]],
        "deploy/Dockerfile must build with CI's command and features"
    );
    // CI (.ci/run -> scripts/dev/test.sh) builds and tests with default features, locked.
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(ci.contains("scripts/dev/test.sh"));
    let script = std::fs::read_to_string(root.join("scripts/dev/test.sh")).unwrap();
    let cargo_lines: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("cargo ") && !l.contains("--version"))
        .collect();
    assert!(!cargo_lines.is_empty());
    // The one exception: the pipeline's trainer (feature `train`), linted on its own.
    let service_lines = cargo_lines
        .iter()
        .copied()
        .filter(|l| !l.contains("-p kabar-pipeline --all-targets --features train"));
    for line in service_lines.chain([dockerfile.as_str()]) {
        for flag in [
            "--features",
            "--all-features",
            "--no-default-features",
            "-F ",
        ] {
            assert!(
                !line.contains(flag),
                "{flag} in {line:?}: features differ from CI's"
            );
        }
    }
    for line in cargo_lines
        .iter()
        .filter(|l| l.contains(" test") || l.contains(" clippy"))
    {
        assert!(line.contains("--locked"), "{line}");
    }
    // The build stage gets the manifests and every workspace member.
    let stages = instructions
        .iter()
        .filter(|i| i.starts_with("FROM "))
        .count();
    assert!(stages >= 2, "not a multi-stage build");
    let copied: Vec<&str> = instructions
        .iter()
        .filter(|i| i.starts_with("COPY ") && !i.contains("--from"))
        .flat_map(|i| {
            let words: Vec<&str> = i.split_whitespace().skip(1).collect();
            words[..words.len() - 1].to_vec()
        })
        .collect();
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(root.join("Cargo.toml")).unwrap()).unwrap();
    let mut needed = vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned()];
    for member in manifest["workspace"]["members"].as_array().unwrap() {
        needed.push(
            member
                .as_str()
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    if root.join("proto").is_dir() {
        needed.push("proto".to_owned());
    }
    for path in needed {
        assert!(
            copied.contains(&path.as_str()),
            "deploy/Dockerfile does not copy {path}"
        );
    }
    // A small runtime image that runs kabar as a non-root user.
    assert!(
        instructions
            .iter()
            .any(|i| i.starts_with("COPY --from=build") && i.contains("target/release/kabar"))
    );
    let user = instructions
        .iter()
        .rev()
        .find_map(|i| i.strip_prefix("USER "))
        .expect("no USER: the image would run as root");
    assert!(!["root", "0"].contains(&user.trim()), "runs as {user}");
    let ignore = std::fs::read_to_string(root.join("deploy/Dockerfile.dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l.trim() == "target"));
}

#[test]
fn promtool_accepts_the_config_and_the_rules() {
    let promtool = tool("promtool");
    let dir = repo_root().join("deploy/prometheus");
    for args in [
        vec!["check", "config", "prometheus.yml"],
        vec!["check", "rules", "alerts.yml"],
    ] {
        let output = run(Command::new(&promtool).args(&args).current_dir(&dir));
        assert!(
            output.status.success(),
            "promtool {}:\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Alert rules in `deploy/prometheus`: (file name, parsed file).
fn rule_files() -> Vec<(String, Value)> {
    let config = yaml_to_json(&repo_root().join("deploy/prometheus/prometheus.yml"));
    config["rule_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| {
            let name = name.as_str().unwrap().to_owned();
            let rules = yaml_to_json(&repo_root().join("deploy/prometheus").join(&name));
            (name, rules)
        })
        .collect()
}

fn alert_rules(files: &[(String, Value)]) -> Vec<Value> {
    files
        .iter()
        .flat_map(|(_, file)| file["groups"].as_array().unwrap().clone())
        .flat_map(|group| group["rules"].as_array().unwrap().clone())
        .filter(|rule| rule["alert"].is_string())
        .collect()
}

fn dashboard() -> Value {
    let path = repo_root().join("deploy/grafana/dashboards/kabar.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every panel (rows included) with its queries: (panel title, expr).
fn panel_queries(dashboard: &Value) -> Vec<(String, String)> {
    fn walk(panels: &Value, out: &mut Vec<(String, String)>) {
        for panel in panels.as_array().into_iter().flatten() {
            for target in panel["targets"].as_array().into_iter().flatten() {
                let title = panel["title"].as_str().unwrap_or_default().to_owned();
                out.push((title, target["expr"].as_str().unwrap().to_owned()));
            }
            walk(&panel["panels"], out);
        }
    }
    let mut out = Vec::new();
    walk(&dashboard["panels"], &mut out);
    out
}

/// Grafana's interval variables, as Grafana would fill them for a short time range.
fn fill_grafana_variables(expr: &str) -> String {
    expr.replace("$__rate_interval", "30s")
        .replace("$__interval", "5s")
        .replace("$__range", "5m")
        // The dashboard's own variables, set to All.
        .replace("$instance", ".*")
        .replace("$topic", ".*")
}

/// Every `kabar_*` metric name an expression mentions.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = expr;
    while let Some(start) = rest.find("kabar_") {
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_owned());
        rest = &tail[end..];
    }
    names
}

#[test]
fn dashboard_alerts_and_grafana_provisioning_fit_together() {
    let dashboard = dashboard();
    let titles: Vec<String> = panel_queries(&dashboard)
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    for required in REQUIRED_PANELS {
        assert!(
            titles.iter().any(|t| t == required),
            "no panel {required:?}"
        );
    }
    let latency: Vec<String> = panel_queries(&dashboard)
        .into_iter()
        .filter(|(t, _)| t == "Stage latency p50 / p95 / p99")
        .map(|(_, e)| e)
        .collect();
    for quantile in ["(0.5,", "(0.95,", "(0.99,"] {
        assert!(latency.iter().any(|e| e.contains(quantile)), "{quantile}");
    }
    let alerts: Vec<String> = alert_rules(&rule_files())
        .iter()
        .map(|r| r["alert"].as_str().unwrap().to_owned())
        .collect();
    for required in REQUIRED_ALERTS {
        assert!(alerts.iter().any(|a| a == required), "no alert {required}");
    }
    // Importable anywhere: every panel and query takes its data source from the `datasource`
    // variable (a Prometheus), which defaults to the provisioned one, the compose Prometheus.
    let root = repo_root();
    let sources =
        yaml_to_json(&root.join("deploy/grafana/provisioning/datasources/prometheus.yml"));
    let source = &sources["datasources"][0];
    assert_eq!(source["isDefault"], true);
    let variables = dashboard["templating"]["list"].as_array().unwrap();
    let variable = |name: &str| {
        variables
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no dashboard variable {name}"))
    };
    assert_eq!(variable("datasource")["type"], "datasource");
    assert_eq!(variable("datasource")["query"], "prometheus");
    for name in ["instance", "topic"] {
        assert_eq!(variable(name)["type"], "query", "{name}");
        assert_eq!(variable(name)["allValue"], ".*", "{name}");
    }
    for (title, expr) in panel_queries(&dashboard) {
        if expr.contains("kabar_") || expr.contains("process_") || expr.contains("up{") {
            assert!(
                expr.contains("$instance"),
                "{title}: {expr} ignores the instance variable"
            );
        }
    }
    fn uids(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(uid) = map.get("datasource").and_then(|d| d["uid"].as_str()) {
                    out.insert(uid.to_owned());
                }
                map.values().for_each(|v| uids(v, out));
            }
            Value::Array(list) => list.iter().for_each(|v| uids(v, out)),
            _ => {}
        }
    }
    let mut used = BTreeSet::new();
    uids(&dashboard, &mut used);
    assert_eq!(used, BTreeSet::from(["${datasource}".to_owned()]));
    let compose = compose();
    assert!(service(&compose, "prometheus").is_object());
    assert_eq!(source["url"], "http://prometheus:9090");
    // Grafana mounts the provisioning and the dashboards where the provider looks.
    let grafana = volumes(service(&compose, "grafana"));
    let provider = yaml_to_json(&root.join("deploy/grafana/provisioning/dashboards/kabar.yml"));
    let dashboards_path = provider["providers"][0]["options"]["path"]
        .as_str()
        .unwrap();
    assert!(grafana.contains(&(
        "./deploy/grafana/dashboards".to_owned(),
        dashboards_path.to_owned()
    )));
    assert!(grafana.contains(&(
        "./deploy/grafana/provisioning".to_owned(),
        "/etc/grafana/provisioning".to_owned()
    )));
    let prometheus = volumes(service(&compose, "prometheus"));
    assert!(prometheus.contains(&(
        "./deploy/prometheus".to_owned(),
        "/etc/prometheus".to_owned()
    )));
}

/// A child process (a feeder) that is killed when the test ends, passing or not.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_scrapes_kabar_panels_show_data_and_alerts_fire() {
    let dashboard = dashboard();
    let files = rule_files();
    let rules = alert_rules(&files);

    let stream = stream::Stream::new("deploy", 3).await;
    let (input, _dlq) = (&stream.input, &stream.dlq);
    let dir = tempfile::tempdir().unwrap();
    // One article at a time: slow enough to fall behind a flood (the lag alert below).
    let mut kabar = KabarProcess::start(
        env!("CARGO_BIN_EXE_kabar"),
        &stream.options(vec![("KABAR_PIPELINE_MAX_IN_FLIGHT", "1".to_owned())]),
    );
    let _ = kabar.metrics(); // answers

    // The project's prometheus.yml and rules (each `for:` two seconds), discovering kabar
    // from a file the test rewrites as Docker's DNS would.
    let prometheus = ProjectPrometheus::start(&[&kabar.http]);

    // Load: the compose feeder's command, with poison added (a quarter of the input).
    let poison: Vec<PathBuf> = (0..3)
        .map(|i| {
            let path = dir.path().join(format!("poison-{i}.json"));
            std::fs::write(&path, "{not json").unwrap();
            path
        })
        .collect();
    let poison: Vec<&Path> = poison.iter().map(PathBuf::as_path).collect();
    let feeder = Running(feeder_command(input, &poison, "20", "0").spawn().unwrap());

    // Every dashboard query returns data.
    let mut waiting: Vec<(String, String)> = panel_queries(&dashboard)
        .into_iter()
        .map(|(title, expr)| (title, fill_grafana_variables(&expr)))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(150);
    while !waiting.is_empty() && Instant::now() < deadline {
        waiting.retain(|(title, expr)| match prometheus.query(expr) {
            Ok(result) => result.is_empty(),
            Err(error) => panic!("panel {title:?}: {expr}: {error}"),
        });
        std::thread::sleep(Duration::from_secs(1));
    }
    assert!(
        waiting.is_empty(),
        "dashboard queries without data: {waiting:#?}\nkabar's /metrics:\n{}",
        kabar.metrics()
    );
    let up = prometheus.query("sum(up{job=\"kabar\"})").unwrap();
    assert_eq!(up[0]["value"][1], "1", "{up:?}");
    let ready = prometheus.query("sum(kabar_ready)").unwrap();
    assert_eq!(ready[0]["value"][1], "1", "{ready:?}");

    // Every metric the dashboard and the alerts name is one kabar exports.
    let exported: BTreeSet<String> = prometheus
        .api("label/__name__/values", &[])
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_owned())
        .collect();
    let mut named = BTreeSet::new();
    for (_, expr) in panel_queries(&dashboard) {
        named.extend(metric_names(&expr));
    }
    for rule in &rules {
        named.extend(metric_names(rule["expr"].as_str().unwrap()));
    }
    let unknown: Vec<&String> = named.difference(&exported).collect();
    assert!(
        unknown.is_empty(),
        "metrics kabar does not export: {unknown:?}"
    );

    // Every alert expression evaluates.
    for rule in &rules {
        let expr = rule["expr"].as_str().unwrap();
        if let Err(error) = prometheus.query(expr) {
            panic!("alert {}: {expr}: {error}", rule["alert"]);
        }
    }

    // A quarter of the input is poison: the dead-letter alert fires.
    let labels = prometheus.wait_firing("KabarDeadLetterRate", Duration::from_secs(90));
    assert_eq!(labels["severity"], "warning");

    // Articles written two hours ago (a backlog after an outage): the end-to-end objective is
    // missed and its alert fires.
    produce_written_at(input, 60, Duration::from_secs(2 * 3600)).await;
    prometheus.wait_firing("KabarEndToEndLatencyHigh", Duration::from_secs(90));

    // A routes file that cannot be read as routes: refused, the reload alert fires.
    std::fs::write(&stream.routes, "[[route]]\ntopic = \"broken\n").unwrap();
    prometheus.wait_firing("KabarConfigReloadFailed", Duration::from_secs(60));

    // A flood kabar cannot keep up with: the lag alert fires for the input topic.
    let flood = Running(feeder_command(input, &[], "3000", "0").spawn().unwrap());
    let fired = std::panic::catch_unwind(|| {
        prometheus.wait_firing("KabarConsumerLagGrowing", Duration::from_secs(120))
    });
    drop(flood);
    let labels = fired.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert_eq!(labels["topic"], input.as_str());

    // A paused kabar cannot be scraped: the instance-down alert fires, naming it.
    let pid = nix::unistd::Pid::from_raw(i32::try_from(kabar.child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP).unwrap();
    let fired = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prometheus.wait_firing("KabarInstanceDown", Duration::from_secs(60))
    }));
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGCONT).unwrap();
    let labels = fired.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    assert_eq!(labels["instance"], kabar.http.as_str());

    // The container is removed: Docker's DNS no longer answers with it, `up` has no series, so
    // KabarInstanceDown cannot fire; the absent() rule does.
    drop(feeder);
    kabar.kill();
    prometheus.set_targets(&[]);
    prometheus.wait_firing("KabarAllInstancesGone", Duration::from_secs(60));
    prometheus.wait_inactive("KabarInstanceDown", Duration::from_secs(60));
}

/// Produces `count` articles to `topic` whose timestamps are `age` in the past.
async fn produce_written_at(topic: &str, count: usize, age: Duration) {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let producer: FutureProducer = kafka::client().create().unwrap();
    let written = std::time::SystemTime::now() - age;
    let millis = i64::try_from(
        written
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    for i in 0..count {
        let payload = format!(
            r#"{{"id":"late-{i}","text":"Banjir melanda Jakarta Utara sejak pagi, kata petugas."}}"#
        );
        let record = FutureRecord::to(topic)
            .key("late")
            .payload(&payload)
            .timestamp(millis);
        producer
            .send(record, Duration::from_secs(30))
            .await
            .map_err(|(error, _)| error)
            .unwrap();
    }
}

#[test]
fn promtool_is_of_the_major_version_compose_runs() {
    let image = service(&compose(), "prometheus")["image"]
        .as_str()
        .unwrap()
        .to_owned();
    let major = image
        .rsplit(':')
        .next()
        .and_then(|tag| tag.trim_start_matches('v').split('.').next())
        .unwrap()
        .to_owned();
    let output = run(Command::new(tool("promtool")).arg("--version"));
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    let version = said
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_owned();
    assert!(
        version.starts_with(&format!("{major}.")),
        "promtool {version:?} checks the rules, compose runs {image}: scripts/dev/test.sh builds \
         the promtool of compose's version ({said})"
    );
}

#[test]
fn every_alert_links_its_runbook_section() {
    let runbook = std::fs::read_to_string(repo_root().join("docs/runbook.md")).unwrap();
    let anchors: BTreeSet<String> = runbook
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .map(|heading| {
            heading
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .collect::<String>()
                .replace(' ', "-")
        })
        .collect();
    for rule in alert_rules(&rule_files()) {
        let name = rule["alert"].as_str().unwrap();
        let url = rule["annotations"]["runbook_url"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no runbook_url"));
        let (page, anchor) = url.split_once('#').unwrap();
        assert!(page.ends_with("docs/runbook.md"), "{name}: {url}");
        assert!(
            anchors.contains(anchor),
            "{name}: docs/runbook.md has no section #{anchor}"
        );
        assert_eq!(anchor, name.to_lowercase(), "{name}: its own section");
    }
}
