//! Page metadata (title, author, date, canonical URL, site name, declared language) and the
//! schema.org JSON-LD `articleBody`, read from a parsed page.

use std::sync::LazyLock;

use scraper::{Html, Selector};

use super::PageMetadata;
use crate::input::field_limits;

pub(crate) fn selector(css: &str) -> Selector {
    #[allow(clippy::unwrap_used)] // constant selectors, covered by tests
    Selector::parse(css).unwrap()
}

static META_SELECTORS: LazyLock<MetaSelectors> = LazyLock::new(MetaSelectors::new);

struct MetaSelectors {
    og_title: Selector,
    title: Selector,
    h1: Selector,
    author: Selector,
    published: Selector,
    time: Selector,
    canonical: Selector,
    og_url: Selector,
    site_name: Selector,
    html: Selector,
    json_ld: Selector,
}

impl MetaSelectors {
    fn new() -> Self {
        Self {
            og_title: selector(r#"meta[property="og:title"]"#),
            title: selector("title"),
            h1: selector("h1"),
            author: selector(
                r#"meta[name="author"], meta[property="article:author"], meta[name="byl"], meta[name="dc.creator"]"#,
            ),
            published: selector(
                r#"meta[property="article:published_time"], meta[name="pubdate"], meta[name="publishdate"], meta[name="date"], meta[itemprop="datePublished"], meta[name="dc.date"]"#,
            ),
            time: selector("time[datetime]"),
            canonical: selector(r#"link[rel="canonical"]"#),
            og_url: selector(r#"meta[property="og:url"]"#),
            site_name: selector(r#"meta[property="og:site_name"], meta[name="application-name"]"#),
            html: selector("html"),
            json_ld: selector(r#"script[type="application/ld+json"]"#),
        }
    }
}

fn first_attr(document: &Html, selector: &Selector, attr: &str) -> Option<String> {
    document
        .select(selector)
        .filter_map(|e| e.value().attr(attr))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

fn first_text(document: &Html, selector: &Selector) -> Option<String> {
    document
        .select(selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| !t.is_empty())
}

/// What JSON-LD says about the article, when the page has it.
#[derive(Debug, Default)]
pub struct JsonLd {
    pub article_body: String,
    pub author: String,
    pub published_at: String,
    pub headline: String,
}

/// Reads every JSON-LD script, looking for the first article-like object.
pub fn json_ld(document: &Html) -> JsonLd {
    let mut found = JsonLd::default();
    for script in document.select(&META_SELECTORS.json_ld) {
        let text: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) else {
            continue;
        };
        visit(&value, &mut found, 0);
    }
    found
}

fn visit(value: &serde_json::Value, found: &mut JsonLd, depth: usize) {
    use serde_json::Value;
    if depth > 8 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| visit(v, found, depth + 1)),
        Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::trim);
            if let Some(body) = text("articleBody").or_else(|| text("text"))
                && body.len() > found.article_body.len()
                && map.contains_key("articleBody")
            {
                found.article_body = body.to_owned();
            }
            if found.headline.is_empty()
                && let Some(h) = text("headline")
            {
                h.clone_into(&mut found.headline);
            }
            if found.published_at.is_empty()
                && let Some(d) = text("datePublished")
            {
                d.clone_into(&mut found.published_at);
            }
            if found.author.is_empty() {
                let author = map.get("author").and_then(|a| match a {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => o.get("name").and_then(Value::as_str),
                    Value::Array(list) => list.first().and_then(|first| match first {
                        Value::String(s) => Some(s.as_str()),
                        Value::Object(o) => o.get("name").and_then(Value::as_str),
                        _ => None,
                    }),
                    _ => None,
                });
                if let Some(a) = author {
                    a.trim().clone_into(&mut found.author);
                }
            }
            for (key, nested) in map {
                if matches!(key.as_str(), "@graph" | "mainEntity" | "mainEntityOfPage") {
                    visit(nested, found, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Metadata from meta tags, falling back to JSON-LD, then to visible elements.
pub fn metadata(document: &Html, ld: &JsonLd) -> PageMetadata {
    let s = &*META_SELECTORS;
    let or_ld = |found: Option<String>, ld: &str| {
        found
            .or_else(|| (!ld.is_empty()).then(|| ld.to_owned()))
            .unwrap_or_default()
    };
    let found = PageMetadata {
        title: first_attr(document, &s.og_title, "content")
            .or_else(|| (!ld.headline.is_empty()).then(|| ld.headline.clone()))
            .or_else(|| first_text(document, &s.title))
            .or_else(|| first_text(document, &s.h1))
            .unwrap_or_default(),
        author: or_ld(first_attr(document, &s.author, "content"), &ld.author),
        published_at: or_ld(
            first_attr(document, &s.published, "content")
                .or_else(|| first_attr(document, &s.time, "datetime")),
            &ld.published_at,
        ),
        canonical_url: first_attr(document, &s.canonical, "href")
            .or_else(|| first_attr(document, &s.og_url, "content"))
            .unwrap_or_default(),
        site_name: first_attr(document, &s.site_name, "content").unwrap_or_default(),
        declared_language: first_attr(document, &s.html, "lang").unwrap_or_default(),
    };
    // A page is untrusted input: a megabyte <title> must not become a megabyte field in every
    // output. Values past the input field limits are cut at a character boundary.
    PageMetadata {
        title: bounded(found.title, field_limits::TITLE),
        author: bounded(found.author, field_limits::SOURCE),
        published_at: bounded(found.published_at, field_limits::PUBLISHED_AT),
        canonical_url: bounded(found.canonical_url, field_limits::URL),
        site_name: bounded(found.site_name, field_limits::SOURCE),
        declared_language: bounded(found.declared_language, 64),
    }
}

/// `value` cut to at most `limit` bytes, at a character boundary.
fn bounded(mut value: String, limit: usize) -> String {
    if value.len() > limit {
        let mut end = limit;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        value.truncate(end);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_cuts_at_a_character_boundary() {
        assert_eq!(bounded("abc".to_owned(), 5), "abc");
        // "é" is two bytes: a cut in its middle backs off to before it.
        assert_eq!(bounded("aéb".to_owned(), 2), "a");
        assert_eq!(bounded("aéb".to_owned(), 3), "aé");
    }

    #[test]
    fn a_huge_page_title_is_bounded() {
        let page = format!(
            "<html lang=\"id\"><head><title>{}</title></head><body><p>Isi.</p></body></html>",
            "Judul sangat panjang ".repeat(10_000)
        );
        let document = Html::parse_document(&page);
        let found = metadata(&document, &JsonLd::default());
        assert!(found.title.len() <= 4 * 1024, "{}", found.title.len());
        assert!(found.title.starts_with("Judul sangat panjang"));
        assert_eq!(found.declared_language, "id");
    }
}
