//! Language identification: whatlang first, then kabar's own models where whatlang is weak.
//!
//! 1. Text is normalised (NFC) and stripped of URLs, e-mail addresses, markup and code, which
//!    are language-neutral noise that pulls short texts towards English, and of identifiers
//!    ([`identifiers`]: product and format names, command-line options, acronyms).
//! 2. whatlang names the script. Scripts with one language (Greek, Thai, Hangul...) and
//!    Chinese/Japanese are decided by whatlang.
//! 3. For the scripts shared by many languages (Latin, Cyrillic, Arabic, Devanagari, Hebrew) a
//!    naive-Bayes model over character n-grams and words ([`ngram`]) scores every candidate;
//!    configured priors tilt close calls; the body counts twice as much as the title. When the
//!    model alone is not sure, whatlang's trigram guess is added as a bonus (whatlang's answer
//!    stands for the few languages only it knows). Skipping whatlang when the model is sure
//!    is what keeps kabar near whatlang's speed.
//! 4. Indonesian and Malay, which whatlang cannot tell apart, go to a dedicated stage
//!    ([`idms`]): a logistic regression over words and word pairs, learned from parallel Malay
//!    and Indonesian interface strings, on top of wordfreq log-odds, character n-grams and
//!    marker words.
//! 5. The scores become probabilities: `confidence` is the winner's, `alternatives` the
//!    runners-up, `reliable` a threshold calibrated on held-back rows; body chunks that disagree
//!    with the winner for a fifth or more of the text make the `secondary` language.
//!
//! The tables are built by `scripts/lang/train-lang.py`; `scripts/lang/eval-lang.py` measures
//! the result.

mod codes;
pub mod features;
mod identifiers;
mod idms;
mod ngram;
mod options;
mod scoring;

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use whatlang::Script;

use crate::article::{Language, LanguageScore, SecondaryLanguage};
pub use codes::supported_codes;
pub use options::DetectorOptions;
#[doc(hidden)]
pub use scoring::Tuning;

// Word boundaries are ASCII ones, `(?-u:\b)`: a Unicode `\b` keeps the regex crate from using
// its fast engine on non-ASCII text, and this one regex was 18% of all of kabar's instructions
// (callgrind, benchmark corpus). URLs and e-mail addresses start and end on ASCII anyway.
static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(concat!(
        r"(?is)```.*?```|`[^`\n]{1,200}`",                   // code
        r"|<(?:script|style)(?-u:\b).*?</(?:script|style)>", // embedded code
        r"|(?-u:\b)(?:https?://|www\.)\S+",                  // URLs
        r"|(?-u:\b)[\w.+-]+@[\w-]+\.[\w.-]+(?-u:\b)",        // e-mail addresses
        r"|<[^>]{1,200}>|&(?:[a-z]{2,8}|#[0-9]{1,6});",      // tags and entities
        r"|[@#][\w_]+",                                      // handles and hashtags
    ))
    .unwrap()
});

/// The body counts this many times as much as the title.
const BODY_WEIGHT: u32 = 2;
/// At most this many characters of title and body are read by the models (sampled over a longer
/// body): enough for an article's language and its chunks' votes, and a bound on the cost.
const MAX_MODEL_CHARS: usize = 1200;
/// Body chunks of at least this many characters vote on a secondary language.
const CHUNK_CHARS: usize = 60;
/// A secondary language must cover at least this share of the voting chunks.
const SECONDARY_SHARE: f32 = 0.2;
/// A chunk votes for another language only when it beats the primary by this many nats.
const CHUNK_MARGIN_NATS: f32 = 6.0;

/// The language stage.
#[derive(Debug, Default)]
pub struct LanguageDetector {
    options: options::Resolved,
    tuning: Tuning,
}

impl LanguageDetector {
    pub fn new() -> Self {
        Self::default()
    }

    /// A detector with priors: expected languages and a restricted candidate set.
    pub fn with_options(options: DetectorOptions) -> Self {
        Self {
            options: options::Resolved::new(&options),
            tuning: Tuning::default(),
        }
    }

    /// Replaces the combination constants (for tuning runs only).
    #[doc(hidden)]
    pub fn tuned(mut self, tuning: Tuning) -> Self {
        self.tuning = tuning;
        self
    }

    /// Detects the language of an article from its title and body.
    pub fn detect(&self, title: &str, body: &str) -> Language {
        let title = prepare(title);
        let body = prepare(body);
        if title.trim().is_empty() && body.trim().is_empty() {
            return undetermined();
        }
        let joined = match (title.trim().is_empty(), body.trim().is_empty()) {
            (true, _) => Cow::Borrowed(body.as_ref()),
            (_, true) => Cow::Borrowed(title.as_ref()),
            _ => Cow::Owned(format!("{title}\n{body}")),
        };
        let Some(script) = text_script(&joined) else {
            return undetermined();
        };
        let modelled = matches!(
            script,
            Script::Latin | Script::Cyrillic | Script::Arabic | Script::Devanagari | Script::Hebrew
        );
        if !modelled {
            return match self.options.whatlang(&joined) {
                Some(info) => from_whatlang(&info),
                None => undetermined(),
            };
        }
        let mut scorer = scoring::Scorer::new(&self.options, self.tuning, script);
        scorer.add_text(&title.to_lowercase(), 1, false);
        scorer.add_text(&body.to_lowercase(), BODY_WEIGHT, true);
        scorer.decide(script, || self.options.whatlang(&joined))
    }

