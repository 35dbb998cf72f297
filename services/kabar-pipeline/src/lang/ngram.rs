//! A naive-Bayes model over hashed character n-grams and words, one column per language.
//!
//! Learned by `scripts/lang/train-lang.py` from the train split of the development data and
//! wordfreq's frequency lists (`data/lang/README.md`). It is what lets kabar tell close languages
//! apart on short texts, where whatlang's trigram profiles are too coarse, and it is the only
//! model here that knows Malay and Sundanese.
//!
//! `data/lang/ngram.bin`: `KLNB`, version u8, languages u8, log2(buckets) u8, max n u8, scale
//! f32 (steps per nat); the languages' ISO 639-3 codes (3 bytes each); then for each bucket one
//! u8 cost per language, `round(-ln p(feature | language) * scale)`.

use std::sync::LazyLock;

use super::features::{self, bucket};

static BYTES: &[u8] = include_bytes!("../../data/lang/ngram.bin");

/// The model, parsed once.
pub static MODEL: LazyLock<NgramModel> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // a file compiled in, checked by the tests
    NgramModel::parse(BYTES).expect("data/lang/ngram.bin is well formed")
});

#[derive(Debug)]
pub struct NgramModel {
    codes: Vec<&'static str>,
    log2: u8,
    max_n: usize,
    scale: f32,
    table: &'static [u8],
}

/// Summed costs of one text, per language (lower is likelier), and how many features counted.
#[derive(Debug, Clone, Default)]
pub struct Costs {
    pub costs: Vec<u32>,
    pub features: u32,
}

impl Costs {
    pub fn add_scaled(&mut self, other: &Costs, weight: u32) {
        if self.costs.is_empty() {
            self.costs = vec![0; other.costs.len()];
        }
        for (mine, theirs) in self.costs.iter_mut().zip(&other.costs) {
            *mine += theirs * weight;
        }
        self.features += other.features * weight;
    }
}

impl NgramModel {
    fn parse(bytes: &'static [u8]) -> Option<Self> {
        let (header, rest) = bytes.split_at_checked(12)?;
        if &header[..4] != b"KLNB" || header[4] != 1 {
            return None;
        }
        let langs = usize::from(header[5]);
        let log2 = header[6];
        let max_n = usize::from(header[7]);
        let scale = f32::from_le_bytes(header[8..12].try_into().ok()?);
        let (names, table) = rest.split_at_checked(langs * 3)?;
        if table.len() != langs << log2 {
            return None;
        }
        let codes = names
            .chunks(3)
            .map(|code| std::str::from_utf8(code).ok())
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            codes,
            log2,
            max_n,
            scale,
            table,
        })
    }

    /// The languages, in column order.
    pub fn codes(&self) -> &[&'static str] {
        &self.codes
    }

    /// Steps per nat of the costs.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Costs of an already lower-cased text, reading at most `max_chars` characters of words.
    pub fn costs(&self, lower: &str, max_chars: usize, chars: &mut Vec<char>) -> Costs {
        let width = self.codes.len();
        let mut out = Costs {
            costs: vec![0; width],
            features: 0,
        };
        // Summed in u16 first (twice the lanes per vector instruction of u32), flushed before
        // they could overflow: 257 costs of at most 255 fit in a u16.
        let mut partial = vec![0u16; width];
        let mut in_partial = 0u32;
        let flush = |partial: &mut [u16], costs: &mut [u32]| {
            for (cost, part) in costs.iter_mut().zip(partial.iter_mut()) {
                *cost += u32::from(*part);
                *part = 0;
            }
        };
        let mut seen = 0;
        for word in features::words(lower) {
            features::word_features(word, self.max_n, true, chars, |hash| {
                let start = bucket(hash, self.log2) * width;
                let row = &self.table[start..start + width];
                for (part, &step) in partial.iter_mut().zip(row) {
                    *part += u16::from(step);
                }
                in_partial += 1;
                if in_partial == 257 {
                    flush(&mut partial, &mut out.costs);
                    in_partial = 0;
                }
                out.features += 1;
            });
            seen += chars.len() - 1;
            if seen >= max_chars {
                break;
            }
        }
        flush(&mut partial, &mut out.costs);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_parses_and_knows_malay() {
        assert!(MODEL.codes().contains(&"zsm"));
        assert!(MODEL.codes().contains(&"eng"));
    }

    #[test]
    fn english_costs_least_for_english() {
        let mut chars = Vec::new();
        let costs = MODEL.costs("the weather is nice today", 1000, &mut chars);
        let best = (0..costs.costs.len())
            .min_by_key(|&i| costs.costs[i])
            .expect("languages");
        assert_eq!(MODEL.codes()[best], "eng");
    }
}
