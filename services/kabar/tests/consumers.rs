//! Downstream consumers' view: the schema compiles with protoc, the example consumers (Python
//! and Rust) read kabar's JSON and protobuf outputs from a real broker, and the subscriber
//! tools (`kabar produce`, `tail`, `replay`) work. kabar runs in this process; the tools are
//! run as the `kabar` binary, as subscribers run them.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use kabar::config::Config;
use kabar::service::{self, FileInput, Service};
use kabar_testkit::in_process::InProcess;
use kabar_testkit::process::KabarOptions;
use kabar_testkit::{articles, kafka, names, python, stream};
use rdkafka::Message;

const SEED: &str = include_str!("../../kabar-pipeline/tests/fixtures/seed-id.txt");

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// kabar in this process on `options`' topics, group and routes, its HTTP endpoint on port 0.
fn start_in_process(options: &KabarOptions<'_>) -> InProcess<Service> {
    let mut config = Config::default();
    config.kafka.brokers = kafka::brokers().to_owned();
    config.kafka.input_topics = vec![options.input_topic.to_owned()];
    config.kafka.group_id = options.group.to_owned();
    config.kafka.dead_letter_topic = options.dead_letter_topic.to_owned();
    config.pipeline.routes_file = options.routes_file.map(std::path::Path::to_path_buf);
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    InProcess::start(move |shutdown| async move {
        service::start(config, FileInput::default(), shutdown)
            .await
            .expect("kabar starts")
    })
}

