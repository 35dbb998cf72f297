//! The `kabar` binary without Kafka: `kabar run --input` over the bundled samples (the README's
//! first command) and `kabar enrich`.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use kabar_testkit::python;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/samples")
}

fn read_jsonl(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn run_without_kafka_routes_the_bundled_samples_to_files() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["run", "--http-addr", "127.0.0.1:0", "--input"])
        .arg(samples())
        .arg("--output-dir")
        .arg(out.path())
        .env_remove("KABAR_KAFKA_BROKERS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("news.enriched.v1.jsonl"), "{summary}");
    assert!(summary.contains("news.lang.ind.v1.jsonl"), "{summary}");

    let enriched = read_jsonl(&out.path().join("news.enriched.v1.jsonl"));
    let sample_files = std::fs::read_dir(samples()).unwrap().count();
    assert!(
        enriched.len() >= sample_files,
        "{} articles",
        enriched.len()
    );
    let indonesian = read_jsonl(&out.path().join("news.lang.ind.v1.jsonl"));
    let seed = indonesian
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Putin-Kim")
        })
        .expect("seed article on news.lang.ind.v1");
    assert!(!seed["body"].as_str().unwrap().contains("hari yang lalu"));
    // Every article written parses with the Python consumer's generated classes.
    let payloads: Vec<(Vec<u8>, bool)> = enriched
        .iter()
        .map(|a| (serde_json::to_vec(a).unwrap(), false))
        .collect();
    python::assert_parse(&payloads);

    let letters = read_jsonl(&out.path().join("news.dlq.v1.jsonl"));
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["error"]["code"], "no_text");
}

#[test]
fn run_without_kafka_or_input_explains_itself() {
    let output = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["run", "--http-addr", "127.0.0.1:0"])
        .env_remove("KABAR_KAFKA_BROKERS")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--input"), "{stderr}");
}

fn enrich(args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .arg("enrich")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn enrich_keeps_input_order_and_reports_bad_lines() {
    let mut input = String::new();
    for i in 0..1200 {
        if i % 100 == 7 {
            input.push_str("{\"id\": \"broken\n");
        } else {
            input.push_str(&format!(
                "{{\"id\":\"n{i}\",\"text\":\"Berita nomor {i}: pemerintah mengumumkan kebijakan baru untuk warga.\"}}\n"
            ));
        }
    }
    let lines = enrich(&[], &input);
    assert_eq!(lines.len(), 1200);
    for (i, line) in lines.iter().enumerate() {
        if i % 100 == 7 {
            assert_eq!(line["error"]["code"], "invalid_json", "{line}");
            assert_eq!(line["error"]["stage"], "decode");
            assert!(line["id"].is_string());
        } else {
            assert_eq!(line["id"], format!("n{i}"));
        }
    }
}

#[test]
fn enrich_runs_only_the_selected_stages() {
    let lines = enrich(
        &["--stages", "lang"],
        "{\"id\":\"a\",\"text\":\"Der Bundestag hat heute das neue Gesetz beschlossen.\"}\n",
    );
    let article = &lines[0];
    assert_eq!(article["language"]["code"], "deu");
    assert!(article.get("entities").is_none());
    assert!(article.get("routes").is_none());
    assert!(article.get("boilerplate").is_none());
}
