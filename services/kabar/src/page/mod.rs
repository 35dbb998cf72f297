//! The live page kabar serves at `/`: throughput in and out, dead letters by code, consumer
//! lag, stage latency, the language mix and entity types, progress through file mode's input,
//! and the facts of `/status`. Its script reads `/metrics` and `/status` every few seconds and
//! draws them; the HTML, CSS and JavaScript are compiled into the binary and nothing is fetched
//! from elsewhere, so it works offline and behind any firewall.
//!
//! Edit `head.html`, `page.css`, `body.html` and `page.js`; [`HTML`] puts them together.

/// The whole page: one self-contained HTML document.
pub const HTML: &str = concat!(
    include_str!("head.html"),
    "<style>\n",
    include_str!("page.css"),
    "</style>\n",
    include_str!("body.html"),
    "<script>\n",
    include_str!("page.js"),
    "</script>\n</body>\n</html>\n",
);

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::HTML;

    #[test]
    fn the_page_needs_nothing_from_elsewhere() {
        for outside in ["http://", "https://", "src=", "@import", "url(", "//cdn"] {
            assert!(!HTML.contains(outside), "the page refers to {outside}");
        }
        assert!(HTML.starts_with("<!doctype html>"));
        assert!(HTML.trim_end().ends_with("</html>"));
    }
}
