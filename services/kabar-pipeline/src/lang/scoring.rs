//! Turning n-gram costs, whatlang's guess, priors and the Indonesian/Malay stage into an answer.

use whatlang::Script;

use super::codes;
use super::idms::STAGE as IDMS;
use super::ngram::{Costs, MODEL};
use super::options::Resolved;
use super::{
    CHUNK_CHARS, CHUNK_MARGIN_NATS, MAX_MODEL_CHARS, SECONDARY_SHARE, alternative, from_whatlang,
    language, secondary, undetermined,
};
use crate::article::Language;

/// Constants of the combination, chosen on the calibration split (never the held-out one).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Nats added to whatlang's guess, whatever its confidence.
    pub whatlang_base: f32,
    /// Further nats added to whatlang's guess, times its confidence.
    pub whatlang_bonus: f32,
    /// n-gram features overlap (each character is in several), so their log-likelihoods are
    /// divided by this before they become probabilities.
    pub temperature: f32,
    /// Added to the pair stage's log-odds (its own bias is learned with it).
    pub pair_bias: f32,
    /// `reliable` when the winner's probability is at least this.
    pub reliable: f32,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            whatlang_base: 0.0,
            whatlang_bonus: 3.0,
            temperature: 6.0,
            pair_bias: 0.0,
            reliable: 0.99,
        }
    }
}
/// Runner-ups below this probability are not listed.
const MIN_ALTERNATIVE: f32 = 0.01;
const MAX_ALTERNATIVES: usize = 3;

/// One body chunk's costs and length, for the secondary language.
struct Chunk {
    costs: Vec<u32>,
    chars: usize,
}

pub struct Scorer<'a> {
    options: &'a Resolved,
    tuning: Tuning,
    /// Model columns that may win: written in the detected script and allowed.
    candidates: Vec<usize>,
    total: Costs,
    chunks: Vec<Chunk>,
    /// Lower-cased text for the Indonesian/Malay stage.
    words: String,
    read: usize,
    chars: Vec<char>,
}

impl<'a> Scorer<'a> {
    pub fn new(options: &'a Resolved, tuning: Tuning, script: Script) -> Self {
        let candidates = (0..options.allowed.len())
            .filter(|&i| options.allowed[i] && options.scripts[i] == Some(script))
            .collect();
        Self {
            options,
            tuning,
            candidates,
            total: Costs::default(),
            chunks: Vec::new(),
            words: String::new(),
            read: 0,
            chars: Vec::new(),
        }
    }

    /// Scores one lower-cased text with a weight; `chunked` keeps per-chunk costs.
    ///
    /// A chunked text longer than what is left of [`MAX_MODEL_CHARS`] is sampled: every n-th
    /// chunk, spread over the whole text, so a language that only starts further down (a quote,
    /// a translation at the end) still gets its chunks, at a bounded cost per article.
    pub fn add_text(&mut self, lower: &str, weight: u32, chunked: bool) {
        if lower.trim().is_empty() || self.read >= MAX_MODEL_CHARS {
            return;
        }
        if !chunked {
            self.words.push_str(lower);
            self.words.push('\n');
            let costs = MODEL.costs(lower, MAX_MODEL_CHARS, &mut self.chars);
            self.total.add_scaled(&costs, weight);
            return;
        }
        let budget = MAX_MODEL_CHARS - self.read;
        // Bytes bound characters from above: sampling starts only when it may be needed.
        let stride = if lower.len() <= budget {
            1
        } else {
            lower.chars().count().div_ceil(budget)
        };
        for chunk in chunks(lower).step_by(stride) {
            let costs = MODEL.costs(chunk, MAX_MODEL_CHARS - self.read, &mut self.chars);
            self.total.add_scaled(&costs, weight);
            self.words.push_str(chunk);
            self.words.push('\n');
            let chars = chunk.chars().count();
            self.read += chars;
            if chars >= CHUNK_CHARS {
                self.chunks.push(Chunk {
                    costs: costs.costs,
                    chars,
                });
            }
            if self.read >= MAX_MODEL_CHARS {
                break;
            }
        }
    }

    fn score(&self, costs: &[u32], column: usize) -> f32 {
        -(costs[column] as f32) / MODEL.scale() + self.options.prior[column]
    }

