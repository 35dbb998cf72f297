//! JSON lines in, JSON lines out: the clean stage alone, with the I/O contract of
//! `kabar enrich --stages clean` (one enriched article per input line, in input order).
//!
//! `cargo run --release -p kabar-pipeline --example clean_jsonl < pages.jsonl > out.jsonl`
//!
//! Used by `scripts/eval-clean.py --runner example` until the `kabar` binary is available.
#![allow(clippy::print_stdout)]

use std::io::{self, BufRead, BufWriter, Write};

use kabar_pipeline::input::Limits;
use kabar_pipeline::route::{Condition, RouteRule};
use kabar_pipeline::{Pipeline, PipelineConfig, StageSet};

fn main() -> io::Result<()> {
    let mut config = PipelineConfig::new(vec![RouteRule {
        topic: "unused".to_owned(),
        when: Condition::default(),
        encoding: Default::default(),
    }]);
    config.stages = StageSet {
        clean: true,
        lang: false,
        entities: false,
        route: false,
    };
    // Evaluation pages reach 1.5 MB; the service's default limit is 1 MiB.
    config.limits = Limits {
        max_payload_bytes: 16 * 1024 * 1024,
    };
    let pipeline = Pipeline::new(config).map_err(io::Error::other)?;
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let json = match pipeline.process(line.as_bytes()) {
            Ok(processed) => serde_json::to_string(&processed.article),
            Err(failure) => serde_json::to_string(&serde_json::json!({
                "id": failure.id,
                "error": failure.error.code(),
            })),
        }
        .map_err(io::Error::other)?;
        writeln!(out, "{json}")?;
    }
    out.flush()
}
