//! Words as the fingerprint sees them: Unicode-normalised, lower case, with punctuation and
//! typography folded away, each hashed to 64 bits.
//!
//! A word is a maximal run of letters and digits after compatibility decomposition (NFKD) with
//! the combining marks dropped, so "Zürich", "Zu\u{308}rich" and "ｚｕｒｉｃｈ" are one word.
//! Apostrophes inside a word are dropped ("don't", "don’t" and "dont" are one word); every other
//! character separates words, so quotes, dashes, ellipses and spacing never matter. Numbers are
//! words: "1.150.000" is three of them.
//!
//! The hash is FNV-1a over the normalised word's UTF-8 bytes: it is part of the fingerprint's
//! format (fingerprints travel between instances), so it must never depend on the platform,
//! the Rust version or a random seed.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Calls `word` with the hash of every word of `text`, in order.
pub fn for_each_word_hash(text: &str, mut word: impl FnMut(u64)) {
    let mut hash = FNV_OFFSET;
    let mut in_word = false;
    let mut push = |c: char, hash: &mut u64, in_word: &mut bool| {
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                let mut buffer = [0u8; 4];
                for byte in lower.encode_utf8(&mut buffer).bytes() {
                    *hash = (*hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
                }
            }
            *in_word = true;
        } else if is_combining_mark(c) || is_apostrophe(c) {
            // Accents are dropped; an apostrophe joins the two halves of a word.
        } else if *in_word {
            word(*hash);
            *hash = FNV_OFFSET;
            *in_word = false;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            push(c, &mut hash, &mut in_word);
        } else {
            decompose_compatible(c, |part| push(part, &mut hash, &mut in_word));
        }
    }
    if in_word {
        word(hash);
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' | '`'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for_each_word_hash(text, |h| out.push(h));
        out
    }

    #[test]
    fn typography_case_and_accents_fold_away() {
        let plain = hashes("He said \"don't go\" - it's 1.150.000 rupiah... Zurich");
        for variant in [
            "He said “don’t go” — it’s 1.150.000 rupiah… Zürich",
            "HE  SAID  «DON'T GO»\u{a0}–\u{a0}IT'S 1.150.000 RUPIAH ... ZU\u{308}RICH",
            "ｈｅ said \"don't go\"-it's 1.150.000 rupiah . . . zurich",
        ] {
            assert_eq!(hashes(variant), plain, "{variant}");
        }
        assert_eq!(plain.len(), 10);
    }

    #[test]
    fn words_are_separated_by_anything_but_letters_and_digits() {
        assert_eq!(hashes("a-b/c").len(), 3);
        assert_eq!(hashes("  ").len(), 0);
        assert_eq!(hashes("Rp5.000"), hashes("rp5 000"));
        assert_ne!(hashes("kata"), hashes("kita"));
    }

    #[test]
    fn the_hash_is_fixed() {
        // FNV-1a of "kabar": fingerprints made by another build must compare equal.
        assert_eq!(hashes("Kabar"), [0x8746_a2cf_4e69_c1de]);
    }
}
