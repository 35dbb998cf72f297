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
    /// Near-duplicate detection and story ids.
    Dedup,
    /// Choosing output topics.
    Route,
}

impl Stage {
    /// Every stage, in pipeline order (metric label values are pre-registered from this).
    pub const ALL: [Stage; 6] = [
        Stage::Decode,
        Stage::Clean,
        Stage::Lang,
        Stage::Entities,
        Stage::Dedup,
        Stage::Route,
    ];

    /// The stage's name as used in labels, headers and `--stages`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Clean => "clean",
            Stage::Lang => "lang",
            Stage::Entities => "entities",
            Stage::Dedup => "dedup",
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
    /// The bounded error code: a metric label and a dead-letter header.
    pub const fn error_code(&self) -> ErrorCode {
        match self {
            PipelineError::Empty => ErrorCode::Empty,
            PipelineError::TooLarge { .. } => ErrorCode::TooLarge,
            PipelineError::NotUtf8 { .. } => ErrorCode::NotUtf8,
            PipelineError::InvalidJson { .. } => ErrorCode::InvalidJson,
            PipelineError::InvalidArticle { .. } => ErrorCode::InvalidArticle,
            PipelineError::NoText => ErrorCode::NoText,
            PipelineError::FieldTooLarge { .. } => ErrorCode::FieldTooLarge,
            PipelineError::StageFailed { .. } => ErrorCode::StageFailed,
        }
    }

    /// The error code as text (see [`ErrorCode::as_str`]).
    pub const fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The stage the error belongs to.
    pub const fn stage(&self) -> Stage {
        match self {
            PipelineError::StageFailed { stage, .. } => *stage,
            _ => Stage::Decode,
        }
    }
}

/// Why an input was dead-lettered: the one closed set of error codes. The pipeline's errors
/// ([`PipelineError::error_code`]) and the two the service adds when it writes an enriched
/// article out are all here, so the dead-letter header, the metric label set and the
/// documentation are made from (or checked against) one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No bytes at all.
    Empty,
    /// Over the configured payload limit.
    TooLarge,
    /// Not valid UTF-8.
    NotUtf8,
    /// Starts with `{` but is not JSON.
    InvalidJson,
    /// JSON, but not an article (a field of the wrong type).
    InvalidArticle,
    /// Neither `text`, `html` nor `title` holds any text.
    NoText,
    /// A metadata field over its limit.
    FieldTooLarge,
    /// A stage panicked (a bug): the message names the stage.
    StageFailed,
    /// The service: the enriched article would not encode for its route.
    EncodeFailed,
    /// The service: the broker refused an enriched output as over its message size limit.
    OutputTooLarge,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Empty,
        ErrorCode::TooLarge,
        ErrorCode::NotUtf8,
        ErrorCode::InvalidJson,
        ErrorCode::InvalidArticle,
        ErrorCode::NoText,
        ErrorCode::FieldTooLarge,
        ErrorCode::StageFailed,
        ErrorCode::OutputTooLarge,
        ErrorCode::EncodeFailed,
    ];

    /// The code as it appears in headers, labels and error lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Empty => "empty",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::NotUtf8 => "not_utf8",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::InvalidArticle => "invalid_article",
            ErrorCode::NoText => "no_text",
            ErrorCode::FieldTooLarge => "field_too_large",
            ErrorCode::StageFailed => "stage_failed",
            ErrorCode::EncodeFailed => "encode_failed",
            ErrorCode::OutputTooLarge => "output_too_large",
        }
    }

    /// The stage errors with this code are reported in; `None` for [`ErrorCode::StageFailed`],
    /// which names whichever stage failed.
    pub const fn stage(self) -> Option<Stage> {
        match self {
            ErrorCode::StageFailed => None,
            ErrorCode::EncodeFailed | ErrorCode::OutputTooLarge => Some(Stage::Route),
            _ => Some(Stage::Decode),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
            let code = error.error_code();
            assert!(ErrorCode::ALL.contains(&code), "{error:?}");
            assert_eq!(error.code(), code.as_str());
            assert!(code.stage().is_none_or(|stage| stage == error.stage()));
        }
        let mut texts: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), ErrorCode::ALL.len(), "codes are distinct");
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{code}\""));
        }
    }
}
