//! The language detector alone, with knobs for tuning and a plain-whatlang baseline: reads JSON
//! lines `{"id", "text"[, "title"]}` on stdin and writes `{"id", "language"}` lines, as
//! `kabar enrich --stages lang` does.
//!
//! `cargo run --release -p kabar-pipeline --example eval_lang -- enrich --stages lang < in.jsonl`
//! (the arguments are accepted and ignored, so `scripts/lang/eval-lang.py --kabar` can run it).
//! With `KABAR_EVAL_PLAIN_WHATLANG=1` it answers with plain `whatlang::detect`, for comparison
//! (eval-lang.py's `--baseline`); `KABAR_EVAL_TUNING` and `KABAR_EVAL_COMMON_BOOST` try other
//! detector settings without rebuilding.

use std::io::{BufRead, BufWriter, Write};

use kabar_pipeline::article::Language;
use kabar_pipeline::lang::{DetectorOptions, LanguageDetector, Tuning};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// Serialised directly (not through `serde_json::Value`) so f32 scores print short.
#[derive(Serialize)]
struct Output<'a> {
    id: &'a serde_json::Value,
    language: &'a Language,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut detector = match std::env::var("KABAR_EVAL_COMMON_BOOST") {
        Ok(boost) => LanguageDetector::with_options(DetectorOptions {
            common_boost_nats: boost.parse()?,
            ..DetectorOptions::default()
        }),
        Err(_) => LanguageDetector::new(),
    };
    // tuning runs: KABAR_EVAL_TUNING="base,bonus,temperature,pair_bias,reliable"
    if let Ok(spec) = std::env::var("KABAR_EVAL_TUNING") {
        let v: Vec<f32> = spec.split(',').map(str::parse).collect::<Result<_, _>>()?;
        if let [
            whatlang_base,
            whatlang_bonus,
            temperature,
            pair_bias,
            reliable,
        ] = v[..]
        {
            detector = detector.tuned(Tuning {
                whatlang_base,
                whatlang_bonus,
                temperature,
                pair_bias,
                reliable,
            });
        }
    }
    let plain = std::env::var_os("KABAR_EVAL_PLAIN_WHATLANG").is_some_and(|v| v == "1");
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(&line)?;
        if plain {
            let code = whatlang::detect(&row.text).map_or("und", |info| match info.lang() {
                whatlang::Lang::Pes => "fas",
                lang => lang.code(),
            });
            writeln!(out, "{}", json!({"id": row.id, "language": {"code": code}}))?;
            continue;
        }
        let language = detector.detect(&row.title, &row.text);
        let line = serde_json::to_string(&Output {
            id: &row.id,
            language: &language,
        })?;
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}
