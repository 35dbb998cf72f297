//! Main-content extraction from HTML pages.
//!
//! Parses with html5ever (through `scraper`), picks the container most likely to hold the story
//! (schema.org `articleBody`, then `<article>`, `<main>`, then `<body>`), drops elements whose
//! tag, class or id marks them as page furniture, and returns the remaining text as blocks, one
//! per paragraph-level element. The walk is iterative, so deeply nested pages cannot overflow
//! the stack.

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{ElementRef, Html, Node, Selector};

use super::PageMetadata;

/// What extraction produced.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Paragraph-level text blocks, whitespace collapsed, in document order.
    pub blocks: Vec<String>,
    pub metadata: PageMetadata,
    /// Furniture elements dropped and their characters, for the boilerplate statistics.
    pub dropped_blocks: u32,
    pub dropped_chars: u32,
}

/// Tags that never hold the story.
const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "nav", "footer", "header", "aside", "form", "iframe", "svg",
    "button", "select", "template", "head", "menu", "dialog",
];

/// Tags that end a block of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "dl",
    "br",
    "hr",
    "address",
    "center",
];

/// Class or id words that mark furniture. Matched against whole class/id tokens' parts.
static FURNITURE_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(
        r"(?i)(?:^|[-_\s])(?:nav|navbar|navigation|menu|breadcrumbs?|footer|share|sharing|social|related|recommended|comments?|cookie|consent|sidebar|advert|ads?|promo|newsletter|subscribe|popup|modal|banner|sponsor|tags|pagination|byline-share|outbrain|taboola)(?:$|[-_\s])",
    )
    .unwrap()
});

fn selector(css: &str) -> Selector {
    #[allow(clippy::unwrap_used)] // constant selectors, covered by tests
    Selector::parse(css).unwrap()
}

static CONTENT_ROOTS: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        "[itemprop=articleBody]",
        "article",
        "main",
        "[role=main]",
        "body",
    ]
    .into_iter()
    .map(selector)
    .collect()
});

/// Extracts the main content and metadata from a page.
pub fn extract(page: &str) -> Extracted {
    let document = Html::parse_document(page);
    let metadata = metadata(&document);
    let mut best: Option<Extracted> = None;
    for root_selector in CONTENT_ROOTS.iter() {
        // Several candidates (e.g. many <article> teasers): keep the one with the most text.
        for root in document.select(root_selector) {
            let candidate = walk(root);
            let chars = |e: &Extracted| e.blocks.iter().map(|b| b.len()).sum::<usize>();
            if best.as_ref().is_none_or(|b| chars(&candidate) > chars(b)) {
                best = Some(candidate);
            }
        }
        // A specific container with a real amount of text wins over broader ones.
        if best
            .as_ref()
            .is_some_and(|b| b.blocks.iter().map(|s| s.len()).sum::<usize>() >= 200)
        {
            break;
        }
    }
    let mut extracted = best.unwrap_or_default();
    extracted.metadata = metadata;
    extracted
}

fn is_furniture(element: &scraper::node::Element) -> bool {
    if SKIPPED_TAGS.contains(&element.name()) {
        return true;
    }
    if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
        return true;
    }
    if matches!(
        element.attr("role"),
        Some("navigation" | "banner" | "contentinfo")
    ) {
        return true;
    }
    let class_and_id = [element.attr("class"), element.attr("id")];
    class_and_id
        .iter()
        .flatten()
        .any(|value| FURNITURE_CLASS.is_match(value))
}

/// Walks one subtree, without recursion, collecting text blocks.
fn walk(root: ElementRef<'_>) -> Extracted {
    let mut out = Extracted::default();
    let mut current = String::new();
    let mut current_link_chars = 0usize;
    let mut link_depth = 0usize;
    let mut skipping: Option<ego_tree::NodeId> = None;

    let flush = |current: &mut String, link_chars: &mut usize, out: &mut Extracted| {
        let text = current.trim();
        if !text.is_empty() {
            let chars = text.chars().count();
            // A short block that is mostly links is navigation.
            if *link_chars * 10 > chars * 6 && chars < 400 {
                out.dropped_blocks += 1;
                out.dropped_chars = out
                    .dropped_chars
                    .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
            } else {
                out.blocks.push(text.to_owned());
            }
        }
        current.clear();
        *link_chars = 0;
    };

    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if let Some(skip_root) = skipping {
                    if let Node::Text(text) = node.value() {
                        let chars = text
                            .split_whitespace()
                            .map(|w| w.chars().count())
                            .sum::<usize>();
                        out.dropped_chars = out
                            .dropped_chars
                            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
                    }
                    let _ = skip_root;
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        if node.id() != root.id() && is_furniture(element) {
                            skipping = Some(node.id());
                            out.dropped_blocks += 1;
                            continue;
                        }
                        if BLOCK_TAGS.contains(&element.name()) {
                            flush(&mut current, &mut current_link_chars, &mut out);
                        }
                        if element.name() == "a" {
                            link_depth += 1;
                        }
                    }
                    Node::Text(text) => {
                        append_collapsed(&mut current, text);
                        if link_depth > 0 {
                            current_link_chars += text.trim().chars().count();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(skip_root) = skipping {
                    if skip_root == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(element) = node.value() {
                    if element.name() == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if BLOCK_TAGS.contains(&element.name()) {
                        flush(&mut current, &mut current_link_chars, &mut out);
                    }
                }
            }
        }
    }
    flush(&mut current, &mut current_link_chars, &mut out);
    out
}

