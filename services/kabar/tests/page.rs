//! The live page at `/` in a real browser: headless Chromium (Debian's `chromium`, driven over
//! the DevTools protocol) loads it while kabar processes articles, and the figures on the page
//! move and match `/metrics`, in Kafka mode and in file mode (where it shows progress through
//! the input). kabar runs as a process of its own in each test, so its metrics are its alone.
//!
//! `KABAR_PAGE_SCREENSHOT=docs/page.png cargo test -p kabar --test page` also writes the
//! screenshot the README shows.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use kabar_testkit::process::KabarProcess;
use kabar_testkit::{http, kafka, names, paths, stream};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Headless Chromium on a fresh profile, with nothing that reaches out to the network.
fn browser() -> Browser {
    assert!(
        std::path::Path::new(CHROMIUM).exists(),
        "the browser test needs Debian's chromium at {CHROMIUM} (scripts/dev/test.sh installs it)"
    );
    let extra: Vec<&std::ffi::OsStr> = ["--disable-component-update", "--no-default-browser-check"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from(CHROMIUM)))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 1000)))
        .idle_browser_timeout(Duration::from_secs(600))
        .args(extra)
        .build()
        .unwrap();
    Browser::new(options).expect("headless chromium starts")
}

struct Page {
    tab: Arc<Tab>,
    _browser: Browser,
}

impl Page {
    /// Opens kabar's page at `addr`, polling every 300 ms.
    fn open(addr: &str) -> Self {
        let browser = browser();
        let tab = browser.new_tab().unwrap();
        tab.set_default_timeout(Duration::from_secs(60));
        tab.navigate_to(&format!("http://{addr}/?interval=300"))
            .unwrap()
            .wait_until_navigated()
            .unwrap();
        let page = Page {
            tab,
            _browser: browser,
        };
        page.wait("the page's first poll", |s| s["polls"].as_u64() >= Some(1));
        page
    }

    /// The value of a JavaScript expression, through JSON.
    fn eval(&self, expression: &str) -> Value {
        let result = self
            .tab
            .evaluate(&format!("JSON.stringify({expression})"), false)
            .unwrap();
        let text = result.value.and_then(|v| v.as_str().map(str::to_owned));
        serde_json::from_str(&text.unwrap_or_else(|| "null".to_owned())).unwrap()
    }

    /// What the page shows: every figure as its raw number.
    fn snapshot(&self) -> Value {
        self.eval(SNAPSHOT)
    }

    /// Waits (up to 90 s) until `done` holds for a snapshot; returns it.
    fn wait(&self, what: &str, mut done: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let snapshot = self.snapshot();
            if done(&snapshot) {
                return snapshot;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: the page shows {snapshot:#}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self) -> Vec<u8> {
        self.eval("window.scrollTo(0, 0)");
        self.tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .unwrap()
    }
}

/// Reads the page: `data-value` of every figure, the tables' rows and the bars.
const SNAPSHOT: &str = r##"(() => {
  const num = (el) => (el && el.dataset.value !== "" ? Number(el.dataset.value) : null);
  const figures = {};
  for (const el of document.querySelectorAll(".tiles [data-figure], #input [data-figure]")) {
    figures[el.dataset.figure] = num(el);
  }
  const rows = (id, keys) => [...document.querySelectorAll("#" + id + " tr")]
    .filter((tr) => tr.dataset[keys[0]] !== undefined)
    .map((tr) => {
      const row = {};
      for (const key of keys) row[key] = tr.dataset[key];
      for (const td of tr.querySelectorAll("[data-figure]")) row[td.dataset.figure] = num(td);
      return row;
    });
  const bars = (id) => Object.fromEntries([...document.querySelectorAll("#" + id + " .bar")]
    .map((bar) => [bar.dataset.key, num(bar.querySelector("[data-figure=count]"))]));
  const facts = Object.fromEntries([...document.querySelectorAll("#status dd")]
    .map((dd) => [dd.dataset.fact, dd.textContent]));
  return {
    polls: (window.kabarPage && window.kabarPage.polls) || 0,
    figures: figures,
    dead: rows("dead-letters", ["stage", "code"]),
    lag: rows("lag", ["topic", "partition"]),
    stages: rows("stages", ["stage"]),
    outputs: rows("outputs", ["topic"]),
    languages: bars("languages"),
    entities: bars("entities"),
    facts: facts,
    mode: document.querySelector("[data-status=mode]").textContent,
    ready: document.getElementById("ready").dataset.value,
    version: document.querySelector("header [data-status=version]").textContent,
    connection: document.getElementById("connection").textContent,
    inputShown: !document.getElementById("input").hidden,
  };
})()"##;

