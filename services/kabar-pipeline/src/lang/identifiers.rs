//! Identifiers: words that name a product, a file format or a piece of code rather than belong
//! to the text's language ("PowerPoint", "GeoJSON", "--ignore-all-space", "ltab.len=", "TSV").
//!
//! In a short text they decide the answer on their own: "Citra Windows BMP" (Indonesian for
//! "Windows BMP image") came out as English, "Dokumen TSV" as Norwegian. They are dropped before
//! detection when something else is left; a text of nothing but identifiers is kept whole.

use std::borrow::Cow;

/// How a whitespace-separated token counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An ordinary word (or punctuation, numbers): kept.
    Word,
    /// Code, a command-line option or a mixed-case product name: always dropped.
    Identifier,
    /// An upper-case abbreviation ("BMP", "ROM"): dropped only when the text also has
    /// lower-case words, since an all-capitals headline is made of nothing else.
    Acronym,
}

/// Longest token taken for an acronym, in characters.
const MAX_ACRONYM_CHARS: usize = 8;

fn kind(token: &str) -> Kind {
    // A command-line option: "-w", "--ignore-all-space".
    let option = token.trim_start_matches('-');
    if option.len() < token.len()
        && token.len() - option.len() <= 2
        && option.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Kind::Identifier;
    }
    let core = token.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty() {
        return Kind::Word;
    }
    // Code: snake_case, assignments, calls, member access ("ltab.len", "execlp()").
    if core.contains(['_', '=']) || token.contains("()") {
        return Kind::Identifier;
    }
    let mut previous: Option<char> = None;
    let mut upper_run = 0;
    let (mut upper, mut lower) = (0, 0);
    let mut chars = core.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_lowercase() {
            lower += 1;
            // "WMLScript": three or more capitals, then lower case ("IJsland" is Dutch).
            if upper_run >= 3 {
                return Kind::Identifier;
            }
            upper_run = 0;
        } else if c.is_uppercase() {
            upper += 1;
            upper_run += 1;
            // "PowerPoint", "iPod": lower case, then upper case inside a word.
            if previous.is_some_and(char::is_lowercase) {
                return Kind::Identifier;
            }
        } else {
            upper_run = 0;
            // "ltab.len": a dot between lower-case letters.
            if c == '.'
                && previous.is_some_and(char::is_lowercase)
                && chars.peek().is_some_and(|next| next.is_lowercase())
            {
                return Kind::Identifier;
            }
        }
        previous = Some(c);
    }
    if lower == 0 && upper >= 2 && core.chars().count() <= MAX_ACRONYM_CHARS {
        Kind::Acronym
    } else {
        Kind::Word
    }
}

fn has_letter(token: &str) -> bool {
    token.chars().any(char::is_alphabetic)
}

/// The text without its identifiers; borrowed when there are none, or when nothing with a
/// letter would be left.
pub fn drop_identifiers(text: &str) -> Cow<'_, str> {
    let mut identifiers = false;
    let mut acronyms = false;
    let mut kept_letters = false;
    let mut lower_case_words = false;
    for token in text.split_whitespace() {
        match kind(token) {
            Kind::Identifier => identifiers = true,
            Kind::Acronym => acronyms = true,
            Kind::Word => {
                kept_letters |= has_letter(token);
                lower_case_words |= token.chars().any(char::is_lowercase);
            }
        }
    }
    let drop_acronyms = acronyms && lower_case_words;
    if !kept_letters || !(identifiers || drop_acronyms) {
        return Cow::Borrowed(text);
    }
    let mut kept = String::with_capacity(text.len());
    for token in text.split_whitespace() {
        let keep = match kind(token) {
            Kind::Word => true,
            Kind::Identifier => false,
            Kind::Acronym => !drop_acronyms,
        };
        if keep {
            if !kept.is_empty() {
                kept.push(' ');
            }
            kept.push_str(token);
        }
    }
    Cow::Owned(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names_formats_and_code_are_dropped() {
        // Strings of GNOME's and GNU's Indonesian catalogues.
        assert_eq!(drop_identifiers("Citra Windows BMP"), "Citra Windows");
        assert_eq!(
            drop_identifiers("Templat presentasi PowerPoint"),
            "Templat presentasi"
        );
        assert_eq!(
            drop_identifiers("-w, --ignore-all-space Abaikan seluruh white space"),
            "Abaikan seluruh white space"
        );
        assert_eq!(
            drop_identifiers("somebody miscounted: ltab.len= alih-alih"),
            "somebody miscounted: alih-alih"
        );
        assert_eq!(drop_identifiers("execlp() gagal"), "gagal");
        assert_eq!(drop_identifiers("Program WMLScript"), "Program");
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        for text in [
            "Harga beras naik lagi di pasar induk",
            "Het IJsselmeer ligt in Nederland.",
            "L'État a dit « non » aux e-mails.",
            "- a list item",
        ] {
            assert!(matches!(drop_identifiers(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn capitals_are_kept_where_they_are_the_text() {
        assert!(matches!(
            drop_identifiers("HARGA BBM NAIK"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(drop_identifiers("PowerPoint"), Cow::Borrowed(_)));
        assert!(matches!(drop_identifiers("GeoJSON BMP"), Cow::Borrowed(_)));
        assert_eq!(drop_identifiers("Harga BBM naik"), "Harga naik");
    }
}
