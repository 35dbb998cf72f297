//! Character references (`&amp;`, `&eacute;`, `&#233;`) decoded as the HTML standard does, with
//! its table of names from `markup5ever`.

use std::borrow::Cow;

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// Text with its character references (`&amp;`, `&eacute;`, `&#233;`, `&#xE9;`) decoded as
/// the HTML standard does, legacy names without `;` included (in attributes only when no
/// letter, digit or `=` follows).
pub(super) fn decode(raw: &str, attribute: bool) -> Cow<'_, str> {
    let Some(first) = memchr::memchr(b'&', raw.as_bytes()) else {
        return Cow::Borrowed(raw);
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut rest = &raw[first..];
    loop {
        match char_ref(&rest[1..], attribute) {
            Some((consumed, first, second)) => {
                out.push(first);
                if let Some(second) = second {
                    out.push(second);
                }
                rest = &rest[1 + consumed..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
        match memchr::memchr(b'&', rest.as_bytes()) {
            Some(p) => {
                out.push_str(&rest[..p]);
                rest = &rest[p..];
            }
            None => {
                out.push_str(rest);
                return Cow::Owned(out);
            }
        }
    }
}

/// The character reference at the start of `s` (after its `&`): bytes consumed and characters.
fn char_ref(s: &str, attribute: bool) -> Option<(usize, char, Option<char>)> {
    let b = s.as_bytes();
    if b.first() == Some(&b'#') {
        let hex = matches!(b.get(1), Some(b'x' | b'X'));
        let digits_start = if hex { 2 } else { 1 };
        let digits = b[digits_start..]
            .iter()
            .take_while(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            return None;
        }
        let text = &s[digits_start..digits_start + digits];
        let code = u32::from_str_radix(text, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        let mut consumed = digits_start + digits;
        if b.get(consumed) == Some(&b';') {
            consumed += 1;
        }
        let c = match code {
            0 | 0xD800..=0xDFFF | 0x110000.. => '\u{FFFD}',
            0x80..=0x9F => C1_REPLACEMENTS[(code - 0x80) as usize]
                .unwrap_or_else(|| char::from_u32(code).unwrap_or('\u{FFFD}')),
            _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
        };
        return Some((consumed, c, None));
    }
    // Named: the longest name in the table that the text starts with.
    let mut best = None;
    for end in 1..=b.len().min(33) {
        let last = b[end - 1];
        if !last.is_ascii_alphanumeric() && last != b';' {
            break;
        }
        match NAMED_ENTITIES.get(&s[..end]) {
            None => break,
            Some(&(0, _)) => {}
            Some(&(first, second)) => best = Some((end, first, second)),
        }
        if last == b';' {
            break;
        }
    }
    let (end, first, second) = best?;
    if attribute
        && b[end - 1] != b';'
        && b.get(end)
            .is_some_and(|&next| next == b'=' || next.is_ascii_alphanumeric())
    {
        return None;
    }
    Some((
        end,
        char::from_u32(first)?,
        (second != 0).then(|| char::from_u32(second)).flatten(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_references_decode_as_in_browsers() {
        assert_eq!(
            decode(
                "Caf&eacute; &amp &lt;b&gt; &#233;&#x41;&#128; &nope; &ampx",
                false
            ),
            "Café & <b> éA€ &nope; &x"
        );
        assert_eq!(decode("a&notit;", false), "a¬it;");
        assert_eq!(decode("?a=1&copy=2", true), "?a=1&copy=2");
    }
}
