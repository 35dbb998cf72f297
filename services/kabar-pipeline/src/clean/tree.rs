//! A light HTML tree for extraction, built in one pass over the page.
//!
//! A browser's tree builder (html5ever's, through `scraper`) was half of the cleaning time: it
//! allocates every node, atomises every name and keeps spans of text in refcounted buffers.
//! Extraction needs less: elements with their attributes and the text between them, nested as a
//! browser would nest them where that changes which text belongs to which block. So this module
//! tokenizes the page itself (`memchr` to the next `<`, character references decoded with the
//! HTML standard's table from `markup5ever`) and applies the tree-building rules that matter
//! for text: void elements, raw-text elements (`script`, `style`, `title`, `textarea`...),
//! implied end tags (`p`, `li`, `dd`/`dt`, table cells and rows, `option`, headings, `a`), end
//! tags that close only what is open in scope, text and body elements moving out of `<head>`,
//! and `</p>` or `</br>` without a start. It does not move nodes (no foster parenting or
//! adoption agency), so the nodes stay in document order: a subtree is the range of nodes up to
//! its `end`, and text and attributes borrow the page unless they hold a character reference.

use std::borrow::Cow;

use super::charref::decode;

/// A parsed page: its nodes in document order, the first being the document itself.
#[derive(Debug)]
pub struct Html<'a> {
    pub(super) nodes: Vec<Node<'a>>,
    attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

#[derive(Debug)]
pub(super) struct Node<'a> {
    /// The parent's index; the document node is its own parent.
    pub(super) parent: u32,
    /// One past the last node of this node's subtree.
    pub(super) end: u32,
    pub(super) kind: Kind<'a>,
}

#[derive(Debug)]
pub(super) enum Kind<'a> {
    Document,
    /// An element: its lowercase name and its attributes' range in [`Html::attrs`].
    Element {
        name: Cow<'a, str>,
        attrs: (u32, u32),
    },
    Text(Cow<'a, str>),
}

/// One element of a page, as `scraper`'s `ElementRef` offers it: name, attributes and text.
#[derive(Debug, Clone, Copy)]
pub struct ElementRef<'d, 'a> {
    document: &'d Html<'a>,
    index: u32,
}

impl<'d, 'a> ElementRef<'d, 'a> {
    pub(super) fn new(document: &'d Html<'a>, index: u32) -> Self {
        Self { document, index }
    }

    /// The element itself (for code written against `scraper`: `element.value().attr(..)`).
    pub fn value(self) -> Self {
        self
    }

    pub fn name(self) -> &'d str {
        match &self.document.nodes[self.index as usize].kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }

    /// The value of the attribute `name` (lowercase).
    pub fn attr(self, name: &str) -> Option<&'d str> {
        self.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn attrs(self) -> impl Iterator<Item = (&'d str, &'d str)> {
        let (start, end) = match &self.document.nodes[self.index as usize].kind {
            Kind::Element { attrs, .. } => *attrs,
            _ => (0, 0),
        };
        self.document.attrs[start as usize..end as usize]
            .iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// The texts inside the element, in document order.
    pub fn text(self) -> impl Iterator<Item = &'d str> {
        let node = &self.document.nodes[self.index as usize];
        self.document.nodes[self.index as usize + 1..node.end as usize]
            .iter()
            .filter_map(|n| match &n.kind {
                Kind::Text(text) => Some(text.as_ref()),
                _ => None,
            })
    }

    pub fn parent(self) -> Option<Self> {
        let parent = self.document.nodes[self.index as usize].parent;
        (parent != self.index && parent != 0).then_some(Self::new(self.document, parent))
    }
}

impl<'a> Html<'a> {
    /// Parses a page. Never fails: whatever is not markup is text.
    pub fn parse_document(page: &'a str) -> Self {
        let mut builder = Builder {
            page,
            html: Html {
                nodes: Vec::with_capacity(page.len() / 64),
                attrs: Vec::with_capacity(page.len() / 128),
            },
            stack: Vec::with_capacity(64),
            head: None,
            body: false,
            element_made: false,
            tables: 0,
            foreign: 0,
        };
        builder.html.nodes.push(Node {
            parent: 0,
            end: 1,
            kind: Kind::Document,
        });
        builder.run();
        builder.html
    }

