//! Main-content extraction from HTML pages.
//!
//! 1. [`guard`](super::guard) refuses pages too deep or too large for the tree builder; those go
//!    through a linear tag stripper instead.
//! 2. One walk over the parsed page ([`tree`](super::tree)) cuts the text into blocks,
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

use super::dom::{Block, Container, walk};
use super::tree::Html;
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
    weigh_marks(&mut containers, &blocks);
    let values: Vec<f32> = blocks.iter().map(|b| block_value(b, &containers)).collect();
    for (block, value) in blocks.iter().zip(&values) {
        let owner = &mut containers[block.owner];
        owner.score += value;
        owner.positive += value.max(0.0);
        owner.chars += block.chars as f32;
        owner.link_chars += block.link_chars as f32;
    }
    // Children come after their parents: a reverse sweep adds each sum to its parent.
    for index in (0..containers.len()).rev() {
        if let Some(parent) = containers[index].parent {
            let (score, positive, chars, link_chars) = {
                let c = &containers[index];
                (c.score, c.positive, c.chars, c.link_chars)
            };
            let parent = &mut containers[parent];
            parent.score += score;
            parent.positive += positive;
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
    // Inside the story's container a <header> holds its standfirst, byline and dateline.
    for index in 0..containers.len() {
        if containers[index].header
            && !containers[index].comment
            && depth_below(&containers, index, best).is_some()
        {
            containers[index].furniture = false;
        }
    }
    let siblings = story_siblings(&containers, best);

    let in_sibling = |b: &Block| {
        siblings
            .iter()
            .any(|&s| depth_below(&containers, b.owner, s).is_some())
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
    // The story's blocks: its container's, and the prose of sibling containers that continue
    // it (a story split over table cells or sibling blocks around a teaser list).
    let chosen: Vec<(&Block, f32)> = blocks
        .iter()
        .zip(values.iter().copied())
        .filter(|(b, v)| inside(b) || (*v > 0.0 && in_sibling(b)))
        .collect();
    let is_link_list = |b: &Block| b.link_chars * 2 > b.chars && !is_linked_prose(b);
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
    if furniture_below(containers, block.owner, usize::MAX) && !block.prose {
        return -chars;
    }
    if link * 2.0 > chars {
        return if is_linked_prose(block) { 0.0 } else { -chars };
    }
    if block.prose {
        let furniture = furniture_below(containers, block.owner, usize::MAX);
        let base = chars - 2.0 * link;
        return if furniture { -0.3 * chars } else { base };
    }
    -0.3 * chars
}

/// Reads the furniture marks against what the containers hold: wrappers marked as furniture
/// that hold most of the page's prose lose the mark (a page-wide id ending in "-footer", a
/// story inside a "caption" or "share" block), and comment threads found by their repeated
/// reply links get one.
fn weigh_marks(containers: &mut [Container], blocks: &[Block]) {
    let mut prose_blocks = vec![0u32; containers.len()];
    for block in blocks {
        let owner = &mut containers[block.owner];
        if block.link_chars * 2 <= block.chars && block.prose {
            owner.prose += (block.chars - block.link_chars) as f32;
            prose_blocks[block.owner] += 1;
        }
        if block.reply {
            owner.replies += 1;
        }
    }
    for index in (1..containers.len()).rev() {
        if let Some(parent) = containers[index].parent {
            let (prose, replies) = (containers[index].prose, containers[index].replies);
            containers[parent].prose += prose;
            containers[parent].replies += replies;
            prose_blocks[parent] += prose_blocks[index];
        }
    }
    let page_prose = containers[0].prose;
    // One comment of a thread: the largest container around a reply link holding no other.
    if containers[0].replies >= 2 {
        for block in blocks.iter().filter(|b| b.reply) {
            let mut item = block.owner;
            while let Some(parent) = containers[item].parent {
                if containers[parent].replies != 1 {
                    break;
                }
                item = parent;
            }
            if containers[item].parent.is_some()
                && !containers[item].bonus
                && containers[item].prose < 0.4 * page_prose
            {
                containers[item].furniture = true;
                containers[item].comment = true;
            }
        }
    }
    // Prose in comment threads does not count towards the story's share.
    let mut total = containers[0].prose;
    for index in 1..containers.len() {
        let c = &containers[index];
        if c.comment && c.parent.is_none_or(|p| !containers[p].comment) {
            total -= c.prose;
        }
    }
    // A marked wrapper holding most of the prose in several paragraphs is the story's, unless
    // a container marked as the story's ("articleBody", <article>) holds prose outside it.
    let marked_stories: Vec<usize> = (0..containers.len())
        .filter(|&i| containers[i].bonus && containers[i].prose >= 150.0)
        .collect();
    for index in 0..containers.len() {
        let c = &containers[index];
        if c.furniture
            && !c.comment
            && total >= 150.0
            && c.prose * 2.0 >= total
            && prose_blocks[index] >= 3
            && marked_stories.iter().all(|&story| {
                depth_below(containers, story, index).is_some()
                    || depth_below(containers, index, story).is_some()
            })
        {
            containers[index].furniture = false;
        }
    }
    // A container marked as furniture that holds the story's own container ("l-sidebar-fixed"
    // around "c-entry-content") was marked for its layout, not its content.
    for index in 0..containers.len() {
        if containers[index].bonus && !containers[index].comment {
            containers[index].furniture = false;
            let mut current = containers[index].parent;
            while let Some(parent) = current {
                if !containers[parent].comment {
                    containers[parent].furniture = false;
                }
                current = containers[parent].parent;
            }
        }
    }
}

/// The short links and labels that repeat in every comment of a thread.
pub(super) fn is_reply_marker(text: &str) -> bool {
    if text.len() > 80 {
        return false;
    }
    let lower = text
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    matches!(
        lower.as_str(),
        "reply"
            | "reply to this comment"
            | "reply to this"
            | "report abuse"
            | "antworten"
            | "beantworten"
            | "répondre"
            | "responder"
            | "rispondi"
            | "balas"
            | "odpowiedz"
            | "reageer"
            | "reageren"
            | "svara"
            | "vastaa"
            | "ответить"
    ) || [
        " says:",
        " said:",
        " schreibt:",
        " sagt:",
        " dice:",
        " dit :",
        " a dit :",
        " berkata:",
        " wrote:",
    ]
    .iter()
    .any(|end| text.trim_end().to_lowercase().ends_with(end))
}

/// Containers beside the story's that continue it: prose-rich, few links, not furniture,
/// among the children of its parent and grandparent.
fn story_siblings(containers: &[Container], best: usize) -> Vec<usize> {
    let best_positive = containers[best].positive;
    let mut found = Vec::new();
    let mut child = best;
    for _ in 0..2 {
        let Some(parent) = containers[child].parent else {
            break;
        };
        if containers[parent].furniture {
            break;
        }
        for (index, c) in containers.iter().enumerate().skip(parent + 1) {
            if c.parent != Some(parent) || index == child {
                continue;
            }
            if !c.furniture
                && c.score > 0.0
                && c.positive >= (0.2 * best_positive).max(100.0)
                && c.link_chars < 0.3 * c.chars
            {
                found.push(index);
            }
        }
        child = parent;
    }
    found
}

/// A paragraph full of inline links that is still prose (a round-up): several links with
/// sentences around them, not one link over the whole block.
fn is_linked_prose(block: &Block) -> bool {
    if block.links < 2 || block.link_chars >= block.chars {
        return false;
    }
    let (words, stops) = (block.words, block.stops);
    words >= 12 && stops * 5 >= words && (block.chars - block.link_chars) * 5 >= block.chars
}

/// Prose: a long block, or a sentence dense in function words, in any language.
pub(crate) fn is_prose(text: &str, chars: usize) -> bool {
    let (words, stops) = stopwords::density(text);
    is_prose_counted(text, chars, words, stops)
}

/// [`is_prose`] with the text's words and stopwords already counted.
pub(super) fn is_prose_counted(text: &str, chars: usize, words: usize, stops: usize) -> bool {
    if stopwords::unspaced_script(text) {
        return chars >= 30;
    }
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

    const PARAGRAPH: &str = "The council said on Monday that the new bridge over the river would open to traffic in the spring, after two years of work and a long dispute over its cost.";

    #[test]
    fn a_furniture_word_on_a_page_wide_wrapper_keeps_the_story() {
        let page = format!(
            r#"<html><body><div id="page-footer"><div class="main">
<p>{PARAGRAPH}</p><p>Second, {PARAGRAPH}</p><p>Third, {PARAGRAPH}</p>
</div><div class="links"><a href="/a">Home</a></div></div></body></html>"#
        );
        let extracted = extract(&page);
        assert_eq!(extracted.blocks.len(), 3, "{:?}", extracted.blocks);
    }

    #[test]
    fn a_comment_thread_found_by_its_reply_links_is_dropped() {
        let comment = |n: u32| {
            format!(
                r#"<div><b>Reader {n}</b><p>I think that the council should have asked the people who live near the river before it decided anything at all.</p><a href="/reply">Reply</a></div>"#
            )
        };
        let page = format!(
            r#"<html><body><div><p>{PARAGRAPH}</p><p>{PARAGRAPH} Again.</p>{}{}{}</div></body></html>"#,
            comment(1),
            comment(2),
            comment(3)
        );
        let extracted = extract(&page);
        assert_eq!(extracted.blocks.len(), 2, "{:?}", extracted.blocks);
    }

    #[test]
    fn a_paragraph_of_inline_links_is_kept_and_a_link_list_is_not() {
        let page = format!(
            r#"<html><body><article><p>{PARAGRAPH}</p>
<p>This week we read <a href="/1">the mayor's long letter to the council</a>, <a href="/2">a report on the bridge and its cost</a> and <a href="/3">an interview with the engineers</a>, and it is all worth the time.</p>
<ul><li><a href="/x">Another story about the weather</a></li><li><a href="/y">Sport results of the day</a></li></ul>
<p>{PARAGRAPH} The end.</p></article></body></html>"#
        );
        let extracted = extract(&page);
        assert_eq!(extracted.blocks.len(), 3, "{:?}", extracted.blocks);
        assert!(extracted.blocks[1].starts_with("This week we read"));
    }

    #[test]
    fn a_link_with_a_furniture_class_stays_in_its_sentence() {
        let page = format!(
            r#"<html><body><article><p>{PARAGRAPH}</p><p>The late <a class="popup" href="/n">John Jacob Astor</a> had a good opinion of the lawyer, who did a snug business among rich men's bonds.</p></article></body></html>"#
        );
        let extracted = extract(&page);
        assert_eq!(extracted.blocks.len(), 2, "{:?}", extracted.blocks);
        assert!(extracted.blocks[1].starts_with("The late John Jacob Astor had"));
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

#[cfg(test)]
mod debug_page {
    /// `KABAR_DEBUG_PAGE=page.html cargo test -p kabar-pipeline debug_page -- --ignored --nocapture`
    #[test]
    #[ignore = "a development aid: prints how a page is read"]
    fn debug_page() {
        let Ok(path) = std::env::var("KABAR_DEBUG_PAGE") else {
            return;
        };
        let page = std::fs::read_to_string(path).expect("page");
        let document = super::Html::parse_document(&page);
        let (mut containers, blocks) = super::walk(&document);
        super::weigh_marks(&mut containers, &blocks);
        for block in &blocks {
            let mut chain = Vec::new();
            let mut current = Some(block.owner);
            while let Some(index) = current {
                let c = &containers[index];
                chain.push(format!(
                    "{index}{}{}{}",
                    if c.furniture { "F" } else { "" },
                    if c.comment { "C" } else { "" },
                    if c.bonus { "B" } else { "" }
                ));
                current = c.parent;
            }
            let value = super::block_value(block, &containers);
            let text: String = block.text.chars().take(70).collect();
            eprintln!("{value:8.1} [{}] {text}", chain.join("<"));
        }
        let extracted = super::extract(&page);
        for block in extracted.blocks {
            eprintln!("KEPT {}", block.chars().take(100).collect::<String>());
        }
    }
}
