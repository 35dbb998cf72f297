//! CSS selectors over [`Html`](super::tree::Html): the subset metadata reading needs.
//!
//! Type selectors and `*`, `.class`, `#id`, attribute selectors (`[a]`, `=`, `~=`, `|=`, `^=`,
//! `$=`, `*=`, with an `i` flag), the descendant and child combinators and selector lists.
//! Attribute values are matched case-sensitively except for the attributes HTML defines as
//! case-insensitive (`type`, `rel`, `lang`...), as browsers do. Anything else is refused at
//! parse time, so a selector that would not mean what it says never runs.

use super::tree::{ElementRef, Html};

/// A parsed selector list.
#[derive(Debug, Clone)]
pub struct Selector {
    alternatives: Vec<Complex>,
}

/// Compound selectors joined by combinators, the subject last.
#[derive(Debug, Clone)]
struct Complex {
    /// Each compound with the combinator that joins it to the next one on its right.
    parts: Vec<(Compound, Combinator)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Combinator {
    Descendant,
    Child,
}

#[derive(Debug, Clone, Default)]
struct Compound {
    tag: Option<String>,
    attrs: Vec<AttrTest>,
}

#[derive(Debug, Clone)]
struct AttrTest {
    name: String,
    op: Op,
    value: String,
    ignore_case: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Exists,
    Equals,
    Includes,
    DashMatch,
    Prefix,
    Suffix,
    Contains,
}

/// Why a selector was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported or invalid selector at byte {at}: {selector:?}")]
pub struct SelectorError {
    selector: String,
    at: usize,
}

/// Attributes whose values HTML matches without regard to ASCII case.
fn case_insensitive_attribute(name: &str) -> bool {
    matches!(
        name,
        "type"
            | "rel"
            | "lang"
            | "http-equiv"
            | "charset"
            | "dir"
            | "media"
            | "hreflang"
            | "target"
    )
}

impl Selector {
    pub fn parse(css: &str) -> Result<Self, SelectorError> {
        let error = |at: usize| SelectorError {
            selector: css.to_owned(),
            at,
        };
        let mut alternatives = Vec::new();
        for (offset, alternative) in split_top_level(css) {
            let complex = parse_complex(alternative).map_err(|at| error(offset + at))?;
            alternatives.push(complex);
        }
        if alternatives.is_empty() {
            return Err(error(0));
        }
        Ok(Self { alternatives })
    }

    /// True when `element` matches any selector of the list.
    pub fn matches(&self, element: ElementRef<'_, '_>) -> bool {
        self.alternatives.iter().any(|c| c.matches(element))
    }
}

impl<'a> Html<'a> {
    /// The elements matching `selector`, in document order.
    pub fn select<'d>(
        &'d self,
        selector: &'d Selector,
    ) -> impl Iterator<Item = ElementRef<'d, 'a>> + 'd {
        self.elements().filter(move |e| selector.matches(*e))
    }
}

/// The comma-separated parts of a selector list (commas inside quotes or brackets excluded),
/// with their offsets.
fn split_top_level(css: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let (mut start, mut depth, mut quote) = (0, 0i32, None);
    for (i, c) in css.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push((start, &css[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push((start, &css[start..]));
    parts
}

fn parse_complex(text: &str) -> Result<Complex, usize> {
    let bytes = text.as_bytes();
    let mut parts: Vec<(Compound, Combinator)> = Vec::new();
    let mut current = Compound::default();
    let mut empty = true;
    let mut pending: Option<Combinator> = None;
    let mut i = 0;
    let ident_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')))
            .map_or(bytes.len(), |p| from + p)
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() || b == b'>' {
            if b == b'>' {
                pending = Some(Combinator::Child);
            } else if pending.is_none() && !empty {
                pending = Some(Combinator::Descendant);
            }
            i += 1;
            continue;
        }
        if let Some(combinator) = pending.take() {
            if empty {
                return Err(i);
            }
            parts.push((std::mem::take(&mut current), combinator));
            empty = true;
        }
        match b {
            b'*' => i += 1,
            b'.' | b'#' => {
                let end = ident_end(i + 1);
                if end == i + 1 {
                    return Err(i);
                }
                let value = text[i + 1..end].to_owned();
                current.attrs.push(AttrTest {
                    name: if b == b'.' { "class" } else { "id" }.to_owned(),
                    op: if b == b'.' { Op::Includes } else { Op::Equals },
                    value,
                    ignore_case: false,
                });
                i = end;
            }
            b'[' => {
                let close = text[i..].find(']').map(|p| i + p).ok_or(i)?;
                current
                    .attrs
                    .push(parse_attr(&text[i + 1..close]).map_err(|at| i + 1 + at)?);
                i = close + 1;
            }
            b if b.is_ascii_alphabetic() => {
                if !empty {
                    return Err(i);
                }
                let end = ident_end(i);
                current.tag = Some(text[i..end].to_ascii_lowercase());
                i = end;
            }
            _ => return Err(i),
        }
        empty = false;
    }
    if empty || pending == Some(Combinator::Child) {
        return Err(bytes.len());
    }
    parts.push((current, Combinator::Descendant));
    Ok(Complex { parts })
}

/// The inside of `[...]`.
fn parse_attr(inner: &str) -> Result<AttrTest, usize> {
    let inner_trimmed = inner.trim();
    let name_end = inner_trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')))
        .unwrap_or(inner_trimmed.len());
    if name_end == 0 {
        return Err(0);
    }
    let name = inner_trimmed[..name_end].to_ascii_lowercase();
    let rest = inner_trimmed[name_end..].trim_start();
    if rest.is_empty() {
        return Ok(AttrTest {
            name,
            op: Op::Exists,
            value: String::new(),
            ignore_case: false,
        });
    }
    let (op, after) = [
        ("~=", Op::Includes),
        ("|=", Op::DashMatch),
        ("^=", Op::Prefix),
        ("$=", Op::Suffix),
        ("*=", Op::Contains),
        ("=", Op::Equals),
    ]
    .into_iter()
    .find_map(|(token, op)| {
        rest.strip_prefix(token)
            .map(|after| (op, after.trim_start()))
    })
    .ok_or(name_end)?;
    let (value, flags) = match after.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let close = after[1..].find(q).ok_or(name_end)?;
            (&after[1..1 + close], after[close + 2..].trim())
        }
        _ => {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], after[end..].trim())
        }
    };
    let ignore_case = match flags {
        "" => case_insensitive_attribute(&name),
        "i" | "I" => true,
        "s" | "S" => false,
        _ => return Err(name_end),
    };
    Ok(AttrTest {
        name,
        op,
        value: value.to_owned(),
        ignore_case,
    })
}

