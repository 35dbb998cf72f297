//! Golden tests: the bundled samples through the pipeline give the JSON in `tests/golden/`, and
//! that JSON is exactly the proto3 JSON form of `kabar.v1.EnrichedArticle`: it parses with the
//! generated types (unknown fields rejected), survives a round trip through binary protobuf, and
//! serialises back to the same JSON.
//!
//! After a deliberate change to the pipeline's output, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p kabar --test golden` and review the diff.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use kabar_testkit::paths::sample_payloads;

use kabar::config::default_routes;
use kabar_pipeline::{Pipeline, PipelineConfig};
use kabar_proto::Message as _;
use kabar_proto::v1::EnrichedArticle;

/// The article as kabar emits it, minus the one field that varies run to run (timing).
fn stable_json(payload: &[u8], pipeline: &Pipeline) -> Option<serde_json::Value> {
    let processed = pipeline.process(payload).ok()?;
    let mut value = serde_json::to_value(&processed.article).unwrap();
    value["pipeline"]
        .as_object_mut()
        .unwrap()
        .remove("processingMicros");
    Some(value)
}

fn check_or_update(path: &Path, actual: &serde_json::Value) {
    let pretty = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &pretty).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} missing: run UPDATE_GOLDEN=1 cargo test -p kabar --test golden",
            path.display()
        )
    });
    let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
    assert_eq!(
        &expected,
        actual,
        "{} differs (if intended: UPDATE_GOLDEN=1 cargo test -p kabar --test golden)",
        path.display()
    );
}

#[test]
fn samples_match_their_golden_json() {
    let pipeline = Pipeline::new(PipelineConfig::new(default_routes())).unwrap();
    let golden = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for (name, payload) in sample_payloads() {
        if let Some(actual) = stable_json(&payload, &pipeline) {
            check_or_update(&golden.join(format!("{name}.json")), &actual);
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} samples enriched");
}

/// Inputs that make every optional part of the output appear: runner-up languages, a
/// secondary language, a fallback extraction.
fn unusual_inputs() -> Vec<(String, Vec<u8>)> {
    let english = "The central bank kept interest rates unchanged on Thursday and said inflation would ease next year. ";
    let indonesian = "Bank sentral mempertahankan suku bunga pada hari Kamis dan mengatakan inflasi akan turun tahun depan. ";
    vec![
        ("short".to_owned(), b"{\"text\": \"Selamat pagi\"}".to_vec()),
        ("short-2".to_owned(), b"{\"text\": \"Het weer is mooi\"}".to_vec()),
        (
            "mixed".to_owned(),
            serde_json::json!({"title": "Bank", "text": format!("{}\n{}", english.repeat(4), indonesian.repeat(4))})
                .to_string()
                .into_bytes(),
        ),
        (
            "nested".to_owned(),
            format!("<html><body>{}Berita singkat tentang banjir di Jakarta hari ini.{}</body></html>", "<div>".repeat(60_000), "</div>".repeat(60_000)).into_bytes(),
        ),
    ]
}

#[test]
fn emitted_json_is_exactly_the_proto3_json_form() {
    let pipeline = Pipeline::new(PipelineConfig::new(default_routes())).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (name, payload) in sample_payloads().into_iter().chain(unusual_inputs()) {
        let Ok(processed) = pipeline.process(&payload) else {
            continue;
        };
        let article = &processed.article;
        if let Some(language) = &article.language {
            if !language.alternatives.is_empty() {
                seen.insert("alternatives");
            }
            if language.secondary.is_some() {
                seen.insert("secondary");
            }
        }
        if article.boilerplate.as_ref().is_some_and(|b| b.fallback) {
            seen.insert("fallback");
        }
        let emitted = serde_json::to_string(article).unwrap();
        // JSON → generated type: fails on any field or value the schema does not have.
        let message: EnrichedArticle = serde_json::from_str(&emitted)
            .unwrap_or_else(|e| panic!("{name}: not kabar.v1.EnrichedArticle JSON: {e}"));
        // → binary → back.
        let binary = message.encode_to_vec();
        let decoded = EnrichedArticle::decode(binary.as_slice()).unwrap();
        assert_eq!(decoded, message, "{name}: binary round trip");
        // → proto3 JSON again: the same document kabar emitted.
        // Compared as parsed text: JSON object key order carries no meaning.
        let reserialised: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&decoded).unwrap()).unwrap();
        let emitted: serde_json::Value = serde_json::from_str(&emitted).unwrap();
        assert_eq!(
            reserialised, emitted,
            "{name}: kabar's JSON is not the proto3 JSON form"
        );
    }
}

/// The field table of docs/consumers.md names every field of `EnrichedArticle` in `proto/`,
/// by its JSON name, and nothing else.
#[test]
fn the_consumers_guide_lists_every_field() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let proto = std::fs::read_to_string(root.join("proto/kabar/v1/article.proto")).unwrap();
    let message = proto
        .split_once("message EnrichedArticle {")
        .and_then(|(_, rest)| rest.split_once("\n}"))
        .map(|(body, _)| body)
        .unwrap();
    let mut in_schema: Vec<String> = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("//") && line.contains(" = "))
        .map(|line| {
            let name = line.split(" = ").next().unwrap().split_whitespace().last();
            let mut json = String::new();
            let mut upper = false;
            for c in name.unwrap().chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    json.push(c.to_ascii_uppercase());
                    upper = false;
                } else {
                    json.push(c);
                }
            }
            json
        })
        .collect();
    let guide = std::fs::read_to_string(root.join("docs/consumers.md")).unwrap();
    let table = guide
        .split_once("| field | what |")
        .map(|(_, rest)| rest)
        .unwrap();
    let mut in_guide: Vec<String> = table
        .lines()
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| line.split('`').nth(1).map(str::to_owned))
        .collect();
    in_schema.sort();
    in_guide.sort();
    assert_eq!(
        in_guide, in_schema,
        "docs/consumers.md's field table and EnrichedArticle in proto/ differ"
    );
}
