//! Arbitrary UTF-8 through the language detector (first line the title, the rest the body):
//! known codes, probabilities in [0, 1], alternatives best first; a restricted detector answers
//! only allowed languages.

#![no_main]

use std::sync::LazyLock;

use kabar_pipeline::lang::{DetectorOptions, LanguageDetector};
use kabar_pipeline_fuzz::check_language;
use libfuzzer_sys::fuzz_target;

const ALLOWED: [&str; 4] = ["deu", "eng", "ind", "zsm"];

static DETECTOR: LazyLock<LanguageDetector> = LazyLock::new(LanguageDetector::new);
static RESTRICTED: LazyLock<LanguageDetector> = LazyLock::new(|| {
    LanguageDetector::with_options(DetectorOptions {
        expected: vec!["ind".to_owned()],
        allowed: ALLOWED.iter().map(|&code| code.to_owned()).collect(),
        ..DetectorOptions::default()
    })
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (title, body) = text.split_once('\n').unwrap_or(("", text));
    let language = DETECTOR.detect(title, body);
    check_language(&language, None);
    assert_eq!(language, DETECTOR.detect(title, body), "not deterministic");
    check_language(&DETECTOR.detect_text(text), None);
    check_language(&RESTRICTED.detect(title, body), Some(&ALLOWED));
});
