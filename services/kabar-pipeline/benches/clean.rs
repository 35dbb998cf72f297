//! Cleaning throughput on one core: HTML pages per second, against the cost of a browser's
//! parse alone in the same run (html5ever through `scraper`, what the cleaner parsed with before
//! its own tree), and plain-text cleaning of the seed article.
//!
//! `cargo bench -p kabar-pipeline --bench clean`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kabar_pipeline::clean::Cleaner;

fn pages() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aeb");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("page"))
        .collect()
}

fn bench(c: &mut Criterion) {
    let pages = pages();
    let cleaner = Cleaner::new();
    let mut group = c.benchmark_group("clean");
    group.throughput(Throughput::Elements(pages.len() as u64));
    group.bench_function("html_pages", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(cleaner.clean_html(black_box(page)));
            }
        });
    });
    group.bench_function("baseline_parse_only", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(scraper::Html::parse_document(black_box(page)));
            }
        });
    });
    let seed = include_str!("../tests/fixtures/seed-id.txt");
    group.throughput(Throughput::Elements(1));
    group.bench_function("plain_text_seed", |b| {
        b.iter(|| black_box(cleaner.clean_text(black_box(seed))));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