    /// Every element, in document order.
    pub fn elements(&self) -> impl Iterator<Item = ElementRef<'_, 'a>> {
        (0..self.nodes.len() as u32)
            .filter(|&i| matches!(self.nodes[i as usize].kind, Kind::Element { .. }))
            .map(|i| ElementRef::new(self, i))
    }
}

/// Elements that never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "image"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose start closes an open `<p>`.
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "li"
            | "dd"
            | "dt"
            | "listing"
            | "xmp"
            | "plaintext"
            | "search"
    )
}

/// The standard's "special" elements: an end tag of another element is not looked for past
/// them.
fn is_special(name: &str) -> bool {
    closes_p(name)
        || is_void(name)
        || matches!(
            name,
            "applet"
                | "body"
                | "button"
                | "caption"
                | "colgroup"
                | "head"
                | "html"
                | "iframe"
                | "marquee"
                | "noembed"
                | "noframes"
                | "noscript"
                | "object"
                | "script"
                | "select"
                | "style"
                | "tbody"
                | "td"
                | "template"
                | "textarea"
                | "tfoot"
                | "th"
                | "thead"
                | "title"
                | "tr"
                | "frameset"
        )
}

/// Elements that may stay in `<head>`; any other start tag moves to the body.
fn belongs_in_head(name: &str) -> bool {
    matches!(
        name,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "title"
            | "noscript"
            | "script"
            | "style"
            | "template"
            | "head"
            | "html"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Where an end tag's search for its element stops.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// The standard's default scope (`td`, `table`, `object`...).
    Default,
    /// Default plus `ol` and `ul`.
    ListItem,
    /// Default plus `button`.
    Button,
    /// `table`, `html` and `template` only.
    Table,
}

fn is_boundary(name: &str, scope: Scope) -> bool {
    match scope {
        Scope::Table => matches!(name, "table" | "html" | "template"),
        _ => {
            matches!(
                name,
                "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object"
            ) || name == "template"
                || (scope == Scope::ListItem && matches!(name, "ol" | "ul"))
                || (scope == Scope::Button && name == "button")
        }
    }
}

struct Builder<'a> {
    page: &'a str,
    html: Html<'a>,
    /// Open elements: their node indices, innermost last.
    stack: Vec<u32>,
    /// The open `<head>`'s place in the stack.
    head: Option<usize>,
    /// A body has been opened (given or implied): later `<head>`/`<body>` tags are ignored.
    body: bool,
    /// An element has been made: a later `<html>` tag only adds attributes in a browser (its
    /// root element already exists), so it opens nothing.
    element_made: bool,
    /// Open `<table>` and foreign (`svg`, `math`) elements.
    tables: u32,
    foreign: u32,
}

/// Stack depth past which elements are still made but not opened, so that no tag costs more
/// than this many steps (pages this deep are refused before parsing by the guard anyway).
const MAX_OPEN: usize = 1024;

/// Attributes kept per element (the rest are read past): finding a repeated name is linear in
/// the attributes kept, and real elements have a handful.
const MAX_ATTRIBUTES: usize = 64;

impl<'a> Builder<'a> {
    fn run(&mut self) {
        let bytes = self.page.as_bytes();
        // A byte order mark is not text (it would open the body before `<head>`).
        let mut pos = if self.page.starts_with('\u{FEFF}') {
            3
        } else {
            0
        };
        while pos < bytes.len() {
            let lt = memchr::memchr(b'<', &bytes[pos..]).map_or(bytes.len(), |o| pos + o);
            if lt > pos {
                self.text(&self.page[pos..lt], true);
            }
            if lt >= bytes.len() {
                break;
            }
            pos = self.markup(lt);
        }
        let end = self.html.nodes.len() as u32;
        for &open in &self.stack {
            self.html.nodes[open as usize].end = end;
        }
        self.html.nodes[0].end = end;
    }

    fn name_of(&self, index: u32) -> &str {
        match &self.html.nodes[index as usize].kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }

    fn current(&self) -> u32 {
        self.stack.last().copied().unwrap_or(0)
    }

