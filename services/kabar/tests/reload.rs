//! Routes replaced while kabar works, on the real broker: every article is routed wholly by the
//! old routes or wholly by the new ones, none is lost, none duplicated, and the consumer group
//! never rebalances. Refused reloads (a broken file, a route to a missing topic) change
//! nothing and say so in `/status` and the metrics.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use kabar_testkit::kafka;
use kabar_testkit::names::unique;
use kabar_testkit::process::{KabarOptions, KabarProcess};
use nix::sys::signal::Signal;

const ARTICLES: usize = 3000;
const PARTITIONS: i32 = 3;

/// Replaces `path` at once (write aside, rename), as a deployment does.
fn write_routes(path: &Path, topics: &[&str]) {
    let text: String = topics
        .iter()
        .map(|t| format!("[[route]]\ntopic = \"{t}\"\n\n"))
        .collect();
    write_atomically(path, &text);
}

fn write_atomically(path: &Path, text: &str) {
    let aside = path.with_extension("new");
    std::fs::write(&aside, text).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

fn total(topic: &str) -> i64 {
    kafka::end_offsets(topic, PARTITIONS).values().sum()
}

/// The article ids on `topic`, with how often each appears.
fn ids(topic: &str) -> BTreeMap<String, usize> {
    let expected = usize::try_from(total(topic)).unwrap();
    let mut ids = BTreeMap::new();
    if expected == 0 {
        return ids;
    }
    let messages = kafka::consume_until(topic, Duration::from_secs(120), kafka::at_least(expected));
    assert_eq!(messages.len(), expected, "{topic}");
    for message in &messages {
        *ids.entry(kafka::article_id(message).unwrap()).or_default() += 1;
    }
    ids
}

fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn routes_replaced_under_load_route_each_article_wholly_old_or_new() {
    let prefix = unique("reload");
    let input = format!("{prefix}.raw");
    let dlq = format!("{prefix}.dlq");
    let old = [format!("{prefix}.old.a"), format!("{prefix}.old.b")];
    let new = [format!("{prefix}.new.a"), format!("{prefix}.new.b")];
    let mut topics = vec![input.as_str(), dlq.as_str()];
    topics.extend(old.iter().chain(&new).map(String::as_str));
    kafka::create_topics(&topics, PARTITIONS).await;

    let dir = tempfile::tempdir().unwrap();
    let routes = dir.path().join("routes.toml");
    write_routes(&routes, &[&old[0], &old[1]]);
    let group = unique("kabar");
    let kabar = KabarProcess::start(
        env!("CARGO_BIN_EXE_kabar"),
        &KabarOptions {
            input_topic: &input,
            group: &group,
            dead_letter_topic: &dlq,
            routes_file: Some(&routes),
            env: vec![],
        },
    );
    wait_until("kabar ready", Duration::from_secs(90), || {
        kabar
            .get("/readyz")
            .is_some_and(|(status, _)| status == 200)
    });
    let first = kabar.status();
    let old_digest = first["routes"]["digest"].as_str().unwrap().to_owned();

    // A steady stream: 3,000 articles in chunks of 100, about 300 a second.
    let producer = {
        let input = input.clone();
        tokio::spawn(async move {
            for chunk in 0..ARTICLES / 100 {
                let messages: Vec<(String, Vec<u8>)> = (chunk * 100..(chunk + 1) * 100)
                    .map(|i| {
                        let id = format!("article-{i:05}");
                        let body = format!(
                            r#"{{"id":"{id}","title":"Banjir di Jakarta {i}","text":"Hujan deras sejak pagi membuat banjir di Jakarta Utara, kata Badan Penanggulangan Bencana Daerah pada hari Senin. Artikel nomor {i}."}}"#
                        );
                        (id, body.into_bytes())
                    })
                    .collect();
                kafka::produce(&input, &messages).await;
                tokio::time::sleep(Duration::from_millis(330)).await;
            }
        })
    };

    // Mid-stream: a third of the articles routed, the routes file is replaced.
    wait_until("a third routed", Duration::from_secs(120), || {
        total(&old[0]) >= i64::try_from(ARTICLES / 3).unwrap()
    });
    let swapped_at = Instant::now();
    write_routes(&routes, &[&new[0], &new[1]]);
    wait_until("the new routes in force", Duration::from_secs(30), || {
        kabar.status()["routes"]["digest"] != old_digest.as_str()
    });
    println!(
        "new routes in force {:.2} s after the file changed",
        swapped_at.elapsed().as_secs_f64()
    );
    let status = kabar.status();
    assert_eq!(status["lastReload"]["result"], "success", "{status:#}");
    producer.await.unwrap();

    // Every article once, wholly by one set of routes.
    let sets = [&old, &new];
    let per_topic: Vec<Vec<BTreeMap<String, usize>>> = {
        let mut all = Vec::new();
        for set in sets {
            let mut tables = Vec::new();
            for topic in set.iter() {
                tables.push(ids(topic));
            }
            all.push(tables);
        }
        all
    };
    let everything: BTreeSet<String> = (0..ARTICLES).map(|i| format!("article-{i:05}")).collect();
    let (mut by_old, mut by_new, mut lost, mut duplicated, mut mixed) = (0, 0, 0, 0, 0);
    for id in &everything {
        let counts: Vec<Vec<usize>> = per_topic
            .iter()
            .map(|tables| {
                tables
                    .iter()
                    .map(|t| t.get(id).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let in_old = counts[0].iter().any(|c| *c > 0);
        let in_new = counts[1].iter().any(|c| *c > 0);
        if counts.iter().flatten().any(|c| *c > 1) {
            duplicated += 1;
        }
        match (in_old, in_new) {
            (false, false) => lost += 1,
            (true, true) => mixed += 1,
            (true, false) if counts[0].iter().all(|c| *c == 1) => by_old += 1,
            (false, true) if counts[1].iter().all(|c| *c == 1) => by_new += 1,
            _ => mixed += 1,
        }
    }
    println!(
        "reload under load: {ARTICLES} articles, {by_old} wholly by the old routes, {by_new} \
         wholly by the new, {lost} lost, {duplicated} duplicated, {mixed} mixed"
    );
    assert_eq!((lost, duplicated, mixed), (0, 0, 0));
    assert_eq!(by_old + by_new, ARTICLES);
    assert!(
        by_old >= ARTICLES / 3 && by_new > 0,
        "the swap came mid-stream"
    );
    // No consumer restart, no rebalance: one assignment at start-up, no revocation.
    assert_eq!(kabar.metric("kabar_rebalances_total{kind=\"revoke\"}"), 0.0);
    assert_eq!(kabar.metric("kabar_rebalances_total{kind=\"assign\"}"), 1.0);
    assert_eq!(
        kabar.metric("kabar_config_reloads_total{result=\"success\"}"),
        1.0
    );

    // A broken file: refused, the routes in force stay, /status and the metrics say so.
    let new_digest = kabar.status()["routes"]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    write_atomically(&routes, "[[route]]\ntopic = \"unterminated\n");
    wait_until("the broken file refused", Duration::from_secs(30), || {
        kabar.status()["lastReload"]["result"] == "failure"
    });
    let status = kabar.status();
    assert_eq!(status["routes"]["digest"], new_digest.as_str());
    assert!(
        status["lastReload"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("not TOML"),
        "{status:#}"
    );
    assert_eq!(kabar.metric("kabar_config_last_reload_successful"), 0.0);

    // A route to a topic the cluster does not have, put in force by SIGHUP: refused too.
    write_routes(&routes, &[&new[0], &format!("{prefix}.never-created")]);
    let failures = kabar.metric("kabar_config_reloads_total{result=\"failure\"}");
    kabar.signal(Signal::SIGHUP);
    wait_until("the missing topic refused", Duration::from_secs(30), || {
        kabar.metric("kabar_config_reloads_total{result=\"failure\"}") > failures
    });
    let status = kabar.status();
    assert!(
        status["lastReload"]["errors"][0]
            .as_str()
            .unwrap()
            .contains("never-created"),
        "{status:#}"
    );
    assert_eq!(status["routes"]["digest"], new_digest.as_str());

    // Fixed and reloaded by SIGHUP: in force again, and the reload alert's gauge is back to 1.
    write_routes(&routes, &[&old[0]]);
    kabar.signal(Signal::SIGHUP);
    wait_until("the fixed routes in force", Duration::from_secs(30), || {
        kabar.status()["lastReload"]["result"] == "success"
    });
    assert_eq!(kabar.status()["routes"]["count"], 1);
    assert_eq!(kabar.metric("kabar_config_last_reload_successful"), 1.0);
    assert_eq!(kabar.metric("kabar_routes_loaded"), 1.0);
    assert_eq!(kabar.metric("kabar_rebalances_total{kind=\"revoke\"}"), 0.0);
}
