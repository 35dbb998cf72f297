//! Language identification, built on whatlang.
//!
//! Text is normalised (NFC) and stripped of URLs and e-mail addresses before detection, since
//! both are language-neutral noise that pulls short texts towards English.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;
use whatlang::{Lang, Script};

use crate::article::Language;

static NOISE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // a constant pattern, covered by tests
    Regex::new(r"(?i)\b(?:https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.-]+\b|<[^>]{1,200}>").unwrap()
});

/// The language stage.
#[derive(Debug, Default)]
pub struct LanguageDetector {
    _private: (),
}

impl LanguageDetector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Detects the language of an article from its title and body.
    pub fn detect(&self, title: &str, body: &str) -> Language {
        let mut text = String::with_capacity(title.len() + body.len() + 1);
        text.push_str(title);
        text.push('\n');
        text.push_str(body);
        self.detect_text(&text)
    }

    /// Detects the language of one text.
    pub fn detect_text(&self, text: &str) -> Language {
        let normalized: String = text.nfc().collect();
        let cleaned = NOISE.replace_all(&normalized, " ");
        match whatlang::detect(&cleaned) {
            Some(info) => {
                let (code, bcp47) = codes(info.lang());
                Language {
                    code: code.to_owned(),
                    bcp47: bcp47.to_owned(),
                    name: info.lang().eng_name().to_owned(),
                    script: script_code(info.script()).to_owned(),
                    confidence: round3(info.confidence()),
                    reliable: info.is_reliable(),
                }
            }
            None => undetermined(),
        }
    }
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

/// ISO 639-3 and BCP 47 codes. whatlang's codes are ISO 639-3 already, except that Persian is
/// reported as `pes` (Iranian Persian); kabar uses the macrolanguage `fas`.
fn codes(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::Epo => ("epo", "eo"),
        Lang::Eng => ("eng", "en"),
        Lang::Rus => ("rus", "ru"),
        Lang::Cmn => ("cmn", "zh"),
        Lang::Spa => ("spa", "es"),
        Lang::Por => ("por", "pt"),
        Lang::Ita => ("ita", "it"),
        Lang::Ben => ("ben", "bn"),
        Lang::Fra => ("fra", "fr"),
        Lang::Deu => ("deu", "de"),
        Lang::Ukr => ("ukr", "uk"),
        Lang::Kat => ("kat", "ka"),
        Lang::Ara => ("ara", "ar"),
        Lang::Hin => ("hin", "hi"),
        Lang::Jpn => ("jpn", "ja"),
        Lang::Heb => ("heb", "he"),
        Lang::Yid => ("yid", "yi"),
        Lang::Pol => ("pol", "pl"),
        Lang::Amh => ("amh", "am"),
        Lang::Jav => ("jav", "jv"),
        Lang::Kor => ("kor", "ko"),
        Lang::Nob => ("nob", "nb"),
        Lang::Dan => ("dan", "da"),
        Lang::Swe => ("swe", "sv"),
        Lang::Fin => ("fin", "fi"),
        Lang::Tur => ("tur", "tr"),
        Lang::Nld => ("nld", "nl"),
        Lang::Hun => ("hun", "hu"),
        Lang::Ces => ("ces", "cs"),
        Lang::Ell => ("ell", "el"),
        Lang::Bul => ("bul", "bg"),
        Lang::Bel => ("bel", "be"),
        Lang::Mar => ("mar", "mr"),
        Lang::Kan => ("kan", "kn"),
        Lang::Ron => ("ron", "ro"),
        Lang::Slv => ("slv", "sl"),
        Lang::Hrv => ("hrv", "hr"),
        Lang::Srp => ("srp", "sr"),
        Lang::Mkd => ("mkd", "mk"),
        Lang::Lit => ("lit", "lt"),
        Lang::Lav => ("lav", "lv"),
        Lang::Est => ("est", "et"),
        Lang::Tam => ("tam", "ta"),
        Lang::Vie => ("vie", "vi"),
        Lang::Urd => ("urd", "ur"),
        Lang::Tha => ("tha", "th"),
        Lang::Guj => ("guj", "gu"),
        Lang::Uzb => ("uzb", "uz"),
        Lang::Pan => ("pan", "pa"),
        Lang::Aze => ("aze", "az"),
        Lang::Ind => ("ind", "id"),
        Lang::Tel => ("tel", "te"),
        Lang::Pes => ("fas", "fa"),
        Lang::Mal => ("mal", "ml"),
        Lang::Ori => ("ori", "or"),
        Lang::Mya => ("mya", "my"),
        Lang::Nep => ("nep", "ne"),
        Lang::Sin => ("sin", "si"),
        Lang::Khm => ("khm", "km"),
        Lang::Tuk => ("tuk", "tk"),
        Lang::Aka => ("aka", "ak"),
        Lang::Zul => ("zul", "zu"),
        Lang::Sna => ("sna", "sn"),
        Lang::Afr => ("afr", "af"),
        Lang::Lat => ("lat", "la"),
        Lang::Slk => ("slk", "sk"),
        Lang::Cat => ("cat", "ca"),
        Lang::Tgl => ("tgl", "tl"),
        Lang::Hye => ("hye", "hy"),
        Lang::Cym => ("cym", "cy"),
        #[allow(unreachable_patterns)] // whatlang may add languages in a minor release
        _ => (lang.code(), "und"),
    }
}

