//! The seed article end to end through the pipeline, without Kafka.

use kabar_pipeline::article::EntityType;
use kabar_pipeline::route::{Condition, RouteRule};
use kabar_pipeline::{Pipeline, PipelineConfig};

const SEED: &str = include_str!("fixtures/seed-id.txt");

fn pipeline() -> Pipeline {
    let routes = ["news.enriched.v1", "news.lang.{language}.v1"]
        .into_iter()
        .map(|topic| RouteRule {
            topic: topic.to_owned(),
            when: Condition::default(),
            encoding: kabar_pipeline::route::Encoding::Json,
        })
        .collect();
    Pipeline::new(PipelineConfig::new(routes)).expect("pipeline")
}

#[test]
fn seed_article_is_enriched() {
    let processed = pipeline().process(SEED.as_bytes()).expect("enriched");
    let article = processed.article;
    assert_eq!(
        article.title,
        "Putin-Kim Bahas Kerja Sama Militer, PBB Didesak Jatuhkan Sanksi Ke Korut Rusia"
    );
    let language = article.language.as_ref().expect("language");
    assert_eq!(language.code, "ind");
    assert_eq!(article.routes, ["news.enriched.v1", "news.lang.ind.v1"]);

    // The related-link tail is gone, every story line stays.
    assert!(!article.body.contains("hari yang lalu"), "{}", article.body);
    assert!(!article.body.contains("TangselCity"));
    let story_lines: Vec<&str> = SEED
        .lines()
        .skip(1)
        .filter(|l| !l.contains(" | "))
        .collect();
    for line in story_lines {
        assert!(
            article.body.contains(line.trim()),
            "lost story line: {line}"
        );
    }
    let boilerplate = article.boilerplate.as_ref().expect("stats");
    assert_eq!(boilerplate.removed_lines, 10);

    for (name, kind) in [
        ("Vladimir Putin", EntityType::Person),
        ("Kim Jong Un", EntityType::Person),
        ("United Nations", EntityType::Organisation),
        ("North Korea", EntityType::Location),
    ] {
        let entity = article
            .entities
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("{name} missing: {:#?}", article.entities));
        assert_eq!(entity.entity_type, kind, "{name}");
    }
}
