//! Hostile input against the running service (in this process) and a real broker: every
//! malformed or adversarial input of the corpus becomes an enriched article or a dead letter,
//! good articles keep flowing, no stage panics, and the service keeps running.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use kabar::config::Config;
use kabar::service::{self, FileInput};
use kabar_testkit::in_process::InProcess;
use kabar_testkit::{articles, hostile, http, kafka, names, stream};
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
    let mut config = Config::default();
    config.kafka.brokers = kafka::brokers().to_owned();
    config.kafka.input_topics = vec![input.clone()];
    config.kafka.group_id = names::unique("kabar");
    config.kafka.dead_letter_topic = dlq.clone();
    config.pipeline.routes_file = Some(routes);
    config.http.listen = "127.0.0.1:0".parse().unwrap();
    let kabar = InProcess::start(move |shutdown| async move {
        service::start(config, FileInput::default(), shutdown)
            .await
            .expect("kabar starts")
    });
    let addr = kabar
        .service
        .http_addr()
        .expect("an HTTP endpoint")
        .to_string();

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
    assert!(!kabar.service.is_finished(), "kabar stopped");
    assert_eq!(
        http::get(&addr, "/healthz").map(|(status, _)| status),
        Some(200)
    );
    // No stage panicked on any input.
    let panics: Vec<String> = letters
        .iter()
        .filter(|letter| {
            kafka::header(letter, "kabar-error-code").as_deref() == Some("stage_failed")
        })
        .filter_map(|letter| kafka::header(letter, "kabar-error-message"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
}
