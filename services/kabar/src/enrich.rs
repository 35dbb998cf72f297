//! `kabar enrich`: JSON lines in on stdin, one enriched JSON object per line out, in order.
//!
//! Lines are processed in batches on the worker pool, up to their fingerprints; near duplicates
//! are then decided line by line in input order, with one index for the whole input (a line's
//! event time is its `publishedAt`, else its place in the input). A line that cannot be
//! processed gives
//! `{"id":..., "error":{"stage":..., "code":..., "message":...}}` (its [`DeadLetter`]), in its
//! place in the output: a one-shot command answers every line and dead-letters nothing, so it
//! logs and counts no dead letter.

use std::io::{BufRead, Write};

use kabar_pipeline::dedup::EventTime;
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::EnrichArgs;
use crate::config::Config;
use crate::dead_letter::DeadLetter;
use crate::engine::Engine;

/// Lines enriched in parallel at a time: large enough to keep every worker busy.
const BATCH_LINES: usize = 512;

#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a str,
    error: &'a DeadLetter,
}

/// `kabar enrich`: stdin to stdout with the configured pipeline and the chosen stages.
pub fn command(mut config: Config, args: EnrichArgs) -> anyhow::Result<()> {
    if let Some(routes) = args.routes {
        config.pipeline.routes_file = Some(routes);
    }
    let engine = Engine::from_config(&config, args.stages)?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    run(&engine, stdin, stdout)
}

/// Enriches every line of `input` to `output`.
pub fn run(engine: &Engine, input: impl BufRead, mut output: impl Write) -> anyhow::Result<()> {
    let mut lines = input.split(b'\n');
    loop {
        let batch: Vec<Vec<u8>> = lines.by_ref().take(BATCH_LINES).collect::<Result<_, _>>()?;
        if batch.is_empty() {
            break;
        }
        let prepared: Vec<_> = engine.pool().install(|| {
            batch
                .par_iter()
                .map(|line| engine.prepare_blocking(line.strip_suffix(b"\r").unwrap_or(line)))
                .collect()
        });
        for result in prepared {
            let line = match result.and_then(|e| engine.complete(e, EventTime::InputOrder)) {
                Ok(routed) => serde_json::to_string(&routed.processed.article),
                Err(failure) => serde_json::to_string(&ErrorLine {
                    id: &failure.id,
                    error: &DeadLetter::from_failure(&failure),
                }),
            }?;
            output.write_all(line.as_bytes())?;
            output.write_all(b"\n")?;
        }
        output.flush()?;
    }
    Ok(())
}