// ---- /metrics, read the way Prometheus reads it -------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

fn parse(page: &str) -> Vec<Sample> {
    let line_re = regex::Regex::new(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)").unwrap();
    let label_re = regex::Regex::new(r#"([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)""#).unwrap();
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let c = line_re.captures(line)?;
            let labels = c.get(3).map_or_else(BTreeMap::new, |l| {
                label_re
                    .captures_iter(l.as_str())
                    .map(|m| (m[1].to_owned(), m[2].to_owned()))
                    .collect()
            });
            let value = match &c[4] {
                "+Inf" => f64::INFINITY,
                v => v.parse().ok()?,
            };
            Some(Sample {
                name: c[1].to_owned(),
                labels,
                value,
            })
        })
        .collect()
}

fn series<'a>(samples: &'a [Sample], name: &'a str) -> impl Iterator<Item = &'a Sample> + 'a {
    samples.iter().filter(move |s| s.name == name)
}

fn total(samples: &[Sample], name: &str) -> f64 {
    series(samples, name).map(|s| s.value).sum()
}

/// Prometheus' `histogram_quantile` over a histogram's cumulative buckets.
fn quantile(q: f64, samples: &[Sample], name: &str, stage: Option<&str>) -> Option<f64> {
    let mut buckets: Vec<(f64, f64)> = series(samples, &format!("{name}_bucket"))
        .filter(|s| stage.is_none_or(|stage| s.labels["stage"] == stage))
        .map(|s| {
            let le = &s.labels["le"];
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().unwrap()
            };
            (bound, s.value)
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let observations = buckets.last()?.1;
    if observations <= 0.0 {
        return None;
    }
    let mut rank = q * observations;
    let b = buckets[..buckets.len() - 1]
        .iter()
        .position(|(_, count)| *count >= rank)
        .unwrap_or(buckets.len() - 1);
    if b == buckets.len() - 1 {
        return Some(buckets[buckets.len() - 2].0);
    }
    let start = if b == 0 { 0.0 } else { buckets[b - 1].0 };
    let mut count = buckets[b].1;
    if b > 0 {
        count -= buckets[b - 1].1;
        rank -= buckets[b - 1].1;
    }
    Some(start + (buckets[b].0 - start) * (rank / count))
}

fn close(page: &Value, expected: Option<f64>) -> bool {
    match (page.as_f64(), expected) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

/// Whether the page shows what `/metrics` says; the first difference otherwise.
fn compare(page: &Value, metrics: &[Sample]) -> Result<(), String> {
    let figures = &page["figures"];
    let check = |what: &str, shown: &Value, expected: Option<f64>| {
        if close(shown, expected) {
            Ok(())
        } else {
            Err(format!(
                "{what}: the page shows {shown}, /metrics {expected:?}"
            ))
        }
    };
    check(
        "in",
        &figures["in-total"],
        Some(total(metrics, "kabar_messages_consumed_total")),
    )?;
    check(
        "out",
        &figures["out-total"],
        Some(total(metrics, "kabar_messages_produced_total")),
    )?;
    check(
        "dead letters",
        &figures["dead-total"],
        Some(total(metrics, "kabar_dead_letters_total")),
    )?;
    check(
        "in flight",
        &figures["in-flight"],
        Some(total(metrics, "kabar_in_flight_articles")),
    )?;
    let lags: Vec<&Sample> = series(metrics, "kabar_consumer_lag").collect();
    let lag_total = (!lags.is_empty()).then(|| lags.iter().map(|s| s.value).sum());
    check("lag", &figures["lag-total"], lag_total)?;
    for (figure, q) in [("e2e-p50", 0.5), ("e2e-p95", 0.95)] {
        let expected = quantile(q, metrics, "kabar_end_to_end_latency_seconds", None);
        check(figure, &figures[figure], expected.map(|s| s * 1000.0))?;
    }

    let dead: Vec<Value> = series(metrics, "kabar_dead_letters_total")
        .filter(|s| s.value > 0.0)
        .map(|s| json!({"stage": s.labels["stage"], "code": s.labels["code"], "count": s.value}))
        .collect();
    let shown: Vec<Value> = page["dead"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"stage": r["stage"], "code": r["code"], "count": r["count"].as_f64()}))
        .collect();
    let sorted = |mut rows: Vec<Value>| {
        rows.sort_by_key(ToString::to_string);
        rows
    };
    if sorted(dead.clone()) != sorted(shown.clone()) {
        return Err(format!(
            "dead letters by code: page {shown:?}, /metrics {dead:?}"
        ));
    }
    for (bars, name, label) in [
        ("languages", "kabar_articles_total", "language"),
        ("entities", "kabar_entities_total", "type"),
    ] {
        let expected: BTreeMap<String, f64> = series(metrics, name)
            .filter(|s| s.value > 0.0)
            .map(|s| (s.labels[label].clone(), s.value))
            .collect();
        let shown: BTreeMap<String, f64> =
            serde_json::from_value(page[bars].clone()).unwrap_or_default();
        if expected != shown {
            return Err(format!("{bars}: page {shown:?}, /metrics {expected:?}"));
        }
    }
    let outputs: BTreeMap<String, f64> = series(metrics, "kabar_messages_produced_total")
        .map(|s| (s.labels["topic"].clone(), s.value))
        .collect();
    let shown: BTreeMap<String, f64> = page["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["topic"].as_str().unwrap().to_owned(),
                r["count"].as_f64().unwrap(),
            )
        })
        .collect();
    if outputs != shown {
        return Err(format!("outputs: page {shown:?}, /metrics {outputs:?}"));
    }
    for row in page["lag"].as_array().unwrap() {
        let expected = lags
            .iter()
            .find(|s| {
                s.labels["topic"] == row["topic"] && s.labels["partition"] == row["partition"]
            })
            .map(|s| s.value);
        check("lag of a partition", &row["lag"], expected)?;
    }
    if page["lag"].as_array().unwrap().len() != lags.len() {
        return Err(format!("lag rows: page {}, /metrics {lags:?}", page["lag"]));
    }
    let stages: Vec<&Sample> = series(metrics, "kabar_stage_duration_seconds_count").collect();
    if page["stages"].as_array().unwrap().len() != stages.len() {
        return Err(format!(
            "stages: page {}, /metrics {stages:?}",
            page["stages"]
        ));
    }
    for row in page["stages"].as_array().unwrap() {
        let stage = row["stage"].as_str().unwrap();
        let count = stages
            .iter()
            .find(|s| s.labels["stage"] == stage)
            .map(|s| s.value);
        check(&format!("{stage} count"), &row["count"], count)?;
        for (column, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            let expected = quantile(q, metrics, "kabar_stage_duration_seconds", Some(stage));
            check(
                &format!("{stage} {column}"),
                &row[column],
                expected.map(|s| s * 1000.0),
            )?;
        }
    }
    if total(metrics, "kabar_input_files") > 0.0 {
        for (figure, name) in [
            ("input-files", "kabar_input_files"),
            ("input-files-done", "kabar_input_files_done"),
            ("input-bytes", "kabar_input_bytes"),
            ("input-bytes-done", "kabar_input_bytes_done"),
        ] {
            check(figure, &figures[figure], Some(total(metrics, name)))?;
        }
    }
    Ok(())
}

