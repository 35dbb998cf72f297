//! Tokens with byte offsets: words and single punctuation marks, the tagger's units.

/// A token: a word (letters and digits, with inner hyphens, apostrophes and abbreviation dots:
/// "Su-35", "O'Neil", "U.S.") or one punctuation character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// A word rather than a punctuation mark.
    pub word: bool,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// Splits `text` into tokens, dropping white space.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            tokens.push(Token {
                start,
                end: start + c.len_utf8(),
                word: false,
            });
            continue;
        }
        let mut end = start + c.len_utf8();
        // Single letters followed by a dot form abbreviations: "U.S.", "J.K.".
        let mut abbreviation = c.is_uppercase();
        let mut letters_since_dot = 1;
        while let Some(&(index, next)) = chars.peek() {
            if next.is_alphanumeric() {
                end = index + next.len_utf8();
                letters_since_dot += 1;
                abbreviation &= letters_since_dot == 1 && next.is_uppercase();
                chars.next();
                continue;
            }
            let rest = &text[index + next.len_utf8()..];
            let after = rest.chars().next();
            // A possessive "'s" is its own token: "Miami's" is "Miami" + "'s".
            let possessive = matches!(next, '\'' | '’')
                && matches!(after, Some('s' | 'S'))
                && !rest[1..].chars().next().is_some_and(char::is_alphanumeric);
            let joins = match next {
                '\'' | '’' if possessive => false,
                '-' | '\'' | '’' => after.is_some_and(char::is_alphanumeric),
                '.' => abbreviation && letters_since_dot == 1,
                _ => false,
            };
            if !joins {
                break;
            }
            end = index + next.len_utf8();
            if next == '.' {
                letters_since_dot = 0;
                // "U.S." keeps its final dot; a sentence-final "A." does too, harmlessly.
                if !after.is_some_and(char::is_alphanumeric) {
                    chars.next();
                    break;
                }
            } else {
                abbreviation = false;
            }
            chars.next();
        }
        // "Inc.", "Jr.", "St.": the dot belongs to the word, as in the training corpora's tokens.
        if text[end..].starts_with('.') && keeps_its_dot(&text[start..end]) {
            chars.next();
            end += 1;
        }
        tokens.push(Token {
            start,
            end,
            word: true,
        });
        if let Some((index, quote)) = chars
            .peek()
            .copied()
            .filter(|&(_, c)| c == '\'' || c == '’')
        {
            let rest = &text[index + quote.len_utf8()..];
            if rest.starts_with(['s', 'S'])
                && !rest[1..].chars().next().is_some_and(char::is_alphanumeric)
            {
                chars.next();
                chars.next();
                tokens.push(Token {
                    start: index,
                    end: index + quote.len_utf8() + 1,
                    word: true,
                });
            }
        }
    }
    tokens
}

/// The word without the dot of a name abbreviation ("Inc." is "Inc"): corpora differ in
/// whether that dot is a token of its own, so features read the word without it.
pub fn without_abbreviation_dot(word: &str) -> &str {
    match word.strip_suffix('.') {
        Some(stem) if keeps_its_dot(stem) => stem,
        _ => word,
    }
}

/// Abbreviations that are part of names (company and generational suffixes, "Saint" and
/// "Mount") or titles before them: their dot is part of the token, not a sentence end.
fn keeps_its_dot(word: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "Inc", "Ltd", "Corp", "Co", "Bhd", "Tbk", "Bros", "Jr", "Sr", "St", "Mt", "Ft", "Dr", "Mr",
        "Mrs", "Ms", "Prof", "Gen", "Lt", "Col", "Capt", "Sgt", "Gov", "Sen", "Rep", "Rev", "Drs",
        "Ir",
    ];
    ABBREVIATIONS
        .iter()
        .any(|abbreviation| abbreviation.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_punctuation() {
        let text = "Kim ke Su-35. (Wamenlu) O'Neil, U.S. A Miami's";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            [
                "Kim", "ke", "Su-35", ".", "(", "Wamenlu", ")", "O'Neil", ",", "U.S.", "A",
                "Miami", "'s"
            ]
        );
        assert!(tokens[0].word && !tokens[3].word);
    }

    #[test]
    fn name_abbreviations_keep_their_dot() {
        let text = "Sony Corp. and John Smith Jr. met Dr. Lee in St. Louis. Go.";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(
            words,
            [
                "Sony", "Corp.", "and", "John", "Smith", "Jr.", "met", "Dr.", "Lee", "in", "St.",
                "Louis", ".", "Go", "."
            ]
        );
    }
}