/// Routes to default JSON topics plus a binary copy of everything.
fn routes_with_protobuf(dir: &std::path::Path, prefix: &str) -> PathBuf {
    let path = dir.join("routes.toml");
    std::fs::write(
        &path,
        format!(
            "[[route]]\ntopic = \"news.enriched.v1\"\n\n\
             [[route]]\ntopic = \"news.lang.{{language}}.v1\"\n\n\
             [[route]]\ntopic = \"{prefix}.json\"\n\n\
             [[route]]\ntopic = \"{prefix}.binary\"\nencoding = \"protobuf\"\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn protoc_compiles_the_schema() {
    python::env(); // installs protoc when missing
    let out = tempfile::tempdir().unwrap();
    let proto = repo_root().join("proto");
    let files: Vec<PathBuf> = std::fs::read_dir(proto.join("kabar/v1"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .map(|p| p.strip_prefix(&proto).unwrap().to_path_buf())
        .collect();
    assert!(!files.is_empty());
    let output = Command::new("protoc")
        .current_dir(&proto)
        .args(["--fatal_warnings", "-I", "."])
        .arg(format!(
            "--descriptor_set_out={}",
            out.path().join("kabar.pb").display()
        ))
        .args(&files)
        .output()
        .expect("protoc (Debian's protobuf-compiler) is needed");
    assert!(
        output.status.success() && output.stderr.is_empty(),
        "protoc: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn python_and_rust_consumers_read_the_seed_article_in_json_and_protobuf() {
    let prefix = names::unique("consumers");
    let input = format!("{prefix}.raw");
    let dlq = format!("{prefix}.dlq");
    let (json_topic, binary_topic) = (format!("{prefix}.json"), format!("{prefix}.binary"));
    kafka::create_topics(
        &[
            &input,
            &dlq,
            &json_topic,
            &binary_topic,
            "news.enriched.v1",
            "news.lang.ind.v1",
        ],
        1,
    )
    .await;
    let key = names::unique("seed");
    kafka::produce(&input, &[(key.clone(), SEED.as_bytes().to_vec())]).await;
    let dir = tempfile::tempdir().unwrap();
    let routes = routes_with_protobuf(dir.path(), &prefix);
    let group = names::unique("kabar");
    let _kabar = start_in_process(&KabarOptions {
        input_topic: &input,
        group: &group,
        dead_letter_topic: &dlq,
        routes_file: Some(&routes),
        env: vec![],
    });

    // Python, subscribed to news.lang.ind.v1, receives the seed article with its entities.
    let output = python::consumer(&[
        "consume",
        "--brokers",
        kafka::brokers(),
        "--topic",
        "news.lang.ind.v1",
        "--key",
        &key,
        "--max",
        "1",
        "--timeout",
        "120",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8(output.stdout).unwrap();
    let article: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(article["language"], "ind");
    assert_eq!(article["encoding"], "json");
    let people: Vec<&str> = article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "PER")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        people.contains(&"Vladimir Putin") && people.contains(&"Kim Jong Un"),
        "{people:?}"
    );
    let un = article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "United Nations");
    assert_eq!(un.map(|e| e["wikidata"].clone()), Some("Q1065".into()));

    // The binary copy parses too, with the same content.
    let output = python::consumer(&[
        "consume",
        "--brokers",
        kafka::brokers(),
        "--topic",
        &binary_topic,
        "--max",
        "1",
        "--timeout",
        "60",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let binary: serde_json::Value = serde_json::from_slice(output.stdout.trim_ascii()).unwrap();
    assert_eq!(binary["encoding"], "protobuf");
    assert_eq!(binary["id"], article["id"]);
    assert_eq!(binary["entities"], article["entities"]);

    // The Rust example reads both encodings.
    let rust_consumer = example_binary("rust_consumer");
    for topic in [&json_topic, &binary_topic] {
        let output = Command::new(&rust_consumer)
            .args([kafka::brokers(), topic.as_str(), "1"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = String::from_utf8(output.stdout).unwrap();
        assert!(
            line.contains("\tind\t") && line.contains("Vladimir Putin"),
            "{topic}: {line}"
        );
    }
}

/// An example program of this package, built by `cargo test` next to the test binaries.
fn example_binary(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} not built (cargo test builds examples)",
        path.display()
    );
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn every_article_parses_with_generated_classes_in_both_encodings() {
    const COUNT: usize = 300;
    let prefix = names::unique("schema");
    let input = format!("{prefix}.raw");
    let dlq = format!("{prefix}.dlq");
    let (json_topic, binary_topic) = (format!("{prefix}.json"), format!("{prefix}.binary"));
    // kabar writes only to topics that exist (its routes name news.enriched.v1 too).
    kafka::create_topics(
        &[&input, &dlq, &json_topic, &binary_topic, "news.enriched.v1"],
        2,
    )
    .await;
    let mut messages: Vec<(String, Vec<u8>)> = (0..COUNT).map(articles::article).collect();
    messages.push(("seed".to_owned(), SEED.as_bytes().to_vec()));
    for entry in std::fs::read_dir(repo_root().join("deploy/samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for (index, line) in std::fs::read_to_string(&path).unwrap().lines().enumerate() {
                messages.push((
                    format!("{}:{index}", path.display()),
                    line.as_bytes().to_vec(),
                ));
            }
        } else {
            messages.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    kafka::produce(&input, &messages).await;
    let dir = tempfile::tempdir().unwrap();
    let routes = routes_with_protobuf(dir.path(), &prefix);
    let group = names::unique("kabar");
    let _kabar = start_in_process(&KabarOptions {
        input_topic: &input,
        group: &group,
        dead_letter_topic: &dlq,
        routes_file: Some(&routes),
        env: vec![],
    });
    let letters = kafka::consume_until(&dlq, Duration::from_secs(5), |_| false).len();
    let expected = messages.len() - 1; // one sample has no text and is dead-lettered
    let json = kafka::consume_until(
        &json_topic,
        Duration::from_secs(120),
        kafka::at_least(expected),
    );
    let binary = kafka::consume_until(
        &binary_topic,
        Duration::from_secs(60),
        kafka::at_least(expected),
    );
    assert_eq!(json.len(), expected, "dead letters: {letters}");
    assert_eq!(binary.len(), expected);
    assert!(
        binary
            .iter()
            .all(|m| kafka::header(m, "content-type").as_deref() == Some("application/x-protobuf"))
    );
    assert!(
        binary.iter().all(
            |m| kafka::header(m, "kabar-schema").as_deref() == Some("kabar.v1.EnrichedArticle")
        )
    );
    python::assert_messages_parse(&json);
    python::assert_messages_parse(&binary);
}

fn kabar_tool(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(args)
        .env("KABAR_LOG_LEVEL", "warn")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn produce_tail_and_replay() {
    let stream = stream::Stream::new("tools", 1).await;
    let (input, dlq, enriched) = (&stream.input, &stream.dlq, &stream.enriched);
    let brokers = kafka::brokers();

    // produce: every sample file (the .jsonl one line by line).
    let samples = repo_root().join("deploy/samples");
    let output = kabar_tool(&[
        "produce",
        input,
        samples.to_str().unwrap(),
        "--brokers",
        brokers,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let produced = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        produced.contains(&format!("produced 10 message(s) to {input}")),
        "{produced}"
    );

    let kabar = start_in_process(&stream.options(vec![]));
    kafka::consume_until(enriched, Duration::from_secs(90), kafka::at_least(9));

    // tail: the Indonesian articles only.
    let output = kabar_tool(&[
        "tail",
        enriched,
        "--brokers",
        brokers,
        "--from-beginning",
        "--where",
        "lang=ind",
        "--where",
        "entity=Q7747",
        "--max",
        "1",
        "--idle-timeout",
        "30",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Not a terminal: one JSON object per record.
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON line");
    assert_eq!(shown["topic"], enriched.as_str());
    assert_eq!(shown["value"]["language"]["code"], "ind");
    assert!(
        shown["value"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Putin-Kim"),
        "{shown}"
    );

    // replay: the one dead letter (no_text) goes back to the input topic, once.
    let letters = kafka::consume_until(dlq, Duration::from_secs(30), kafka::at_least(1));
    assert_eq!(
        kafka::header(&letters[0], "kabar-error-code").as_deref(),
        Some("no_text")
    );
    let replay_group = names::unique("replay");
    let replay = |codes: &[&str]| {
        let mut args = vec!["replay", "--brokers", brokers, "--group", &replay_group];
        for code in codes {
            args.extend(["--code", code]);
        }
        let output = Command::new(env!("CARGO_BIN_EXE_kabar"))
            .args(&args)
            .env("KABAR_KAFKA_DEAD_LETTER_TOPIC", dlq)
            .env("KABAR_LOG_LEVEL", "warn")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(replay(&["invalid_json"]).contains("replayed 0 dead letter(s)"));
    // The skipped letter was consumed by the first replay's group: use a fresh group.
    let replay_group = names::unique("replay");
    let again = {
        let output = Command::new(env!("CARGO_BIN_EXE_kabar"))
            .args([
                "replay",
                "--brokers",
                brokers,
                "--group",
                &replay_group,
                "--code",
                "no_text",
            ])
            .env("KABAR_KAFKA_DEAD_LETTER_TOPIC", dlq)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(again.contains("replayed 1 dead letter(s)"), "{again}");
    let inputs = kafka::consume_until(input, Duration::from_secs(30), kafka::at_least(11));
    assert_eq!(
        inputs.len(),
        11,
        "the dead letter is back on its source topic"
    );
    let replayed = inputs.last().unwrap();
    assert_eq!(replayed.payload(), letters[0].payload());
    assert!(kafka::header(replayed, "kabar-error-code").is_none());
    // kabar dead-letters it again (it still has no text): the loop is visible, nothing is lost.
    let letters = kafka::consume_until(dlq, Duration::from_secs(60), kafka::at_least(2));
    assert_eq!(letters.len(), 2);
    drop(kabar);
}