/// Appends text with runs of whitespace collapsed to one space.
fn append_collapsed(buffer: &mut String, text: &str) {
    let starts_with_space = text.starts_with(char::is_whitespace);
    let mut words = text.split_whitespace().peekable();
    if words.peek().is_none() {
        if !text.is_empty() && !buffer.is_empty() && !buffer.ends_with(' ') {
            buffer.push(' ');
        }
        return;
    }
    if starts_with_space && !buffer.is_empty() && !buffer.ends_with(' ') {
        buffer.push(' ');
    }
    let mut first = true;
    for word in words {
        if !first {
            buffer.push(' ');
        }
        buffer.push_str(word);
        first = false;
    }
    if text.ends_with(char::is_whitespace) {
        buffer.push(' ');
    }
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
}

impl MetaSelectors {
    fn new() -> Self {
        Self {
            og_title: selector(r#"meta[property="og:title"]"#),
            title: selector("title"),
            h1: selector("h1"),
            author: selector(r#"meta[name="author"], meta[property="article:author"]"#),
            published: selector(
                r#"meta[property="article:published_time"], meta[name="pubdate"], meta[name="publishdate"], meta[name="date"], meta[itemprop="datePublished"]"#,
            ),
            time: selector("time[datetime]"),
            canonical: selector(r#"link[rel="canonical"]"#),
            og_url: selector(r#"meta[property="og:url"]"#),
            site_name: selector(r#"meta[property="og:site_name"]"#),
            html: selector("html"),
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

fn metadata(document: &Html) -> PageMetadata {
    let s = &*META_SELECTORS;
    PageMetadata {
        title: first_attr(document, &s.og_title, "content")
            .or_else(|| first_text(document, &s.title))
            .or_else(|| first_text(document, &s.h1))
            .unwrap_or_default(),
        author: first_attr(document, &s.author, "content").unwrap_or_default(),
        published_at: first_attr(document, &s.published, "content")
            .or_else(|| first_attr(document, &s.time, "datetime"))
            .unwrap_or_default(),
        canonical_url: first_attr(document, &s.canonical, "href")
            .or_else(|| first_attr(document, &s.og_url, "content"))
            .unwrap_or_default(),
        site_name: first_attr(document, &s.site_name, "content").unwrap_or_default(),
        declared_language: first_attr(document, &s.html, "lang").unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="id"><head>
<title>Judul | Situs</title>
<meta property="og:title" content="Judul Berita">
<meta property="og:site_name" content="Situs Berita">
<meta property="article:published_time" content="2024-09-15T10:00:00+07:00">
<link rel="canonical" href="https://berita.example/judul">
<script>var x = 1;</script></head>
<body><nav><a href="/">Beranda</a> <a href="/politik">Politik</a></nav>
<div class="share-bar">Bagikan ke Facebook</div>
<article><h1>Judul Berita</h1>
<p>Paragraf pertama yang cukup panjang tentang <a href="/x">peristiwa</a> penting hari ini.</p>
<p>Paragraf kedua,
   dengan    spasi berlebih.</p>
<div class="related-articles"><a href="/a">Berita lain</a></div>
</article>
<footer>© 2024 Situs Berita</footer></body></html>"#;

    #[test]
    fn extracts_article_paragraphs_and_metadata() {
        let extracted = extract(PAGE);
        assert_eq!(
            extracted.blocks,
            vec![
                "Judul Berita",
                "Paragraf pertama yang cukup panjang tentang peristiwa penting hari ini.",
                "Paragraf kedua, dengan spasi berlebih.",
            ]
        );
        assert_eq!(extracted.metadata.title, "Judul Berita");
        assert_eq!(extracted.metadata.site_name, "Situs Berita");
        assert_eq!(extracted.metadata.declared_language, "id");
        assert_eq!(
            extracted.metadata.canonical_url,
            "https://berita.example/judul"
        );
        assert_eq!(extracted.metadata.published_at, "2024-09-15T10:00:00+07:00");
        assert!(extracted.dropped_blocks >= 1);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 5_000;
        let page = format!("{}text{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let extracted = extract(&page);
        assert_eq!(extracted.blocks, vec!["text"]);
    }
}
