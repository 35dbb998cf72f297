//! Training the tagger: an averaged structured perceptron over the same features and the same
//! candidate tokens as run time. Compiled only with the cargo feature `train` (and for this
//! crate's unit tests), so the service does not carry it. Used by `examples/train_entities.rs`;
//! see `scripts/entities/build-entities.sh`.

use std::collections::HashMap;

use super::analyse_tokens;
use super::features::{self, language_hash};
use super::gazetteer::Gazetteer;
use super::hash::{HashedSet, hash_lower};
use super::model::{Model, TAGS, allowed, parse_tag, viterbi};
use super::tokens::{Token, tokenize};

/// One training sentence: tokens and their BIO tags.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub language: String,
    pub tokens: Vec<String>,
    pub tags: Vec<String>,
}

/// A sentence turned into features, segments and gold tags, ready for repeated epochs.
struct Example {
    /// Per candidate segment: feature rows per token and gold tags.
    segments: Vec<(Vec<Vec<u32>>, Vec<usize>)>,
}

/// Averaged perceptron state.
pub struct Trainer {
    bits: u32,
    weights: Vec<[f32; TAGS]>,
    /// Sum of step-weighted updates, for averaging.
    totals: Vec<[f32; TAGS]>,
    transitions: [[f32; TAGS]; TAGS],
    transition_totals: [[f32; TAGS]; TAGS],
    step: f32,
    examples: Vec<Example>,
    /// Gold name tokens the candidate filter hides from the tagger (for the log).
    pub hidden_gold_tokens: usize,
    pub gold_tokens: usize,
    /// Words mostly written in lower case, shipped with the model.
    common: HashedSet,
}

