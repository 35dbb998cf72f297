//! Bounds the work on hostile HTML before the real parser sees it.
//!
//! A tree builder's scope searches grow with nesting depth (html5ever's took about 90 s for
//! 50,000 nested `<div>`s; [`tree`](super::tree) caps them) and metadata reading walks up from
//! every element, so a cheap linear pre-scan estimates the nesting depth and the element count;
//! a page past either limit skips the parser and goes through [`strip_tags`], a linear
//! tag-stripping text extraction whose blocks the line classifier then cleans.

/// Deepest estimated nesting the real parser is given; real pages stay well under 100.
pub const MAX_DEPTH: usize = 512;
/// Most start tags the real parser is given; large real pages have about 20,000.
pub const MAX_ELEMENTS: usize = 150_000;

/// Elements that never contain anything, or whose end tag is commonly left out: not counted
/// as nesting.
const NON_NESTING: &[&[u8]] = &[
    b"br",
    b"img",
    b"meta",
    b"link",
    b"input",
    b"hr",
    b"area",
    b"base",
    b"col",
    b"embed",
    b"source",
    b"track",
    b"wbr",
    b"param",
    b"p",
    b"li",
    b"option",
    b"td",
    b"tr",
    b"th",
    b"dt",
    b"dd",
    b"!doctype",
];

/// True when the page is small and shallow enough for the full parser.
pub fn within_limits(page: &str) -> bool {
    let bytes = page.as_bytes();
    let (mut depth, mut elements) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        i += offset + 1;
        let Some(&next) = bytes.get(i) else { break };
        if next == b'/' {
            depth = depth.saturating_sub(1);
            continue;
        }
        if !next.is_ascii_alphabetic() {
            continue;
        }
        let name_end = bytes[i..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |p| i + p);
        let name = &bytes[i..name_end];
        elements += 1;
        if elements > MAX_ELEMENTS {
            return false;
        }
        if NON_NESTING.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        let self_closing = bytes[name_end..]
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|p| p > 0 && bytes[name_end + p - 1] == b'/');
        if !self_closing {
            depth += 1;
            if depth > MAX_DEPTH {
                return false;
            }
        }
    }
    true
}

fn memchr_lt(haystack: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', haystack)
}

/// Tags whose start or end breaks a text block in [`strip_tags`].
const BREAKING: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "table",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figure",
    "figcaption",
    "hr",
    "title",
    "form",
];

/// Linear text extraction: drops tags, comments, scripts and styles; block tags end a line.
pub fn strip_tags(page: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        push_text(&mut current, &rest[..start]);
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(end) = rest.find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !closing && matches!(name.as_str(), "script" | "style" | "noscript" | "template") {
            let close = format!("</{name}");
            let lower_find = find_ascii_case_insensitive(rest, &close);
            rest = lower_find.map_or("", |p| &rest[p..]);
            continue;
        }
        if BREAKING.contains(&name.as_str()) {
            flush(&mut current, &mut blocks);
        }
    }
    push_text(&mut current, rest);
    flush(&mut current, &mut blocks);
    blocks
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

fn push_text(current: &mut String, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let decoded = decode_entities(raw);
    if decoded.starts_with(char::is_whitespace) && !current.is_empty() && !current.ends_with(' ') {
        current.push(' ');
    }
    for (i, word) in decoded.split_whitespace().enumerate() {
        if i > 0 {
            current.push(' ');
        }
        current.push_str(word);
    }
    if decoded.ends_with(char::is_whitespace) && !current.is_empty() && !current.ends_with(' ') {
        current.push(' ');
    }
}

fn flush(current: &mut String, blocks: &mut Vec<String>) {
    let text = current.trim();
    if !text.is_empty() {
        blocks.push(text.to_owned());
    }
    current.clear();
}

/// The entities that matter for text: the XML five, `&nbsp;` and numeric references.
fn decode_entities(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|p| p + 1).filter(|&p| p <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_and_real_pages_pass() {
        let deep = format!("{}x{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert!(!within_limits(&deep));
        let page = "<html><body><p>one<p>two<ul><li>a<li>b</ul><br><img src=x></body></html>";
        assert!(within_limits(&page.repeat(1_000)));
    }

    #[test]
    fn strips_tags_scripts_and_entities() {
        let page = "<html><head><title>T</title><script>if (a<b) x();</script></head>\
            <body><div>Caf&eacute; &amp; bar&#233;<!-- hidden --></div><p>Two <b>words</b></p></body></html>";
        assert_eq!(
            strip_tags(page),
            vec!["T", "Caf&eacute; & baré", "Two words"]
        );
    }
}
