//! Decoding: raw message bytes into an [`InputArticle`], or a poison error.
//!
//! Two shapes are accepted: a JSON object (`id`, `url`, `source`, `title`, `text`, `html`,
//! `publishedAt`, all optional strings), or plain UTF-8 text whose first non-empty line is the
//! title. Anything that can never become an article fails here with a precise code.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::PipelineError;

/// Size limits applied before any parsing, so hostile input costs little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload accepted, in bytes (the Kafka value or one input line).
    pub max_payload_bytes: usize,
}

impl Limits {
    /// 1 MiB: larger than any real article page, small enough to bound memory per article.
    pub const DEFAULT_MAX_PAYLOAD_BYTES: usize = 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_payload_bytes: Self::DEFAULT_MAX_PAYLOAD_BYTES,
        }
    }
}

/// Largest metadata fields, in bytes. Each is copied into every output (the id also into keys
/// and headers), and no real id, URL or headline comes near these; a JSON article over one is
/// refused with `field_too_large` rather than cut, so nothing is silently changed. Metadata read
/// from an HTML page is cut to the same limits (`clean::metadata`).
pub mod field_limits {
    pub const ID: usize = 512;
    pub const URL: usize = 8 * 1024;
    /// Also author and site names taken from a page.
    pub const SOURCE: usize = 512;
    pub const TITLE: usize = 4 * 1024;
    pub const PUBLISHED_AT: usize = 256;
}

/// An article as it arrived, before any enrichment. Empty strings stand for absent fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputArticle {
    /// The producer's id, or one derived from the content (see [`derive_id`]).
    pub id: String,
    pub url: String,
    pub source: String,
    pub title: String,
    /// Plain text, possibly still carrying page furniture.
    pub text: String,
    /// A whole HTML page; when set, it is the body's source and `text` is ignored.
    pub html: String,
    /// As given by the producer; kabar does not reinterpret dates.
    pub published_at: String,
}

/// The JSON shape. Unknown fields are allowed so producers can add their own.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonArticle {
    id: Option<String>,
    url: Option<String>,
    source: Option<String>,
    title: Option<String>,
    text: Option<String>,
    html: Option<String>,
    #[serde(alias = "published_at")]
    published_at: Option<String>,
}

/// Decodes one payload.
pub fn decode(payload: &[u8], limits: &Limits) -> Result<InputArticle, PipelineError> {
    if payload.len() > limits.max_payload_bytes {
        return Err(PipelineError::TooLarge {
            size: payload.len(),
            limit: limits.max_payload_bytes,
        });
    }
    let text = std::str::from_utf8(payload).map_err(|error| PipelineError::NotUtf8 {
        valid_up_to: error.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(PipelineError::Empty);
    }
    let mut article = if trimmed.starts_with('{') {
        let article = decode_json(trimmed)?;
        check_field_sizes(&article)?;
        article
    } else if looks_like_html(trimmed) {
        InputArticle {
            html: trimmed.to_owned(),
            ..InputArticle::default()
        }
    } else {
        decode_plain_text(trimmed)
    };
    if article.title.trim().is_empty()
        && article.text.trim().is_empty()
        && article.html.trim().is_empty()
    {
        return Err(PipelineError::NoText);
    }
    if article.id.is_empty() {
        article.id = derive_id(&article);
    }
    Ok(article)
}

fn decode_json(text: &str) -> Result<InputArticle, PipelineError> {
    let parsed: JsonArticle = serde_json::from_str(text).map_err(|error| {
        let detail = error.to_string();
        match error.classify() {
            serde_json::error::Category::Data => PipelineError::InvalidArticle { detail },
            _ => PipelineError::InvalidJson { detail },
        }
    })?;
    Ok(InputArticle {
        id: parsed.id.map(|id| id.trim().to_owned()).unwrap_or_default(),
        url: parsed.url.unwrap_or_default(),
        source: parsed.source.unwrap_or_default(),
        title: parsed
            .title
            .map(|t| t.trim().to_owned())
            .unwrap_or_default(),
        text: parsed.text.unwrap_or_default(),
        html: parsed.html.unwrap_or_default(),
        published_at: parsed.published_at.unwrap_or_default(),
    })
}

fn check_field_sizes(article: &InputArticle) -> Result<(), PipelineError> {
    let fields = [
        ("id", &article.id, field_limits::ID),
        ("url", &article.url, field_limits::URL),
        ("source", &article.source, field_limits::SOURCE),
        ("title", &article.title, field_limits::TITLE),
        (
            "publishedAt",
            &article.published_at,
            field_limits::PUBLISHED_AT,
        ),
    ];
    for (field, value, limit) in fields {
        if value.len() > limit {
            return Err(PipelineError::FieldTooLarge {
                field,
                size: value.len(),
                limit,
            });
        }
    }
    Ok(())
}

/// A raw page rather than text: starts with a doctype or an `<html>` element.
fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml") && head.contains("<html")
}

