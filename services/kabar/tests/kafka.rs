//! kabar against a real Kafka broker: routing, volume, crashes, poison input, shutdown, metrics.
//!
//! kabar runs in this process where a test needs no process of its own; crashes (`kill -9`),
//! SIGTERM and a frozen instance (SIGSTOP) need one, and start the `kabar` binary.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use kabar::config::Config;
use kabar::service::{self, FileInput, Service};
use kabar_testkit::in_process::InProcess;
use kabar_testkit::process::{KabarOptions, KabarProcess};
use kabar_testkit::{articles, http, kafka, names, python, stream};
use rdkafka::Message;

const SEED: &str = include_str!("../../kabar-pipeline/tests/fixtures/seed-id.txt");

fn ids(messages: &[rdkafka::message::OwnedMessage]) -> HashSet<String> {
    messages.iter().filter_map(kafka::article_id).collect()
}

/// kabar's configuration for `options`' topics, group and routes, its HTTP endpoint on port 0.
fn config(options: &KabarOptions<'_>) -> Config {
    assert!(
        options.env.is_empty(),
        "in-process settings go in the Config"
    );
    let mut config = Config::default();
    config.kafka.brokers = kafka::brokers().to_owned();
    config.kafka.input_topics = vec![options.input_topic.to_owned()];
    config.kafka.group_id = options.group.to_owned();
    config.kafka.dead_letter_topic = options.dead_letter_topic.to_owned();
    config.pipeline.routes_file = options.routes_file.map(std::path::Path::to_path_buf);
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    config
}

/// kabar in this process with `config`, and the address its HTTP endpoint answers on.
fn start_in_process(config: Config) -> (InProcess<Service>, String) {
    let kabar = InProcess::start(move |shutdown| async move {
        service::start(config, FileInput::default(), shutdown)
            .await
            .expect("kabar starts")
    });
    let addr = kabar.service.http_addr().expect("an HTTP endpoint");
    (kabar, addr.to_string())
}

/// An exactly-once run: `count` articles on a 2-partition input, kabar's options with small
/// transactions and one worker (so a fault lands mid-stream), and where outputs go.
struct ExactlyOnceRun {
    stream: stream::Stream,
    messages: Vec<(String, Vec<u8>)>,
    transactional_id: String,
}

impl ExactlyOnceRun {
    async fn new(name: &str, count: usize) -> Self {
        let stream = stream::Stream::new(name, 2).await;
        let messages: Vec<(String, Vec<u8>)> = (0..count).map(articles::article).collect();
        kafka::produce(&stream.input, &messages).await;
        Self {
            stream,
            messages,
            transactional_id: names::unique("txn"),
        }
    }

    fn start(&self) -> KabarProcess {
        KabarProcess::start(
            env!("CARGO_BIN_EXE_kabar"),
            &self.stream.options(vec![
                ("KABAR_KAFKA_DELIVERY", "exactly-once".to_owned()),
                (
                    "KABAR_KAFKA_TRANSACTIONAL_ID",
                    self.transactional_id.clone(),
                ),
                ("KABAR_KAFKA_TRANSACTION_MAX_MESSAGES", "50".to_owned()),
                ("KABAR_PIPELINE_WORKERS", "1".to_owned()),
            ]),
        )
    }

    /// Waits for a tenth of the outputs (read_committed, librdkafka's default), so a fault
    /// injected next lands mid-stream.
    fn wait_for_a_tenth(&self) {
        let count = self.messages.len();
        let partial = kafka::consume_until(
            &self.stream.enriched,
            Duration::from_secs(120),
            kafka::at_least(count / 10),
        );
        assert!(
            partial.len() >= count / 10,
            "too little output before the fault"
        );
    }

    /// Fails the test if the run already finished: a fault after the end proves nothing.
    fn assert_unfinished(&self) {
        let before =
            kafka::consume_until(&self.stream.enriched, Duration::from_secs(3), |_| false).len();
        assert!(
            before < self.messages.len(),
            "everything finished before the fault; the test proves nothing"
        );
    }

