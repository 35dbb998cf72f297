//! Word tokens with byte offsets, for finding runs of capitalised words.

/// A word: letters and digits, with inner hyphens and apostrophes ("Su-35", "O'Neil").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Starts with an upper-case letter.
    pub capitalised: bool,
    /// First word of the text or of a sentence.
    pub sentence_start: bool,
    all_caps_len: Option<usize>,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// An all-caps word of four letters or fewer (an abbreviation we do not know).
    pub fn all_caps_short(&self) -> bool {
        self.all_caps_len.is_some_and(|len| len <= 4)
    }
}

/// Splits `text` into word tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut sentence_start = true;
    while let Some((start, c)) = chars.next() {
        if !c.is_alphanumeric() {
            if matches!(c, '.' | '!' | '?' | '\n' | '"' | '“' | '”' | ':' | '(') {
                sentence_start = true;
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut upper = usize::from(c.is_uppercase());
        let mut letters = usize::from(c.is_alphabetic());
        while let Some(&(index, next)) = chars.peek() {
            if next.is_alphanumeric() {
                upper += usize::from(next.is_uppercase());
                letters += usize::from(next.is_alphabetic());
                end = index + next.len_utf8();
                chars.next();
            } else if matches!(next, '-' | '\'' | '’')
                && text[index + next.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                end = index + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        let capitalised = c.is_uppercase();
        tokens.push(Token {
            start,
            end,
            capitalised,
            sentence_start,
            all_caps_len: (letters > 1 && upper == letters).then_some(letters),
        });
        sentence_start = false;
    }
    tokens
}

/// True when only spaces separate two tokens (no punctuation, no line break).
pub fn joined_by_space(text: &str, left: &Token, right: &Token) -> bool {
    let gap = &text[left.end..right.start];
    !gap.is_empty() && gap.chars().all(|c| c == ' ' || c == '\u{a0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_sentence_starts() {
        let text = "Kim ke Su-35. Dia (Wamenlu) O'Neil";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text(text)).collect();
        assert_eq!(words, ["Kim", "ke", "Su-35", "Dia", "Wamenlu", "O'Neil"]);
        assert!(tokens[0].sentence_start && !tokens[1].sentence_start);
        assert!(tokens[3].sentence_start);
        assert!(joined_by_space(text, &tokens[0], &tokens[1]));
        assert!(!joined_by_space(text, &tokens[2], &tokens[3]));
    }
}
