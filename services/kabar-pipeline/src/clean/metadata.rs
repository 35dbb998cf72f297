//! Page metadata (title, author, date, canonical URL, site name, declared language) and the
//! schema.org JSON-LD `articleBody`, read from a parsed page.

use std::sync::LazyLock;

use super::select::Selector;
use super::tree::Html;
use super::{PageMetadata, dates};
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
    /// Publication date meta tags, most specific first (a generic `date` or an analytics
    /// tag such as `sailthru.date` is often the last modification).
    published: Vec<Selector>,
    time: Selector,
    canonical: Selector,
    og_url: Selector,
    site_name: Selector,
    image: Selector,
    rel_author: Selector,
    byline: Selector,
    dated: Selector,
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
                r#"meta[name="author"], meta[property="author"], meta[property="article:author"], meta[name="byl"], meta[name="dc.creator"], meta[name="DC.creator"], meta[name="parsely-author"], meta[name="sailthru.author"]"#,
            ),
            published: [
                r#"meta[property="article:published_time"], meta[name="article:published_time"], meta[property="og:article:published_time"], meta[property="og:published_time"]"#,
                r#"meta[itemprop="datePublished"], meta[name="pubdate"], meta[name="publishdate"], meta[name="DC.date.issued"], meta[name="dcterms.created"]"#,
                r#"meta[name="dc.date"], meta[name="date"], meta[name="parsely-pub-date"], meta[name="sailthru.date"]"#,
            ]
            .into_iter()
            .map(selector)
            .collect(),
            time: selector("time[datetime]"),
            canonical: selector(r#"link[rel="canonical"]"#),
            og_url: selector(r#"meta[property="og:url"]"#),
            site_name: selector(r#"meta[property="og:site_name"], meta[name="application-name"]"#),
            image: selector(
                r#"meta[property="og:image"], meta[name="twitter:image"], meta[property="twitter:image"], link[rel="image_src"]"#,
            ),
            rel_author: selector(r#"a[rel="author"], [itemprop="author"] [itemprop="name"]"#),
            byline: selector(
                r#"[class*="byline"], [class*="author-name"], [class*="author_name"], [class="author"], [itemprop="author"]"#,
            ),
            dated: selector(
                r#"time, [itemprop="datePublished"], [class*="date"], [class*="time"], [class*="dateline"]"#,
            ),
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
    pub authors: Vec<String>,
    pub published_at: String,
    pub headline: String,
    pub site_name: String,
    pub image_url: String,
}

/// Reads every JSON-LD script, looking for the first article-like object.
pub fn json_ld(document: &Html) -> JsonLd {
    let mut found = JsonLd::default();
    for script in document.select(&META_SELECTORS.json_ld) {
        let text: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(without_cdata(&text)) else {
            continue;
        };
        visit(&value, &mut found, 0);
    }
    found
}

/// A script's text without the `<![CDATA[ ... ]]>` wrapper (and the `//` or `/* */` that hide
/// it from old parsers) that XHTML-minded templates put around JSON-LD.
fn without_cdata(text: &str) -> &str {
    let comment = |c: char| c.is_whitespace() || c == '/' || c == '*';
    let mut text = text.trim();
    if let Some(start) = text.find("<![CDATA[")
        && text[..start].chars().all(comment)
    {
        text = &text[start + "<![CDATA[".len()..];
        if let Some(end) = text.rfind("]]>")
            && text[end + 3..].chars().all(comment)
        {
            text = &text[..end];
        }
        text = text.trim_matches(comment);
    }
    text.trim()
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
            if found.authors.is_empty()
                && let Some(author) = map.get("author")
            {
                let list = match author {
                    Value::Array(list) => list.as_slice(),
                    single => std::slice::from_ref(single),
                };
                for item in list.iter().take(MAX_AUTHORS) {
                    let name = match item {
                        Value::String(s) => Some(s.as_str()),
                        Value::Object(o) => o.get("name").and_then(Value::as_str),
                        _ => None,
                    };
                    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
                        found.authors.push(name.to_owned());
                    }
                }
            }
            if found.site_name.is_empty()
                && let Some(name) = map
                    .get("publisher")
                    .and_then(|p| p.get("name"))
                    .and_then(Value::as_str)
            {
                name.trim().clone_into(&mut found.site_name);
            }
            if found.image_url.is_empty()
                && let Some(image) = map.get("image")
            {
                let url = match image {
                    Value::String(s) => Some(s.as_str()),
                    Value::Object(o) => o.get("url").and_then(Value::as_str),
                    Value::Array(list) => list.first().and_then(|first| match first {
                        Value::String(s) => Some(s.as_str()),
                        Value::Object(o) => o.get("url").and_then(Value::as_str),
                        _ => None,
                    }),
                    _ => None,
                };
                if let Some(url) = url {
                    url.trim().clone_into(&mut found.image_url);
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

/// Authors kept per page.
const MAX_AUTHORS: usize = 16;

/// Metadata from meta tags, falling back to JSON-LD, then to visible elements.
pub fn metadata(document: &Html, ld: &JsonLd) -> PageMetadata {
    let s = &*META_SELECTORS;
    let non_empty = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    let mut authors: Vec<String> = Vec::new();
    let add_author = |authors: &mut Vec<String>, name: &str| {
        let name = clean_author(name);
        if !name.is_empty()
            && authors.len() < MAX_AUTHORS
            && !authors.iter().any(|a| a.eq_ignore_ascii_case(&name))
        {
            authors.push(name);
        }
    };
    // A JSON-LD author may be one string naming two ("Jane Smith and John Doe").
    ld.authors
        .iter()
        .flat_map(|a| a.split(" and "))
        .for_each(|a| add_author(&mut authors, a));
    // The first author meta tag that holds a name: profile URLs (`article:author` often is
    // one) are not names. "Jane Smith, John Doe" and "Jane Smith and John Doe" are two.
    if let Some(meta) = document
        .select(&s.author)
        .filter_map(|e| e.value().attr("content"))
        .map(str::trim)
        .find(|v| !v.is_empty() && !v.starts_with("http") && !v.starts_with("//"))
    {
        meta.split([',', ';'])
            .flat_map(|part| part.split(" and "))
            .for_each(|a| add_author(&mut authors, a));
    }
    for element in document.select(&s.rel_author).take(MAX_AUTHORS) {
        add_author(&mut authors, &element.text().collect::<String>());
    }
    if authors.is_empty()
        && let Some(byline) = document
            .select(&s.byline)
            .map(|e| e.text().collect::<Vec<_>>().join(" "))
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .find(|t| !t.is_empty() && t.len() < 100)
    {
        add_author(&mut authors, &byline);
    }
    // Meta tags and JSON-LD first; among them, the first date that states its zone wins over
    // one that does not (a `sailthru.date` of "2019-11-18 20:58:46" is local time, the
    // JSON-LD's "2019-11-19T04:58:46Z" the same moment with its zone).
    let structured: Vec<(String, bool)> = s
        .published
        .iter()
        .flat_map(|published| document.select(published))
        .filter_map(|e| e.value().attr("content"))
        .chain(std::iter::once(ld.published_at.as_str()))
        .filter_map(dates::read)
        .collect();
    let published_at = structured
        .iter()
        .find(|(_, zoned)| *zoned)
        .or_else(|| structured.first())
        .map(|(date, _)| date.clone())
        .or_else(|| {
            document
                .select(&s.time)
                .filter_map(|e| e.value().attr("datetime"))
                .find_map(dates::normalise)
        })
        .or_else(|| {
            // A dateline written on the page ("Senin, 12 Juni 2023 14:05 WIB").
            document
                .select(&s.dated)
                .take(40)
                .map(|e| e.text().collect::<Vec<_>>().join(" "))
                .filter(|t| t.len() < 120)
                .find_map(|t| dates::normalise(&t))
        })
        .unwrap_or_default();
    let found = PageMetadata {
        title: first_attr(document, &s.og_title, "content")
            .or_else(|| non_empty(&ld.headline))
            .or_else(|| first_text(document, &s.title))
            .or_else(|| first_text(document, &s.h1))
            .unwrap_or_default(),
        author: authors.first().cloned().unwrap_or_default(),
        authors,
        published_at,
        canonical_url: canonical_url(
            first_attr(document, &s.canonical, "href"),
            first_attr(document, &s.og_url, "content"),
        ),
        site_name: first_attr(document, &s.site_name, "content")
            .or_else(|| non_empty(&ld.site_name))
            .unwrap_or_default(),
        image_url: first_attr(document, &s.image, "content")
            .or_else(|| first_attr(document, &s.image, "href"))
            .or_else(|| non_empty(&ld.image_url))
            .unwrap_or_default(),
        declared_language: first_attr(document, &s.html, "lang").unwrap_or_default(),
    };
    // A page is untrusted input: a megabyte <title> must not become a megabyte field in every
    // output. Values past the input field limits are cut at a character boundary.
    PageMetadata {
        title: bounded(found.title, field_limits::TITLE),
        author: bounded(found.author, field_limits::SOURCE),
        authors: found
            .authors
            .into_iter()
            .map(|a| bounded(a, field_limits::SOURCE))
            .collect(),
        published_at: found.published_at,
        canonical_url: bounded(found.canonical_url, field_limits::URL),
        site_name: bounded(found.site_name, field_limits::SOURCE),
        image_url: bounded(found.image_url, field_limits::URL),
        declared_language: bounded(found.declared_language, 64),
    }
}

/// `<link rel=canonical>`, else `og:url`; an absolute `og:url` wins over a relative canonical
/// link, which only the article's own URL could resolve.
fn canonical_url(link: Option<String>, og_url: Option<String>) -> String {
    let absolute = |url: &String| url.contains("://");
    match (link, og_url) {
        (Some(link), Some(og_url)) if !absolute(&link) && absolute(&og_url) => og_url,
        (link, og_url) => link.or(og_url).unwrap_or_default(),
    }
}

/// An author's name without "By", a trailing date or role, or surrounding punctuation.
fn clean_author(raw: &str) -> String {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut name = text.as_str();
    for _ in 0..2 {
        let (first, rest) = name.split_once(' ').unwrap_or((name, ""));
        let word = first.trim_end_matches(':').to_lowercase();
        if matches!(
            word.as_str(),
            "by" | "written"
                | "oleh"
                | "von"
                | "par"
                | "por"
                | "di"
                | "door"
                | "penulis"
                | "reporter"
                | "author"
                | "autor"
                | "auteur"
                | "text"
                | "teks"
        ) {
            name = rest.trim_start_matches(':').trim_start();
        }
    }
    let name = name
        .split(['|', '\n', '•'])
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '.');
    // A name has letters and a few words; "Staff", a date or a sentence is not one.
    let words = name.split_whitespace().count();
    if words == 0
        || words > 6
        || !name.chars().any(char::is_alphabetic)
        || dates::normalise(name).is_some()
    {
        return String::new();
    }
    name.to_owned()
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
    fn authors_site_image_and_date_are_read() {
        let page = r#"<html><head>
<meta property="og:image" content="https://berita.example/foto.jpg">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Judul",
 "author":[{"@type":"Person","name":"Rina Wulandari"},{"@type":"Person","name":"Andi Saputra"}],
 "publisher":{"@type":"Organization","name":"Warta Nusantara"},
 "datePublished":"20180619T055000+0900"}</script></head>
<body><p class="byline">By Rina Wulandari</p><p>Isi berita.</p></body></html>"#;
        let document = Html::parse_document(page);
        let found = metadata(&document, &json_ld(&document));
        assert_eq!(found.authors, ["Rina Wulandari", "Andi Saputra"]);
        assert_eq!(found.author, "Rina Wulandari");
        assert_eq!(found.site_name, "Warta Nusantara");
        assert_eq!(found.image_url, "https://berita.example/foto.jpg");
        assert_eq!(found.published_at, "2018-06-19T05:50:00+09:00");
    }

    #[test]
    fn json_ld_in_a_cdata_wrapper_and_a_name_after_a_profile_url_are_read() {
        let page = r#"<html><head>
<meta property="article:author" content="https://social.example/rina">
<meta name="author" content="Rina Wulandari">
<script type="application/ld+json">//<![CDATA[
{"@type":"NewsArticle","headline":"Judul","publisher":{"@type":"Organization","name":"Warta"},
 "datePublished":"2023-06-12T14:05:00+07:00"}
//]]></script></head><body><p>Isi berita.</p></body></html>"#;
        let document = Html::parse_document(page);
        let found = metadata(&document, &json_ld(&document));
        assert_eq!(found.authors, ["Rina Wulandari"]);
        assert_eq!(found.site_name, "Warta");
        assert_eq!(found.published_at, "2023-06-12T14:05:00+07:00");
        assert_eq!(without_cdata("  {\"a\": 1} "), "{\"a\": 1}");
        assert_eq!(without_cdata("<![CDATA[{}]]>"), "{}");
        assert_eq!(without_cdata("/*<![CDATA[*/ {} /*]]>*/"), "{}");
    }

    #[test]
    fn an_absolute_og_url_beats_a_relative_canonical_link() {
        let page = |link: &str| {
            format!(
                r#"<html><head><link rel="canonical" href="{link}"><meta property="og:url" content="https://n.example/a"></head><body></body></html>"#
            )
        };
        let canonical = |page: String| {
            let document = Html::parse_document(&page);
            metadata(&document, &JsonLd::default()).canonical_url
        };
        assert_eq!(canonical(page("/a")), "https://n.example/a");
        assert_eq!(
            canonical(page("https://n.example/b")),
            "https://n.example/b"
        );
    }

    #[test]
    fn a_dateline_and_byline_written_on_the_page_are_read() {
        let page = r#"<html><head><meta name="author" content="https://example.com/profile"></head>
<body><div class="author">Oleh: Dewi Lestari</div><span class="date">Senin, 12 Juni 2023 14:05 WIB</span>
<p>Isi berita.</p></body></html>"#;
        let document = Html::parse_document(page);
        let found = metadata(&document, &json_ld(&document));
        assert_eq!(found.authors, ["Dewi Lestari"]);
        assert_eq!(found.published_at, "2023-06-12T14:05:00+07:00");
    }

    #[test]
    fn a_date_with_its_zone_beats_one_without() {
        let page = r#"<html><head><meta name="sailthru.date" content="2019-11-18 20:58:46">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2019-11-19T04:58:46Z"}</script>
</head><body><p>Isi.</p></body></html>"#;
        let document = Html::parse_document(page);
        let found = metadata(&document, &json_ld(&document));
        assert_eq!(found.published_at, "2019-11-19T04:58:46Z");
    }

    #[test]
    fn the_publication_time_beats_an_analytics_date_before_it() {
        let page = r#"<html><head><meta name="sailthru.date" content="2020-01-20T09:49:32Z">
<meta property="og:article:published_time" content="2020-01-19T12:25:36Z"></head><body></body></html>"#;
        let document = Html::parse_document(page);
        let found = metadata(&document, &JsonLd::default());
        assert_eq!(found.published_at, "2020-01-19T12:25:36Z");
    }

    #[test]
    fn an_unreadable_date_is_left_out() {
        let page = r#"<html><head><meta property="article:published_time" content="kemarin sore"></head><body><p>Isi.</p></body></html>"#;
        let document = Html::parse_document(page);
        assert_eq!(metadata(&document, &JsonLd::default()).published_at, "");
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
