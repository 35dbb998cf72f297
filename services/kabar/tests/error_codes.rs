//! One closed set of error codes (`kabar_pipeline::error::ErrorCode`): the dead-letter header,
//! the dead-letter metric's label set and the documentation all agree with it.

#![allow(clippy::unwrap_used)]

use kabar::dead_letter::DeadLetter;
use kabar::kafka::records;
use kabar::metrics::METRICS;
use kabar_pipeline::Stage;
use kabar_pipeline::error::ErrorCode;
use kabar_testkit::paths::repo_root;
use rdkafka::Timestamp;
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};

/// The backquoted words of the markdown table row that starts with `| \`<header>\``.
fn codes_in_table_row(markdown: &str, header: &str) -> Vec<String> {
    let row = markdown
        .lines()
        .find(|line| line.starts_with(&format!("| `{header}`")))
        .unwrap_or_else(|| panic!("no table row for {header}"));
    let value = row.split('|').nth(2).unwrap();
    value
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn all_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

#[test]
fn the_consumers_guide_lists_every_code() {
    let guide = std::fs::read_to_string(repo_root().join("docs/consumers.md")).unwrap();
    assert_eq!(
        codes_in_table_row(&guide, "kabar-error-code"),
        all_codes(),
        "docs/consumers.md lists other codes than ErrorCode::ALL, in its order"
    );
    let stages: Vec<String> = Stage::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    assert_eq!(codes_in_table_row(&guide, "kabar-error-stage"), stages);
}

#[test]
fn the_readme_lists_every_code() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let (_, after) = readme
        .split_once("`kabar-error-code` (one of ")
        .expect("the README lists the error codes");
    let (list, _) = after.split_once(')').unwrap();
    let named: Vec<String> = list
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert_eq!(
        named,
        all_codes(),
        "the README lists other codes than ErrorCode::ALL, in its order"
    );
}

#[test]
fn every_code_is_a_pre_registered_dead_letter_label() {
    let page = METRICS.render();
    for code in ErrorCode::ALL {
        let stages: Vec<Stage> = code.stage().map_or(Stage::ALL.to_vec(), |s| vec![s]);
        for stage in stages {
            let series = format!(
                "kabar_dead_letters_total{{code=\"{code}\",stage=\"{}\"}}",
                stage.as_str()
            );
            assert!(page.contains(&series), "{series} not pre-registered");
        }
    }
}

#[test]
fn every_code_reaches_the_dead_letter_headers() {
    let input = OwnedMessage::new(
        Some(b"payload".to_vec()),
        Some(b"key".to_vec()),
        "news.raw".to_owned(),
        Timestamp::NotAvailable,
        3,
        42,
        Some(OwnedHeaders::new().insert(Header {
            key: "traceparent",
            value: Some("00-1-2-01"),
        })),
    );
    for code in ErrorCode::ALL {
        let letter = DeadLetter {
            stage: code.stage().unwrap_or(Stage::Entities),
            code,
            message: "x".repeat(600),
            article_id: "a1".to_owned(),
        };
        let output = records::dead_letter("news.dlq.v1", &input, &letter);
        let header = |name: &str| {
            output
                .headers
                .iter()
                .find(|h| h.key == name)
                .and_then(|h| h.value)
                .map(|v| String::from_utf8_lossy(v).into_owned())
        };
        assert_eq!(header("kabar-error-code").as_deref(), Some(code.as_str()));
        assert_eq!(
            header("kabar-error-stage").as_deref(),
            Some(letter.stage.as_str())
        );
        assert_eq!(header("kabar-error-message").map(|m| m.len()), Some(512));
        assert_eq!(header("kabar-source-offset").as_deref(), Some("42"));
        assert_eq!(header("traceparent").as_deref(), Some("00-1-2-01"));
        assert_eq!(output.payload, b"payload");
    }
}
