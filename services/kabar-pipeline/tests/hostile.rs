//! Hostile input through the whole pipeline: every input of the corpus gives an enriched article
//! or a precise error, never a panic, a stage failure or a hang.

mod support {
    pub mod hostile;
}

use std::time::{Duration, Instant};

use kabar_pipeline::route::{Condition, Encoding, RouteRule};
use kabar_pipeline::{Pipeline, PipelineConfig};
use support::hostile;

/// Generous: a debug build on a busy 2-core machine. What it catches is super-linear work
/// (minutes), not slowness.
const BOUND: Duration = Duration::from_secs(20);

#[test]
fn every_hostile_input_is_handled() {
    let pipeline = Pipeline::new(PipelineConfig::new(vec![RouteRule {
        topic: "out.{language}".to_owned(),
        when: Condition::default(),
        encoding: Encoding::Json,
    }]))
    .expect("pipeline");
    let corpus = hostile::corpus();
    assert!(corpus.len() >= 100, "only {} hostile inputs", corpus.len());
    let mut problems = Vec::new();
    for (name, payload) in &corpus {
        let started = Instant::now();
        let result = pipeline.process(payload);
        let elapsed = started.elapsed();
        if elapsed > BOUND {
            problems.push(format!("{name}: took {elapsed:?}"));
        }
        match result {
            Ok(processed) => {
                // A valid article: serialisable, offsets inside their texts.
                let json = serde_json::to_string(&processed.article).expect("serialises");
                assert!(!json.is_empty());
                let article = processed.article;
                let title_len = article.title.chars().count() as u32;
                let body_len = article.body.chars().count() as u32;
                for entity in &article.entities {
                    for mention in &entity.mentions {
                        let limit = match mention.field {
                            kabar_pipeline::article::TextField::Title => title_len,
                            kabar_pipeline::article::TextField::Body => body_len,
                        };
                        if mention.start >= mention.end || mention.end > limit {
                            problems.push(format!("{name}: mention {mention:?} outside its text"));
                        }
                    }
                }
            }
            Err(failure) if failure.error.code() == "stage_failed" => {
                problems.push(format!("{name}: a stage panicked: {}", failure.error));
            }
            Err(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
