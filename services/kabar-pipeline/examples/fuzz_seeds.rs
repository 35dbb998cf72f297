//! Writes the seed corpora of the fuzz targets (`fuzz/`, run by `scripts/fuzz/run.sh`): the
//! sample articles, the first benchmark articles and the small entries of the hostile corpus,
//! each shaped as its target reads input.
//!
//! ```sh
//! cargo run -p kabar-pipeline --example fuzz_seeds -- services/kabar-pipeline/fuzz/seeds
//! ```
//!
//! Writes `<dir>/{decode,clean,lang,entities,pipeline}/<name>`; entries over `MAX_SEED_BYTES`
//! are left out (libFuzzer's `-max_len` would cut them anyway).

use std::fs;
use std::path::{Path, PathBuf};

use kabar_pipeline::input::{self, Limits};
use kabar_testkit::bench_corpus::Corpus;
use kabar_testkit::hostile;

/// The largest seed written, the fuzz runs' `-max_len` for whole payloads.
const MAX_SEED_BYTES: usize = 65536;
/// Benchmark articles taken (they cover every language and shape of the benchmark mix).
const BENCH_ARTICLES: u64 = 24;
/// Every this many rows of the held-out language sample make a seed.
const HELDOUT_STEP: usize = 10;
/// Language hints of the entities target, indexed by its first byte.
const ENTITY_LANGUAGES: [&str; 8] = ["", "ind", "zsm", "eng", "deu", "fra", "spa", "und"];

fn main() -> anyhow::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or_else(|| anyhow::anyhow!("usage: fuzz_seeds OUT_DIR"))?,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut payloads: Vec<(String, Vec<u8>)> = Vec::new();
    let samples = root.join("../../deploy/samples");
    let mut files: Vec<PathBuf> = fs::read_dir(&samples)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let bytes = fs::read(&path)?;
        if name.ends_with(".jsonl") {
            for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if !line.is_empty() {
                    payloads.push((format!("sample-{name}-{i}"), line.to_vec()));
                }
            }
        } else {
            payloads.push((format!("sample-{name}"), bytes));
        }
    }
    let bench = Corpus::new();
    for article in bench.articles(BENCH_ARTICLES) {
        payloads.push((
            format!("bench-{}", article.id),
            article.payload.into_bytes(),
        ));
    }
    for (name, payload) in hostile::corpus() {
        payloads.push((format!("hostile-{name}"), payload));
    }
    payloads.retain(|(_, payload)| payload.len() <= MAX_SEED_BYTES);

    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();
    for (name, payload) in &payloads {
        seeds.push(("decode", name.clone(), payload.clone()));
        seeds.push(("pipeline", name.clone(), payload.clone()));
        let Ok(article) = input::decode(payload, &Limits::default()) else {
            continue;
        };
        let page = if article.html.trim().is_empty() {
            article.text.clone()
        } else {
            article.html.clone()
        };
        seeds.push(("clean", name.clone(), page.into_bytes()));
        let text = format!("{}\n{}", article.title, article.text);
        seeds.push(("lang", name.clone(), text.clone().into_bytes()));
        for (selector, language) in ENTITY_LANGUAGES.iter().enumerate() {
            if matches!(*language, "ind" | "eng") || selector == 0 {
                let mut bytes = vec![u8::try_from(selector)?];
                bytes.extend_from_slice(text.as_bytes());
                seeds.push(("entities", format!("{name}-{selector}"), bytes));
            }
        }
    }
    let heldout = fs::read_to_string(root.join("tests/fixtures/lang/heldout-sample.jsonl"))?;
    for (i, line) in heldout.lines().enumerate().step_by(HELDOUT_STEP) {
        let row: serde_json::Value = serde_json::from_str(line)?;
        if let Some(text) = row.get("text").and_then(serde_json::Value::as_str) {
            seeds.push(("lang", format!("heldout-{i}"), text.as_bytes().to_vec()));
        }
    }

    let mut written = 0usize;
    for (target, name, bytes) in seeds {
        let dir = out.join(target);
        fs::create_dir_all(&dir)?;
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fs::write(dir.join(safe), bytes)?;
        written += 1;
    }
    eprintln!("fuzz_seeds: wrote {written} seeds under {}", out.display());
    Ok(())
}
