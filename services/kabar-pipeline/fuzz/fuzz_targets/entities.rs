//! Arbitrary text through the entity tagger. The first byte picks the language hint, the first
//! line of the rest is the title. Mentions must be valid code-point ranges of their field.

#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use kabar_pipeline::entities::EntityTagger;
use kabar_pipeline_fuzz::{check_entities, known_names};
use libfuzzer_sys::fuzz_target;

const LANGUAGES: [&str; 8] = ["", "ind", "zsm", "eng", "deu", "fra", "spa", "und"];

#[allow(clippy::expect_used)] // the bundled tables are tested elsewhere
static TAGGER: LazyLock<EntityTagger> =
    LazyLock::new(|| EntityTagger::new().expect("bundled tagger"));
static KNOWN: LazyLock<HashSet<String>> = LazyLock::new(|| known_names(&TAGGER));

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let language = LANGUAGES[usize::from(selector) % LANGUAGES.len()];
    let (title, body) = text.split_once('\n').unwrap_or(("", text));
    let entities = TAGGER.tag(title, body, language);
    check_entities(&entities, title, body, |name| KNOWN.contains(name));
});