    /// The markup starting at `lt` (a `<`); returns where the text after it starts.
    fn markup(&mut self, lt: usize) -> usize {
        let bytes = self.page.as_bytes();
        let len = bytes.len();
        let next = bytes.get(lt + 1).copied().unwrap_or(0);
        let after_gt = |from: usize| {
            memchr::memchr(b'>', &bytes[from.min(len)..]).map_or(len, |p| from + p + 1)
        };
        match next {
            b'!' => {
                if bytes[lt..].starts_with(b"<!--") {
                    let body = lt + 4;
                    if bytes.get(body) == Some(&b'>') {
                        return body + 1;
                    }
                    if bytes[body.min(len)..].starts_with(b"->") {
                        return body + 2;
                    }
                    return memchr::memmem::find(&bytes[body.min(len)..], b"-->")
                        .map_or(len, |p| body + p + 3);
                }
                after_gt(lt + 2)
            }
            b'?' => after_gt(lt + 2),
            b'/' => {
                let start = lt + 2;
                match bytes.get(start) {
                    Some(b) if b.is_ascii_alphabetic() => {
                        let name_end = tag_name_end(bytes, start);
                        let (end, _) = self.attributes(name_end, false);
                        if end <= len {
                            let name = lower(&self.page[start..name_end]);
                            self.end_tag(&name);
                        }
                        end.min(len)
                    }
                    Some(b'>') => start + 1,
                    Some(_) => after_gt(start),
                    None => {
                        self.text(&self.page[lt..], false);
                        len
                    }
                }
            }
            b if b.is_ascii_alphabetic() => {
                let start = lt + 1;
                let name_end = tag_name_end(bytes, start);
                let attrs_start = self.html.attrs.len() as u32;
                let (end, self_closing) = self.attributes(name_end, true);
                if end > len {
                    // A tag cut off by the end of the page is dropped, as browsers do.
                    self.html.attrs.truncate(attrs_start as usize);
                    return len;
                }
                let name = lower(&self.page[start..name_end]);
                let raw = raw_text_kind(&name);
                let attrs = (attrs_start, self.html.attrs.len() as u32);
                let opened = self.start_tag(name, attrs, self_closing);
                match raw {
                    Some(escapable) if opened => self.raw_text(end, escapable),
                    _ => end,
                }
            }
            _ => {
                self.text(&self.page[lt..lt + 1], false);
                lt + 1
            }
        }
    }

