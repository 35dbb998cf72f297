//! Stopword density: the share of a text's words that are function words of some language.
//!
//! Prose is dense in function words in every language; menus, tags, dates and credits are
//! not. One merged set over the languages in `data/clean/stopwords.tsv` (written for kabar),
//! since a block is judged before its language is known.

use std::collections::HashSet;
use std::sync::LazyLock;

static STOPWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/clean/stopwords.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .flat_map(|(_, words)| words.split_whitespace())
        .collect()
});

/// Words and stopwords in a text (words lowercased, punctuation trimmed).
pub fn density(text: &str) -> (usize, usize) {
    let mut words = 0;
    let mut stops = 0;
    let mut buffer = String::new();
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() {
            continue;
        }
        words += 1;
        buffer.clear();
        buffer.extend(word.chars().flat_map(char::to_lowercase));
        if STOPWORDS.contains(buffer.as_str()) {
            stops += 1;
        }
    }
    (words, stops)
}

/// True for text written without spaces between words (Chinese, Japanese, Thai).
pub fn unspaced_script(text: &str) -> bool {
    let mut total = 0usize;
    let mut unspaced = 0usize;
    for c in text.chars().filter(|c| c.is_alphabetic()).take(64) {
        total += 1;
        if matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x9fff | 0x0e00..=0x0e7f | 0xf900..=0xfaff)
        {
            unspaced += 1;
        }
    }
    total > 0 && unspaced * 2 > total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_dense_menus_are_not() {
        let (w, s) = density("Presiden mengatakan bahwa kerja sama itu akan dibahas di Jakarta.");
        assert!(s * 4 >= w, "{s}/{w}");
        let (w, s) = density("Home News Sport Business Login");
        assert_eq!((w, s), (5, 0));
        assert!(unspaced_script("東京都は新たに感染者を確認した。"));
        assert!(!unspaced_script("Der Bundestag hat am Freitag"));
    }
}