    /// Detects the language of one text (as a body without a title).
    pub fn detect_text(&self, text: &str) -> Language {
        self.detect("", text)
    }
}

/// NFC, then noise removal, then identifiers; borrows when there is nothing to change.
fn prepare(text: &str) -> Cow<'_, str> {
    let text: Cow<'_, str> = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    // Only what the patterns can match: a plain '/' (dates, "dan/atau") is not noise.
    let noisy =
        text.contains(['<', '@', '#', '`', '&']) || text.contains("://") || text.contains("www.");
    let text = match noisy.then(|| NOISE.replace_all(&text, " ")) {
        Some(Cow::Owned(cleaned)) => Cow::Owned(cleaned),
        _ => text,
    };
    match identifiers::drop_identifiers(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(kept) => Cow::Owned(kept),
    }
}

/// Texts up to this many letters may be given the script of a minority of their letters.
const SHORT_TEXT_LETTERS: usize = 200;
/// ... when that script has at least this share of the letters.
const MINORITY_SCRIPT_SHARE: usize = 10; // percent

/// The text's script: whatlang's (the script of most letters), except that a short text
/// mixing Latin-script names with another script is taken to be in the other one: product and
/// place names inside Hebrew, Arabic or Cyrillic text are common ("מסמך Microsoft Publisher",
/// "Документ Word"). More lower-case Latin words than words of the other script ("Putin says
/// нет to the talks") keep the text Latin.
fn text_script(text: &str) -> Option<Script> {
    let script = whatlang::detect_script(text)?;
    if script != Script::Latin {
        return Some(script);
    }
    let is_latin = |c: char| {
        c.is_ascii_alphabetic()
            || ('\u{00c0}'..='\u{024f}').contains(&c)
            || ('\u{1e00}'..='\u{1eff}').contains(&c)
    };
    let (mut latin, mut other) = (0usize, 0usize);
    let (mut lower_case_latin_words, mut other_words) = (0usize, 0usize);
    for word in text.split(|c: char| !c.is_alphabetic()) {
        let Some(first) = word.chars().next() else {
            continue;
        };
        let letters = word.chars().count();
        if is_latin(first) {
            lower_case_latin_words += usize::from(first.is_lowercase());
            latin += letters;
        } else {
            other_words += 1;
            other += letters;
        }
        if latin + other > SHORT_TEXT_LETTERS {
            return Some(script);
        }
    }
    if other == 0
        || other * 100 < (latin + other) * MINORITY_SCRIPT_SHARE
        || lower_case_latin_words > other_words
    {
        return Some(script);
    }
    let rest: String = text.chars().filter(|&c| !is_latin(c)).collect();
    whatlang::detect_script(&rest).or(Some(script))
}

/// The answer when nothing can be said.
pub fn undetermined() -> Language {
    Language {
        code: "und".to_owned(),
        bcp47: "und".to_owned(),
        ..Language::default()
    }
}

fn round3(value: f64) -> f32 {
    ((value * 1000.0).round() / 1000.0) as f32
}

/// whatlang's answer, as is (single-language scripts, Chinese and Japanese, and the languages
/// only whatlang knows).
fn from_whatlang(info: &whatlang::Info) -> Language {
    let (code, bcp47) = codes::codes(info.lang());
    Language {
        code: code.to_owned(),
        bcp47: bcp47.to_owned(),
        name: info.lang().eng_name().to_owned(),
        script: codes::script_code(info.script()).to_owned(),
        confidence: round3(info.confidence()),
        reliable: info.is_reliable(),
        ..Language::default()
    }
}

fn language(code: &str, script: Script, confidence: f64) -> Language {
    let (bcp47, name) = codes::describe(code);
    Language {
        code: code.to_owned(),
        bcp47: bcp47.to_owned(),
        name: name.to_owned(),
        script: codes::script_code(script).to_owned(),
        confidence: round3(confidence),
        ..Language::default()
    }
}

fn alternative(code: &str, score: f64) -> LanguageScore {
    LanguageScore {
        code: code.to_owned(),
        score: round3(score),
    }
}

fn secondary(code: &str, share: f32) -> SecondaryLanguage {
    SecondaryLanguage {
        code: code.to_owned(),
        share: (share * 100.0).round() / 100.0,
    }
}

#[cfg(test)]
mod tests;