    /// Reads attributes from `from` to the tag's `>`; returns the position after it and whether
    /// the tag ended in `/>`. Attributes are kept only when `keep`.
    fn attributes(&mut self, from: usize, keep: bool) -> (usize, bool) {
        let bytes = self.page.as_bytes();
        let len = bytes.len();
        let first = self.html.attrs.len();
        let mut i = from;
        let mut self_closing = false;
        loop {
            while i < len && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                self_closing = bytes[i] == b'/';
                i += 1;
            }
            if i >= len {
                return (len + 1, false);
            }
            if bytes[i] == b'>' {
                return (i + 1, self_closing);
            }
            self_closing = false;
            let name_start = i;
            i += 1;
            while i < len
                && !matches!(
                    bytes[i],
                    b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>' | b'='
                )
            {
                i += 1;
            }
            let name_end = i;
            while i < len && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let mut value: &str = "";
            if i < len && bytes[i] == b'=' {
                i += 1;
                while i < len && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let Some(close) = memchr::memchr(quote, &bytes[i + 1..]) else {
                            return (len + 1, false);
                        };
                        value = &self.page[i + 1..i + 1 + close];
                        i += close + 2;
                    }
                    Some(_) => {
                        let start = i;
                        while i < len && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                            i += 1;
                        }
                        value = &self.page[start..i];
                    }
                    None => {}
                }
            }
            if keep && self.html.attrs.len() - first < MAX_ATTRIBUTES {
                let name = lower(&self.page[name_start..name_end]);
                // The first of two attributes with one name wins.
                if !self.html.attrs[first..].iter().any(|(n, _)| *n == name) {
                    self.html.attrs.push((name, decode(value, true)));
                }
            }
        }
    }

    /// After a raw-text element's start tag: its content up to its end tag is one text, with
    /// its character references decoded when `escapable` (`title`, `textarea`).
    fn raw_text(&mut self, from: usize, escapable: bool) -> usize {
        let name = self.name_of(self.current()).to_owned();
        if name == "plaintext" {
            self.text(&self.page[from..], false);
            return self.page.len();
        }
        let bytes = self.page.as_bytes();
        let mut search = from;
        let (content_end, after) = loop {
            let Some(p) = memchr::memmem::find(&bytes[search..], b"</") else {
                break (bytes.len(), bytes.len());
            };
            let at = search + p;
            let name_end = at + 2 + name.len();
            if bytes.len() >= name_end
                && bytes[at + 2..name_end].eq_ignore_ascii_case(name.as_bytes())
                && bytes
                    .get(name_end)
                    .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
            {
                let after = memchr::memchr(b'>', &bytes[name_end..])
                    .map_or(bytes.len(), |q| name_end + q + 1);
                break (at, after);
            }
            search = at + 2;
        };
        let content = &self.page[from..content_end];
        if !content.is_empty() {
            let text = if escapable {
                decode(content, false)
            } else {
                Cow::Borrowed(content)
            };
            self.push_node(Kind::Text(text), false);
        }
        self.pop_to(self.stack.len() - 1);
        after
    }

    fn push_node(&mut self, kind: Kind<'a>, open: bool) -> u32 {
        let index = self.html.nodes.len() as u32;
        self.element_made |= matches!(kind, Kind::Element { .. });
        self.html.nodes.push(Node {
            parent: self.current(),
            end: index + 1,
            kind,
        });
        if open {
            self.stack.push(index);
        }
        index
    }

    /// Closes the open elements from `depth` (a stack position) up.
    fn pop_to(&mut self, depth: usize) {
        let end = self.html.nodes.len() as u32;
        while self.stack.len() > depth {
            let Some(index) = self.stack.pop() else { break };
            self.html.nodes[index as usize].end = end;
            match self.name_of(index) {
                "table" => self.tables = self.tables.saturating_sub(1),
                "svg" | "math" => self.foreign = self.foreign.saturating_sub(1),
                _ => {}
            }
        }
        if self.head.is_some_and(|h| h >= self.stack.len()) {
            self.head = None;
        }
    }

    /// The stack position of the innermost open `target`, searching down to a boundary of
    /// `scope`.
    fn in_scope(&self, target: impl Fn(&str) -> bool, scope: Scope) -> Option<usize> {
        for depth in (0..self.stack.len()).rev() {
            let name = self.name_of(self.stack[depth]);
            if target(name) {
                return Some(depth);
            }
            if is_boundary(name, scope) {
                return None;
            }
        }
        None
    }

    fn close_p(&mut self) {
        if let Some(depth) = self.in_scope(|n| n == "p", Scope::Button) {
            self.pop_to(depth);
        }
    }

    /// Leaves `<head>` and opens the body (given or implied) if none is open.
    fn ensure_body(&mut self) {
        if let Some(head) = self.head {
            self.pop_to(head);
        }
        if !self.body {
            self.body = true;
            self.push_node(
                Kind::Element {
                    name: Cow::Borrowed("body"),
                    attrs: (0, 0),
                },
                true,
            );
        }
    }

    fn text(&mut self, raw: &'a str, decoded: bool) {
        if (self.head.is_some() || !self.body)
            && self.foreign == 0
            && !raw.bytes().all(|b| b.is_ascii_whitespace())
        {
            self.ensure_body();
        }
        let text = if decoded {
            decode(raw, false)
        } else {
            Cow::Borrowed(raw)
        };
        self.push_node(Kind::Text(text), false);
    }

    /// Handles a start tag; true when the element was opened (it may hold raw text).
    fn start_tag(&mut self, name: Cow<'a, str>, attrs: (u32, u32), self_closing: bool) -> bool {
        let n: &str = &name;
        match n {
            "html" => {
                if self.element_made {
                    return false;
                }
            }
            "head" => {
                if self.body || self.head.is_some() {
                    return false;
                }
                self.head = Some(self.stack.len());
            }
            "body" => {
                if self.body {
                    return false;
                }
                if let Some(head) = self.head {
                    self.pop_to(head);
                }
                self.body = true;
            }
            _ => {
                if self.foreign == 0 && !belongs_in_head(n) && (self.head.is_some() || !self.body) {
                    self.ensure_body();
                }
            }
        }
        if self.foreign == 0 && !self.implied_ends(n) {
            return false;
        }
        let void =
            is_void(n) || (self_closing && (self.foreign > 0 || matches!(n, "svg" | "math")));
        let open = !void && self.stack.len() < MAX_OPEN;
        match n {
            "table" if open => self.tables += 1,
            "svg" | "math" if open => self.foreign += 1,
            _ => {}
        }
        self.push_node(Kind::Element { name, attrs }, open);
        open
    }

    /// Closes what a start tag of `name` implies; false when the tag is to be ignored.
    fn implied_ends(&mut self, name: &str) -> bool {
        if closes_p(name) {
            self.close_p();
        }
        match name {
            "li" => self.close_item(|n| n == "li"),
            "dd" | "dt" => self.close_item(|n| matches!(n, "dd" | "dt")),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if is_heading(self.name_of(self.current())) => {
                self.pop_to(self.stack.len() - 1);
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" | "col" | "colgroup" => {
                if self.tables == 0 {
                    return false;
                }
                let closes: fn(&str) -> bool = match name {
                    "td" | "th" => |n| matches!(n, "td" | "th"),
                    "tr" => |n| n == "tr",
                    "tbody" | "thead" | "tfoot" => |n| matches!(n, "tbody" | "thead" | "tfoot"),
                    _ => |_| false,
                };
                if let Some(depth) = self.in_scope(closes, Scope::Table) {
                    self.pop_to(depth);
                }
            }
            "a" => {
                if let Some(depth) = self.in_scope(|n| n == "a", Scope::Default) {
                    self.pop_to(depth);
                }
            }
            "button" => {
                if let Some(depth) = self.in_scope(|n| n == "button", Scope::Default) {
                    self.pop_to(depth);
                }
            }
            "option" | "optgroup" => {
                let top = self.name_of(self.current());
                if top == "option" || (name == "optgroup" && top == "optgroup") {
                    self.pop_to(self.stack.len() - 1);
                }
            }
            _ => {}
        }
        true
    }

    /// Closes an open list item (`li`, or `dd`/`dt`) unless a special element other than
    /// `address`, `div` or `p` is in between.
    fn close_item(&mut self, item: fn(&str) -> bool) {
        for depth in (0..self.stack.len()).rev() {
            let name = self.name_of(self.stack[depth]);
            if item(name) {
                self.pop_to(depth);
                return;
            }
            if is_special(name) && !matches!(name, "address" | "div" | "p") {
                return;
            }
        }
    }

    fn end_tag(&mut self, name: &str) {
        let depth = match name {
            "body" | "html" => return,
            "head" => self.head,
            "br" => {
                self.start_tag(Cow::Borrowed("br"), (0, 0), false);
                return;
            }
            "p" => {
                let found = self.in_scope(|n| n == "p", Scope::Button);
                if found.is_none() {
                    // `</p>` with no paragraph open makes an empty one: a break in the text.
                    if self.start_tag(Cow::Borrowed("p"), (0, 0), false) {
                        self.pop_to(self.stack.len() - 1);
                    }
                    return;
                }
                found
            }
            "li" => self.in_scope(|n| n == "li", Scope::ListItem),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.in_scope(is_heading, Scope::Default),
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" => {
                self.in_scope(|n| n == name, Scope::Table)
            }
            "table" => self.in_scope(|n| n == "table", Scope::Table),
            _ if self.foreign > 0 || is_special(name) => {
                self.in_scope(|n| n == name, Scope::Default)
            }
            _ => {
                // Any other element: the innermost open one, unless a special element is open
                // inside it (a stray `</span>` does not close the `<div>` around it).
                let mut found = None;
                for depth in (0..self.stack.len()).rev() {
                    let open = self.name_of(self.stack[depth]);
                    if open == name {
                        found = Some(depth);
                        break;
                    }
                    if is_special(open) {
                        break;
                    }
                }
                found
            }
        };
        if let Some(depth) = depth {
            self.pop_to(depth);
        }
    }
}

