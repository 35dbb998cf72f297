//! Language codes, names and scripts: whatlang's, plus the languages kabar adds.

use whatlang::{Lang, Script};

/// Languages kabar knows that whatlang does not: (ISO 639-3, BCP 47, English name).
const EXTRA: [(&str, &str, &str); 2] = [("zsm", "ms", "Malay"), ("sun", "su", "Sundanese")];

/// The whatlang language for an ISO 639-3 code, if whatlang has it.
pub fn whatlang_lang(code: &str) -> Option<Lang> {
    match code {
        "fas" => Some(Lang::Pes),
        _ => Lang::from_code(code),
    }
}

/// BCP 47 tag and English name for an ISO 639-3 code kabar can answer.
pub fn describe(code: &str) -> (&'static str, &'static str) {
    if let Some(&(_, bcp47, name)) = EXTRA.iter().find(|(c, _, _)| *c == code) {
        return (bcp47, name);
    }
    match whatlang_lang(code) {
        Some(lang) => (codes(lang).1, lang.eng_name()),
        None => ("und", ""),
    }
}

/// The whatlang script a language is written in (Malay and Sundanese: Latin).
pub fn script_of(code: &str) -> Option<Script> {
    if EXTRA.iter().any(|(c, _, _)| *c == code) {
        return Some(Script::Latin);
    }
    let lang = whatlang_lang(code)?;
    Script::all()
        .iter()
        .copied()
        .find(|script| script.langs().contains(&lang))
}

/// ISO 639-3 and BCP 47 codes. whatlang's codes are ISO 639-3 already, except that Persian is
/// reported as `pes` (Iranian Persian); kabar uses the macrolanguage `fas`.
pub fn codes(lang: Lang) -> (&'static str, &'static str) {
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
pub fn script_code(script: Script) -> &'static str {
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
    out.extend(EXTRA.iter().map(|(code, _, _)| *code));
    out.push("und");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_bcp47_tag() {
        for lang in Lang::all() {
            assert_ne!(codes(*lang).1, "und", "{lang:?}");
        }
        assert_eq!(describe("zsm"), ("ms", "Malay"));
        assert_eq!(describe("fas").0, "fa");
    }

    #[test]
    fn scripts() {
        assert_eq!(script_of("zsm"), Some(Script::Latin));
        assert_eq!(script_of("fas"), Some(Script::Arabic));
        assert_eq!(script_of("rus"), Some(Script::Cyrillic));
    }
}
