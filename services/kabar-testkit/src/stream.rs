//! One test's own stream: its topics, consumer group and routes file.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::{Path, PathBuf};

use crate::kafka::{create_topics, create_topics_with};
use crate::names::unique;
use crate::process::KabarOptions;

/// One test's own stream: input `<prefix>.raw`, dead letters `<prefix>.dlq`, outputs
/// `<prefix>.enriched`, the near-duplicate index `<prefix>.fingerprints` (compacted; topics
/// created), a consumer group of its own, and a routes file sending everything to
/// `<prefix>.enriched` and `<prefix>.lang.{language}`.
pub struct Stream {
    pub prefix: String,
    pub input: String,
    pub dlq: String,
    pub enriched: String,
    /// The fingerprint topic: each test its own near-duplicate index.
    pub fingerprints: String,
    pub group: String,
    pub routes: PathBuf,
    _dir: tempfile::TempDir,
}

impl Stream {
    pub async fn new(name: &str, partitions: i32) -> Self {
        let prefix = unique(name);
        let dir = tempfile::tempdir().unwrap();
        let stream = Self {
            input: format!("{prefix}.raw"),
            dlq: format!("{prefix}.dlq"),
            enriched: format!("{prefix}.enriched"),
            fingerprints: format!("{prefix}.fingerprints"),
            group: unique("kabar"),
            routes: routes_file(dir.path(), &prefix),
            prefix,
            _dir: dir,
        };
        create_topics(&[&stream.input, &stream.dlq, &stream.enriched], partitions).await;
        create_topics_with(
            &[&stream.fingerprints],
            partitions,
            &[("cleanup.policy", "compact")],
        )
        .await;
        stream
    }

    /// How to start kabar on this stream, with extra environment variables.
    pub fn options(&self, mut env: Vec<(&'static str, String)>) -> KabarOptions<'_> {
        if !env
            .iter()
            .any(|(name, _)| *name == "KABAR_KAFKA_FINGERPRINT_TOPIC")
        {
            env.push(("KABAR_KAFKA_FINGERPRINT_TOPIC", self.fingerprints.clone()));
        }
        KabarOptions {
            input_topic: &self.input,
            group: &self.group,
            dead_letter_topic: &self.dlq,
            routes_file: Some(&self.routes),
            env,
        }
    }
}

/// A routes file sending everything to `<prefix>.enriched` and `<prefix>.lang.{language}`.
pub fn routes_file(dir: &Path, prefix: &str) -> PathBuf {
    let path = dir.join("routes.toml");
    std::fs::write(
        &path,
        format!(
            "[[route]]\ntopic = \"{prefix}.enriched\"\n\n[[route]]\ntopic = \"{prefix}.lang.{{language}}\"\n"
        ),
    )
    .unwrap();
    path
}
