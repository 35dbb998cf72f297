//! The walk over a parsed page: containers (paragraph-level elements, and any element marked
//! as furniture) and the text blocks inside them, with the signals the scorer needs (link
//! characters, headings, furniture marks from tag, class, id, role and microdata).

use std::sync::LazyLock;

use ego_tree::iter::Edge;
use regex::Regex;
use scraper::{Html, Node};

/// Tags whose content is never text of the page.
fn is_skipped_tag(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "iframe"
            | "select"
            | "button"
            | "object"
            | "canvas"
            | "math"
            | "textarea"
            | "dialog"
    )
}

/// Tags that never hold the story (their text counts against the container holding them).
fn is_furniture_tag(name: &str) -> bool {
    matches!(
        name,
        "nav" | "footer" | "aside" | "menu" | "header" | "figcaption"
    )
}

/// Tags that end a block of text.
fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "figure"
            | "figcaption"
            | "dd"
            | "dt"
            | "dl"
            | "br"
            | "hr"
            | "address"
            | "center"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "form"
            | "body"
            | "caption"
            | "details"
            | "summary"
            | "fieldset"
            | "legend"
            | "tbody"
            | "thead"
    )
}

/// Class or id words that mark furniture, matched against the parts of each class/id token
/// (split at `-` and `_`), lowercase. Sorted, for binary search.
pub(super) const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "banner",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "caption",
    "comment",
    "comments",
    "consent",
    "cookie",
    "cookies",
    "credit",
    "dateline",
    "disclaimer",
    "disqus",
    "footer",
    "gdpr",
    "legal",
    "login",
    "masthead",
    "menu",
    "modal",
    "nav",
    "navbar",
    "navigation",
    "newsletter",
    "outbrain",
    "pager",
    "pagination",
    "poll",
    "popover",
    "popular",
    "popup",
    "promo",
    "recommendations",
    "recommended",
    "related",
    "replies",
    "reply",
    "respond",
    "rollover",
    "share",
    "shares",
    "sharing",
    "sidebar",
    "signup",
    "skip",
    "social",
    "socials",
    "sponsor",
    "sponsored",
    "sr",
    "subscribe",
    "subscription",
    "taboola",
    "tagcloud",
    "tags",
    "teaser",
    "teasers",
    "timestamp",
    "toolbar",
    "tooltip",
    "trending",
    "visually",
];

/// Class or id words that mark the story's container.
pub(super) static CONTENT_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(
        r"(?i)(?:article[-_]?(?:body|content|text)|entry[-_]?content|post[-_]?(?:body|content|text)|story[-_]?(?:body|content|text)|content[-_]?body|body[-_]?text|main[-_]?content|articlebody|storybody|rich[-_]?text|itemprop)",
    )
    .unwrap()
});

/// One container element (or a furniture-marked inline element) in the walk.
#[derive(Debug)]
pub(super) struct Container {
    pub(super) parent: Option<usize>,
    pub(super) furniture: bool,
    /// Marked as a comment thread (class or id such as `comment`, `disqus`, `respond`, or found
    /// by its reply links): furniture however much prose it holds.
    pub(super) comment: bool,
    /// Furniture only for being a `<header>`: inside the story's container it holds the
    /// standfirst, byline and dateline.
    pub(super) header: bool,
    pub(super) bonus: bool,
    /// Sum of the values of the blocks inside, filled after the walk.
    pub(super) score: f32,
    /// Characters and link characters inside, filled after the walk.
    pub(super) chars: f32,
    pub(super) link_chars: f32,
    /// Characters of prose blocks inside (see [`is_prose`](super::html::is_prose)), filled
    /// after the walk: how much of the page's story a container could hold.
    pub(super) prose: f32,
    /// Sum of the positive block values inside, filled after the walk.
    pub(super) positive: f32,
    /// Reply links ("Reply", "Antworten") inside: comment threads repeat them.
    pub(super) replies: u32,
}

