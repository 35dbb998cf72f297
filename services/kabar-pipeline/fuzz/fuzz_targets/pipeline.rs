//! Whole enrichment: raw payload bytes to an enriched article or a decode error. A stage
//! failure (a caught panic) is a crash; the article's language and entities keep their
//! invariants, and its JSON form reads back to the same article.

#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use kabar_pipeline::entities::EntityTagger;
use kabar_pipeline::route::{Condition, Encoding, RouteRule};
use kabar_pipeline::{EnrichedArticle, Pipeline, PipelineConfig, Stage};
use kabar_pipeline_fuzz::{check_entities, check_language, known_names};
use libfuzzer_sys::fuzz_target;

#[allow(clippy::expect_used)] // fixed routes and the bundled tables
static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| {
    Pipeline::new(PipelineConfig::new(vec![RouteRule {
        topic: "out.{language}".to_owned(),
        when: Condition::default(),
        encoding: Encoding::Json,
    }]))
    .expect("pipeline")
});

#[allow(clippy::expect_used)] // the bundled tables
static KNOWN: LazyLock<HashSet<String>> =
    LazyLock::new(|| known_names(&EntityTagger::new().expect("bundled tagger")));

fuzz_target!(|payload: &[u8]| {
    let processed = match PIPELINE.process(payload) {
        Ok(processed) => processed,
        Err(failure) => {
            assert_eq!(failure.error.stage(), Stage::Decode, "{failure:?}");
            return;
        }
    };
    let article = &processed.article;
    assert!(!article.id.is_empty());
    let language = article.language.as_ref().expect("lang stage ran");
    check_language(language, None);
    check_entities(&article.entities, &article.title, &article.body, |name| {
        KNOWN.contains(name)
    });
    assert_eq!(article.routes, [format!("out.{}", language.code)]);
    let json = serde_json::to_vec(article).expect("serialises");
    let back: EnrichedArticle = serde_json::from_slice(&json).expect("reads back");
    assert_eq!(&back, article, "JSON round trip changed the article");
});