/// ISO 15924 code for whatlang's script.
fn script_code(script: Script) -> &'static str {
    match script {
        Script::Latin => "Latn",
        Script::Cyrillic => "Cyrl",
        Script::Arabic => "Arab",
        Script::Devanagari => "Deva",
        Script::Hiragana | Script::Katakana => "Jpan",
        Script::Ethiopic => "Ethi",
        Script::Hebrew => "Hebr",
        Script::Bengali => "Beng",
        Script::Georgian => "Geor",
        Script::Mandarin => "Hani",
        Script::Hangul => "Hang",
        Script::Greek => "Grek",
        Script::Kannada => "Knda",
        Script::Tamil => "Taml",
        Script::Thai => "Thai",
        Script::Gujarati => "Gujr",
        Script::Gurmukhi => "Guru",
        Script::Telugu => "Telu",
        Script::Malayalam => "Mlym",
        Script::Oriya => "Orya",
        Script::Myanmar => "Mymr",
        Script::Sinhala => "Sinh",
        Script::Khmer => "Khmr",
        Script::Armenian => "Armn",
        #[allow(unreachable_patterns)]
        _ => "Zyyy",
    }
}

/// Every ISO 639-3 code the detector can answer, plus `und` (metric labels come from this).
pub fn supported_codes() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Lang::all().iter().map(|lang| codes(*lang).0).collect();
    out.push("und");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_news() {
        let detector = LanguageDetector::new();
        let language = detector.detect(
            "Putin-Kim Bahas Kerja Sama Militer",
            "Amerika Serikat dan Korea Selatan memprotes kerja sama militer antara Korea Utara dan Rusia. Keduanya akan menentukan respons tegas terhadap kebijakan Moskow.",
        );
        assert_eq!(language.code, "ind");
        assert_eq!(language.bcp47, "id");
        assert_eq!(language.script, "Latn");
        assert!(language.reliable);
    }

    #[test]
    fn urls_do_not_decide() {
        let detector = LanguageDetector::new();
        let language = detector.detect_text(
            "Der Bundestag hat heute über das neue Gesetz abgestimmt https://www.example.com/english/news/today",
        );
        assert_eq!(language.code, "deu");
    }

    #[test]
    fn empty_is_undetermined() {
        assert_eq!(LanguageDetector::new().detect("", "").code, "und");
    }

    #[test]
    fn every_language_has_a_bcp47_tag() {
        for lang in Lang::all() {
            assert_ne!(codes(*lang).1, "und", "{lang:?}");
        }
    }
}