impl Container {
    fn new(parent: Option<usize>) -> Self {
        Self {
            parent,
            furniture: false,
            comment: false,
            header: false,
            bonus: false,
            score: 0.0,
            chars: 0.0,
            link_chars: 0.0,
            prose: 0.0,
            positive: 0.0,
            replies: 0,
        }
    }
}

/// One paragraph-level run of text.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) text: String,
    pub(super) chars: usize,
    pub(super) link_chars: usize,
    pub(super) owner: usize,
    pub(super) heading: bool,
    /// Links with text in the block: one link over the whole block is a teaser, several
    /// inside sentences are a round-up.
    pub(super) links: u32,
}

/// Class or id naming a comment thread ("comments", "commentlist", "wp-comment-form",
/// "disqus_thread", "respond").
fn class_id_is_comment(element: &scraper::node::Element) -> bool {
    [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .any(|token| {
            let lower = token.to_ascii_lowercase();
            (lower.contains("comment")
                && !lower.contains("no-comment")
                && !lower.contains("nocomment"))
                || lower.contains("disqus")
                || lower.contains("livefyre")
                || lower == "respond"
                || lower == "replies"
        })
}

fn class_id_is_furniture(element: &scraper::node::Element) -> bool {
    let mut part_buffer = String::new();
    [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(str::split_whitespace)
        .any(|token| {
            // "has-sidebar", "content-with-sidebar": a layout next to furniture, not furniture.
            if token
                .split(['-', '_'])
                .any(|part| matches!(part, "has" | "with" | "w" | "no" | "without"))
            {
                return false;
            }
            token.split(['-', '_']).any(|part| {
                part_buffer.clear();
                part_buffer.extend(part.chars().map(|c| c.to_ascii_lowercase()));
                FURNITURE_WORDS.binary_search(&part_buffer.as_str()).is_ok()
            })
        })
}

fn is_furniture(element: &scraper::node::Element) -> bool {
    let name = element.name();
    if matches!(name, "body" | "html" | "main" | "article") {
        return false;
    }
    if is_furniture_tag(name) {
        return true;
    }
    if element.attr("hidden").is_some() || element.attr("aria-hidden") == Some("true") {
        return true;
    }
    if element
        .attr("style")
        .is_some_and(|s| s.replace(' ', "").contains("display:none"))
    {
        return true;
    }
    if element.attr("itemprop").is_some_and(is_metadata_itemprop) {
        return true;
    }
    if matches!(
        element.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "complementary" | "menu")
    ) {
        return true;
    }
    class_id_is_furniture(element) || class_id_is_comment(element)
}

/// schema.org microdata properties that describe the article rather than tell it (often
/// hidden by style sheets the extractor never sees).
fn is_metadata_itemprop(value: &str) -> bool {
    value.split_whitespace().any(|v| {
        matches!(
            v,
            "publisher"
                | "image"
                | "logo"
                | "datePublished"
                | "dateModified"
                | "dateCreated"
                | "headline"
                | "width"
                | "height"
                | "value"
                | "keywords"
                | "thumbnailUrl"
                | "articleSection"
                | "inLanguage"
                | "copyrightHolder"
                | "copyrightYear"
                | "interactionStatistic"
                | "aggregateRating"
                | "breadcrumb"
        )
    })
}

fn has_bonus(element: &scraper::node::Element) -> bool {
    element.attr("itemprop") == Some("articleBody")
        || element.name() == "article"
        || [element.attr("class"), element.attr("id")]
            .into_iter()
            .flatten()
            .any(|v| CONTENT_CLASS.is_match(v))
}

/// Walks the page without recursion, collecting containers and text blocks.
pub(super) fn walk(document: &Html) -> (Vec<Container>, Vec<Block>) {
    let mut containers = vec![Container::new(None)];
    let mut blocks = Vec::new();
    // Open containers; the node id tells which close edge pops them.
    let mut stack: Vec<(ego_tree::NodeId, usize)> = Vec::new();
    let mut current = String::new();
    let mut link_chars = 0usize;
    let mut links = 0u32;
    let mut link_open = false;
    let mut link_depth = 0usize;
    let mut heading_depth = 0usize;
    let mut skipping: Option<ego_tree::NodeId> = None;

    let flush = |current: &mut String,
                 link_chars: &mut usize,
                 links: &mut u32,
                 blocks: &mut Vec<Block>,
                 owner: usize,
                 heading: bool| {
        let text = current.trim();
        if !text.is_empty() {
            blocks.push(Block {
                text: text.to_owned(),
                chars: text.chars().count(),
                link_chars: *link_chars,
                owner,
                heading,
                links: *links,
            });
        }
        current.clear();
        *link_chars = 0;
        *links = 0;
    };

    for edge in document.root_element().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        let name = element.name();
                        if is_skipped_tag(name) {
                            skipping = Some(node.id());
                            continue;
                        }
                        let block = is_block_tag(name);
                        // A link's class says what it does ("popup", "share"), not whether its
                        // words belong to the sentence around it: links are never marked, their
                        // characters count as link text.
                        let furniture = name != "a" && is_furniture(element);
                        // Inline furniture (hover cards, share icons, screen-reader labels)
                        // would mix into the paragraph around it: it is skipped whole.
                        if furniture && !block {
                            skipping = Some(node.id());
                            continue;
                        }
                        if block {
                            let owner = stack.last().map_or(0, |s| s.1);
                            flush(
                                &mut current,
                                &mut link_chars,
                                &mut links,
                                &mut blocks,
                                owner,
                                heading_depth > 0,
                            );
                        }
                        if block || furniture {
                            let parent = stack.last().map_or(0, |s| s.1);
                            let mut container = Container::new(Some(parent));
                            container.furniture = furniture;
                            container.bonus = has_bonus(element);
                            container.comment = furniture && class_id_is_comment(element);
                            container.header = name == "header"
                                && !class_id_is_furniture(element)
                                && element.attr("role").is_none();
                            containers.push(container);
                            stack.push((node.id(), containers.len() - 1));
                        }
                        match name {
                            "a" => {
                                link_depth += 1;
                                link_open = true;
                            }
                            "h1" => heading_depth += 1,
                            _ => {}
                        }
                    }
                    Node::Text(text) => {
                        append_collapsed(&mut current, text);
                        if link_depth > 0 {
                            let chars = text
                                .split_whitespace()
                                .map(|w| w.chars().count())
                                .sum::<usize>();
                            link_chars += chars;
                            if link_open && chars > 0 {
                                links += 1;
                                link_open = false;
                            }
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
                    let name = element.name();
                    let is_container = stack.last().is_some_and(|s| s.0 == node.id());
                    if is_block_tag(name) || is_container {
                        let owner = stack.last().map_or(0, |s| s.1);
                        flush(
                            &mut current,
                            &mut link_chars,
                            &mut links,
                            &mut blocks,
                            owner,
                            heading_depth > 0,
                        );
                    }
                    if is_container {
                        stack.pop();
                    }
                    match name {
                        "a" => link_depth = link_depth.saturating_sub(1),
                        "h1" => heading_depth = heading_depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
        }
    }
    flush(
        &mut current,
        &mut link_chars,
        &mut links,
        &mut blocks,
        0,
        false,
    );
    (containers, blocks)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_words_are_sorted() {
        assert!(FURNITURE_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn layout_classes_are_not_furniture() {
        let page = Html::parse_fragment(
            r#"<div class="content-with-sidebar-wrp">a</div><div class="post-share-buttons">b</div><div class="has-sidebar">c</div>"#,
        );
        let marks: Vec<bool> = page
            .root_element()
            .children()
            .filter_map(scraper::ElementRef::wrap)
            .map(|e| is_furniture(e.value()))
            .collect();
        assert_eq!(marks, vec![false, true, false]);
    }
}
