//! The invariants the fuzz targets assert, shared between them. Each checker panics (and so
//! makes libFuzzer report a crash) when the library breaks a promise its documentation makes.

use std::collections::HashSet;
use std::sync::LazyLock;

use kabar_pipeline::article::{Entity, Language, Mention, TextField};
use kabar_pipeline::clean::Cleaned;
use kabar_pipeline::entities::EntityTagger;
use kabar_pipeline::lang::supported_codes;

static CODES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| supported_codes().into_iter().collect());

/// Every name in the tagger's gazetteer, for [`check_entities`].
pub fn known_names(tagger: &EntityTagger) -> HashSet<String> {
    let gazetteer = tagger.gazetteer();
    (0..gazetteer.len())
        .map(|index| gazetteer.entity(index).name.clone())
        .collect()
}

/// Slack for sums of probabilities that were each rounded to three decimals.
const ROUNDING: f32 = 0.005;

fn unit(value: f32) -> bool {
    value.is_finite() && (0.0..=1.0).contains(&value)
}

/// A detected language: known codes, probabilities in [0, 1], alternatives best first and
/// below the winner, `und` with nothing else; with `allowed`, only those languages.
pub fn check_language(language: &Language, allowed: Option<&[&str]>) {
    let code = language.code.as_str();
    assert!(CODES.contains(code), "unknown code: {language:?}");
    assert!(!language.bcp47.is_empty(), "no BCP 47 tag: {language:?}");
    assert!(unit(language.confidence), "confidence: {language:?}");
    if code == "und" {
        assert_eq!(language.bcp47, "und", "{language:?}");
        assert!(
            !language.reliable
                && language.confidence == 0.0
                && language.alternatives.is_empty()
                && language.secondary.is_none(),
            "und with an answer: {language:?}"
        );
        return;
    }
    assert!(language.alternatives.len() <= 3, "{language:?}");
    let mut previous = language.confidence;
    let mut seen = HashSet::from([code]);
    let mut total = language.confidence;
    for alternative in &language.alternatives {
        assert!(CODES.contains(alternative.code.as_str()), "{language:?}");
        assert!(
            seen.insert(&alternative.code),
            "repeated code: {language:?}"
        );
        assert!(unit(alternative.score), "score: {language:?}");
        assert!(
            alternative.score <= previous,
            "not best first: {language:?}"
        );
        previous = alternative.score;
        total += alternative.score;
    }
    assert!(
        total <= 1.0 + ROUNDING,
        "probabilities over 1: {language:?}"
    );
    if let Some(secondary) = &language.secondary {
        assert!(CODES.contains(secondary.code.as_str()), "{language:?}");
        assert_ne!(secondary.code, code, "secondary is primary: {language:?}");
        assert!(
            unit(secondary.share) && secondary.share >= 0.2,
            "share: {language:?}"
        );
    }
    if let Some(allowed) = allowed {
        assert!(allowed.contains(&code), "not allowed: {language:?}");
        for alternative in &language.alternatives {
            assert!(
                allowed.contains(&alternative.code.as_str()),
                "alternative not allowed: {language:?}"
            );
        }
    }
}

/// Tagged entities: each has a name and mentions; mentions are sorted, distinct, non-empty
/// code-point ranges inside their field; an entity is named after one of its mentions or is a
/// known entity (`is_known_name`: a gazetteer name); entities come in order of first mention.
pub fn check_entities(
    entities: &[Entity],
    title: &str,
    body: &str,
    is_known_name: impl Fn(&str) -> bool,
) {
    let title: Vec<char> = title.chars().collect();
    let body: Vec<char> = body.chars().collect();
    let surface = |mention: &Mention| -> String {
        let text = match mention.field {
            TextField::Title => &title,
            TextField::Body => &body,
        };
        let (start, end) = (mention.start as usize, mention.end as usize);
        assert!(
            start < end && end <= text.len(),
            "mention {mention:?} outside a field of {} chars",
            text.len()
        );
        text[start..end].iter().collect()
    };
    let order = |m: &Mention| (m.field == TextField::Body, m.start, m.end);
    let mut firsts = Vec::with_capacity(entities.len());
    for entity in entities {
        assert!(!entity.name.trim().is_empty(), "unnamed: {entity:?}");
        assert!(!entity.mentions.is_empty(), "no mention: {entity:?}");
        assert!(
            entity.wikidata.is_empty()
                || (entity.wikidata.starts_with('Q')
                    && entity.wikidata.len() > 1
                    && entity.wikidata[1..].bytes().all(|b| b.is_ascii_digit())),
            "wikidata id: {entity:?}"
        );
        let mut surfaces = Vec::with_capacity(entity.mentions.len());
        for pair in entity.mentions.windows(2) {
            assert!(order(&pair[0]) < order(&pair[1]), "unsorted: {entity:?}");
        }
        for mention in &entity.mentions {
            let text = surface(mention);
            assert!(
                !text.trim().is_empty() && text.trim() == text,
                "mention {text:?} of {entity:?}"
            );
            surfaces.push(text);
        }
        assert!(
            surfaces.contains(&entity.name) || is_known_name(&entity.name),
            "{entity:?} named after none of its mentions {surfaces:?} nor a known entity"
        );
        firsts.push(order(&entity.mentions[0]));
    }
    for pair in firsts.windows(2) {
        assert!(pair[0] <= pair[1], "entities out of order: {entities:?}");
    }
}

/// A cleaning result: trimmed paragraphs, removal counts that add up, one tally per reason.
pub fn check_cleaned(cleaned: &Cleaned) {
    let body = &cleaned.body;
    assert_eq!(body.trim(), body, "untrimmed body");
    for paragraph in body.split("\n\n").filter(|_| !body.is_empty()) {
        assert!(
            !paragraph.trim().is_empty() && paragraph.trim() == paragraph,
            "paragraph {paragraph:?}"
        );
    }
    let stats = &cleaned.stats;
    let lines: u32 = stats.reasons.iter().map(|r| r.lines).sum();
    let chars = stats
        .reasons
        .iter()
        .map(|r| r.chars)
        .fold(0u32, u32::saturating_add);
    assert_eq!(stats.removed_lines, lines, "{stats:?}");
    assert_eq!(stats.removed_chars, chars, "{stats:?}");
    let mut codes = HashSet::new();
    for reason in &stats.reasons {
        assert!(!reason.code.is_empty() && reason.lines > 0, "{stats:?}");
        assert!(codes.insert(&reason.code), "reason twice: {stats:?}");
    }
}
