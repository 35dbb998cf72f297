//! The Indonesian/Malay second stage: log-odds that a text is Standard Malay (`zsm`) rather than
//! Indonesian (`ind`).
//!
//! Evidence, summed over words:
//! - the word's log-odds from wordfreq's Indonesian and Malay frequency lists
//!   (`data/lang/id-ms-words.tsv`, built by `scripts/lang/train-lang.py`);
//! - for a word in neither list, character 1..=5-gram log-odds learned from the two lists' word
//!   types (`data/lang/id-ms.bin`), clipped, so unseen inflections still count;
//! - hand-written marker words (`data/lang/id-ms-markers.tsv`: karena/kerana, uang/wang, ...).
//!
//! That sum is one input of a logistic regression over hashed word unigrams and bigrams
//! (`data/lang/id-ms-lr.bin`), learned from parallel Malay/Indonesian interface strings (the
//! Mozilla language packs) and those of lingua's rows whose label the sum does not contradict
//! (about half of lingua's Malay rows are Indonesian text). [`IdMs::log_odds`] is its output.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::features::{self, bucket};

static GRAMS: &[u8] = include_bytes!("../../data/lang/id-ms.bin");
static WORDS: &str = include_str!("../../data/lang/id-ms-words.tsv");
static MARKERS: &str = include_str!("../../data/lang/id-ms-markers.tsv");
static REGRESSION: &[u8] = include_bytes!("../../data/lang/id-ms-lr.bin");

/// Weights of the three kinds of evidence (mirrored in `scripts/lang/train-lang.py`).
const W_WORDS: f32 = 0.8;
const W_GRAMS: f32 = 0.5;
const W_MARKERS: f32 = 1.0;
const GRAM_CLIP: f32 = 1.5;

pub static STAGE: LazyLock<IdMs> = LazyLock::new(|| {
    #[allow(clippy::expect_used)] // files compiled in, checked by the tests
    IdMs::parse().expect("data/lang/id-ms.* are well formed")
});

#[derive(Debug)]
pub struct IdMs {
    log2: u8,
    max_n: usize,
    scale: f32,
    grams: &'static [u8],
    /// Word -> weighted log-odds (wordfreq and markers together).
    words: HashMap<&'static str, f32>,
    markers: HashMap<&'static str, f32>,
    regression: Regression,
}

/// The pair classifier's weights: `id-ms-lr.bin` is `KLLR`, version u8, log2(buckets) u8, two
/// padding bytes, scale f32 (steps per nat), the weight of [`IdMs::score`] f32, the bias f32,
/// then one i8 weight per bucket.
#[derive(Debug)]
struct Regression {
    log2: u8,
    scale: f32,
    prior_weight: f32,
    bias: f32,
    weights: &'static [u8],
}

impl Regression {
    fn parse(bytes: &'static [u8]) -> Option<Self> {
        let (header, weights) = bytes.split_at_checked(20)?;
        if &header[..4] != b"KLLR" || header[4] != 1 {
            return None;
        }
        let log2 = header[5];
        if weights.len() != 1 << log2 {
            return None;
        }
        let float = |at: usize| header[at..at + 4].try_into().ok().map(f32::from_le_bytes);
        Some(Self {
            log2,
            scale: float(8)?,
            prior_weight: float(12)?,
            bias: float(16)?,
            weights,
        })
    }

    fn weight(&self, hash: u64) -> i32 {
        i32::from(self.weights[bucket(hash, self.log2)] as i8)
    }
}

fn tsv(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split('\t').collect())
}

