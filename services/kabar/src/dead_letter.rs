//! Why an input could not be enriched, in one type for every way kabar reports it: the
//! `kabar-error-*` headers of a Kafka dead letter, the `error` object of a file-mode dead letter
//! and of a `kabar enrich` error line, and the [`DeadLettered`](crate::events::DeadLettered)
//! event (log line and `kabar_dead_letters_total`).

use kabar_pipeline::error::ErrorCode;
use kabar_pipeline::{Failure, Stage};
use serde::Serialize;

/// The reason an input is dead-lettered. Serialises as `{"stage", "code", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The stage that failed.
    pub stage: Stage,
    /// What went wrong, from the closed set that labels metrics and headers.
    pub code: ErrorCode,
    /// A human-readable reason.
    pub message: String,
    /// The article's id, or the payload's hash when it did not decode.
    #[serde(skip)]
    pub article_id: String,
}

impl DeadLetter {
    /// The pipeline could not enrich the input.
    pub fn from_failure(failure: &Failure) -> Self {
        Self {
            stage: failure.error.stage(),
            code: failure.error.error_code(),
            message: failure.error.to_string(),
            article_id: failure.id.clone(),
        }
    }

    /// The enriched article would not encode for its route.
    pub fn encode_failed(error: &impl std::fmt::Display, article_id: &str) -> Self {
        Self {
            stage: Stage::Route,
            code: ErrorCode::EncodeFailed,
            message: error.to_string(),
            article_id: article_id.to_owned(),
        }
    }

    /// The broker refused an enriched output of `bytes` bytes for `topic` as too large.
    pub fn output_too_large(bytes: usize, topic: &str, article_id: &str) -> Self {
        Self {
            stage: Stage::Route,
            code: ErrorCode::OutputTooLarge,
            message: format!(
                "enriched article of {bytes} bytes is over the producer's message size limit for {topic}"
            ),
            article_id: article_id.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_the_error_object() {
        let letter = DeadLetter::output_too_large(9, "out", "a1");
        assert_eq!(
            serde_json::to_string(&letter).expect("serialises"),
            r#"{"stage":"route","code":"output_too_large","message":"enriched article of 9 bytes is over the producer's message size limit for out"}"#
        );
    }
}
