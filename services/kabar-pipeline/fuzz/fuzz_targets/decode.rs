//! Raw Kafka payload bytes through the input decoder: an article or a precise poison error,
//! consistent with the size limit and UTF-8 validity, and the same answer every time.

#![no_main]

use kabar_pipeline::error::{ErrorCode, PipelineError};
use kabar_pipeline::input::{self, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|payload: &[u8]| {
    let limits = Limits::default();
    let result = input::decode(payload, &limits);
    assert_eq!(result, input::decode(payload, &limits), "not deterministic");
    let id = input::payload_id(payload);
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    match &result {
        Ok(article) => {
            assert!(payload.len() <= limits.max_payload_bytes);
            assert!(
                std::str::from_utf8(payload).is_ok(),
                "decoded invalid UTF-8"
            );
            assert!(!article.id.is_empty(), "no id: {article:?}");
            assert_eq!(article.title.trim(), article.title, "untrimmed title");
            assert!(
                !(article.title.trim().is_empty()
                    && article.text.trim().is_empty()
                    && article.html.trim().is_empty()),
                "decoded an article without text: {article:?}"
            );
        }
        Err(error) => {
            assert!(ErrorCode::ALL.contains(&error.error_code()), "{error:?}");
            match error {
                PipelineError::TooLarge { size, limit } => {
                    assert!(*size == payload.len() && size > limit);
                }
                PipelineError::NotUtf8 { valid_up_to } => {
                    let utf8 = std::str::from_utf8(payload).expect_err("valid UTF-8 rejected");
                    assert_eq!(utf8.valid_up_to(), *valid_up_to);
                }
                PipelineError::Empty => {
                    let text = std::str::from_utf8(payload).expect("empty is valid UTF-8");
                    assert!(text.trim_start_matches('\u{feff}').trim().is_empty());
                }
                PipelineError::InvalidJson { .. } | PipelineError::InvalidArticle { .. } => {
                    let text = std::str::from_utf8(payload).expect("JSON is valid UTF-8");
                    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                    assert!(text.trim().starts_with('{'), "JSON error on non-JSON");
                }
                PipelineError::NoText => {}
                other => panic!("decode returned a later stage's error: {other:?}"),
            }
        }
    }
    // A tighter limit changes only the answer for payloads over it.
    let tight = Limits {
        max_payload_bytes: 256,
    };
    let limited = input::decode(payload, &tight);
    if payload.len() <= tight.max_payload_bytes {
        assert_eq!(limited, result);
    } else {
        assert_eq!(limited.map_err(|e| e.code()), Err("too_large"));
    }
});
