//! The subscriber and operator tools against a real broker, run as the `kabar` binary as people
//! run them: `tail` (JSON lines parsed line by line, dead letters' headers, pretty output,
//! `--until-end` across transaction markers, isolation), `replay` (batches counted in the
//! broker's own offsets topic, `--dry-run`, `--code`, `--max`, `--since`/`--until`, `--to`),
//! and the completions and manual pages. kabar runs in this process to make real outputs and
//! dead letters.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use kabar::config::Config;
use kabar::service::{self, FileInput, Service};
use kabar_testkit::in_process::InProcess;
use kabar_testkit::{kafka, names, paths};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, OwnedMessage};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};

/// `kabar ARGS` with stdout and stderr captured (so stdout is not a terminal).
fn kabar(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(args)
        .env("KABAR_LOG_LEVEL", "warn")
        .env_remove("KABAR_KAFKA_BROKERS")
        .env_remove("KABAR_KAFKA_DEAD_LETTER_TOPIC")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "kabar {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Every line of `stdout` as JSON, as `jq` reads them: any line that is not one JSON value
/// fails the test.
fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    let text = std::str::from_utf8(stdout).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text}");
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

fn tail(topic: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["tail", topic, "--brokers", kafka::brokers()];
    all.extend(args);
    json_lines(&kabar(&all).stdout)
}

/// kabar in this process: `input` in, dead letters to `dlq`, routes from `routes`.
fn start_kabar(input: &str, dlq: &str, routes: &Path) -> InProcess<Service> {
    let mut config = Config::default();
    config.kafka.brokers = kafka::brokers().to_owned();
    config.kafka.input_topics = vec![input.to_owned()];
    config.kafka.group_id = names::unique("kabar");
    config.kafka.dead_letter_topic = dlq.to_owned();
    config.pipeline.routes_file = Some(routes.to_path_buf());
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    InProcess::start(move |shutdown| async move {
        service::start(config, FileInput::default(), shutdown)
            .await
            .expect("kabar starts")
    })
}

