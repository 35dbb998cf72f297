//! The time the hostile corpus takes (`kabar_testkit::hostile`: deep nesting, huge lines,
//! pathological repetition, millions of tiny tokens), against the same number of bytes of
//! ordinary articles from the benchmark corpus, in one run. Throughput is in bytes, so the two
//! lines compare directly: hostile input should cost about what ordinary input of its size costs,
//! never minutes (the tests bound its work by the pipeline's limits, not by the clock).
//!
//! ```sh
//! cargo bench -p kabar-pipeline --bench hostile
//! ```

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use kabar_pipeline::route::RouteRule;
use kabar_pipeline::{Pipeline, PipelineConfig};
use kabar_testkit::bench_corpus::Corpus;
use kabar_testkit::hostile;

fn pipeline() -> Pipeline {
    let routes: Vec<RouteRule> = serde_json::from_str(
        r#"[{"topic": "news.enriched.v1"}, {"topic": "news.lang.{language}.v1"}]"#,
    )
    .expect("valid routes");
    Pipeline::new(PipelineConfig::new(routes)).expect("pipeline builds")
}

fn bench(c: &mut Criterion) {
    let pipeline = pipeline();
    let hostile: Vec<Vec<u8>> = hostile::corpus().into_iter().map(|(_, p)| p).collect();
    let bytes: usize = hostile.iter().map(Vec::len).sum();
    // Ordinary articles adding up to the same number of bytes.
    let corpus = Corpus::new();
    let mut ordinary = Vec::new();
    let mut ordinary_bytes = 0;
    for index in 0.. {
        if ordinary_bytes >= bytes {
            break;
        }
        let payload = corpus.article(index).payload.into_bytes();
        ordinary_bytes += payload.len();
        ordinary.push(payload);
    }
    let mut group = c.benchmark_group("hostile");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(60));
    for (name, payloads, total) in [
        ("hostile_corpus", &hostile, bytes),
        ("ordinary_same_bytes", &ordinary, ordinary_bytes),
    ] {
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for payload in payloads {
                    black_box(pipeline.process(black_box(payload)).ok());
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
