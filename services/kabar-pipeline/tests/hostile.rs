//! Hostile input through the whole pipeline: every input of the corpus gives an enriched article
//! or a precise error, never a panic or a stage failure, and the pipeline's limits cap the work
//! it does.
//!
//! The work is bounded by what the pipeline does, not by the clock (a busy machine is not a
//! bug): pages nested deeper than the cleaner's guard allows never reach the HTML parser (whose
//! tree builder is quadratic in depth) and come out as fallback extractions (or are refused as
//! too large), title and body stay within twice the input's size, and entities and mentions stay
//! within their caps. The time each input takes is measured by
//! `cargo bench -p kabar-pipeline --bench hostile`.

use kabar_pipeline::article::TextField;
use kabar_pipeline::pipeline::{MAX_ENTITIES, MAX_MENTIONS_PER_ENTITY};
use kabar_pipeline::route::{Condition, Encoding, RouteRule};
use kabar_pipeline::{Pipeline, PipelineConfig};
use kabar_testkit::hostile;

/// Pages nested far past the cleaner's depth limit (512), which must skip the HTML parser.
const TOO_DEEP: [&str; 9] = [
    "nested-div-1000",
    "nested-div-10000",
    "nested-div-50000",
    "nested-div-100000",
    "nested-unclosed-div",
    "nested-b",
    "nested-table",
    "nested-a",
    "nested-p-in-li",
];

#[test]
fn every_hostile_input_is_handled_within_the_pipelines_limits() {
    let pipeline = Pipeline::new(PipelineConfig::new(vec![RouteRule {
        topic: "out.{language}".to_owned(),
        when: Condition::default(),
        encoding: Encoding::Json,
    }]))
    .expect("pipeline");
    let corpus = hostile::corpus();
    assert!(corpus.len() >= 100, "only {} hostile inputs", corpus.len());
    for name in TOO_DEEP {
        assert!(
            corpus.iter().any(|(n, _)| n == name),
            "{name} left the corpus"
        );
    }
    let mut problems = Vec::new();
    for (name, payload) in &corpus {
        match pipeline.process(payload) {
            Ok(processed) => {
                // A valid article: serialisable, offsets inside their texts.
                let json = serde_json::to_string(&processed.article).expect("serialises");
                assert!(!json.is_empty());
                let article = processed.article;
                let title_len = article.title.chars().count() as u32;
                let body_len = article.body.chars().count() as u32;
                // Line breaks between blocks can add up to a byte per line of input.
                if article.body.len() + article.title.len() > 2 * payload.len() {
                    problems.push(format!(
                        "{name}: {} bytes of title and body from {} bytes of input",
                        article.body.len() + article.title.len(),
                        payload.len()
                    ));
                }
                if article.entities.len() > MAX_ENTITIES {
                    problems.push(format!("{name}: {} entities", article.entities.len()));
                }
                for entity in &article.entities {
                    if entity.mentions.len() > MAX_MENTIONS_PER_ENTITY {
                        problems.push(format!(
                            "{name}: {} mentions of {}",
                            entity.mentions.len(),
                            entity.name
                        ));
                    }
                    for mention in &entity.mentions {
                        let limit = match mention.field {
                            TextField::Title => title_len,
                            TextField::Body => body_len,
                        };
                        if mention.start >= mention.end || mention.end > limit {
                            problems.push(format!("{name}: mention {mention:?} outside its text"));
                        }
                    }
                }
                // A page with no text at all comes out empty whichever way it went.
                let fallback = article.boilerplate.as_ref().is_some_and(|b| b.fallback);
                if TOO_DEEP.contains(&name.as_str()) && !fallback && !article.body.is_empty() {
                    problems.push(format!("{name}: too deep for the parser, yet parsed"));
                }
            }
            Err(failure) if failure.error.code() == "stage_failed" => {
                problems.push(format!("{name}: a stage panicked: {}", failure.error));
            }
            Err(failure)
                if TOO_DEEP.contains(&name.as_str()) && failure.error.code() != "too_large" =>
            {
                problems.push(format!("{name}: rejected: {}", failure.error));
            }
            Err(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
