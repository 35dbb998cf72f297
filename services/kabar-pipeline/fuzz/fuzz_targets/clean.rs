//! HTML pages and plain text through the boilerplate stage. Plain text: the body is a
//! selection of the input's trimmed lines, in order, and cleaning it again changes nothing.

#![no_main]

use kabar_pipeline::clean::Cleaner;
use kabar_pipeline_fuzz::check_cleaned;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.trim_start().starts_with('<') {
        let cleaned = Cleaner::new().clean_html(text);
        check_cleaned(&cleaned);
        assert!(
            !cleaned.body.split("\n\n").any(|p| p.contains('\n')),
            "HTML blocks are whitespace-collapsed"
        );
        return;
    }
    let cleaned = Cleaner::new().clean_text(text);
    check_cleaned(&cleaned);
    assert!(!cleaned.stats.fallback, "fallback on plain text");
    let mut lines = text.lines().map(str::trim);
    for paragraph in cleaned.body.split("\n\n").filter(|p| !p.is_empty()) {
        assert!(
            lines.any(|line| line == paragraph),
            "paragraph {paragraph:?} is not an input line, in order"
        );
    }
    let again = Cleaner::new().clean_text(&cleaned.body);
    assert_eq!(again.body, cleaned.body, "cleaning is not idempotent");
});
