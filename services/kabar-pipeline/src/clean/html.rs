//! Main-content extraction from HTML pages.
//!
//! 1. [`guard`](super::guard) refuses pages too deep or too large for html5ever; those go
//!    through a linear tag stripper instead.
//! 2. One iterative walk over the parsed page (through `scraper`) cuts the text into blocks,
//!    one per paragraph-level element, each remembering its innermost container, its link
//!    characters and whether it is a heading. Scripts, styles and similar never yield text.
//! 3. Every block gets a value: prose (long, or dense in stopwords of some language) counts
//!    its non-link characters; link lists, furniture (class/id such as `share`, `related`,
//!    `comments`) and short non-prose count against. Values add up the container tree; the
//!    container with the highest sum, times its share of non-link text, holds the story
//!    (`articleBody`, `<article>` and classes like `entry-content` get a bonus).
//! 4. The story is that container's blocks minus furniture, link lists, `<h1>` headlines and
//!    hidden duplicates, as one run: the line classifier then drops the header before the
//!    first and the tail after the last substantial paragraph.
//! 5. JSON-LD `articleBody` replaces the result when it is at least as complete; a result that
//!    is suspiciously short falls back to every prose block of the page (recall first).

use scraper::Html;

use super::dom::{Block, Container, walk};
use super::{PageMetadata, guard, metadata, stopwords};

/// What extraction produced.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Paragraph-level text blocks, whitespace collapsed, in document order.
    pub blocks: Vec<String>,
    pub metadata: PageMetadata,
    /// Furniture blocks dropped and their characters, for the boilerplate statistics.
    pub dropped_blocks: u32,
    pub dropped_chars: u32,
    /// True when the result came from a fallback (hostile page, or the scorer found too
    /// little): worth a review.
    pub fallback: bool,
}

/// Extracts the main content and metadata from a page.
pub fn extract(page: &str) -> Extracted {
    if !guard::within_limits(page) {
        return Extracted {
            blocks: guard::strip_tags(page),
            fallback: true,
            ..Extracted::default()
        };
    }
    let document = Html::parse_document(page);
    let ld = metadata::json_ld(&document);
    let metadata = metadata::metadata(&document, &ld);
    let (mut containers, blocks) = walk(&document);
    // A container marked as furniture that holds the story's own container ("l-sidebar-fixed"
    // around "c-entry-content") was marked for its layout, not its content.
    for index in 0..containers.len() {
        if containers[index].bonus {
            let mut current = containers[index].parent;
            while let Some(parent) = current {
                containers[parent].furniture = false;
                current = containers[parent].parent;
            }
        }
    }
    let values: Vec<f32> = blocks.iter().map(|b| block_value(b, &containers)).collect();
    for (block, value) in blocks.iter().zip(&values) {
        let owner = &mut containers[block.owner];
        owner.score += value;
        owner.chars += block.chars as f32;
        owner.link_chars += block.link_chars as f32;
    }
    // Children come after their parents: a reverse sweep adds each sum to its parent.
    for index in (0..containers.len()).rev() {
        if let Some(parent) = containers[index].parent {
            let (score, chars, link_chars) = {
                let c = &containers[index];
                (c.score, c.chars, c.link_chars)
            };
            let parent = &mut containers[parent];
            parent.score += score;
            parent.chars += chars;
            parent.link_chars += link_chars;
        }
    }
    let best = containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let text_share = 1.0 - c.link_chars / c.chars.max(1.0);
            let score = c.score * text_share;
            (i, if c.bonus { score * 1.15 } else { score })
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0, |(i, _)| i);

    let mut out = Extracted {
        metadata,
        ..Extracted::default()
    };
    // Furniture marks that would take most of the prose away are wrong (a site whose every
    // element is a "widget"): then they are ignored.
    let inside = |b: &Block| depth_below(&containers, b.owner, best).is_some();
    let prose_chars: usize = blocks
        .iter()
        .zip(&values)
        .filter(|(b, v)| **v > 0.0 && inside(b))
        .map(|(b, _)| b.chars)
        .sum();
    let unmarked_chars: usize = blocks
        .iter()
        .zip(&values)
        .filter(|(b, v)| **v > 0.0 && inside(b) && !furniture_below(&containers, b.owner, best))
        .map(|(b, _)| b.chars)
        .sum();
    let trust_marks = unmarked_chars * 4 >= prose_chars;
    let chosen: Vec<(&Block, f32)> = blocks
        .iter()
        .zip(values.iter().copied())
        .filter(|(b, _)| inside(b))
        .collect();
    let is_link_list = |b: &Block| b.link_chars * 2 > b.chars;
    // Hidden copies (microdata `description`, `articleBody` duplicates) repeat what was kept.
    let mut seen_starts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (block, value) in &chosen {
        let start = prefix(&block.text, 60);
        if block.chars >= 40
            && seen_starts
                .get(start)
                .is_some_and(|&kept| kept >= block.chars)
        {
            out.dropped_blocks += 1;
            continue;
        }
        let marked = trust_marks && furniture_below(&containers, block.owner, best);
        let link_list = is_link_list(block);
        let keep = !block.heading && !marked && !link_list && *value > -0.5 * block.chars as f32;
        if keep {
            seen_starts.insert(start, block.chars);
            out.blocks.push(block.text.clone());
        } else {
            out.dropped_blocks += 1;
            out.dropped_chars = out
                .dropped_chars
                .saturating_add(u32::try_from(block.chars).unwrap_or(u32::MAX));
        }
    }
    let chars: usize = out.blocks.iter().map(|b| b.chars().count()).sum();
    let ld_chars = ld.article_body.chars().count();
    if ld_chars >= 200 && ld_chars * 10 >= chars * 8 && !ld.article_body.contains('<') {
        out.blocks = ld
            .article_body
            .split('\n')
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
    } else if chars < 150 {
        // Too little for an article: keep every prose block outside furniture.
        let prose: Vec<String> = blocks
            .iter()
            .zip(&values)
            .filter(|(b, v)| **v > 0.0 && !b.heading && !furniture_below(&containers, b.owner, 0))
            .map(|(b, _)| b.text.clone())
            .collect();
        if prose.iter().map(String::len).sum::<usize>() > chars * 2 {
            out.blocks = prose;
            out.fallback = true;
        }
    }
    out
}