fn sum(offsets: &std::collections::HashMap<i32, i64>) -> usize {
    usize::try_from(offsets.values().sum::<i64>()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn tail_prints_json_lines_with_every_header_and_stops_at_the_end() {
    let prefix = names::unique("tail");
    let (input, dlq) = (format!("{prefix}.raw"), format!("{prefix}.dlq"));
    let (enriched, binary) = (format!("{prefix}.enriched"), format!("{prefix}.binary"));
    kafka::create_topics(&[&input, &dlq, &enriched, &binary], 2).await;
    let dir = tempfile::tempdir().unwrap();
    let routes = dir.path().join("routes.toml");
    std::fs::write(
        &routes,
        format!(
            "[[route]]\ntopic = \"{enriched}\"\n\n[[route]]\ntopic = \"{binary}\"\n\
             encoding = \"protobuf\"\n"
        ),
    )
    .unwrap();
    let mut messages = paths::sample_payloads();
    let not_utf8 = b"\xff\xfe not text \x00\x01".to_vec();
    messages.push(("binary-1".to_owned(), not_utf8.clone()));
    kafka::produce(&input, &messages).await;
    let service = start_kabar(&input, &dlq, &routes);
    kafka::consume_until(&dlq, Duration::from_secs(120), kafka::at_least(2));
    kafka::consume_until(&binary, Duration::from_secs(120), kafka::at_least(9));
    drop(service);

    // Dead letters as JSON lines: where, when, key, every header, the value in its encoding.
    let letters = tail(&dlq, &["--from-beginning", "--until-end"]);
    assert_eq!(letters.len(), sum(&kafka::end_offsets(&dlq, 2)));
    assert_eq!(letters.len(), 2, "{letters:?}");
    for letter in &letters {
        assert_eq!(letter["topic"], dlq.as_str());
        assert!(
            letter["partition"].is_i64() && letter["offset"].is_i64(),
            "{letter}"
        );
        assert!(letter["timestamp"].as_i64().unwrap() > 1_600_000_000_000);
        assert_eq!(letter["timestampType"], "create");
        assert!(letter["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(letter["keyEncoding"], "string");
        let headers = &letter["headers"];
        assert_eq!(headers["kabar-source-topic"], input.as_str());
        assert_eq!(headers["kabar-error-stage"], "decode");
        assert!(headers["kabar-error-message"].as_str().unwrap().len() > 5);
        assert_eq!(headers["traceparent"].as_str().unwrap().len(), 55);
    }
    let by_code = |code: &str| {
        letters
            .iter()
            .find(|l| l["headers"]["kabar-error-code"] == code)
            .unwrap_or_else(|| panic!("no {code} letter in {letters:?}"))
    };
    let no_text = by_code("no_text");
    assert_eq!(no_text["valueEncoding"], "json");
    assert_eq!(no_text["value"]["id"], "sample-poison-no-text");
    let binary_letter = by_code("not_utf8");
    assert_eq!(binary_letter["key"], "binary-1");
    assert_eq!(binary_letter["valueEncoding"], "base64");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(binary_letter["value"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, not_utf8);

    // Pretty: the reason headers readable, one per line.
    let pretty = kabar(&[
        "tail",
        &dlq,
        "--brokers",
        kafka::brokers(),
        "--from-beginning",
        "--until-end",
        "--format",
        "pretty",
    ]);
    let pretty = String::from_utf8(pretty.stdout).unwrap();
    for line in [
        "  kabar-error-code: no_text\n",
        "  kabar-error-code: not_utf8\n",
        "  kabar-error-stage: decode\n",
        &format!("  kabar-source-topic: {input}\n"),
    ] {
        assert!(pretty.contains(line), "{line:?} not in\n{pretty}");
    }
    assert!(!pretty.contains('\u{1b}'), "no colours off a terminal");

    // Filters, the value alone, and kabar's binary outputs decoded.
    let indonesian = tail(
        &enriched,
        &["--from-beginning", "--until-end", "--where", "lang=ind"],
    );
    assert_eq!(indonesian.len(), 3);
    assert!(
        indonesian
            .iter()
            .all(|l| l["value"]["language"]["code"] == "ind" && l["valueEncoding"] == "json")
    );
    let values = tail(
        &enriched,
        &["--from-beginning", "--until-end", "--format", "value"],
    );
    assert_eq!(values.len(), 9);
    assert!(
        values
            .iter()
            .all(|v| v["id"].is_string() && v["language"]["code"].is_string())
    );
    let decoded = tail(&binary, &["--from-beginning", "--until-end"]);
    assert_eq!(decoded.len(), 9);
    assert!(
        decoded
            .iter()
            .all(|l| l["valueEncoding"] == "protobuf" && l["value"]["id"].is_string()),
        "{decoded:?}"
    );

    // Where to start: the last record of each partition, a time to come, a count.
    let ends = kafka::end_offsets(&enriched, 2);
    let last = tail(&enriched, &["--offset", "-1", "--until-end"]);
    let expected: BTreeSet<(i64, i64)> = ends
        .iter()
        .filter(|(_, end)| **end > 0)
        .map(|(p, end)| (i64::from(*p), end - 1))
        .collect();
    let got: BTreeSet<(i64, i64)> = last
        .iter()
        .map(|l| {
            (
                l["partition"].as_i64().unwrap(),
                l["offset"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert!(tail(&enriched, &["--since", "2999-01-01", "--until-end"]).is_empty());
    let since_then = tail(
        &enriched,
        &["--since", "2000-01-01T00:00:00+07:00", "--until-end"],
    );
    assert_eq!(since_then.len(), 9);
    let two = tail(&enriched, &["--from-beginning", "--max", "2"]);
    assert_eq!(two.len(), 2);
    let one_partition = tail(
        &enriched,
        &["--from-beginning", "--until-end", "--partition", "1"],
    );
    assert_eq!(one_partition.len(), usize::try_from(ends[&1]).unwrap());
    assert!(one_partition.iter().all(|l| l["partition"] == 1));
}

#[test]
fn tail_until_end_passes_transaction_markers_and_honours_isolation() {
    let topic = names::unique("tail-tx");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(kafka::create_topics(&[&topic], 1));
    let producer: BaseProducer = kafka::client()
        .set("transactional.id", names::unique("tail-tx"))
        .create()
        .unwrap();
    let timeout = Duration::from_secs(30);
    producer.init_transactions(timeout).unwrap();
    let send = |n: usize| {
        for i in 0..n {
            let payload = format!("{{\"n\":{i}}}");
            producer
                .send(BaseRecord::to(&topic).key("k").payload(&payload))
                .map_err(|(e, _)| e)
                .unwrap();
        }
    };
    producer.begin_transaction().unwrap();
    send(2);
    producer.commit_transaction(timeout).unwrap();
    producer.begin_transaction().unwrap();
    send(3);
    producer.flush(timeout).unwrap();
    producer.abort_transaction(timeout).unwrap();

    // Two commit or abort markers follow the last record: --until-end still ends.
    let committed = tail(&topic, &["--from-beginning", "--until-end"]);
    assert_eq!(committed.len(), 2, "{committed:?}");
    assert_eq!(committed[1]["value"]["n"], 1);
    let everything = tail(
        &topic,
        &[
            "--from-beginning",
            "--until-end",
            "--isolation",
            "read-uncommitted",
        ],
    );
    assert_eq!(everything.len(), 5, "{everything:?}");
}

/// How many offset commits `group` made: records in the broker's `__consumer_offsets` topic
/// whose key (version 0 or 1: group, topic, partition) names it.
fn commits_of(group: &str) -> usize {
    let consumer: BaseConsumer = kafka::client()
        .set("group.id", names::unique("offsets-reader"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let topic = "__consumer_offsets";
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let mut assignment = TopicPartitionList::new();
    let mut remaining = std::collections::HashMap::new();
    for partition in metadata.topics()[0].partitions() {
        let (low, high) = consumer
            .fetch_watermarks(topic, partition.id(), Duration::from_secs(10))
            .unwrap();
        if high > low {
            assignment
                .add_partition_offset(topic, partition.id(), Offset::Beginning)
                .unwrap();
            remaining.insert(partition.id(), high);
        }
    }
    consumer.assign(&assignment).unwrap();
    let mut commits = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !remaining.is_empty() {
        assert!(std::time::Instant::now() < deadline, "cannot read {topic}");
        let Some(message) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let message = message.unwrap();
        if message
            .key()
            .is_some_and(|key| commit_key_group(key) == Some(group))
            && message.payload().is_some()
        {
            commits += 1;
        }
        if remaining
            .get(&message.partition())
            .is_some_and(|end| message.offset() + 1 >= *end)
        {
            remaining.remove(&message.partition());
        }
    }
    commits
}

/// The group of an offset-commit key: int16 version (0 or 1), then the group as an int16
/// length and its bytes.
fn commit_key_group(key: &[u8]) -> Option<&str> {
    let version = i16::from_be_bytes(key.get(..2)?.try_into().ok()?);
    if !(0..=1).contains(&version) {
        return None;
    }
    let len = usize::try_from(i16::from_be_bytes(key.get(2..4)?.try_into().ok()?)).ok()?;
    std::str::from_utf8(key.get(4..4 + len)?).ok()
}

fn replay(dlq: &str, args: &[&str]) -> String {
    let mut all = vec!["replay", "--brokers", kafka::brokers(), "--from", dlq];
    all.extend(args);
    String::from_utf8(kabar(&all).stdout).unwrap()
}

fn without_kabar_headers(message: &OwnedMessage) -> bool {
    message
        .headers()
        .is_none_or(|h| h.iter().all(|h| !h.key.starts_with("kabar-")))
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_commits_once_per_batch_and_a_dry_run_changes_nothing() {
    let stream = kabar_testkit::stream::Stream::new("replay", 1).await;
    let (input, dlq) = (&stream.input, &stream.dlq);
    let retry = format!("{}.retry", stream.prefix);
    kafka::create_topics(&[&retry], 1).await;
    // 25 inputs kabar cannot enrich: two without text (the 6th and the 21st), the rest broken.
    let poison: Vec<(String, Vec<u8>)> = (0..25)
        .map(|i| {
            let payload = if i == 5 || i == 20 {
                format!("{{\"id\":\"blank-{i}\",\"text\":\"   \"}}")
            } else {
                format!("{{\"id\": \"broken-{i}\", \"text\": ")
            };
            (format!("poison-{i}"), payload.into_bytes())
        })
        .collect();
    kafka::produce(input, &poison).await;
    let service = start_kabar(input, dlq, &stream.routes);
    let letters = kafka::consume_until(dlq, Duration::from_secs(120), kafka::at_least(25));
    drop(service);
    assert_eq!(letters.len(), 25);

    // A dry run lists every letter and where it would go, and changes nothing.
    let group = names::unique("replay");
    let listed = replay(dlq, &["--group", &group, "--dry-run"]);
    let lines: Vec<&str> = listed
        .lines()
        .filter(|l| l.starts_with("would replay"))
        .collect();
    assert_eq!(lines.len(), 25, "{listed}");
    for (offset, line) in lines.iter().enumerate() {
        assert!(
            line.starts_with(&format!(
                "would replay {dlq} partition 0 offset {offset} to {input}: "
            )),
            "{line}"
        );
    }
    assert!(
        listed.contains("dry run: would replay 25 dead letter(s)"),
        "{listed}"
    );
    assert_eq!(
        kafka::committed(&group, dlq, 1)[&0],
        -1,
        "nothing committed"
    );
    assert_eq!(commits_of(&group), 0);

    // Batches of 10: three commits for 25 letters, each letter once on --to, without kabar's
    // headers.
    let summary = replay(
        dlq,
        &["--group", &group, "--batch-size", "10", "--to", &retry],
    );
    assert!(
        summary.contains("replayed 25 dead letter(s)") && summary.contains("in 3 batch(es)"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("    25  to {retry}")),
        "{summary}"
    );
    assert!(summary.contains("    23  invalid_json") && summary.contains("     2  no_text"));
    assert_eq!(commits_of(&group), 3);
    assert_eq!(kafka::committed(&group, dlq, 1)[&0], 25);
    let replayed = kafka::consume_until(&retry, Duration::from_secs(60), kafka::at_least(25));
    assert_eq!(replayed.len(), 25);
    for (letter, again) in letters.iter().zip(&replayed) {
        assert_eq!(again.payload(), letter.payload());
        assert_eq!(again.key(), letter.key());
        assert!(without_kabar_headers(again));
    }
    // The group remembers: nothing is replayed twice.
    assert!(
        replay(dlq, &["--group", &group, "--to", &retry]).contains("replayed 0 dead letter(s)")
    );
    assert_eq!(commits_of(&group), 3);

    // --code and --max: the first letter without text; the broken ones before it passed over.
    let group = names::unique("replay");
    let one = replay(
        dlq,
        &[
            "--group", &group, "--code", "no_text", "--max", "1", "--to", &retry,
        ],
    );
    assert!(
        one.contains("replayed 1 dead letter(s) from") && one.contains("skipped 5"),
        "{one}"
    );
    assert_eq!(kafka::committed(&group, dlq, 1)[&0], 6);
    assert_eq!(commits_of(&group), 1);

    // --since and --until select by the letters' timestamps.
    let stamp = |m: &OwnedMessage| m.timestamp().to_millis().unwrap();
    let (from, to) = (stamp(&letters[10]), stamp(&letters[14]));
    let first_at = |t: i64| letters.iter().position(|m| stamp(m) >= t).unwrap_or(25);
    let expected: Vec<usize> = (first_at(from)..first_at(to + 1)).collect();
    let listed = replay(
        dlq,
        &[
            "--group",
            &names::unique("replay"),
            "--dry-run",
            "--since",
            &from.to_string(),
            "--until",
            &to.to_string(),
        ],
    );
    let offsets: Vec<usize> = listed
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("would replay {dlq} partition 0 offset ")))
        .map(|rest| rest.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(offsets, expected, "{listed}");
    assert!(offsets.contains(&10) && offsets.contains(&14));
}

#[test]
fn completions_and_manual_pages_come_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let bash = kabar(&["completions", "bash"]);
    let script = dir.path().join("kabar.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["bash", "zsh", "fish"] {
        let script = String::from_utf8(kabar(&["completions", shell]).stdout).unwrap();
        for word in ["tail", "replay", "until-end", "dry-run", "read-committed"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }

    let page = String::from_utf8(kabar(&["man"]).stdout).unwrap();
    assert!(page.contains(".TH kabar 1"), "{page}");
    let pages = dir.path().join("man1");
    let written =
        String::from_utf8(kabar(&["man", "--dir", pages.to_str().unwrap()]).stdout).unwrap();
    for name in [
        "kabar.1",
        "kabar-run.1",
        "kabar-tail.1",
        "kabar-replay.1",
        "kabar-produce.1",
    ] {
        assert!(pages.join(name).is_file(), "{name} not in {written}");
    }
    let tail_page = std::fs::read_to_string(pages.join("kabar-tail.1")).unwrap();
    assert!(tail_page.contains("until\\-end") && tail_page.contains("KABAR_KAFKA_BROKERS"));

    // Every flag standing for a setting shows its variable.
    let run_help = String::from_utf8(kabar(&["run", "--help"]).stdout).unwrap();
    for variable in [
        "KABAR_KAFKA_BROKERS",
        "KABAR_KAFKA_GROUP_ID",
        "KABAR_KAFKA_INPUT_TOPICS",
        "KABAR_HTTP_LISTEN",
        "KABAR_PIPELINE_ROUTES_FILE",
        "KABAR_CONFIG",
        "KABAR_LOG_LEVEL",
        "KABAR_LOG_FORMAT",
    ] {
        assert!(
            run_help.contains(&format!("[env: {variable}")),
            "{variable}: {run_help}"
        );
    }
    let replay_help = String::from_utf8(kabar(&["replay", "--help"]).stdout).unwrap();
    assert!(replay_help.contains("[env: KABAR_KAFKA_DEAD_LETTER_TOPIC"));
}
