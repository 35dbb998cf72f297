//! The walk over a parsed page: containers (paragraph-level elements, and any element marked
//! as furniture) and the text blocks inside them, with the signals the scorer needs (link
//! characters, headings, furniture marks from tag, class, id, role and microdata).

use std::sync::LazyLock;

use regex::Regex;

use super::stopwords;
use super::tree::{ElementRef, Html, Kind};

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

/// One paragraph-level run of text, with what the scorer asks of it counted once.
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
    /// Words and function words ([`stopwords::density`]).
    pub(super) words: usize,
    pub(super) stops: usize,
    /// Prose ([`is_prose`](super::html::is_prose)).
    pub(super) prose: bool,
    /// A reply link or "X says:" label of a comment thread.
    pub(super) reply: bool,
}

impl Block {
    pub(super) fn new(
        text: &str,
        link_chars: usize,
        links: u32,
        owner: usize,
        heading: bool,
    ) -> Self {
        let chars = text.chars().count();
        let (words, stops) = stopwords::density(text);
        Self {
            chars,
            link_chars,
            owner,
            heading,
            links,
            words,
            stops,
            prose: super::html::is_prose_counted(text, chars, words, stops),
            reply: super::html::is_reply_marker(text),
            text: text.to_owned(),
        }
    }
}