/// Waits until the page shows what a stable `/metrics` says (read before and after the page),
/// with `condition` holding; returns the page and the metrics.
fn wait_for_match(
    page: &Page,
    addr: &str,
    what: &str,
    mut condition: impl FnMut(&Value) -> bool,
) -> (Value, Vec<Sample>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let before = parse(&http::metrics(addr));
        let shown = page.snapshot();
        let after = parse(&http::metrics(addr));
        let last = if condition(&shown) && before == after {
            match compare(&shown, &after) {
                Ok(()) => return (shown, after),
                Err(difference) => difference,
            }
        } else {
            format!("waiting for {what}: {}", shown["figures"])
        };
        assert!(Instant::now() < deadline, "{what}: {last}");
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// /status, where kabar has it: the page shows its facts; where it does not (404), dashes.
fn check_status_facts(page: &Page, addr: &str, shown: &Value) {
    let facts = shown["facts"].as_object().unwrap();
    assert!(facts.len() >= 10, "{facts:?}");
    match http::get(addr, "/status") {
        Some((200, body)) => {
            let status: Value = serde_json::from_str(&body).unwrap();
            for (fact, field) in [("version", "version"), ("mode", "mode"), ("group", "group")] {
                if let Some(value) = status[field].as_str() {
                    assert_eq!(facts[fact], value, "{fact}");
                }
            }
        }
        answer => {
            assert!(
                facts.values().all(|v| v == "\u{2013}"),
                "no /status ({answer:?}): every fact is a dash: {facts:?}"
            );
        }
    }
    // The facts of a /status answer as the shared contract shapes it, and of none.
    let facts = page.eval(
        r#"kabarPage.statusFacts({
          version: "0.1.0", revision: "a1b2c3d", startedAt: "2026-12-01T15:00:00Z",
          uptimeSeconds: 3725.5, mode: "kafka", delivery: "exactly-once", ready: false,
          notReadyReasons: ["broker unreachable for 45 s"], group: "kabar",
          inputTopics: ["news.raw", "news.more"], inFlight: 3,
          routes: {count: 4, digest: "sha256:ab", loadedAt: "2026-12-01T15:00:01Z",
                   source: "/etc/kabar/routes.toml"},
          lastReload: {at: "2026-12-01T15:10:00Z", result: "failure", errors: ["bad topic"]},
          lastCommitAt: null, input: {path: "deploy/samples", done: 7, total: 9}
        }).map((f) => [f.key, f.text])"#,
    );
    let facts: BTreeMap<String, String> = serde_json::from_value(Value::Object(
        facts
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| (pair[0].as_str().unwrap().to_owned(), pair[1].clone()))
            .collect(),
    ))
    .unwrap();
    for (key, text) in [
        ("version", "0.1.0"),
        ("revision", "a1b2c3d"),
        ("uptime", "1h 2m"),
        ("delivery", "exactly-once"),
        ("ready", "no: broker unreachable for 45 s"),
        ("inputTopics", "news.raw, news.more"),
        ("inFlight", "3"),
        (
            "routes",
            "4 from /etc/kabar/routes.toml, loaded 2026-12-01T15:00:01Z",
        ),
        ("routesDigest", "sha256:ab"),
        ("lastReload", "failure at 2026-12-01T15:10:00Z: bad topic"),
        ("lastCommitAt", "\u{2013}"),
        ("input", "deploy/samples: 7 of 9 files"),
    ] {
        assert_eq!(facts[key], text, "{key}");
    }
    let empty = page.eval("kabarPage.statusFacts(null).every((f) => f.text === '\u{2013}')");
    assert_eq!(empty, json!(true));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_follows_kafka_mode_and_matches_metrics() {
    let stream = stream::Stream::new("page", 2).await;
    let kabar = KabarProcess::start(env!("CARGO_BIN_EXE_kabar"), &stream.options(vec![]));
    let addr = kabar.http.clone();
    http::metrics(&addr);
    let page = tokio::task::spawn_blocking(move || Page::open(&addr))
        .await
        .unwrap();
    let addr = kabar.http.clone();
    let samples = paths::sample_payloads();

    let (first, _) = tokio::task::block_in_place(|| {
        wait_for_match(&page, &addr, "before any input", |p| {
            p["figures"]["in-total"] == json!(0)
        })
    });
    assert_eq!(first["mode"], "kafka");
    assert_eq!(first["dead"], json!([]));

    // Two rounds of the samples: each time the figures move, and match /metrics once settled.
    let mut moved = Vec::new();
    for round in 1..=2 {
        let keyed: Vec<(String, Vec<u8>)> = samples
            .iter()
            .map(|(name, payload)| (format!("{name}-{round}"), payload.clone()))
            .collect();
        kafka::produce(&stream.input, &keyed).await;
        let expected_in = (round * samples.len()) as f64;
        let mut rate_seen = None;
        let (shown, metrics) = tokio::task::block_in_place(|| {
            wait_for_match(&page, &addr, &format!("round {round}"), |p| {
                let done = p["figures"]["in-total"].as_f64() == Some(expected_in);
                if done && rate_seen.is_none() {
                    rate_seen = p["figures"]["in-rate"].as_f64();
                }
                let produced: f64 = p["outputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|r| r["count"].as_f64())
                    .sum();
                // Every output acknowledged: 9 enriched, 9 by language and the dead letter.
                done && produced == round as f64 * 19.0
            })
        });
        assert!(
            rate_seen.is_some_and(|rate| rate > 0.0),
            "round {round}: in-rate {rate_seen:?}"
        );
        assert_eq!(
            total(&metrics, "kabar_messages_consumed_total"),
            expected_in
        );
        moved.push(shown);
    }
    let (one, two) = (&moved[0]["figures"], &moved[1]["figures"]);
    for figure in ["in-total", "out-total", "dead-total"] {
        assert!(
            two[figure].as_f64() > one[figure].as_f64(),
            "{figure} did not move: {one} then {two}"
        );
    }
    assert_eq!(moved[1]["dead"][0]["code"], "no_text");
    assert_eq!(moved[1]["languages"]["ind"], json!(6));
    assert!(moved[1]["entities"]["PER"].as_f64() > Some(0.0));
    assert_eq!(moved[1]["stages"].as_array().unwrap().len(), 5);
    assert_eq!(moved[1]["ready"], "true");
    assert!(!moved[1]["inputShown"].as_bool().unwrap());
    tokio::task::block_in_place(|| check_status_facts(&page, &addr, &moved[1]));

    let png = tokio::task::block_in_place(|| page.screenshot());
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kabar-page.png");
    std::fs::write(&keep, &png).unwrap();
    drop(kabar);
}

/// `kabar run --input DIR` as a process, its endpoint on `addr`.
fn file_mode(dir: &std::path::Path, out: &std::path::Path, addr: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["run", "--http-addr", addr, "--input"])
        .arg(dir)
        .arg("--output-dir")
        .arg(out)
        .env("KABAR_LOG_LEVEL", "warn")
        .env_remove("KABAR_KAFKA_BROKERS")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn the_page_shows_progress_through_file_mode_input() {
    let work = tempfile::tempdir().unwrap();
    let (dir, out) = (work.path().join("in"), work.path().join("out"));
    std::fs::create_dir_all(&dir).unwrap();
    let samples = paths::sample_payloads();
    // Three articles, a named pipe the test writes into, three more articles: kabar reads the
    // first three, then waits at the pipe, and the page can be read while kabar is there.
    for (i, (_, payload)) in samples.iter().take(3).enumerate() {
        std::fs::write(dir.join(format!("a-{i}.txt")), payload).unwrap();
    }
    let pipe = dir.join("m-stream.jsonl");
    let made = Command::new("mkfifo").arg(&pipe).status().unwrap();
    assert!(made.success());
    for (i, (_, payload)) in samples.iter().skip(3).take(3).enumerate() {
        std::fs::write(dir.join(format!("z-{i}.txt")), payload).unwrap();
    }
    let addr = format!("127.0.0.1:{}", names::free_port());
    let mut kabar = file_mode(&dir, &out, &addr);
    http::metrics(&addr);
    let page = Page::open(&addr);

    let (at_pipe, metrics) = wait_for_match(&page, &addr, "the first three files", |p| {
        p["figures"]["in-total"] == json!(3) && p["figures"]["input-files-done"] == json!(3)
    });
    assert_eq!(at_pipe["mode"], "files");
    assert!(at_pipe["inputShown"].as_bool().unwrap());
    assert_eq!(at_pipe["figures"]["input-files"], json!(7));
    let percent = at_pipe["figures"]["input-percent"].as_f64().unwrap();
    assert!(percent > 0.0 && percent < 100.0, "{percent}");
    assert!(total(&metrics, "kabar_input_bytes_done") > 0.0);

    // Two articles through the pipe: the page moves with the input.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&pipe).unwrap();
    for i in 0..2 {
        writeln!(
            writer,
            "{{\"id\":\"piped-{i}\",\"text\":\"Presiden Joko Widodo meresmikan bendungan baru di Jawa Tengah pada hari Senin.\"}}"
        )
        .unwrap();
    }
    writer.flush().unwrap();
    let (piped, _) = wait_for_match(&page, &addr, "two piped articles", |p| {
        p["figures"]["in-total"] == json!(5)
    });
    assert!(
        piped["figures"]["input-bytes-done"].as_f64()
            > at_pipe["figures"]["input-bytes-done"].as_f64()
    );
    assert!(piped["languages"]["ind"].as_f64() >= Some(2.0));

    // The pipe closes: kabar reads the rest, writes its outputs and stops; the page says so.
    drop(writer);
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = kabar.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "file mode did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success());
    assert!(out.join("news.enriched.v1.jsonl").is_file());
    page.wait("kabar gone", |p| {
        p["connection"]
            .as_str()
            .is_some_and(|c| c.contains("not answering"))
    });
}
