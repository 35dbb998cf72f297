//! Hashed text features shared by the n-gram model and the Indonesian/Malay stage.
//!
//! A text is lower-cased and cut into words at separators (whitespace, digits, ASCII punctuation,
//! general punctuation, symbols). Each word yields the character 1..=n-grams of ` word ` (padded
//! with a space) and, when at most 24 characters long, the word itself. Features are FNV-1a
//! hashes folded into a power-of-two table.
//!
//! Written once, here: `scripts/lang/train-lang.py` counts features through
//! `examples/lang_features.rs`, which calls these functions, so the tables it builds hash text
//! as the detector reads it.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Prefix byte that marks a whole-word feature.
const WORD_TAG: u8 = 0x02;
/// Prefix byte that marks a word-bigram feature.
const BIGRAM_TAG: u8 = 0x03;
/// Longest word that also counts as a whole-word feature.
pub const MAX_WORD_FEATURE_CHARS: usize = 24;

/// True for characters that end a word.
pub fn is_separator(ch: char) -> bool {
    let cp = u32::from(ch);
    if cp < 128 {
        return !ch.is_ascii_alphabetic();
    }
    ch.is_whitespace()
        || ch.is_numeric()
        || (0x00a0..=0x00bf).contains(&cp)
        || cp == 0x00d7
        || cp == 0x00f7
        || (0x2000..=0x2bff).contains(&cp)
        || (0x3000..=0x303f).contains(&cp)
        || (0xff00..=0xff20).contains(&cp)
        || (0xff3b..=0xff40).contains(&cp)
        || (0xff5b..=0xff65).contains(&cp)
        || (0x1f000..=0x1ffff).contains(&cp)
}

/// The words of an already lower-cased text.
pub fn words(lower: &str) -> impl Iterator<Item = &str> {
    lower.split(is_separator).filter(|word| !word.is_empty())
}

#[inline]
fn fnv_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
    }
    hash
}

/// The table slot of a feature hash in a table of `2^log2` slots.
#[inline]
pub fn bucket(hash: u64, log2: u8) -> usize {
    ((hash ^ (hash >> 29)) & ((1u64 << log2) - 1)) as usize
}

/// Calls `visit(hash)` for every feature of one word (already lower-cased); the whole-word
/// feature only when `with_word`.
pub fn word_features(
    word: &str,
    max_n: usize,
    with_word: bool,
    chars: &mut Vec<char>,
    mut visit: impl FnMut(u64),
) {
    chars.clear();
    chars.push(' ');
    chars.extend(word.chars());
    chars.push(' ');
    let mut buf = [0u8; 4];
    for start in 0..chars.len() {
        let mut hash = FNV_OFFSET;
        for n in 1..=max_n {
            let Some(&ch) = chars.get(start + n - 1) else {
                break;
            };
            hash = fnv_bytes(hash, ch.encode_utf8(&mut buf).as_bytes());
            if !(n == 1 && ch == ' ') {
                visit(hash);
            }
        }
    }
    if with_word && chars.len() - 2 <= MAX_WORD_FEATURE_CHARS {
        visit(word_hash(word));
    }
}

/// The hash of a whole-word feature.
pub fn word_hash(word: &str) -> u64 {
    fnv_bytes(fnv_bytes(FNV_OFFSET, &[WORD_TAG]), word.as_bytes())
}

/// The hash of two consecutive words (`first second`).
pub fn bigram_hash(first: &str, second: &str) -> u64 {
    let hash = fnv_bytes(fnv_bytes(FNV_OFFSET, &[BIGRAM_TAG]), first.as_bytes());
    fnv_bytes(fnv_bytes(hash, b" "), second.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_those_the_tables_were_built_with() {
        // The tables in data/lang/ were counted with these hashes: changing the hashing means
        // retraining them (scripts/lang/train-lang.py).
        assert_eq!(word_hash("kerana"), 0x51c1_e850_bd85_4d1d);
        assert_eq!(bigram_hash("kata", "laluan"), 0xea06_2083_20a5_e488);
    }

    #[test]
    fn words_split_at_punctuation_and_digits() {
        let got: Vec<&str> = words("l'état, 2024—año «sí» naïve").collect();
        assert_eq!(got, ["l", "état", "año", "sí", "naïve"]);
    }

    #[test]
    fn features_of_a_short_word() {
        let mut chars = Vec::new();
        let mut count = 0;
        word_features("ab", 4, true, &mut chars, |_| count += 1);
        // " ab ": 1-grams a b; 2-grams " a" ab "b "; 3-grams " ab" "ab "; 4-gram " ab "; word
        assert_eq!(count, 2 + 3 + 2 + 1 + 1);
    }
}
