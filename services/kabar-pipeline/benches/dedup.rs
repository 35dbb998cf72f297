//! What near-duplicate detection costs: the whole pipeline on the mixed benchmark corpus with
//! detection on and off, in one run (the target: on at least 90% of off's throughput; the
//! articles arrive one second apart, as Kafka timestamps them, into an index already holding
//! 100,000 other articles), the fingerprint alone, and one decision against an index at a cap of
//! a million entries.
//!
//! ```sh
//! cargo bench -p kabar-pipeline --bench dedup
//! scripts/dedup/bench-ratio.sh        # the same, then the on / off ratio from criterion's files
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use kabar_pipeline::article::Duplicate;
use kabar_pipeline::dedup::{DedupConfig, Detector, EventTime, Fingerprint, Record, sketch};
use kabar_pipeline::route::RouteRule;
use kabar_pipeline::{Pipeline, PipelineConfig, StageSet};
use kabar_testkit::bench_corpus::Corpus;

/// Articles in one iteration.
const MIXED: u64 = 400;
/// Articles in the index before the measured ones arrive.
const PREFILL: u64 = 100_000;
/// When the measured articles start arriving (the prefilled ones came a minute apart before).
const START_MS: i64 = 1_700_000_000_000;

fn pipeline(dedup: bool) -> Pipeline {
    let routes: Vec<RouteRule> = serde_json::from_str(
        r#"[{"topic": "news.enriched.v1"}, {"topic": "news.lang.{language}.v1"},
            {"topic": "news.first.v1", "when": {"duplicate": false}}]"#,
    )
    .expect("valid routes");
    let mut config = PipelineConfig::new(routes);
    config.stages = StageSet {
        dedup,
        ..StageSet::ALL
    };
    Pipeline::new(config).expect("pipeline builds")
}

fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    sketch::mix(*state)
}

/// An unrelated article's record, `n` minutes before the measured articles.
fn record(n: u64, state: &mut u64, before: i64) -> Record {
    let id = format!("prefill-{n:012}-{:016x}", next(state));
    let mut sketch_bytes = [0u8; sketch::SKETCH_BYTES];
    for byte in &mut sketch_bytes {
        *byte = next(state) as u8;
    }
    let mut keys = [0u32; sketch::KEYS];
    for key in &mut keys {
        *key = next(state) as u32;
    }
    let duplicate = (n % 4 == 3).then(|| Duplicate {
        of: format!("prefill-{:012}", n - 1),
        similarity: 0.9,
    });
    Record {
        story: duplicate
            .as_ref()
            .map_or_else(|| id.clone(), |d| d.of.clone()),
        id,
        time: before - n as i64 * 60_000 / 100,
        fingerprint: Fingerprint {
            sketch: sketch_bytes,
            keys,
            shingles: 250,
        },
        duplicate,
    }
}

fn fill(detector: &Detector, entries: u64) {
    let mut state = 11;
    for n in 0..entries {
        detector.apply(&record(n, &mut state, START_MS));
    }
}

/// Every article through both steps, one second apart in event time.
fn run(pipeline: &Pipeline, payloads: &[&[u8]]) {
    for (n, payload) in payloads.iter().enumerate() {
        if let Ok(enriched) = pipeline.enrich(black_box(payload)) {
            let event = EventTime::Millis(START_MS + n as i64 * 1000);
            black_box(pipeline.complete(enriched, event).ok());
        }
    }
}

fn on_and_off(c: &mut Criterion) {
    let corpus = Corpus::new();
    let mixed = corpus.articles(MIXED);
    let payloads: Vec<&[u8]> = mixed.iter().map(|a| a.payload.as_bytes()).collect();
    let off = pipeline(false);
    let mut group = c.benchmark_group("dedup");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(MIXED));
    group.bench_function("pipeline/off", |b| b.iter(|| run(&off, &payloads)));
    group.bench_function("pipeline/on", |b| {
        // A fresh index of PREFILL entries each time, so no article is ever seen twice.
        b.iter_batched(
            || {
                let on = pipeline(true);
                if let Some(detector) = on.detector() {
                    fill(detector, PREFILL);
                }
                on
            },
            |on| run(&on, &payloads),
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn parts(c: &mut Criterion) {
    let corpus = Corpus::new();
    let bodies: Vec<String> = corpus
        .articles(MIXED)
        .iter()
        .filter_map(|a| pipeline(false).process(a.payload.as_bytes()).ok())
        .map(|p| p.article.body)
        .collect();
    let config = DedupConfig::default();
    let mut group = c.benchmark_group("dedup");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(bodies.len() as u64));
    group.bench_function("fingerprint", |b| {
        b.iter(|| {
            for body in &bodies {
                black_box(sketch::fingerprint(
                    black_box(body),
                    config.shingle_words,
                    config.min_words,
                ));
            }
        });
    });
    // An index at a cap of a million entries: every decision also evicts the oldest.
    let detector = Detector::new(DedupConfig {
        max_entries: 1_000_000,
        ..config.clone()
    });
    fill(&detector, 1_000_000);
    let fingerprints: Vec<Option<Fingerprint>> =
        bodies.iter().map(|b| detector.fingerprint(b)).collect();
    let mut n = 0u64;
    group.bench_function("decide/1M", |b| {
        b.iter(|| {
            for fingerprint in &fingerprints {
                n += 1;
                let id = format!("article-{n:012}");
                let event = EventTime::Millis(START_MS + n as i64 * 1000);
                black_box(detector.decide(&id, "", event, fingerprint.as_ref()));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, on_and_off, parts);
criterion_main!(benches);
