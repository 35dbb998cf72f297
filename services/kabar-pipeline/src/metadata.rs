//! The article's metadata fields in the output: which of the input's and the page's values
//! wins, dates normalised to RFC 3339, page URLs made absolute.
//!
//! The producer's own `title`, `url`, `source` and `publishedAt` win; the page's fill what the
//! input lacks. `authors`, `siteName`, `canonicalUrl` and `imageUrl` are the page's alone.
//! A date is read by [`crate::clean::dates`]; one it cannot read is left out, never guessed, and
//! an unreadable input date gives way to the page's. A relative page URL is resolved against
//! the article's URL, or left out when there is no absolute one to resolve against.

use crate::article::EnrichedArticle;
use crate::clean::{PageMetadata, dates};

/// The input's `publishedAt` normalised to RFC 3339, or empty when it is absent or unreadable.
pub fn input_published_at(raw: &str) -> String {
    dates::normalise(raw).unwrap_or_default()
}

/// Fills `article` (holding the input's own values) with what the page says.
pub fn apply_page(article: &mut EnrichedArticle, page: PageMetadata) {
    let base = absolute_url(&article.url, "").unwrap_or_default();
    let canonical_url = absolute_url(&page.canonical_url, &base).unwrap_or_default();
    let base = if base.is_empty() {
        canonical_url.as_str()
    } else {
        base.as_str()
    };
    let image_url = absolute_url(&page.image_url, base).unwrap_or_default();
    for (field, found) in [
        (&mut article.title, page.title),
        (&mut article.url, canonical_url.clone()),
        (&mut article.published_at, page.published_at),
        (&mut article.source, page.site_name.clone()),
    ] {
        if field.is_empty() {
            *field = found;
        }
    }
    article.authors = page.authors;
    article.site_name = page.site_name;
    article.canonical_url = canonical_url;
    article.image_url = image_url;
}

/// `raw` as an absolute http(s) URL: kept when it is one, resolved against `base` (an
/// absolute http(s) URL, or empty) when it is scheme-relative (`//host/path`) or
/// root-relative (`/path`); `None` for anything else (a path-relative reference, `data:`,
/// `javascript:`, text that is not a URL).
fn absolute_url(raw: &str, base: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().any(char::is_whitespace) {
        return None;
    }
    if let Some((scheme, rest)) = raw.split_once("://")
        && is_web_scheme(scheme)
    {
        return (!rest.is_empty() && !rest.starts_with('/')).then(|| raw.to_owned());
    }
    let (scheme, rest) = base.split_once("://")?;
    if !is_web_scheme(scheme) {
        return None;
    }
    if let Some(host_and_path) = raw.strip_prefix("//") {
        return (!host_and_path.is_empty() && !host_and_path.starts_with('/'))
            .then(|| format!("{scheme}://{host_and_path}"));
    }
    if raw.starts_with('/') {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        return (!host.is_empty()).then(|| format!("{scheme}://{host}{raw}"));
    }
    None
}

fn is_web_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_absolute_or_left_out() {
        let base = "https://berita.example/nasional/gempa?x=1";
        for (raw, expected) in [
            (
                "https://cdn.example/a.jpg",
                Some("https://cdn.example/a.jpg"),
            ),
            (
                "  HTTP://cdn.example/a.jpg ",
                Some("HTTP://cdn.example/a.jpg"),
            ),
            ("//cdn.example/a.jpg", Some("https://cdn.example/a.jpg")),
            ("/foto/a.jpg", Some("https://berita.example/foto/a.jpg")),
            ("foto/a.jpg", None),
            ("data:image/png;base64,AAAA", None),
            ("javascript:void(0)", None),
            ("https://", None),
            ("a picture of a cat", None),
            ("", None),
        ] {
            assert_eq!(absolute_url(raw, base).as_deref(), expected, "{raw:?}");
        }
        // Without an absolute base, only absolute URLs stand.
        assert_eq!(absolute_url("/foto/a.jpg", ""), None);
        assert_eq!(absolute_url("//cdn.example/a.jpg", "/relative"), None);
    }

    #[test]
    fn input_dates_are_normalised_or_dropped() {
        assert_eq!(
            input_published_at("20180619T055000+0900"),
            "2018-06-19T05:50:00+09:00"
        );
        assert_eq!(
            input_published_at("jueves, 09 enero 2014"),
            "2014-01-09T00:00:00Z"
        );
        assert_eq!(input_published_at("03/04/2023"), "");
        assert_eq!(input_published_at("kemarin sore"), "");
        assert_eq!(input_published_at(""), "");
    }

    #[test]
    fn the_input_wins_and_the_page_fills_the_rest() {
        let mut article = EnrichedArticle {
            url: "https://feed.example/story/1".to_owned(),
            source: "feed.example".to_owned(),
            published_at: input_published_at("2024-02-12 08:30"),
            ..EnrichedArticle::default()
        };
        let page = PageMetadata {
            title: "Judul halaman".to_owned(),
            authors: vec!["Rina Wulandari".to_owned()],
            published_at: "2024-02-11T00:00:00Z".to_owned(),
            canonical_url: "/story/1".to_owned(),
            site_name: "Warta Nusantara".to_owned(),
            image_url: "//img.example/1.jpg".to_owned(),
            ..PageMetadata::default()
        };
        apply_page(&mut article, page);
        assert_eq!(article.title, "Judul halaman");
        assert_eq!(article.url, "https://feed.example/story/1");
        assert_eq!(article.source, "feed.example");
        assert_eq!(article.published_at, "2024-02-12T08:30:00Z");
        assert_eq!(article.authors, ["Rina Wulandari"]);
        assert_eq!(article.site_name, "Warta Nusantara");
        assert_eq!(article.canonical_url, "https://feed.example/story/1");
        assert_eq!(article.image_url, "https://img.example/1.jpg");
    }
}