    /// Reads every committed output (waiting for all ids, then a little longer for late
    /// duplicates) and returns (inputs lost, inputs duplicated).
    fn lost_and_duplicated(&self) -> (usize, usize) {
        let mut out = kafka::consume_until(
            &self.stream.enriched,
            Duration::from_secs(240),
            kafka::distinct_ids(self.messages.len()),
        );
        out.extend(
            kafka::consume_until(&self.stream.enriched, Duration::from_secs(5), |_| false)
                .into_iter()
                .skip(out.len()),
        );
        let mut counts = std::collections::HashMap::new();
        for id in out.iter().filter_map(kafka::article_id) {
            *counts.entry(id).or_insert(0usize) += 1;
        }
        let lost = self
            .messages
            .iter()
            .filter(|(id, _)| !counts.contains_key(id))
            .count();
        let duplicated = counts.values().filter(|n| **n > 1).count();
        (lost, duplicated)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn seed_article_is_routed_by_language_with_entities() {
    let input = names::unique("seed-in");
    let dlq = names::unique("seed-dlq");
    kafka::create_topics(&[&input, &dlq, "news.enriched.v1", "news.lang.ind.v1"], 1).await;
    let key = names::unique("seed-key");
    kafka::produce(&input, &[(key.clone(), SEED.as_bytes().to_vec())]).await;

    let group = names::unique("kabar");
    let (_kabar, addr) = start_in_process(config(&KabarOptions {
        input_topic: &input,
        group: &group,
        dead_letter_topic: &dlq,
        routes_file: None,
        env: vec![],
    }));
    for topic in ["news.enriched.v1", "news.lang.ind.v1"] {
        let found = kafka::consume_until(topic, Duration::from_secs(90), |message| {
            message.key() == Some(key.as_bytes())
        });
        let message = found
            .iter()
            .find(|m| m.key() == Some(key.as_bytes()))
            .unwrap_or_else(|| panic!("seed article not on {topic}"));
        assert_eq!(
            kafka::header(message, "content-type").as_deref(),
            Some("application/json")
        );
        assert!(
            kafka::header(message, "traceparent").is_some(),
            "traceparent carried"
        );
        let article: serde_json::Value =
            serde_json::from_slice(message.payload().unwrap()).unwrap();
        assert_eq!(article["language"]["code"], "ind", "{topic}");
        let body = article["body"].as_str().unwrap();
        assert!(
            !body.contains("hari yang lalu") && !body.contains("TangselCity"),
            "tail left in body"
        );
        assert!(
            body.contains("Sangat nyaman dengan aliansi"),
            "story line lost"
        );
        let names: Vec<&str> = article["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "PER")
            .filter_map(|e| e["name"].as_str())
            .collect();
        assert!(names.contains(&"Vladimir Putin"), "{names:?}");
        assert!(names.contains(&"Kim Jong Un"), "{names:?}");
        python::assert_messages_parse(std::slice::from_ref(message));
    }
    let metric = |series: &str| http::metric_at(&addr, series);
    assert!(
        metric(&format!(
            "kabar_messages_consumed_total{{topic=\"{input}\"}}"
        )) >= 1.0
    );
    assert!(metric("kabar_messages_produced_total{topic=\"news.lang.ind.v1\"}") >= 1.0);
    assert!(metric("kabar_articles_total{language=\"ind\"}") >= 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_mixed_articles_all_come_out() {
    const COUNT: usize = 3000;
    let stream = stream::Stream::new("bulk", 3).await;
    let (input, dlq, enriched) = (&stream.input, &stream.dlq, &stream.enriched);
    let messages: Vec<(String, Vec<u8>)> = (0..COUNT).map(articles::article).collect();
    kafka::produce(input, &messages).await;

    let (_kabar, addr) = start_in_process(config(&stream.options(vec![])));
    let out = kafka::consume_until(
        enriched,
        Duration::from_secs(180),
        kafka::distinct_ids(COUNT),
    );
    let seen = ids(&out);
    let missing: Vec<&String> = messages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !seen.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {COUNT} missing, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );

    python::assert_messages_parse(&out);
    // Per-language streams got exactly their language.
    let german = kafka::consume_until(
        &format!("{}.lang.deu", stream.prefix),
        Duration::from_secs(60),
        kafka::distinct_ids(COUNT / 5),
    );
    assert!(german.len() >= COUNT / 5);
    for index in (0..COUNT)
        .filter(|i| articles::language(*i) == "deu")
        .take(50)
    {
        assert!(ids(&german).contains(&format!("article-{index:06}")));
    }
    assert!(
        http::metric_at(
            &addr,
            &format!("kabar_messages_produced_total{{topic=\"{enriched}\"}}")
        ) >= COUNT as f64
    );
    let letters = kafka::consume_until(dlq, Duration::from_secs(3), |_| false);
    assert!(
        letters.is_empty(),
        "{} articles dead-lettered",
        letters.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_stream_and_restart_loses_nothing() {
    const COUNT: usize = 4000;
    let stream = stream::Stream::new("crash", 2).await;
    let (input, enriched) = (&stream.input, &stream.enriched);
    let messages: Vec<(String, Vec<u8>)> = (0..COUNT).map(articles::article).collect();
    kafka::produce(input, &messages).await;

    // Slow enough that the kill lands mid-stream.
    let options = stream.options(vec![
        ("KABAR_PIPELINE_MAX_IN_FLIGHT", "16".to_owned()),
        ("KABAR_PIPELINE_WORKERS", "1".to_owned()),
    ]);
    let mut first = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &options);
    let partial = kafka::consume_until(
        enriched,
        Duration::from_secs(120),
        kafka::at_least(COUNT / 10),
    );
    assert!(
        partial.len() >= COUNT / 10,
        "kabar produced too little before the kill"
    );
    first.kill(); // SIGKILL: no shutdown, no final commit
    let before_restart = ids(&kafka::consume_until(
        enriched,
        Duration::from_secs(3),
        |_| false,
    ));
    assert!(
        before_restart.len() < COUNT,
        "everything finished before the kill; the test proves nothing"
    );

    let _second = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &options);
    let out = kafka::consume_until(
        enriched,
        Duration::from_secs(240),
        kafka::distinct_ids(COUNT),
    );
    let seen = ids(&out);
    let missing = messages.iter().filter(|(id, _)| !seen.contains(id)).count();
    assert_eq!(
        missing, 0,
        "{missing} of {COUNT} articles lost after kill -9"
    );
    python::assert_messages_parse(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn poison_inputs_are_dead_lettered_while_good_articles_flow() {
    let stream = stream::Stream::new("poison", 1).await;
    let (input, dlq, enriched) = (&stream.input, &stream.dlq, &stream.enriched);
    let oversized = format!("{{\"text\": \"{}\"}}", "kata ".repeat(5000)).into_bytes();
    let long_id = format!("{{\"id\": \"{}\", \"text\": \"Isi.\"}}", "x".repeat(600)).into_bytes();
    let poison: Vec<(&str, Vec<u8>, &str)> = vec![
        ("long-id", long_id, "field_too_large"),
        (
            "bad-json",
            b"{\"title\": \"unterminated".to_vec(),
            "invalid_json",
        ),
        (
            "bad-utf8",
            b"Judul\n\xff\xfe\xfd bukan UTF-8".to_vec(),
            "not_utf8",
        ),
        ("oversized", oversized, "too_large"),
        ("empty", Vec::new(), "empty"),
        ("wrong-type", b"{\"title\": 42}".to_vec(), "invalid_article"),
        (
            "no-text",
            b"{\"id\": \"x\", \"text\": \"\"}".to_vec(),
            "no_text",
        ),
    ];
    let mut messages = Vec::new();
    for (index, (key, payload, _)) in poison.iter().enumerate() {
        messages.push((key.to_string(), payload.clone()));
        messages.push(articles::article(index));
    }
    kafka::produce(input, &messages).await;

    let mut settings = config(&stream.options(vec![]));
    settings.pipeline.max_payload_bytes = 10_000;
    let (_kabar, addr) = start_in_process(settings);
    let letters = kafka::consume_until(dlq, Duration::from_secs(90), kafka::at_least(poison.len()));
    assert_eq!(letters.len(), poison.len());
    for (index, (key, payload, code)) in poison.iter().enumerate() {
        let letter = letters
            .iter()
            .find(|m| m.key() == Some(key.as_bytes()))
            .unwrap_or_else(|| panic!("no dead letter for {key}"));
        assert_eq!(
            letter.payload().unwrap_or_default(),
            payload.as_slice(),
            "{key}: payload unchanged"
        );
        assert_eq!(
            kafka::header(letter, "kabar-error-code").as_deref(),
            Some(*code),
            "{key}"
        );
        assert_eq!(
            kafka::header(letter, "kabar-error-stage").as_deref(),
            Some("decode")
        );
        assert_eq!(
            kafka::header(letter, "kabar-source-topic").as_deref(),
            Some(input.as_str())
        );
        assert_eq!(
            kafka::header(letter, "kabar-source-partition").as_deref(),
            Some("0")
        );
        assert_eq!(
            kafka::header(letter, "kabar-source-offset"),
            Some((index * 2).to_string())
        );
        assert!(kafka::header(letter, "kabar-error-message").is_some_and(|m| !m.is_empty()));
    }
    let good = kafka::consume_until(
        enriched,
        Duration::from_secs(60),
        kafka::at_least(poison.len()),
    );
    assert_eq!(ids(&good).len(), poison.len(), "good articles kept flowing");
    python::assert_messages_parse(&good);
    for (_, _, code) in &poison {
        let series = format!("kabar_dead_letters_total{{code=\"{code}\",stage=\"decode\"}}");
        assert!(http::metric_at(&addr, &series) >= 1.0, "{series}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_work_and_commits_everything() {
    const COUNT: usize = 500;
    let stream = stream::Stream::new("term", 2).await;
    let (input, _dlq, enriched) = (&stream.input, &stream.dlq, &stream.enriched);
    let messages: Vec<(String, Vec<u8>)> = (0..COUNT).map(articles::article).collect();
    kafka::produce(input, &messages).await;

    let mut kabar = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &stream.options(vec![]));
    let out = kafka::consume_until(
        enriched,
        Duration::from_secs(120),
        kafka::distinct_ids(COUNT),
    );
    assert_eq!(ids(&out).len(), COUNT);
    python::assert_messages_parse(&out);
    assert!(kabar.metric("kabar_offset_commits_total{result=\"ok\"}") >= 0.0);
    let status = kabar.terminate();
    assert!(status.success(), "kabar exited with {status}");

    let committed = kafka::committed(&stream.group, input, 2);
    let ends = kafka::end_offsets(input, 2);
    assert_eq!(
        committed, ends,
        "every consumed offset is committed after SIGTERM"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_survives_kill_9_without_duplicates() {
    let run = ExactlyOnceRun::new("eos", 3000).await;
    let mut first = run.start();
    run.wait_for_a_tenth();
    first.kill();
    run.assert_unfinished();

    let second = run.start();
    let (lost, duplicated) = run.lost_and_duplicated();
    assert_eq!(
        (lost, duplicated),
        (0, 0),
        "exactly once: lost {lost}, duplicated {duplicated}"
    );
    assert!(second.metric("kabar_transactions_total{result=\"committed\"}") >= 1.0);
}

/// The zombie case: an instance freezes mid-transaction (SIGSTOP), a replacement with the same
/// transactional id takes over, then the frozen one wakes up. The replacement fences it: the
/// zombie's open transaction is aborted, its next transactional call fails fatally and it exits
/// with an error, and a read_committed reader still sees every input exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_fences_a_zombie_instance() {
    use nix::sys::signal::{Signal, kill};
    let run = ExactlyOnceRun::new("zombie", 2000).await;
    let mut zombie = run.start();
    run.wait_for_a_tenth();
    let zombie_pid = nix::unistd::Pid::from_raw(i32::try_from(zombie.child.id()).unwrap());
    kill(zombie_pid, Signal::SIGSTOP).unwrap();
    run.assert_unfinished();

    let replacement = run.start();
    let (lost, duplicated) = run.lost_and_duplicated();
    kill(zombie_pid, Signal::SIGCONT).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let zombie_exit = loop {
        if let Some(status) = zombie.child.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // Whatever the zombie did after waking is committed by now or never will be.
    let (lost_after, duplicated_after) = run.lost_and_duplicated();
    assert_eq!(
        (lost, duplicated, lost_after, duplicated_after),
        (0, 0, 0, 0),
        "exactly once with a zombie: lost {lost}, duplicated {duplicated}, \
         after it woke lost {lost_after}, duplicated {duplicated_after}"
    );
    let status = zombie_exit.expect("the fenced zombie is still running a minute after waking");
    // EX_SOFTWARE: fenced by a newer instance, or its transactional call never returned.
    assert_eq!(
        status.code(),
        Some(70),
        "the fenced zombie exited with {status}"
    );
    assert!(replacement.metric("kabar_transactions_total{result=\"committed\"}") >= 1.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_output_the_broker_refuses_as_too_large_dead_letters_its_input() {
    let prefix = names::unique("toolarge");
    let input = format!("{prefix}.raw");
    let dlq = format!("{prefix}.dlq");
    let enriched = format!("{prefix}.enriched");
    kafka::create_topics(&[&input, &dlq], 1).await;
    // The broker accepts at most 600 bytes on the output topic: every enriched article is over.
    kafka::create_topics_with(&[&enriched], 1, &[("max.message.bytes", "600")]).await;
    let (id, payload) = articles::article(3);
    kafka::produce(&input, &[(id.clone(), payload.clone())]).await;

    let dir = tempfile::tempdir().unwrap();
    let routes = dir.path().join("routes.toml");
    std::fs::write(&routes, format!("[[route]]\ntopic = \"{enriched}\"\n")).unwrap();
    let group = names::unique("kabar");
    let (_kabar, _addr) = start_in_process(config(&KabarOptions {
        input_topic: &input,
        group: &group,
        dead_letter_topic: &dlq,
        routes_file: Some(&routes),
        env: vec![],
    }));
    let letters = kafka::consume_until(&dlq, Duration::from_secs(90), kafka::at_least(1));
    let letter = letters.first().expect("a dead letter");
    assert_eq!(
        letter.payload().unwrap(),
        payload.as_slice(),
        "the input, unchanged"
    );
    assert_eq!(letter.key(), Some(id.as_bytes()));
    assert_eq!(
        kafka::header(letter, "kabar-error-code").as_deref(),
        Some("output_too_large")
    );
    assert_eq!(
        kafka::header(letter, "kabar-source-offset").as_deref(),
        Some("0")
    );
}