/// Plain text: the first non-empty line is the title, the rest is the text. A first line too
/// long for a headline is not one: then all of it is text.
fn decode_plain_text(text: &str) -> InputArticle {
    let (title, rest) = match text.split_once('\n') {
        Some((first, rest)) => (first.trim(), rest),
        None => (text.trim(), ""),
    };
    if title.len() > field_limits::TITLE {
        return InputArticle {
            text: text.to_owned(),
            ..InputArticle::default()
        };
    }
    InputArticle {
        title: title.to_owned(),
        text: rest.to_owned(),
        ..InputArticle::default()
    }
}

/// A stable id from the content: the URL when there is one (the same story fetched twice is
/// one article), otherwise title, text and HTML. 128 bits of SHA-256, hex.
pub fn derive_id(article: &InputArticle) -> String {
    let mut hasher = Sha256::new();
    if article.url.trim().is_empty() {
        for part in [&article.title, &article.text, &article.html] {
            hasher.update(part.trim().as_bytes());
            hasher.update([0u8]);
        }
    } else {
        hasher.update(b"url\0");
        hasher.update(article.url.trim().as_bytes());
    }
    hex_prefix(&hasher.finalize())
}

/// An id for bytes that did not decode, so a dead letter can still be named.
pub fn payload_id(payload: &[u8]) -> String {
    hex_prefix(&Sha256::digest(payload))
}

fn hex_prefix(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest
        .iter()
        .take(16)
        .fold(String::with_capacity(32), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn plain_text_first_line_is_title() {
        let article =
            decode(b"\n\n  Judul berita \nBaris satu.\nBaris dua.", &limits()).expect("decodes");
        assert_eq!(article.title, "Judul berita");
        assert_eq!(article.text, "Baris satu.\nBaris dua.");
        assert_eq!(article.id.len(), 32);
    }

    #[test]
    fn oversized_fields_are_refused_by_name() {
        let long_id = "x".repeat(513);
        let payload = format!(r#"{{"id":"{long_id}","text":"Body"}}"#);
        let error = decode(payload.as_bytes(), &limits()).expect_err("id too long");
        assert_eq!(error.code(), "field_too_large");
        assert!(error.to_string().contains("'id'"), "{error}");
        let long_title = "Judul ".repeat(1000);
        let payload = format!(r#"{{"title":"{long_title}","text":"Body"}}"#);
        let error = decode(payload.as_bytes(), &limits()).expect_err("title too long");
        assert!(error.to_string().contains("'title'"), "{error}");
        let at_limit = "x".repeat(512);
        let payload = format!(r#"{{"id":"{at_limit}","text":"Body"}}"#);
        assert_eq!(
            decode(payload.as_bytes(), &limits()).expect("fits").id,
            at_limit
        );
    }

    #[test]
    fn plain_text_with_a_huge_first_line_has_no_title() {
        let line = "kata ".repeat(2000);
        let payload = format!("{line}\nBaris dua.");
        let article = decode(payload.as_bytes(), &limits()).expect("decodes");
        assert!(article.title.is_empty());
        assert!(article.text.starts_with("kata kata"));
        assert!(article.text.ends_with("Baris dua."));
    }

    #[test]
    fn json_fields_are_read() {
        let payload =
            br#"{"id":"a1","title":"T","text":"Body","publishedAt":"2024-01-01","extra":3}"#;
        let article = decode(payload, &limits()).expect("decodes");
        assert_eq!(article.id, "a1");
        assert_eq!(article.published_at, "2024-01-01");
        assert_eq!(article.text, "Body");
    }

    #[test]
    fn derived_id_is_stable_and_content_based() {
        let a = decode(b"Title\nBody", &limits()).expect("decodes");
        let b = decode(b"Title\nBody", &limits()).expect("decodes");
        let c = decode(b"Title\nOther body", &limits()).expect("decodes");
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn poison_inputs_have_precise_codes() {
        let cases: [(&[u8], &str); 6] = [
            (b"", "empty"),
            (b"   \n ", "empty"),
            (b"\xff\xfe bad", "not_utf8"),
            (b"{\"title\": ", "invalid_json"),
            (br#"{"title": 42}"#, "invalid_article"),
            (br#"{"id": "x", "text": "  "}"#, "no_text"),
        ];
        for (payload, code) in cases {
            let error = decode(payload, &limits()).expect_err("poison");
            assert_eq!(error.code(), code, "{payload:?}");
        }
        let big = vec![b'a'; 11];
        let error = decode(
            &big,
            &Limits {
                max_payload_bytes: 10,
            },
        )
        .expect_err("too large");
        assert_eq!(error.code(), "too_large");
    }

    #[test]
    fn raw_html_pages_are_recognised() {
        let article = decode(
            b"<!DOCTYPE html><html><body><p>Hi</p></body></html>",
            &limits(),
        )
        .expect("decodes");
        assert!(article.html.starts_with("<!DOCTYPE"));
        assert!(article.title.is_empty());
    }

    #[test]
    fn json_array_is_not_an_article_object() {
        // Starts with '[' so it is treated as text; it still has text, so it decodes.
        let article = decode(b"[1,2]", &limits()).expect("decodes as text");
        assert_eq!(article.title, "[1,2]");
    }
}