/// True when `haystack` contains the lowercase ASCII `needle`, ignoring ASCII case.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Class or id naming a comment thread ("comments", "commentlist", "wp-comment-form",
/// "disqus_thread", "respond").
fn class_id_is_comment(element: ElementRef<'_, '_>) -> bool {
    [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(str::split_ascii_whitespace)
        .any(|token| {
            (contains_ignore_case(token, "comment")
                && !contains_ignore_case(token, "no-comment")
                && !contains_ignore_case(token, "nocomment"))
                || contains_ignore_case(token, "disqus")
                || contains_ignore_case(token, "livefyre")
                || token.eq_ignore_ascii_case("respond")
                || token.eq_ignore_ascii_case("replies")
        })
}

fn class_id_is_furniture(element: ElementRef<'_, '_>) -> bool {
    let mut part_buffer = String::new();
    [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(str::split_ascii_whitespace)
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

/// An inline style that hides the element (`display: none`).
fn style_hides(style: &str) -> bool {
    style.split(';').any(|declaration| {
        declaration
            .split_once(':')
            .is_some_and(|(property, value)| {
                property.trim().eq_ignore_ascii_case("display")
                    && value
                        .trim_start()
                        .get(..4)
                        .is_some_and(|v| v.eq_ignore_ascii_case("none"))
            })
    })
}

/// What an element's tag, class, id, role and microdata say about it.
#[derive(Debug, Default)]
struct Marks {
    furniture: bool,
    comment: bool,
    /// Furniture only for being a `<header>` (see [`Container::header`]).
    header: bool,
    bonus: bool,
}

fn marks(element: ElementRef<'_, '_>) -> Marks {
    let name = element.name();
    let class_furniture = class_id_is_furniture(element);
    let comment = class_id_is_comment(element);
    let role = element.attr("role");
    let furniture = !matches!(name, "body" | "html" | "main" | "article")
        && (is_furniture_tag(name)
            || element.attr("hidden").is_some()
            || element.attr("aria-hidden") == Some("true")
            || element.attr("style").is_some_and(style_hides)
            || element.attr("itemprop").is_some_and(is_metadata_itemprop)
            || matches!(
                role,
                Some("navigation" | "banner" | "contentinfo" | "complementary" | "menu")
            )
            || class_furniture
            || comment);
    Marks {
        furniture,
        comment: furniture && comment,
        header: name == "header" && !class_furniture && role.is_none(),
        bonus: has_bonus(element),
    }
}

#[cfg(test)]
fn is_furniture(element: ElementRef<'_, '_>) -> bool {
    marks(element).furniture
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

fn has_bonus(element: ElementRef<'_, '_>) -> bool {
    element.attr("itemprop") == Some("articleBody")
        || element.name() == "article"
        || [element.attr("class"), element.attr("id")]
            .into_iter()
            .flatten()
            .any(|v| CONTENT_CLASS.is_match(v))
}

/// The text being gathered into the next block.
#[derive(Default)]
struct Gathered {
    text: String,
    link_chars: usize,
    links: u32,
}

impl Gathered {
    /// Ends the current block (if it has text) as a block of `owner`.
    fn flush(&mut self, blocks: &mut Vec<Block>, owner: usize, heading: bool) {
        let text = self.text.trim();
        if !text.is_empty() {
            blocks.push(Block::new(
                text,
                self.link_chars,
                self.links,
                owner,
                heading,
            ));
        }
        self.text.clear();
        self.link_chars = 0;
        self.links = 0;
    }
}

/// An open element whose end changes the walk's state.
struct Open {
    end: u32,
    block: bool,
    container: bool,
    link: bool,
    h1: bool,
}

/// Walks the page once, in document order, collecting containers and text blocks.
pub(super) fn walk(document: &Html<'_>) -> (Vec<Container>, Vec<Block>) {
    let nodes = &document.nodes;
    let mut containers = vec![Container::new(None)];
    let mut blocks = Vec::new();
    // Open containers, innermost last.
    let mut stack: Vec<usize> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut gathered = Gathered::default();
    let mut link_open = false;
    let mut link_depth = 0usize;
    let mut heading_depth = 0usize;

    let close = |element: Open,
                 stack: &mut Vec<usize>,
                 gathered: &mut Gathered,
                 blocks: &mut Vec<Block>,
                 link_depth: &mut usize,
                 heading_depth: &mut usize| {
        if element.block || element.container {
            let owner = stack.last().copied().unwrap_or(0);
            gathered.flush(blocks, owner, *heading_depth > 0);
        }
        if element.container {
            stack.pop();
        }
        if element.link {
            *link_depth = link_depth.saturating_sub(1);
        }
        if element.h1 {
            *heading_depth = heading_depth.saturating_sub(1);
        }
    };

    let mut i = 1;
    while i < nodes.len() {
        while open.last().is_some_and(|o| o.end as usize <= i) {
            if let Some(element) = open.pop() {
                close(
                    element,
                    &mut stack,
                    &mut gathered,
                    &mut blocks,
                    &mut link_depth,
                    &mut heading_depth,
                );
            }
        }
        let node = &nodes[i];
        match &node.kind {
            Kind::Element { name, .. } => {
                let name: &str = name;
                if is_skipped_tag(name) {
                    i = node.end as usize;
                    continue;
                }
                let element = ElementRef::new(document, i as u32);
                let block = is_block_tag(name);
                // A link's class says what it does ("popup", "share"), not whether its words
                // belong to the sentence around it: links are never marked, their characters
                // count as link text.
                let marks = if name == "a" {
                    Marks::default()
                } else {
                    marks(element)
                };
                // Inline furniture (hover cards, share icons, screen-reader labels) would mix
                // into the paragraph around it: it is skipped whole.
                if marks.furniture && !block {
                    i = node.end as usize;
                    continue;
                }
                if block {
                    let owner = stack.last().copied().unwrap_or(0);
                    gathered.flush(&mut blocks, owner, heading_depth > 0);
                }
                let container = block || marks.furniture;
                if container {
                    let parent = stack.last().copied().unwrap_or(0);
                    let mut c = Container::new(Some(parent));
                    c.furniture = marks.furniture;
                    c.bonus = marks.bonus;
                    c.comment = marks.comment;
                    c.header = marks.header;
                    containers.push(c);
                    stack.push(containers.len() - 1);
                }
                let link = name == "a";
                let h1 = name == "h1";
                if link {
                    link_depth += 1;
                    link_open = true;
                }
                if h1 {
                    heading_depth += 1;
                }
                if block || container || link || h1 {
                    open.push(Open {
                        end: node.end,
                        block,
                        container,
                        link,
                        h1,
                    });
                }
            }
            Kind::Text(text) => {
                append_collapsed(&mut gathered.text, text);
                if link_depth > 0 {
                    let chars = text
                        .split_whitespace()
                        .map(|w| w.chars().count())
                        .sum::<usize>();
                    gathered.link_chars += chars;
                    if link_open && chars > 0 {
                        gathered.links += 1;
                        link_open = false;
                    }
                }
            }
            Kind::Document => {}
        }
        i += 1;
    }
    while let Some(element) = open.pop() {
        close(
            element,
            &mut stack,
            &mut gathered,
            &mut blocks,
            &mut link_depth,
            &mut heading_depth,
        );
    }
    gathered.flush(&mut blocks, 0, false);
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
        let page = Html::parse_document(
            r#"<div class="content-with-sidebar-wrp">a</div><div class="post-share-buttons">b</div><div class="has-sidebar">c</div>"#,
        );
        let marks: Vec<bool> = page
            .elements()
            .filter(|e| e.name() == "div")
            .map(is_furniture)
            .collect();
        assert_eq!(marks, vec![false, true, false]);
    }

    #[test]
    fn hidden_elements_are_furniture() {
        let page = Html::parse_document(
            r#"<div style="color: red; DISPLAY : none">a</div><div style="display:block">b</div><div aria-hidden="true">c</div>"#,
        );
        let marks: Vec<bool> = page
            .elements()
            .filter(|e| e.name() == "div")
            .map(is_furniture)
            .collect();
        assert_eq!(marks, vec![true, false, true]);
    }
}
