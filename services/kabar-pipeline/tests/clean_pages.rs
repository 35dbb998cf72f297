//! Cleaning whole pages: real pages give a story, hostile pages skip the parser, nothing panics.

use kabar_pipeline::clean::Cleaner;

#[test]
fn benchmark_pages_yield_a_story() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aeb");
    let cleaner = Cleaner::new();
    let mut pages = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let page = std::fs::read_to_string(&path).expect("page");
        let cleaned = cleaner.clean_html(&page);
        assert!(
            cleaned.body.len() > 500,
            "{}: {:?}",
            path.display(),
            cleaned.body
        );
        assert!(!cleaned.metadata.title.is_empty(), "{}", path.display());
        pages += 1;
    }
    assert_eq!(pages, 6);
}

/// Fifty thousand nested `<div>`s would take the HTML parser's tree builder minutes (it is
/// quadratic in depth): the page must take the linear fallback extraction instead. Its time is
/// measured by `cargo bench -p kabar-pipeline --bench hostile`.
#[test]
fn fifty_thousand_nested_divs_skip_the_parser() {
    let depth = 50_000;
    let page = format!(
        "<!doctype html><html><body>{}<p>The story sits at the bottom of a very deep page.</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    let cleaned = Cleaner::new().clean_html(&page);
    assert!(cleaned.stats.fallback, "the page went through the parser");
    assert_eq!(
        cleaned.body,
        "The story sits at the bottom of a very deep page."
    );
}

#[test]
fn odd_input_does_not_panic_and_cleaning_is_idempotent() {
    let cleaner = Cleaner::new();
    for input in [
        "",
        "<",
        "<<>>",
        "&#xFFFFFFFF;",
        "<p>\u{0}</p>",
        "a\r\nb\n\n\n",
        "|||",
    ] {
        let _ = cleaner.clean_html(input);
        let once = cleaner.clean_text(input).body;
        assert_eq!(cleaner.clean_text(&once).body, once);
    }
}
