//! Entity tagging throughput: three-kilobyte articles per second on one core.
//!
//! The article is the seed story cut to 3,000 bytes (Indonesian news, dense with names), tagged
//! and linked. Target: at least 5,000 articles a second. `entities/load_knowledge_base` is the
//! knowledge base's share of building the pipeline (it loads once per process).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kabar_pipeline::entities::EntityTagger;
use kabar_pipeline::entities::kb::{self, KnowledgeBase};

const SEED: &str = include_str!("../tests/fixtures/seed-id.txt");

fn article() -> (String, String) {
    let mut lines = SEED.lines();
    let title = lines.next().unwrap_or_default().to_owned();
    let mut body = String::new();
    for line in lines.filter(|l| !l.contains(" | ")) {
        for c in line.chars().chain(['\n', '\n']) {
            if body.len() + c.len_utf8() > 3000 {
                return (title, body);
            }
            body.push(c);
        }
    }
    (title, body)
}

fn bench(c: &mut Criterion) {
    let tagger = EntityTagger::new().expect("bundled tagger");
    let (title, body) = article();
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Elements(1));
    group.bench_function("tag_3kb_article", |b| {
        b.iter(|| tagger.tag(black_box(&title), black_box(&body), "ind"))
    });
    group.finish();
    let mut load = c.benchmark_group("entities");
    load.sample_size(10);
    load.bench_function("load_knowledge_base", |b| {
        b.iter(|| KnowledgeBase::load(black_box(&kb::BUNDLED)).expect("bundled tables"))
    });
    load.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
