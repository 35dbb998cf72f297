//! Criterion benchmarks of the pipeline over the benchmark corpus (`kabar_testkit::bench_corpus`):
//! the whole pipeline on the mixed corpus and per article shape, and each stage alone.
//! Throughput is in articles (criterion's "elements").
//!
//! ```sh
//! cargo bench -p kabar-pipeline --bench pipeline            # all groups, about two minutes
//! cargo bench -p kabar-pipeline --bench pipeline -- stage/  # one group
//! ```
//!
//! The stage group calls each stage's public entry point (the one [`Pipeline::process`] calls)
//! on the input it sees in the pipeline; when a stage's signature changes, change it here too.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use kabar_pipeline::clean::Cleaner;
use kabar_pipeline::entities::EntityTagger;
use kabar_pipeline::input::{self, InputArticle, Limits};
use kabar_pipeline::lang::LanguageDetector;
use kabar_pipeline::route::RouteRule;
use kabar_pipeline::{EnrichedArticle, Pipeline, PipelineConfig, Processed, Stage};

use kabar_testkit::bench_corpus::{Corpus, Shape};

/// Articles in the mixed corpus of one iteration.
const MIXED: u64 = 400;
/// Articles per shape of one iteration.
const PER_SHAPE: usize = 100;

fn pipeline() -> Pipeline {
    // The default routes of the service: everything, and by language.
    let routes: Vec<RouteRule> = serde_json::from_str(
        r#"[{"topic": "news.enriched.v1"}, {"topic": "news.lang.{language}.v1"}]"#,
    )
    .expect("valid routes");
    Pipeline::new(PipelineConfig::new(routes)).expect("pipeline builds")
}

fn configure<M: criterion::measurement::Measurement>(group: &mut BenchmarkGroup<'_, M>) {
    // Flat sampling: one iteration of the feature corpus takes about 0.2 s.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
}

fn process(pipeline: &Pipeline, payload: &[u8]) -> Option<Processed> {
    black_box(pipeline.process(black_box(payload)).ok())
}

/// The whole pipeline, bytes in, enriched article and routes out.
fn whole(c: &mut Criterion) {
    let pipeline = pipeline();
    let corpus = Corpus::new();
    let mixed = corpus.articles(MIXED);
    let mut group = c.benchmark_group("pipeline");
    configure(&mut group);
    group.throughput(Throughput::Elements(MIXED));
    group.bench_function("mixed", |b| {
        b.iter(|| {
            for article in &mixed {
                process(&pipeline, article.payload.as_bytes());
            }
        });
    });
    for shape in Shape::ALL {
        let articles: Vec<_> = (0..)
            .map(|i| corpus.article(i))
            .filter(|a| a.shape == shape)
            .take(PER_SHAPE)
            .collect();
        group.throughput(Throughput::Elements(articles.len() as u64));
        group.bench_function(shape.as_str(), |b| {
            b.iter(|| {
                for article in &articles {
                    process(&pipeline, article.payload.as_bytes());
                }
            });
        });
    }
    group.finish();
}

/// Each stage alone, over the mixed corpus, on the input that stage sees in the pipeline
/// (prepared once by running the pipeline).
fn stages(c: &mut Criterion) {
    let pipeline = pipeline();
    let mixed = Corpus::new().articles(MIXED);
    let limits = Limits::default();
    let inputs: Vec<InputArticle> = mixed
        .iter()
        .filter_map(|a| input::decode(a.payload.as_bytes(), &limits).ok())
        .collect();
    let enriched: Vec<EnrichedArticle> = mixed
        .iter()
        .filter_map(|a| pipeline.process(a.payload.as_bytes()).ok())
        .map(|p| p.article)
        .collect();
    let cleaner = Cleaner::new();
    let detector = LanguageDetector::new();
    let tagger = EntityTagger::new().expect("gazetteer loads");

    let mut group = c.benchmark_group("stage");
    configure(&mut group);
    group.throughput(Throughput::Elements(mixed.len() as u64));
    group.bench_function(Stage::Decode.as_str(), |b| {
        b.iter(|| {
            for article in &mixed {
                black_box(input::decode(black_box(article.payload.as_bytes()), &limits).ok());
            }
        });
    });
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function(Stage::Clean.as_str(), |b| {
        b.iter(|| {
            for input in &inputs {
                black_box(if input.html.trim().is_empty() {
                    cleaner.clean_text(black_box(&input.text))
                } else {
                    cleaner.clean_html(black_box(&input.html))
                });
            }
        });
    });
    group.throughput(Throughput::Elements(enriched.len() as u64));
    group.bench_function(Stage::Lang.as_str(), |b| {
        b.iter(|| {
            for article in &enriched {
                black_box(detector.detect(black_box(&article.title), black_box(&article.body)));
            }
        });
    });
    group.bench_function(Stage::Entities.as_str(), |b| {
        b.iter(|| {
            for article in &enriched {
                let language = article.language.as_ref().map_or("", |l| l.code.as_str());
                black_box(tagger.tag(
                    black_box(&article.title),
                    black_box(&article.body),
                    language,
                ));
            }
        });
    });
    group.bench_function(Stage::Route.as_str(), |b| {
        b.iter(|| {
            for article in &enriched {
                black_box(pipeline.router().route(black_box(article)));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, whole, stages);
criterion_main!(benches);
