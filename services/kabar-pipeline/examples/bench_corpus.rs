//! Writes the benchmark corpus (`kabar_testkit::bench_corpus`) as JSON lines, for the end-to-end load
//! benchmark (`scripts/bench/run.sh`): the same articles the criterion benchmarks use.
//!
//! ```sh
//! cargo run --release -p kabar-pipeline --example bench_corpus -- --count 200000 > corpus.jsonl
//! ```
//!
//! Options: `--count N` (default 1000), `--start I` (first index, default 0). A JSON-lines file
//! holds one message per line, so plain-text articles are written as `{"id", "text"}` objects;
//! every line has an `id`, which `kabar produce` uses as the Kafka key.

use std::io::{BufWriter, Write};

use kabar_testkit::bench_corpus::{Corpus, Shape};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut count, mut start) = (1000u64, 0u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> Result<u64, Box<dyn std::error::Error>> {
            Ok(args.next().ok_or(format!("{arg} needs a value"))?.parse()?)
        };
        match arg.as_str() {
            "--count" => count = value()?,
            "--start" => start = value()?,
            other => {
                return Err(
                    format!("unknown argument {other:?}; expected --count N, --start I").into(),
                );
            }
        }
    }
    let corpus = Corpus::new();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for index in start..start + count {
        let article = corpus.article(index);
        if article.shape == Shape::RawText {
            let line = serde_json::json!({"id": article.id, "text": article.payload});
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "{}", article.payload)?;
        }
    }
    out.flush()?;
    Ok(())
}
