//! Hostile input against the running service and a real broker: every malformed or adversarial
//! input of the corpus becomes an enriched article or a dead letter, good articles keep flowing,
//! and the service keeps running.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use kabar_testkit::process::{KabarOptions, KabarProcess};
use kabar_testkit::{articles, hostile, kafka, names, stream};
use rdkafka::Message;

#[tokio::test(flavor = "multi_thread")]
async fn hostile_inputs_become_outputs_or_dead_letters_and_the_service_survives() {
    let prefix = names::unique("hostile");
    let input = format!("{prefix}.raw");
    let dlq = format!("{prefix}.dlq");
    let enriched = format!("{prefix}.enriched");
    // Topics accept messages larger than kabar's 1 MiB input limit, so oversized input reaches
    // kabar and its dead letter can carry it unchanged.
    kafka::create_topics_with(
        &[&input, &dlq, &enriched],
        2,
        &[("max.message.bytes", "4194304")],
    )
    .await;

    let hostile = hostile::corpus();
    let mut messages = Vec::new();
    for (index, (name, payload)) in hostile.iter().enumerate() {
        messages.push((format!("hostile:{name}"), payload.clone()));
        let (id, good) = articles::article(index);
        messages.push((format!("good:{id}"), good));
    }
    kafka::produce(&input, &messages).await;

    let dir = tempfile::tempdir().unwrap();
    let routes = stream::routes_file(dir.path(), &prefix);
    let group = names::unique("kabar");
    let mut kabar = KabarProcess::start(
        env!("CARGO_BIN_EXE_kabar"),
        &KabarOptions {
            input_topic: &input,
            group: &group,
            dead_letter_topic: &dlq,
            routes_file: Some(&routes),
            env: vec![],
        },
    );

    // Every key comes out once at least, on the enriched topic or the dead-letter topic.
    let wanted: HashSet<String> = messages.iter().map(|(key, _)| key.clone()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut letters = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    while seen.len() < wanted.len() && std::time::Instant::now() < deadline {
        for (topic, is_dlq) in [(&enriched, false), (&dlq, true)] {
            let got = kafka::consume_until(topic, Duration::from_secs(5), |_| false);
            for message in got {
                if let Some(key) = message.key() {
                    seen.insert(String::from_utf8_lossy(key).into_owned());
                }
                if is_dlq {
                    letters.push(message);
                }
            }
        }
    }
    let missing: Vec<&String> = wanted.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "no output nor dead letter for {missing:?}"
    );
    for (name, payload) in &hostile {
        let key = format!("hostile:{name}");
        if let Some(letter) = letters.iter().find(|m| m.key() == Some(key.as_bytes())) {
            assert_eq!(
                letter.payload().unwrap_or_default(),
                payload.as_slice(),
                "{name}: dead letter must carry the input unchanged"
            );
            assert!(kafka::header(letter, "kabar-error-code").is_some());
        }
    }
    assert!(kabar.child.try_wait().unwrap().is_none(), "kabar stopped");
    let health = ureq::get(&format!("http://{}/healthz", kabar.http))
        .call()
        .unwrap();
    assert_eq!(health.status(), 200);
    // No stage panicked on any input.
    let metrics = kabar.metrics();
    let panics: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("kabar_dead_letters_total") && l.contains("stage_failed"))
        .filter(|l| !l.ends_with(" 0"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
    kabar.kill();
}