/// Words written in lower case at least twice and more often than capitalised inside a
/// sentence: common words, whatever their case at a sentence start.
pub fn common_words(sentences: &[Sentence]) -> HashedSet {
    let mut counts: HashMap<u64, (u32, u32)> = HashMap::new();
    for sentence in sentences {
        for (index, word) in sentence.tokens.iter().enumerate() {
            let Some(first) = word.chars().next() else {
                continue;
            };
            if !first.is_alphabetic() {
                continue;
            }
            let entry = counts.entry(hash_lower(word)).or_default();
            if first.is_lowercase() {
                entry.0 += 1;
            } else if index > 0 {
                entry.1 += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, (lower, upper))| lower >= 2 && lower > upper)
        .map(|(hash, _)| hash)
        .collect()
}

impl Trainer {
    pub fn new(bits: u32, common: HashedSet) -> Self {
        Self {
            bits,
            weights: vec![[0.0; TAGS]; 1 << bits],
            totals: vec![[0.0; TAGS]; 1 << bits],
            transitions: [[0.0; TAGS]; TAGS],
            transition_totals: [[0.0; TAGS]; TAGS],
            step: 1.0,
            examples: Vec::new(),
            hidden_gold_tokens: 0,
            gold_tokens: 0,
            common,
        }
    }

    /// Adds a sentence; unknown tags count as outside.
    pub fn add(&mut self, gazetteer: &Gazetteer, sentence: &Sentence) {
        // Corpus tokens are split again as run time splits text ("(BEI)" is "(", "BEI", ")"):
        // the first piece keeps the tag, the others continue the name.
        let mut text = String::new();
        let mut tokens = Vec::with_capacity(sentence.tokens.len());
        let mut gold: Vec<usize> = Vec::with_capacity(sentence.tokens.len());
        for (word, tag) in sentence.tokens.iter().zip(&sentence.tags) {
            if !text.is_empty() {
                text.push(' ');
            }
            let start = text.len();
            text.push_str(word);
            let tag = parse_tag(tag).unwrap_or(0);
            for (index, piece) in tokenize(word).into_iter().enumerate() {
                tokens.push(Token {
                    start: start + piece.start,
                    end: start + piece.end,
                    word: piece.word,
                });
                gold.push(if index == 0 || tag % 2 == 0 {
                    tag
                } else {
                    tag + 1
                });
            }
        }
        if tokens.is_empty() {
            return;
        }
        let analysis = analyse_tokens(gazetteer, &self.common, &text, tokens, &sentence.language);
        let language = language_hash(&sentence.language);
        let shift = 64 - self.bits;
        let mut segments = Vec::new();
        let mut buffer = Vec::new();
        for (index, &tag) in gold.iter().enumerate() {
            if tag != 0 {
                self.gold_tokens += 1;
                if !analysis.candidates[index] {
                    self.hidden_gold_tokens += 1;
                }
            }
        }
        for range in analysis.segments() {
            let mut rows = Vec::with_capacity(range.len());
            let mut tags = Vec::with_capacity(range.len());
            for i in range.clone() {
                buffer.clear();
                features::features(&analysis.infos, range.clone(), i, language, &mut buffer);
                rows.push(buffer.iter().map(|&f| (f >> shift) as u32).collect());
                let previous = tags.last().copied().unwrap_or(0);
                let tag = gold.get(i).copied().unwrap_or(0);
                // A name cut by the candidate filter restarts with a begin tag.
                tags.push(if allowed(previous, tag) { tag } else { tag - 1 });
            }
            segments.push((rows, tags));
        }
        self.examples.push(Example { segments });
    }

    pub fn len(&self) -> usize {
        self.examples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.examples.is_empty()
    }

    /// One pass over the examples in the given order; returns the number of token errors.
    pub fn epoch(&mut self, order: &[usize]) -> usize {
        let mut errors = 0;
        let mut predicted = Vec::new();
        let mut emissions: Vec<[f32; TAGS]> = Vec::new();
        let examples = std::mem::take(&mut self.examples);
        for &index in order {
            for (rows, gold) in &examples[index].segments {
                emissions.clear();
                for row in rows {
                    let mut scores = [0.0f32; TAGS];
                    for &feature in row {
                        for (s, w) in scores.iter_mut().zip(&self.weights[feature as usize]) {
                            *s += w;
                        }
                    }
                    emissions.push(scores);
                }
                viterbi(&emissions, &self.transitions, &mut predicted);
                if predicted != *gold {
                    for (position, (&p, &g)) in predicted.iter().zip(gold).enumerate() {
                        let (pp, gp) = if position == 0 {
                            (0, 0)
                        } else {
                            (predicted[position - 1], gold[position - 1])
                        };
                        if p != g {
                            errors += 1;
                            for &feature in &rows[position] {
                                self.update(feature as usize, g, 1.0);
                                self.update(feature as usize, p, -1.0);
                            }
                        }
                        if (pp, p) != (gp, g) {
                            self.update_transition(gp, g, 1.0);
                            self.update_transition(pp, p, -1.0);
                        }
                    }
                }
                self.step += 1.0;
            }
        }
        self.examples = examples;
        errors
    }

    fn update(&mut self, feature: usize, tag: usize, delta: f32) {
        self.weights[feature][tag] += delta;
        self.totals[feature][tag] += self.step * delta;
    }

    fn update_transition(&mut self, from: usize, to: usize, delta: f32) {
        self.transitions[from][to] += delta;
        self.transition_totals[from][to] += self.step * delta;
    }

    /// The averaged, quantised model in its binary format.
    pub fn finish(&self) -> Vec<u8> {
        let mut ensemble = Ensemble::default();
        ensemble.add(self);
        ensemble.finish()
    }

    /// The averaged weights and transitions.
    fn averaged(&self) -> (Vec<[f32; TAGS]>, [[f32; TAGS]; TAGS]) {
        let average = |w: f32, total: f32| w - total / self.step;
        let weights = self
            .weights
            .iter()
            .zip(&self.totals)
            .map(|(row, totals)| {
                let mut out = [0f32; TAGS];
                for (o, (&w, &t)) in out.iter_mut().zip(row.iter().zip(totals)) {
                    *o = average(w, t);
                }
                out
            })
            .collect();
        let mut transitions = [[0f32; TAGS]; TAGS];
        for (out, (row, totals)) in transitions
            .iter_mut()
            .zip(self.transitions.iter().zip(&self.transition_totals))
        {
            for (o, (&w, &t)) in out.iter_mut().zip(row.iter().zip(totals)) {
                *o = average(w, t);
            }
        }
        (weights, transitions)
    }
}

/// The mean of several trained perceptrons (the same data in other shuffles): one model whose
/// choices depend less on the order of training than any one of them.
#[derive(Default)]
pub struct Ensemble {
    bits: u32,
    weights: Vec<[f32; TAGS]>,
    transitions: [[f32; TAGS]; TAGS],
    common: HashedSet,
    members: usize,
}

impl Ensemble {
    /// Adds a trained perceptron; all must share the feature space (bits).
    pub fn add(&mut self, trainer: &Trainer) {
        let (weights, transitions) = trainer.averaged();
        if self.members == 0 {
            self.bits = trainer.bits;
            self.weights = weights;
            self.transitions = transitions;
            self.common = trainer.common.clone();
        } else {
            assert_eq!(self.bits, trainer.bits, "ensemble members differ in bits");
            for (sum, row) in self.weights.iter_mut().zip(&weights) {
                for (s, w) in sum.iter_mut().zip(row) {
                    *s += w;
                }
            }
            for (sum, row) in self.transitions.iter_mut().zip(&transitions) {
                for (s, w) in sum.iter_mut().zip(row) {
                    *s += w;
                }
            }
        }
        self.members += 1;
    }

    /// The mean model, quantised, in its binary format (only ratios of weights matter, so the
    /// sum is as good as the mean).
    pub fn finish(&self) -> Vec<u8> {
        let max = self
            .weights
            .iter()
            .chain(&self.transitions)
            .flatten()
            .fold(0.0f32, |max, &w| max.max(w.abs()));
        let scale = if max > 0.0 { 32000.0 / max } else { 1.0 };
        // Summing ~45 features must not overflow i32: 45 * 32000 is far below.
        let quantise = |value: f32| (value * scale).round() as i16;
        let weights: Vec<[i16; TAGS]> = self.weights.iter().map(|row| row.map(quantise)).collect();
        let transitions = self.transitions.map(|row| row.map(quantise));
        Model::to_bytes(self.bits, &transitions, &weights, &self.common)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(tokens: &str, tags: &str) -> Sentence {
        Sentence {
            language: "eng".to_owned(),
            tokens: tokens.split(' ').map(str::to_owned).collect(),
            tags: tags.split(' ').map(str::to_owned).collect(),
        }
    }

    fn trained(order: &[usize]) -> Trainer {
        let gazetteer = Gazetteer::parse("LOC\t\tParis\tParis\n").expect("table");
        let sentences = [
            sentence("Alice Smith visited Paris .", "B-PER I-PER O B-LOC O"),
            sentence("Acme Corp hired Bob Jones .", "B-ORG I-ORG O B-PER I-PER O"),
        ];
        let mut trainer = Trainer::new(12, common_words(&sentences));
        for s in &sentences {
            trainer.add(&gazetteer, s);
        }
        for _ in 0..3 {
            trainer.epoch(order);
        }
        trainer
    }

    #[test]
    fn an_ensemble_is_the_mean_of_its_members() {
        let (a, b) = (trained(&[0, 1]), trained(&[1, 0]));
        // The mean of a model with itself is that model.
        let mut twice = Ensemble::default();
        twice.add(&a);
        twice.add(&a);
        assert_eq!(twice.finish(), a.finish());
        // Of two different models: neither of them, and a model that loads.
        let mut both = Ensemble::default();
        both.add(&a);
        both.add(&b);
        let bytes = both.finish();
        assert_ne!(bytes, a.finish());
        assert_ne!(bytes, b.finish());
        Model::from_bytes(&bytes).expect("model");
    }
}