impl Complex {
    fn matches(&self, element: ElementRef<'_, '_>) -> bool {
        let Some(((subject, _), rest)) = self.parts.split_last() else {
            return false;
        };
        subject.matches(element) && match_left(rest, element)
    }
}

/// True when the compounds `left` (joined to `element` by the last one's combinator) match
/// ancestors of `element`.
fn match_left(left: &[(Compound, Combinator)], element: ElementRef<'_, '_>) -> bool {
    let Some(((compound, combinator), rest)) = left.split_last() else {
        return true;
    };
    let mut ancestor = element.parent();
    while let Some(candidate) = ancestor {
        if compound.matches(candidate) && match_left(rest, candidate) {
            return true;
        }
        if *combinator == Combinator::Child {
            return false;
        }
        ancestor = candidate.parent();
    }
    false
}

impl Compound {
    fn matches(&self, element: ElementRef<'_, '_>) -> bool {
        if self.tag.as_deref().is_some_and(|tag| tag != element.name()) {
            return false;
        }
        self.attrs.iter().all(|test| {
            element
                .attr(&test.name)
                .is_some_and(|value| test.matches(value))
        })
    }
}

impl AttrTest {
    fn matches(&self, value: &str) -> bool {
        let eq = |a: &str, b: &str| {
            if self.ignore_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let want = self.value.as_str();
        match self.op {
            Op::Exists => true,
            Op::Equals => eq(value, want),
            Op::Includes => !want.is_empty() && value.split_ascii_whitespace().any(|w| eq(w, want)),
            Op::DashMatch => {
                eq(value, want)
                    || value.len() > want.len()
                        && value.as_bytes()[want.len()] == b'-'
                        && value.is_char_boundary(want.len())
                        && eq(&value[..want.len()], want)
            }
            Op::Prefix => {
                !want.is_empty()
                    && value.len() >= want.len()
                    && value.is_char_boundary(want.len())
                    && eq(&value[..want.len()], want)
            }
            Op::Suffix => {
                !want.is_empty()
                    && value.len() >= want.len()
                    && value.is_char_boundary(value.len() - want.len())
                    && eq(&value[value.len() - want.len()..], want)
            }
            Op::Contains => {
                !want.is_empty()
                    && if self.ignore_case {
                        value
                            .to_ascii_lowercase()
                            .contains(&want.to_ascii_lowercase())
                    } else {
                        value.contains(want)
                    }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(page: &str, css: &str) -> Vec<String> {
        let html = Html::parse_document(page);
        let selector = Selector::parse(css).expect("selector");
        html.select(&selector)
            .map(|e| {
                format!(
                    "{}{}",
                    e.name(),
                    e.attr("id").map(|i| format!("#{i}")).unwrap_or_default()
                )
            })
            .collect()
    }

    const PAGE: &str = r#"<html lang="en-GB"><head><meta property="og:title" content="T"><meta name="DC.creator" content="A">
<link rel="Canonical" href="/c"><script type="application/ld+json">{}</script></head>
<body><div id=a class="post byline-wrap"><span id=b itemprop="author"><b id=c itemprop="name">N</b></span></div>
<p id=d class="author">x</p><time id=e datetime="2024-01-01">t</time></body></html>"#;

    #[test]
    fn the_metadata_selectors_match_as_in_browsers() {
        assert_eq!(names(PAGE, r#"meta[property="og:title"]"#), ["meta"]);
        assert_eq!(
            names(PAGE, r#"meta[name="dc.creator"], meta[name="DC.creator"]"#),
            ["meta"]
        );
        assert!(names(PAGE, r#"meta[name="dc.creator"]"#).is_empty());
        assert_eq!(names(PAGE, r#"link[rel="canonical"]"#), ["link"]);
        assert_eq!(
            names(PAGE, r#"script[type="application/ld+json"]"#),
            ["script"]
        );
        assert_eq!(
            names(PAGE, r#"[itemprop="author"] [itemprop="name"]"#),
            ["b#c"]
        );
        assert_eq!(
            names(PAGE, r#"div > [itemprop="name"]"#),
            Vec::<String>::new()
        );
        assert_eq!(names(PAGE, r#"div > span > b"#), ["b#c"]);
        assert_eq!(
            names(PAGE, r#"[class*="byline"], [class="author"]"#),
            ["div#a", "p#d"]
        );
        assert_eq!(names(PAGE, "time[datetime], html"), ["html", "time#e"]);
        assert_eq!(
            names(PAGE, ".post, #d, *[lang|=en]"),
            ["html", "div#a", "p#d"]
        );
    }

    #[test]
    fn unsupported_selectors_are_refused() {
        for css in ["a:hover", "p ~ p", "div >", "", "[=x]", "a[href=x y]"] {
            assert!(Selector::parse(css).is_err(), "{css}");
        }
    }
}
