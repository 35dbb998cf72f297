//! Scores the pairs of the near-duplicate benchmark (`scripts/dedup/make-benchmark.py`): both
//! articles through the cleaner, then the detector as the service runs it, one fresh index per
//! pair. For the evaluation script (`scripts/dedup/eval-dedup.py`), which chooses thresholds.
//!
//! ```sh
//! cargo run --release -p kabar-pipeline --example dedup_pairs -- [--shingle-words 4] \
//!     < target/dedup-bench/tune.jsonl > scores.jsonl
//! ```
//!
//! One line out per pair: `{"pair", "found", "similarity", "simhash_distance"}`. `found`: the
//! index's LSH keys brought the first article up as a candidate for the second; `similarity`:
//! the estimated similarity of the two fingerprints (null when a body is too short);
//! `simhash_distance`: the Hamming distance of the two bodies' 64-bit SimHash over the same
//! shingles, the alternative the decision record compares.

use std::io::{BufRead, Write};

use kabar_pipeline::dedup::{DedupConfig, Detector, EventTime, sketch};
use kabar_pipeline::{Pipeline, PipelineConfig};

fn simhash(text: &str, shingle_words: usize) -> u64 {
    let mut weights = [0i32; 64];
    sketch::for_each_shingle(text, shingle_words, |hash| {
        for (bit, weight) in weights.iter_mut().enumerate() {
            *weight += if hash >> bit & 1 == 1 { 1 } else { -1 };
        }
    });
    weights.iter().enumerate().fold(0u64, |acc, (bit, weight)| {
        acc | (u64::from(*weight > 0) << bit)
    })
}

fn main() -> anyhow::Result<()> {
    let mut shingle_words = DedupConfig::DEFAULT_SHINGLE_WORDS;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--shingle-words" => {
                shingle_words = args.next().unwrap_or_default().parse()?;
            }
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let mut config = PipelineConfig::new(serde_json::from_str(r#"[{"topic": "out"}]"#)?);
    config.stages = "clean".parse().map_err(anyhow::Error::msg)?;
    let cleaner = Pipeline::new(config)?;
    let dedup = DedupConfig {
        // Every candidate the keys bring up is reported; the script applies thresholds.
        threshold: f32::MIN_POSITIVE,
        shingle_words,
        min_words: DedupConfig::DEFAULT_MIN_WORDS.max(shingle_words),
        ..DedupConfig::default()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let pair: serde_json::Value = serde_json::from_str(&line)?;
        let body = |side: &str| -> anyhow::Result<String> {
            let payload = serde_json::to_vec(&pair[side])?;
            Ok(cleaner
                .process(&payload)
                .map(|p| p.article.body)
                .unwrap_or_default())
        };
        let (a, b) = (body("a")?, body("b")?);
        let detector = Detector::new(dedup.clone());
        let (fa, fb) = (detector.fingerprint(&a), detector.fingerprint(&b));
        detector.decide("a", "", EventTime::Millis(0), fa.as_ref());
        let (verdict, _) = detector.decide("b", "", EventTime::Millis(60_000), fb.as_ref());
        let similarity = match (fa, fb) {
            (Some(fa), Some(fb)) => Some(sketch::similarity(
                &fa.sketch,
                fa.shingles,
                &fb.sketch,
                fb.shingles,
            )),
            _ => None,
        };
        let distance = (simhash(&a, shingle_words) ^ simhash(&b, shingle_words)).count_ones();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "pair": pair["pair"],
                "found": verdict.duplicate.is_some(),
                "similarity": similarity,
                "simhash_distance": distance,
                "words": [a.split_whitespace().count(), b.split_whitespace().count()],
            }),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
