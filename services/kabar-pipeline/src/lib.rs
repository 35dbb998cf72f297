//! kabar's pipeline: raw article bytes in, an enriched article and its destinations out.
//!
//! This crate knows nothing of Kafka, networks or exporters; the `kabar` service wraps it.
//! An article flows through:
//!
//! 1. [`input`]: bytes → [`input::InputArticle`] (JSON object or plain text), or a poison error.
//! 2. [`clean`]: HTML main-content extraction and plain-text furniture removal → `body`;
//!    the page's metadata → `title`, `authors`, `publishedAt`... ([`metadata`] picks between
//!    the input's and the page's values).
//! 3. [`lang`]: language of title and body → `language`.
//! 4. [`entities`]: people, organisations and places, linked to Wikidata → `entities`.
//! 5. [`dedup`]: near copies of earlier articles and story ids → `duplicate`, `story`.
//! 6. [`route`]: the topics the article goes to → `routes`.
//!
//! [`Pipeline::process`] runs them in order and reports time per stage; every failure is a
//! [`Failure`] with a stage and a bounded error code ([`error`]). Callers that enrich in
//! parallel split it: [`Pipeline::enrich`] (up to the fingerprint, in any order) and
//! [`Pipeline::complete`] (the near-duplicate decision and routing, in input order).
//!
//! The entity tagger's trainer is not part of the pipeline: it is compiled only with the cargo
//! feature `train` (`entities::train`, `examples/train_entities.rs`).

pub mod article;
pub mod clean;
pub mod dedup;
pub mod entities;
pub mod error;
pub mod input;
pub mod lang;
pub mod metadata;
pub mod pipeline;
pub mod route;

pub use article::EnrichedArticle;
pub use error::{PipelineError, Stage};
pub use pipeline::{
    Enriched, Failure, LanguagePriors, Pipeline, PipelineConfig, Processed, Settings, StageSet,
};

/// kabar's version, stamped on every enriched article.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
