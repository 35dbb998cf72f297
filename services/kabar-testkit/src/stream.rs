//! One test's own stream: its topics, consumer group and routes file.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::{Path, PathBuf};

use crate::kafka::create_topics;
use crate::names::unique;
use crate::process::KabarOptions;

/// One test's own stream: input `<prefix>.raw`, dead letters `<prefix>.dlq`, outputs
/// `<prefix>.enriched` (topics created), a consumer group of its own, and a routes file sending
/// everything to `<prefix>.enriched` and `<prefix>.lang.{language}`.
pub struct Stream {
    pub prefix: String,
    pub input: String,
    pub dlq: String,
    pub enriched: String,
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
            group: unique("kabar"),
            routes: routes_file(dir.path(), &prefix),
            prefix,
            _dir: dir,
        };
        create_topics(&[&stream.input, &stream.dlq, &stream.enriched], partitions).await;
        stream
    }

    /// How to start kabar on this stream, with extra environment variables.
    pub fn options(&self, env: Vec<(&'static str, String)>) -> KabarOptions<'_> {
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