/// Every visible text block of a page, furniture included: the last resort when cleaning would
/// leave nothing. Linear, whatever the page.
pub fn visible_text(page: &str) -> String {
    guard::strip_tags(page).join("\n\n")
}

/// The first `chars` characters of `text`.
fn prefix(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(end, _)| &text[..end])
}

/// How many containers up from `owner` `root` is, or `None` when `owner` is outside it.
fn depth_below(containers: &[Container], owner: usize, root: usize) -> Option<usize> {
    let mut current = Some(owner);
    let mut depth = 0;
    while let Some(index) = current {
        if index == root {
            return Some(depth);
        }
        depth += 1;
        current = containers[index].parent;
    }
    None
}

/// True when a container between `owner` (inclusive) and `root` (exclusive) is furniture.
fn furniture_below(containers: &[Container], owner: usize, root: usize) -> bool {
    let mut current = Some(owner);
    while let Some(index) = current {
        if index == root {
            return false;
        }
        if containers[index].furniture {
            return true;
        }
        current = containers[index].parent;
    }
    false
}

/// A block's contribution to its containers' scores.
fn block_value(block: &Block, containers: &[Container]) -> f32 {
    let chars = block.chars as f32;
    let link = block.link_chars as f32;
    if furniture_below(containers, block.owner, usize::MAX) && !is_prose(&block.text, block.chars) {
        return -chars;
    }
    if link * 2.0 > chars {
        return -chars;
    }
    if is_prose(&block.text, block.chars) {
        let furniture = furniture_below(containers, block.owner, usize::MAX);
        let base = chars - 2.0 * link;
        return if furniture { -0.3 * chars } else { base };
    }
    -0.3 * chars
}

/// Prose: a long block, or a sentence dense in function words, in any language.
pub(crate) fn is_prose(text: &str, chars: usize) -> bool {
    if stopwords::unspaced_script(text) {
        return chars >= 30;
    }
    let (words, stops) = stopwords::density(text);
    if words >= 25 {
        return true;
    }
    let sentence = text
        .trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', '»', ':', ')', '。']);
    words >= 8 && (stops * 6 >= words || sentence) || words >= 5 && sentence && stops >= 1
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
<p>Paragraf pertama yang cukup panjang tentang <a href="/x">peristiwa</a> penting yang terjadi di Jakarta hari ini.</p>
<p>Paragraf kedua,
   dengan    spasi berlebih, juga memuat kalimat yang cukup panjang untuk sebuah berita.</p>
<div class="related-articles"><a href="/a">Berita lain</a></div>
</article>
<footer>© 2024 Situs Berita</footer></body></html>"#;

    #[test]
    fn extracts_article_paragraphs_and_metadata() {
        let extracted = extract(PAGE);
        assert_eq!(
            extracted.blocks,
            vec![
                "Paragraf pertama yang cukup panjang tentang peristiwa penting yang terjadi di Jakarta hari ini.",
                "Paragraf kedua, dengan spasi berlebih, juga memuat kalimat yang cukup panjang untuk sebuah berita.",
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
        assert!(!extracted.fallback);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 400;
        let page = format!("{}text{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let extracted = extract(&page);
        assert_eq!(extracted.blocks, vec!["text"]);
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let depth = 50_000;
        let page = format!(
            "<html><body>{}<p>Hidden deep inside.</p>{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        // Bounded by work, not the clock: past the depth guard the page is never parsed into a
        // tree, only scanned for its text (the fallback).
        let extracted = extract(&page);
        assert!(extracted.fallback);
        assert_eq!(extracted.blocks, vec!["Hidden deep inside."]);
    }
}