/// Elements whose content is text up to their end tag: `Some(true)` when character
/// references in it are decoded.
fn raw_text_kind(name: &str) -> Option<bool> {
    match name {
        "title" | "textarea" => Some(true),
        "script" | "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript"
        | "plaintext" => Some(false),
        _ => None,
    }
}

/// Where a tag name that starts at `start` ends.
fn tag_name_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(bytes.len(), |p| start + p)
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as nested names and texts, for assertions.
    fn shape(html: &Html<'_>) -> String {
        let mut out = String::new();
        let mut closes: Vec<u32> = Vec::new();
        for (i, node) in html.nodes.iter().enumerate().skip(1) {
            while closes.last().is_some_and(|&end| end as usize <= i) {
                closes.pop();
                out.push(')');
            }
            match &node.kind {
                Kind::Element { name, .. } => {
                    out.push_str(name);
                    out.push('(');
                    closes.push(node.end);
                }
                Kind::Text(text) => {
                    out.push('"');
                    out.push_str(text);
                    out.push('"');
                }
                Kind::Document => {}
            }
        }
        for _ in closes {
            out.push(')');
        }
        out
    }

    #[test]
    fn builds_the_tree_a_browser_would_for_text() {
        let page = "<!DOCTYPE html><html><head><title>A &amp; B</title><meta charset=utf-8></head>\
            <body><p>one<p>two<ul><li>a<li>b</ul><div>x</span>y</div></p><table><tr><td>c<td>d</table></body></html>";
        assert_eq!(
            shape(&Html::parse_document(page)),
            r#"html(head(title("A & B")meta())body(p("one")p("two")ul(li("a")li("b"))div("x""y")p()table(tr(td("c")td("d")))))"#
        );
    }

    #[test]
    fn text_in_head_opens_the_body_and_scripts_are_raw() {
        let page = "<html><head><meta name=a>Stray text<script>if (a<b) x = '</div>';</script>\
            <style>p{}</style></head><body class=x><p>Story</p>";
        assert_eq!(
            shape(&Html::parse_document(page)),
            r#"html(head(meta())body("Stray text"script("if (a<b) x = '</div>';")style("p{}")p("Story")))"#
        );
    }

    #[test]
    fn a_page_pasted_inside_a_page_opens_no_second_root() {
        let page = "<!DOCTYPE html><head><title>t</title></head><body><article>\
            <!DOCTYPE html><html><body><p>a</p></body></html></article><p>b</p>";
        assert_eq!(
            shape(&Html::parse_document(page)),
            r#"head(title("t"))body(article(p("a"))p("b"))"#
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_text() {
        let page = "\u{FEFF}<html><head><title>t</title></head><body>b";
        assert_eq!(
            shape(&Html::parse_document(page)),
            r#"html(head(title("t"))body("b"))"#
        );
    }

    #[test]
    fn attributes_are_read_and_decoded() {
        let page = r#"<div CLASS="a b" id=main data-x='q"t' title="x &amp; y &copy=1" hidden class=dup>t</div>"#;
        let html = Html::parse_document(page);
        let div = html.elements().find(|e| e.name() == "div").expect("div");
        assert_eq!(div.attr("class"), Some("a b"));
        assert_eq!(div.attr("id"), Some("main"));
        assert_eq!(div.attr("data-x"), Some("q\"t"));
        assert_eq!(div.attr("title"), Some("x & y &copy=1"));
        assert_eq!(div.attr("hidden"), Some(""));
        assert_eq!(div.text().collect::<String>(), "t");
    }

    #[test]
    fn a_tag_with_very_many_attributes_keeps_the_first() {
        let mut page = String::from("<div id=first");
        for i in 0..100_000 {
            page.push_str(&format!(" a{i}"));
        }
        page.push_str(">text</div>");
        let html = Html::parse_document(&page);
        let div = html.elements().find(|e| e.name() == "div").expect("div");
        assert_eq!(div.attr("id"), Some("first"));
        assert_eq!(div.attrs().count(), MAX_ATTRIBUTES);
        assert_eq!(div.text().collect::<String>(), "text");
    }

    #[test]
    fn comments_and_cut_tags_leave_no_text() {
        let page = "<p>a<!-- <p>b</p> -->c<!--->d<?php x ?>e</p><p>f<img src=x";
        assert_eq!(
            shape(&Html::parse_document(page)),
            r#"body(p("a""c""d""e")p("f"))"#
        );
    }
}