impl IdMs {
    fn parse() -> Option<Self> {
        let (header, grams) = GRAMS.split_at_checked(12)?;
        if &header[..4] != b"KLIM" || header[4] != 1 {
            return None;
        }
        let log2 = header[5];
        if grams.len() != 1 << log2 {
            return None;
        }
        let mut words = HashMap::new();
        for fields in tsv(WORDS) {
            let llr: f32 = fields.get(1)?.parse().ok()?;
            words.insert(*fields.first()?, llr);
        }
        let mut markers = HashMap::new();
        for fields in tsv(MARKERS) {
            let weight: f32 = fields.get(2)?.parse().ok()?;
            let sign = if *fields.get(1)? == "zsm" { 1.0 } else { -1.0 };
            markers.insert(*fields.first()?, sign * weight);
        }
        Some(Self {
            log2,
            max_n: usize::from(header[6]),
            scale: f32::from_le_bytes(header[8..12].try_into().ok()?),
            grams,
            words,
            markers,
            regression: Regression::parse(REGRESSION)?,
        })
    }

    /// Log-odds (nats) that an already lower-cased text is Malay rather than Indonesian: the
    /// pair classifier's output.
    pub fn log_odds(&self, lower: &str, chars: &mut Vec<char>) -> f32 {
        let (prior, _) = self.score(lower, chars);
        let regression = &self.regression;
        let mut sum = 0i32;
        let mut previous: Option<&str> = None;
        for word in features::words(lower) {
            if word.chars().count() <= features::MAX_WORD_FEATURE_CHARS {
                sum += regression.weight(features::word_hash(word));
            }
            if let Some(previous) = previous {
                sum += regression.weight(features::bigram_hash(previous, word));
            }
            previous = Some(word);
        }
        sum as f32 / regression.scale + regression.prior_weight * prior + regression.bias
    }

    /// The hand-made evidence (wordfreq log-odds, character n-grams, markers) in nats towards
    /// Malay, and how many words gave any.
    pub fn score(&self, lower: &str, chars: &mut Vec<char>) -> (f32, u32) {
        let mut total = 0.0;
        let mut evidence = 0;
        for word in features::words(lower) {
            let mut score = 0.0;
            if let Some(llr) = self.words.get(word) {
                score += W_WORDS * llr;
            } else if word.chars().count() >= 4 {
                let mut grams = 0i32;
                features::word_features(word, self.max_n, false, chars, |hash| {
                    grams += i32::from(self.grams[bucket(hash, self.log2)] as i8);
                });
                let grams = grams as f32 / self.scale;
                score += W_GRAMS * grams.clamp(-GRAM_CLIP, GRAM_CLIP);
            }
            if let Some(weight) = self.markers.get(word) {
                score += W_MARKERS * weight;
            }
            if score != 0.0 {
                evidence += 1;
            }
            total += score;
        }
        (total, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str) -> f32 {
        STAGE.log_odds(&text.to_lowercase(), &mut Vec::new())
    }

    #[test]
    fn markers_decide_the_pair() {
        assert!(score("Kerajaan berkata bahawa wang itu sudah dibayar kerana kes tersebut") > 1.0);
        assert!(
            score("Pemerintah mengatakan bahwa uang itu sudah dibayar karena kasus tersebut")
                < -1.0
        );
    }

    #[test]
    fn regression_table_parses() {
        let regression = &STAGE.regression;
        assert!(regression.scale > 0.0 && regression.prior_weight > 0.0);
        assert!(regression.weights.iter().any(|&w| w != 0));
    }

    #[test]
    fn the_regression_adds_to_the_hand_made_evidence() {
        // written for this test: the same interface message in each language
        let malay = "Tetingkap pelayar tidak dapat dibuka";
        let indonesian = "Jendela peramban tidak dapat dibuka";
        let lower = |text: &str| text.to_lowercase();
        let mut chars = Vec::new();
        assert!(STAGE.log_odds(&lower(malay), &mut chars) > 0.0);
        assert!(STAGE.log_odds(&lower(indonesian), &mut chars) < 0.0);
    }

    #[test]
    fn interface_strings() {
        assert!(score("Tetapan kata laluan") > 0.0);
        assert!(score("Pengaturan kata sandi") < 0.0);
    }
}
