//! `kabar enrich`: JSON lines in on stdin, one enriched JSON object per line out, in order.
//!
//! Lines are processed in batches on the worker pool; a line that cannot be processed gives
//! `{"id":..., "error":{"stage":..., "code":..., "message":...}}`.

use std::io::{BufRead, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::Engine;
use crate::files::ErrorBody;

/// Lines enriched in parallel at a time: large enough to keep every worker busy.
const BATCH_LINES: usize = 512;

#[derive(Serialize)]
struct ErrorLine<'a> {
    id: &'a str,
    error: ErrorBody<'a>,
}

/// Enriches every line of `input` to `output`.
pub fn run(engine: &Engine, input: impl BufRead, mut output: impl Write) -> anyhow::Result<()> {
    let mut lines = input.split(b'\n');
    loop {
        let batch: Vec<Vec<u8>> = lines.by_ref().take(BATCH_LINES).collect::<Result<_, _>>()?;
        if batch.is_empty() {
            break;
        }
        let results: Vec<String> = engine.pool().install(|| {
            batch
                .par_iter()
                .map(|line| {
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    match engine.enrich_blocking(line) {
                        Ok(processed) => serde_json::to_string(&processed.article),
                        Err(failure) => serde_json::to_string(&ErrorLine {
                            id: &failure.id,
                            error: ErrorBody {
                                stage: failure.error.stage().as_str(),
                                code: failure.error.code(),
                                message: failure.error.to_string(),
                            },
                        }),
                    }
                })
                .collect::<Result<_, _>>()
        })?;
        for result in results {
            output.write_all(result.as_bytes())?;
            output.write_all(b"\n")?;
        }
        output.flush()?;
    }
    Ok(())
}
