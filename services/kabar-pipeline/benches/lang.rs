//! kabar's language detector against plain `whatlang::detect`, on the same texts, in one run.
//!
//! `cargo bench -p kabar-pipeline --bench lang`. The texts are `tests/fixtures/lang/heldout-sample.jsonl`
//! (692 held-out lingua rows: sentences, word pairs and single words in 58 languages). Compare
//! the two `time` lines: kabar is to keep at least half of whatlang's throughput.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kabar_pipeline::lang::LanguageDetector;

fn texts() -> Vec<String> {
    include_str!("../tests/fixtures/lang/heldout-sample.jsonl")
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|row| row["text"].as_str().map(str::to_owned))
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let detector = LanguageDetector::new();
    // build the tables before timing
    black_box(detector.detect("", "warm up"));
    let mut group = c.benchmark_group("lang");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("whatlang_detect", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(whatlang::detect(black_box(text)));
            }
        });
    });
    group.bench_function("kabar_detect", |b| {
        b.iter(|| {
            for text in &texts {
                black_box(detector.detect("", black_box(text)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