    /// Candidates with probabilities, best first; whatlang's guess, when given, adds a bonus.
    fn probabilities(&self, guess: Option<&whatlang::Info>) -> Vec<(usize, f32)> {
        let codes = MODEL.codes();
        let guessed = guess.map(|info| (codes::codes(info.lang()).0, info.confidence() as f32));
        let mut scored: Vec<(usize, f32)> = self
            .candidates
            .iter()
            .map(|&column| {
                let likelihood = -(self.total.costs[column] as f32) / MODEL.scale();
                let mut score = likelihood / self.tuning.temperature + self.options.prior[column];
                if let Some((code, confidence)) = guessed {
                    let code_matches =
                        codes[column] == code || (code == "ind" && codes[column] == "zsm");
                    if code_matches {
                        score +=
                            self.tuning.whatlang_base + self.tuning.whatlang_bonus * confidence;
                    }
                }
                (column, score)
            })
            .collect();
        let top = scored.iter().map(|s| s.1).fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = scored.iter().map(|s| (s.1 - top).exp()).sum();
        for entry in &mut scored {
            entry.1 = (entry.1 - top).exp() / sum;
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored
    }

    /// The answer. whatlang (`ask_whatlang`, the costly part) is consulted only when the
    /// n-gram model alone is not sure, or has nothing to go on.
    pub fn decide(
        self,
        script: Script,
        ask_whatlang: impl FnOnce() -> Option<whatlang::Info>,
    ) -> Language {
        if self.total.features == 0 || self.candidates.is_empty() {
            return ask_whatlang().map_or_else(undetermined, |info| from_whatlang(&info));
        }
        let mut scored = self.probabilities(None);
        if scored[0].1 < self.tuning.reliable {
            let guess = ask_whatlang();
            if let Some(info) = &guess {
                // a language only whatlang knows (Uzbek, Turkmen, Yiddish...)
                let code = codes::codes(info.lang()).0;
                if info.is_reliable() && self.options.column(code).is_none() {
                    return from_whatlang(info);
                }
            }
            scored = self.probabilities(guess.as_ref());
        }
        let codes = MODEL.codes();
        let mut probabilities: Vec<(&'static str, f32)> = scored
            .iter()
            .map(|&(column, p)| (codes[column], p))
            .collect();
        if matches!(probabilities[0].0, "ind" | "zsm") {
            self.split_pair(&mut probabilities);
        }
        let (code, confidence) = probabilities[0];
        let mut out = language(code, script, f64::from(confidence));
        out.reliable = confidence >= self.tuning.reliable;
        out.alternatives = probabilities[1..]
            .iter()
            .filter(|(_, p)| *p >= MIN_ALTERNATIVE)
            .take(MAX_ALTERNATIVES)
            .map(|&(code, p)| alternative(code, f64::from(p)))
            .collect();
        out.secondary = self.secondary(code);
        out
    }

    /// Shares the Indonesian + Malay probability between the two by the pair stage's odds.
    fn split_pair(&self, probabilities: &mut Vec<(&'static str, f32)>) {
        let group: f32 = probabilities
            .iter()
            .filter(|(code, _)| matches!(*code, "ind" | "zsm"))
            .map(|(_, p)| p)
            .sum();
        let allowed = |code: &str| {
            self.options
                .column(code)
                .is_some_and(|column| self.options.allowed[column])
        };
        let malay = match (allowed("ind"), allowed("zsm")) {
            (true, false) => 0.0,
            (false, true) => 1.0,
            _ => {
                let odds = IDMS.log_odds(&self.words, &mut Vec::new());
                let z = odds + self.options.malay_prior + self.tuning.pair_bias;
                1.0 / (1.0 + (-z).exp())
            }
        };
        probabilities.retain(|(code, _)| !matches!(*code, "ind" | "zsm"));
        probabilities.push(("zsm", group * malay));
        probabilities.push(("ind", group * (1.0 - malay)));
        probabilities.sort_by(|a, b| b.1.total_cmp(&a.1));
    }

    /// Another language that wins a fifth or more of the body's chunks, clearly.
    fn secondary(&self, primary: &str) -> Option<crate::article::SecondaryLanguage> {
        if self.chunks.len() < 2 {
            return None;
        }
        let codes = MODEL.codes();
        let primary_column = self.options.column(primary)?;
        let close = |code: &str| matches!(code, "ind" | "zsm") && matches!(primary, "ind" | "zsm");
        let mut votes: Vec<(usize, usize)> = Vec::new();
        let mut total = 0;
        for chunk in &self.chunks {
            total += chunk.chars;
            let Some((best, score)) = self
                .candidates
                .iter()
                .map(|&column| (column, self.score(&chunk.costs, column)))
                .max_by(|a, b| a.1.total_cmp(&b.1))
            else {
                continue;
            };
            let margin = score - self.score(&chunk.costs, primary_column);
            if best != primary_column && !close(codes[best]) && margin >= CHUNK_MARGIN_NATS {
                match votes.iter_mut().find(|(column, _)| *column == best) {
                    Some(entry) => entry.1 += chunk.chars,
                    None => votes.push((best, chunk.chars)),
                }
            }
        }
        let (column, chars) = votes.into_iter().max_by_key(|v| v.1)?;
        let share = chars as f32 / total as f32;
        (share >= SECONDARY_SHARE).then(|| secondary(codes[column], share))
    }
}

/// Sentences, merged until each has at least [`CHUNK_CHARS`] characters.
fn chunks(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = 0;
        let mut chars = 0;
        for (i, ch) in rest.char_indices() {
            chars += 1;
            end = i + ch.len_utf8();
            if chars >= CHUNK_CHARS && matches!(ch, '.' | '!' | '?' | '\n' | '。' | '؟' | '।') {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}
