//! Near-duplicate detection across the whole stream, on the real broker: the group's one index
//! kept in the fingerprint topic, shared by two instances and rebuilt after a kill -9; and
//! `kabar enrich` answering for a file.
//!
//! The inputs are stories all different from each other and one near copy of each
//! (`kabar_testkit::stories`). Copies are fed only after every story has been processed and
//! every instance's index holds it: two copies decided at the same moment by two instances may
//! both be answered "first" (the race docs/decisions/near-duplicates.md measures), which these
//! tests do not look at.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kabar_testkit::process::KabarProcess;
use kabar_testkit::{http, kafka, names, stories, stream};
use rdkafka::Message;
use rdkafka::consumer::{BaseConsumer, Consumer};

/// What kabar answered for one article: the first copy it duplicates, and its story.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    duplicate_of: Option<String>,
    story: String,
}

fn answer(article: &serde_json::Value) -> Answer {
    Answer {
        duplicate_of: article["duplicate"]["of"].as_str().map(str::to_owned),
        story: article["story"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Every answer on `topic` by article id; an article output more than once (redone after a
/// crash) must have been answered the same each time.
fn answers(messages: &[rdkafka::message::OwnedMessage]) -> BTreeMap<String, Answer> {
    let mut answers = BTreeMap::new();
    for message in messages {
        let article: serde_json::Value =
            serde_json::from_slice(message.payload().unwrap()).unwrap();
        let id = article["id"].as_str().unwrap().to_owned();
        let given = answer(&article);
        if let Some(earlier) = answers.insert(id.clone(), given.clone()) {
            assert_eq!(earlier, given, "{id} was answered two ways");
        }
    }
    answers
}

/// A stream of its own, with its own compacted fingerprint topic.
async fn stream_with_fingerprints(name: &str, partitions: i32) -> (stream::Stream, String) {
    let stream = stream::Stream::new(name, partitions).await;
    let fingerprints = stream.fingerprints.clone();
    (stream, fingerprints)
}

/// Waits until `kabar` answers `/readyz` with 200.
fn wait_ready(kabar: &mut KabarProcess) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while http::get(&kabar.http, "/readyz").map(|(status, _)| status) != Some(200) {
        assert!(
            Instant::now() < deadline,
            "kabar at {} never got ready",
            kabar.http
        );
        if let Some(status) = kabar.child.try_wait().unwrap() {
            panic!("kabar exited before it was ready: {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until every instance's index holds at least `entries` entries.
fn wait_for_index(kabars: &[KabarProcess], entries: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for kabar in kabars {
        loop {
            let held = kabar.metric("kabar_dedup_index_entries");
            if held >= entries as f64 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "an index holds {held} of {entries} entries"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Distinct article ids in the fingerprint topic (committed records only).
fn fingerprinted(topic: &str) -> usize {
    let consumer: BaseConsumer = kafka::client()
        .set("group.id", names::unique("fingerprints"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut quiet = Instant::now();
    while quiet.elapsed() < Duration::from_secs(3) {
        if let Some(message) = consumer.poll(Duration::from_millis(200)) {
            ids.insert(message.unwrap().key().unwrap().to_vec());
            quiet = Instant::now();
        }
    }
    ids.len()
}

/// Runs the stories, then their copies, through `instances` kabar instances of one group.
async fn answers_of_a_group(instances: usize, count: usize) -> BTreeMap<String, Answer> {
    let (stream, fingerprints) = stream_with_fingerprints("dedup-group", 4).await;
    let env = vec![("KABAR_KAFKA_FINGERPRINT_TOPIC", fingerprints.clone())];
    let mut kabars: Vec<KabarProcess> = (0..instances)
        .map(|_| KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &stream.options(env.clone())))
        .collect();
    for kabar in &mut kabars {
        wait_ready(kabar);
    }
    let originals: Vec<(String, Vec<u8>)> = (0..count).map(stories::story).collect();
    kafka::produce(&stream.input, &originals).await;
    let first = kafka::consume_until(
        &stream.enriched,
        Duration::from_secs(120),
        kafka::distinct_ids(count),
    );
    assert_eq!(answers(&first).len(), count, "every story came out");
    // Only once every instance's index holds every story do the copies come.
    wait_for_index(&kabars, count);
    let copies: Vec<(String, Vec<u8>)> = (0..count).map(stories::copy).collect();
    kafka::produce(&stream.input, &copies).await;
    let all = kafka::consume_until(
        &stream.enriched,
        Duration::from_secs(120),
        kafka::distinct_ids(2 * count),
    );
    answers(&all)
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_in_one_group_answer_as_one_instance_does() {
    const COUNT: usize = 120;
    let one = answers_of_a_group(1, COUNT).await;
    let two = answers_of_a_group(2, COUNT).await;
    assert_eq!(one.len(), 2 * COUNT);
    for index in 0..COUNT {
        let (story, _) = stories::story(index);
        let (copy, _) = stories::copy(index);
        assert_eq!(
            one[&story],
            Answer {
                duplicate_of: None,
                story: story.clone()
            },
            "{story}"
        );
        assert_eq!(
            one[&copy],
            Answer {
                duplicate_of: Some(story.clone()),
                story: story.clone()
            },
            "{copy}"
        );
    }
    assert_eq!(one, two, "two instances answered otherwise than one");
}

/// kill -9 mid-stream and a restart: the restarted instance rebuilds its index from the
/// fingerprint topic before it is ready, loses no entry, and answers the articles it redoes as
/// it answered them the first time.
async fn kill_9_and_restart_keep_the_index(exactly_once: bool) {
    const COUNT: usize = 150;
    let name = if exactly_once {
        "dedup-kill-eos"
    } else {
        "dedup-kill"
    };
    let (stream, fingerprints) = stream_with_fingerprints(name, 2).await;
    let mut env = vec![
        ("KABAR_KAFKA_FINGERPRINT_TOPIC", fingerprints.clone()),
        // Slow enough that the kill lands mid-stream.
        ("KABAR_PIPELINE_WORKERS", "1".to_owned()),
        ("KABAR_PIPELINE_MAX_IN_FLIGHT", "8".to_owned()),
    ];
    if exactly_once {
        env.push(("KABAR_KAFKA_DELIVERY", "exactly-once".to_owned()));
        env.push(("KABAR_KAFKA_TRANSACTIONAL_ID", names::unique("txn")));
        env.push(("KABAR_KAFKA_TRANSACTION_MAX_MESSAGES", "10".to_owned()));
    }
    let options = stream.options(env);
    let mut first = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &options);
    wait_ready(&mut first);
    let originals: Vec<(String, Vec<u8>)> = (0..COUNT).map(stories::story).collect();
    kafka::produce(&stream.input, &originals).await;
    kafka::consume_until(
        &stream.enriched,
        Duration::from_secs(120),
        kafka::distinct_ids(COUNT),
    );
    let copies: Vec<(String, Vec<u8>)> = (0..COUNT).map(stories::copy).collect();
    kafka::produce(&stream.input, &copies).await;
    kafka::consume_until(
        &stream.enriched,
        Duration::from_secs(120),
        kafka::distinct_ids(COUNT + COUNT / 5),
    );
    first.kill(); // SIGKILL: no shutdown, no final commit
    let before = kafka::consume_until(&stream.enriched, Duration::from_secs(3), |_| false);
    assert!(
        answers(&before).len() < 2 * COUNT,
        "everything finished before the kill; the test proves nothing"
    );

    let in_topic = fingerprinted(&fingerprints);
    let mut second = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &options);
    wait_ready(&mut second);
    // Ready means rebuilt: every fingerprint of the topic is in the index.
    assert!(
        second.metric("kabar_dedup_index_entries") >= in_topic as f64,
        "the restarted index holds {} entries, the topic {in_topic}",
        second.metric("kabar_dedup_index_entries")
    );
    assert!(second.metric("kabar_dedup_rebuild_seconds") > 0.0);
    let all = kafka::consume_until(
        &stream.enriched,
        Duration::from_secs(180),
        kafka::distinct_ids(2 * COUNT),
    );
    // answers() checks that an article redone after the kill was answered as the first time.
    let answers = answers(&all);
    assert_eq!(answers.len(), 2 * COUNT);
    for index in 0..COUNT {
        let (story, _) = stories::story(index);
        let (copy, _) = stories::copy(index);
        assert_eq!(answers[&story].duplicate_of, None, "{story}");
        assert_eq!(
            answers[&copy].duplicate_of.as_deref(),
            Some(story.as_str()),
            "{copy}"
        );
        assert_eq!(answers[&copy].story, story, "{copy}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_and_restart_keep_the_index_at_least_once() {
    kill_9_and_restart_keep_the_index(false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_and_restart_keep_the_index_exactly_once() {
    kill_9_and_restart_keep_the_index(true).await;
}

#[test]
fn kabar_enrich_answers_duplicate_for_a_file_in_input_order() {
    let lines: Vec<Vec<u8>> = vec![
        stories::copy(7).1,
        stories::story(7).1,
        stories::story(8).1,
        stories::copy(8).1,
        stories::story(8).1, // the same article again: its first answer, never itself
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["enrich", "--stages", "clean,dedup"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for line in &lines {
        stdin.write_all(line).unwrap();
        stdin.write_all(b"\n").unwrap();
    }
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let got: Vec<Answer> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| answer(&serde_json::from_str(line).unwrap()))
        .collect();
    let answer = |of: Option<&str>, story: &str| Answer {
        duplicate_of: of.map(str::to_owned),
        story: story.to_owned(),
    };
    assert_eq!(
        got,
        [
            // Undated: input order decides, so the copy read first is the first copy.
            answer(None, "copy-00007"),
            answer(Some("copy-00007"), "copy-00007"),
            answer(None, "story-00008"),
            answer(Some("story-00008"), "story-00008"),
            answer(None, "story-00008"),
        ]
    );
}
