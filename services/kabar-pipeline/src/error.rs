//! Pipeline errors: every failure names the stage it happened in and a code from a closed set.
//!
//! The code is what operators see: it is the `code` label of the dead-letter metric and the
//! `kabar-error-code` header of a dead letter, so it must never carry free text.

use std::fmt;

use serde::Serialize;

/// The stage of the pipeline an article is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Turning raw bytes into an input article.
    Decode,
    /// Boilerplate removal.
    Clean,
    /// Language identification.
    Lang,
    /// Entity tagging and linking.
    Entities,
    /// Choosing output topics.
    Route,
}

impl Stage {
    /// Every stage, in pipeline order (metric label values are pre-registered from this).
    pub const ALL: [Stage; 5] = [
        Stage::Decode,
        Stage::Clean,
        Stage::Lang,
        Stage::Entities,
        Stage::Route,
    ];

    /// The stage's name as used in labels, headers and `--stages`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Clean => "clean",
            Stage::Lang => "lang",
            Stage::Entities => "entities",
            Stage::Route => "route",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an article could not be enriched. Every variant is poison: retrying the same bytes
/// gives the same answer, so the input goes to the dead-letter topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipelineError {
    #[error("empty payload")]
    Empty,
    #[error("payload of {size} bytes is over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("payload is not valid UTF-8 (first bad byte at {valid_up_to})")]
    NotUtf8 { valid_up_to: usize },
    #[error("payload starts with '{{' but is not valid JSON: {detail}")]
    InvalidJson { detail: String },
    #[error("JSON payload is not an article: {detail}")]
    InvalidArticle { detail: String },
    #[error("article has no text: neither 'text', 'html' nor 'title' holds any")]
    NoText,
    #[error("field '{field}' holds {size} bytes, over the limit of {limit}")]
    FieldTooLarge {
        field: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("stage {stage} failed: {detail}")]
    StageFailed { stage: Stage, detail: String },
}

impl PipelineError {
    /// Every error code, for pre-registering metric labels.
    pub const CODES: [&'static str; 8] = [
        "empty",
        "too_large",
        "not_utf8",
        "invalid_json",
        "invalid_article",
        "no_text",
        "field_too_large",
        "stage_failed",
    ];

    /// The bounded error code: a metric label and a dead-letter header.
    pub const fn code(&self) -> &'static str {
        match self {
            PipelineError::Empty => "empty",
            PipelineError::TooLarge { .. } => "too_large",
            PipelineError::NotUtf8 { .. } => "not_utf8",
            PipelineError::InvalidJson { .. } => "invalid_json",
            PipelineError::InvalidArticle { .. } => "invalid_article",
            PipelineError::NoText => "no_text",
            PipelineError::FieldTooLarge { .. } => "field_too_large",
            PipelineError::StageFailed { .. } => "stage_failed",
        }
    }

    /// The stage the error belongs to.
    pub const fn stage(&self) -> Stage {
        match self {
            PipelineError::StageFailed { stage, .. } => *stage,
            _ => Stage::Decode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_listed() {
        let samples = [
            PipelineError::Empty,
            PipelineError::TooLarge { size: 2, limit: 1 },
            PipelineError::NotUtf8 { valid_up_to: 0 },
            PipelineError::InvalidJson {
                detail: String::new(),
            },
            PipelineError::InvalidArticle {
                detail: String::new(),
            },
            PipelineError::NoText,
            PipelineError::FieldTooLarge {
                field: "title",
                size: 2,
                limit: 1,
            },
            PipelineError::StageFailed {
                stage: Stage::Clean,
                detail: String::new(),
            },
        ];
        for error in samples {
            assert!(PipelineError::CODES.contains(&error.code()), "{error:?}");
        }
    }
}
