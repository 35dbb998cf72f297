//! Hashed features of a token in context: word, shape, affixes, neighbours, gazetteer and cue
//! flags, WordNet noun classes, word-embedding clusters, the text's topics. Shared by run time
//! and training so that both see exactly the same features. The word tables they read are in
//! [`lexicon`].

use std::sync::LazyLock;

use super::hash::{FNV_OFFSET, HashedMap, HashedSet, fnv, hash_chars, hash_lower};
use super::lexicon::{self, CUE_COMMON, CUE_CONNECTOR, CUE_PLACE_HEAD};
use super::tokens::{Token, without_abbreviation_dot};

/// Gazetteer evidence for one token: none, or type and position (begin or inside).
pub type GazCode = u8;

/// Per-token facts computed once, then combined into features.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenInfo {
    pub lower: u64,
    shape: u64,
    prefix2: u64,
    prefix3: u64,
    suffix2: u64,
    suffix3: u64,
    suffix4: u64,
    /// Starts with an upper-case letter.
    pub capitalised: bool,
    /// Contains a letter and no lower-case letter ("PBB", "SEOUL").
    pub all_caps: bool,
    pub digit: bool,
    pub word: bool,
    /// Code points.
    pub chars: usize,
    /// Cue bits ([`lexicon::cues`], and [`CUE_COMMON`] for the model's common words).
    cue: u8,
    pub gaz: GazCode,
    /// First token of a sentence (after . ! ? : quotes or a line break).
    sentence_start: bool,
    /// How the same word is written elsewhere in the text (`DOC_*` bits).
    doc: u8,
    /// WordNet's class of the word as a noun ([`lexicon::noun_class`]; 0: none).
    noun: u8,
    /// Embedding clusters of the word, coarse to fine, plus one ([`lexicon::clusters`]; 0: none).
    cluster: [u16; 3],
    /// Topics of the whole text ([`lexicon::topics`] bits), the same for every token.
    topic: u8,
}

/// Elsewhere in the text the word is capitalised inside a sentence.
const DOC_MID: u8 = 1;
/// ... begins a run of capitalised words ("Snoke" after "Snoke Industries").
const DOC_FIRST: u8 = 2;
/// ... ends a run of capitalised words ("Snoke" after "David Snoke").
const DOC_LAST: u8 = 4;
/// ... occurs at all (capitalised).
const DOC_SEEN: u8 = 8;

static OPEN: LazyLock<u64> = LazyLock::new(|| hash_lower("("));
static CLOSE: LazyLock<u64> = LazyLock::new(|| hash_lower(")"));
static OF: LazyLock<u64> = LazyLock::new(|| hash_lower("of"));
static FOR: LazyLock<u64> = LazyLock::new(|| hash_lower("for"));
/// How far back in a run an "of" or "for" is looked for.
const OF_WINDOW: usize = 6;

/// Mixes a template id with a value hash.
fn mix(template: u64, value: u64) -> u64 {
    let x =
        (value ^ template.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^ (x >> 29)
}

/// Word shape: X upper, x lower, d digit, other characters kept; runs collapsed; all-caps words
/// keep their length up to 4 ("X3" for "PBB").
fn shape(chars: &[char]) -> u64 {
    let mut hash = FNV_OFFSET;
    let mut last = '\0';
    let mut length = 0;
    let upper = chars.iter().filter(|c| c.is_uppercase()).count();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    if letters > 0 && upper == letters && chars.iter().all(|c| c.is_alphabetic()) {
        return fnv(fnv(hash, u32::from('X')), 100 + chars.len().min(5) as u32);
    }
    for &c in chars {
        let class = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if class != last && length < 6 {
            hash = fnv(hash, u32::from(class));
            last = class;
            length += 1;
        }
    }
    hash
}

/// Computes the per-token facts. `gaz` holds one code per token; `common` the hashes of words
/// mostly written in lower case. Word identity, affixes and shape are computed only near
/// capitalised words, known names and numbers: elsewhere no feature ever reads them.
pub fn token_infos(
    text: &str,
    tokens: &[Token],
    gaz: &[GazCode],
    common: &HashedSet,
) -> Vec<TokenInfo> {
    let mut infos = Vec::with_capacity(tokens.len());
    let mut sentence_start = true;
    let mut topic = 0u8;
    for (index, token) in tokens.iter().enumerate() {
        let word = without_abbreviation_dot(token.text(text));
        // Hashed once here for every token: the topics need every word, the features below
        // only the tokens near names.
        let lower = hash_lower(word);
        if token.word && (3..=12).contains(&word.len()) {
            topic |= lexicon::topics(lower);
        }
        let first = word.chars().next().unwrap_or(' ');
        let (mut letters, mut lower_case, mut digit, mut n) = (0usize, false, false, 0usize);
        for c in word.chars() {
            n += 1;
            letters += usize::from(c.is_alphabetic());
            lower_case |= c.is_lowercase();
            digit |= c.is_numeric();
        }
        infos.push(TokenInfo {
            capitalised: first.is_uppercase(),
            all_caps: letters > 0 && !lower_case,
            digit,
            word: token.word,
            chars: n,
            gaz: gaz[index],
            sentence_start,
            lower,
            ..TokenInfo::default()
        });
        sentence_start = !token.word
            && matches!(
                first,
                '.' | '!' | '?' | ':' | '"' | '“' | '”' | '(' | '-' | '—'
            );
    }
    let anchor =
        |info: &TokenInfo| (info.word && (info.capitalised || info.digit)) || info.gaz != 0;
    let mut needed = vec![false; infos.len()];
    for (index, info) in infos.iter().enumerate() {
        if anchor(info) {
            let from = index.saturating_sub(3);
            let to = (index + 4).min(infos.len());
            needed[from..to].iter_mut().for_each(|n| *n = true);
        }
    }
    let mut chars: Vec<char> = Vec::with_capacity(32);
    for (index, token) in tokens.iter().enumerate() {
        if !needed[index] {
            continue;
        }
        chars.clear();
        chars.extend(without_abbreviation_dot(token.text(text)).chars());
        let n = chars.len();
        let affix = |range: std::ops::Range<usize>| {
            if n > range.len() {
                hash_chars(&chars[range])
            } else {
                0
            }
        };
        let lower = infos[index].lower;
        let mut cue = 0;
        if token.word || n == 1 {
            cue = lexicon::cues(lower);
            if common.contains(&lower) {
                cue |= CUE_COMMON;
            }
        }
        let info = &mut infos[index];
        info.shape = shape(&chars);
        info.prefix2 = affix(0..2);
        info.prefix3 = affix(0..3);
        info.suffix2 = affix(n.saturating_sub(2)..n);
        info.suffix3 = affix(n.saturating_sub(3)..n);
        info.suffix4 = affix(n.saturating_sub(4)..n);
        info.cue = cue;
        info.noun = if token.word {
            lexicon::noun_class(lower)
        } else {
            0
        };
        info.cluster = if token.word {
            lexicon::clusters(lower)
        } else {
            [0; 3]
        };
    }
    for info in &mut infos {
        info.topic = topic;
    }
    document_evidence(&mut infos);
    infos
}

/// Fills [`TokenInfo::doc`]: for each capitalised word, how its other capitalised occurrences
/// in the same text look (a name at a sentence start is usually written mid-sentence too, or
/// as part of a longer name, elsewhere in the article).
fn document_evidence(infos: &mut [TokenInfo]) {
    let capitalised = |info: &TokenInfo| info.word && info.capitalised && info.lower != 0;
    let own = |infos: &[TokenInfo], i: usize| -> [u16; 4] {
        let info = &infos[i];
        let before = i > 0 && capitalised(&infos[i - 1]) && !info.sentence_start;
        let after = infos
            .get(i + 1)
            .is_some_and(|next| capitalised(next) && !next.sentence_start);
        [
            u16::from(!info.sentence_start),
            u16::from(after),
            u16::from(before),
            1,
        ]
    };
    let mut counts: HashedMap<[u16; 4]> = HashedMap::default();
    for i in 0..infos.len() {
        if capitalised(&infos[i]) {
            let mine = own(infos, i);
            let entry = counts.entry(infos[i].lower).or_default();
            for (count, add) in entry.iter_mut().zip(mine) {
                *count = count.saturating_add(add);
            }
        }
    }
    for i in 0..infos.len() {
        if !capitalised(&infos[i]) {
            continue;
        }
        let mine = own(infos, i);
        let Some(total) = counts.get(&infos[i].lower) else {
            continue;
        };
        let mut doc = 0;
        for ((&count, own), bit) in total
            .iter()
            .zip(mine)
            .zip([DOC_MID, DOC_FIRST, DOC_LAST, DOC_SEEN])
        {
            if count > own {
                doc |= bit;
            }
        }
        infos[i].doc = doc;
    }
}

/// Whether the tagger looks at a token at all: capitalised words, gazetteer hits, and short
/// words or marks between capitalised words ("Bank of America", "Johnson & Johnson"). Every
/// other token is outside any name, which keeps the tagger fast on long lower-case text.
pub fn candidates(infos: &[TokenInfo]) -> Vec<bool> {
    let n = infos.len();
    (0..n)
        .map(|i| {
            let info = &infos[i];
            if (info.word && info.capitalised) || info.gaz != 0 {
                return true;
            }
            let capitalised = |j: usize| infos[j].word && infos[j].capitalised;
            let before = i > 0 && capitalised(i - 1);
            let after = i + 1 < n && capitalised(i + 1);
            let mark = |j: usize, c: &str| !infos[j].word && infos[j].lower == hash_lower(c);
            // "Bursa Efek Indonesia (BEI)": the brackets around a name.
            let bracketed =
                (info.lower == *OPEN && i + 2 < n && capitalised(i + 1) && mark(i + 2, ")"))
                    || (info.lower == *CLOSE && i >= 2 && capitalised(i - 1) && mark(i - 2, "("));
            bracketed
                || (before && after && info.chars <= 5 && info.cue & CUE_CONNECTOR != 0)
                || (before && info.digit && info.word)
                || (after && info.cue & CUE_PLACE_HEAD != 0)
        })
        .collect()
}

/// Language of the text as a feature value.
pub fn language_hash(code: &str) -> u64 {
    hash_lower(code)
}

const NONE: u64 = 0x5151_5151;
const BOUNDARY: u64 = 0x7373_7373;

/// Appends the feature hashes of token `i`, inside the candidate run `run`, to `out`.
pub fn features(
    infos: &[TokenInfo],
    run: std::ops::Range<usize>,
    i: usize,
    language: u64,
    out: &mut Vec<u64>,
) {
    let at = |offset: isize| -> Option<&TokenInfo> {
        let j = i as isize + offset;
        (j >= 0).then(|| infos.get(j as usize)).flatten()
    };
    let lower = |offset| at(offset).map_or(BOUNDARY, |t| t.lower);
    let shape_at = |offset| at(offset).map_or(BOUNDARY, |t| t.shape);
    let cue = |offset| at(offset).map_or(0, |t| u64::from(t.cue));
    let gaz = |offset| at(offset).map_or(0, |t| u64::from(t.gaz));
    let me = &infos[i];
    let run_length = (run.len() as u64).min(5);
    let position = if run.len() == 1 {
        1
    } else if i == run.start {
        2
    } else if i + 1 == run.end {
        3
    } else {
        4
    };
    // A bounded look back: a run of hostile input can be any length.
    let of_before = infos[run.start.max(i.saturating_sub(OF_WINDOW))..i]
        .iter()
        .any(|t| t.lower == *OF || t.lower == *FOR);
    let before = lower(run.start as isize - i as isize - 1);
    let after = lower(run.end as isize - i as isize);
    let pairs = [
        (1, 1),
        (2, me.lower),
        (3, me.shape),
        (4, me.prefix2),
        (5, me.prefix3),
        (6, me.suffix2),
        (7, me.suffix3),
        (8, me.suffix4),
        (9, lower(-1)),
        (10, lower(1)),
        (11, lower(-2)),
        (12, lower(2)),
        (13, mix(shape_at(-1), me.shape)),
        (14, mix(me.shape, shape_at(1))),
        (15, mix(lower(-1), me.lower)),
        (16, gaz(0)),
        (17, gaz(-1)),
        (18, gaz(1)),
        (19, mix(gaz(0), me.shape)),
        (20, cue(-1)),
        (21, cue(-2)),
        (22, cue(0)),
        (23, cue(1)),
        (24, cue(2)),
        (25, mix(u64::from(me.sentence_start), me.shape)),
        (26, mix(language, me.shape)),
        (27, mix(language, cue(-1))),
        (28, mix(lower(1), me.shape)),
        (29, mix(mix(shape_at(-1), me.shape), shape_at(1))),
        // The run of candidate tokens: its length, the position in it, the words around it.
        (30, mix(run_length, position)),
        (31, before),
        (32, after),
        (33, mix(before, position)),
        (34, mix(after, position)),
        (35, mix(language, before)),
        (36, mix(mix(run_length, position), me.shape)),
        (37, mix(language, me.lower)),
        (38, mix(language, lower(-1))),
        (39, mix(language, gaz(0))),
        // How the same word is written elsewhere in the text.
        (40, mix(u64::from(me.doc), u64::from(me.sentence_start))),
        (41, mix(u64::from(me.doc), me.shape)),
        // The two words after and the two before, together ("X said on", "at the X").
        (42, mix(lower(1), lower(2))),
        (43, mix(lower(-2), lower(-1))),
        // A connector after "of" or "for" in the same run ("Department of Physics and
        // Astronomy") continues the name more often than one that is not ("Google and Apple").
        (44, mix(u64::from(of_before), mix(me.lower, position))),
        // WordNet's class of the word, and of the run's last word (the head of most names).
        (45, mix(u64::from(me.noun), me.shape)),
        (46, mix(u64::from(infos[run.end - 1].noun), position)),
        (47, mix(language, u64::from(infos[run.end - 1].noun))),
        // The word's embedding clusters, coarse (with its shape) to fine: evidence shared by
        // words the training data has seldom or never seen.
        (48, mix(u64::from(me.cluster[0]), me.shape)),
        (49, u64::from(me.cluster[1])),
        (50, u64::from(me.cluster[2])),
        // The topics of the text (a band, a club, a race), with the word's shape, its
        // position in the run and the run's length, and the run's last word's noun class.
        (51, mix(u64::from(me.topic), me.shape)),
        (52, mix(u64::from(me.topic), mix(run_length, position))),
        (
            53,
            mix(u64::from(me.topic), u64::from(infos[run.end - 1].noun)),
        ),
    ];
    for (template, value) in pairs {
        // Affixes of short words are absent (0): no feature.
        if value == 0 && (4..=8).contains(&template) {
            continue;
        }
        out.push(mix(template, if value == 0 { NONE } else { value }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tokens::tokenize;

    fn infos(text: &str) -> (Vec<Token>, Vec<TokenInfo>) {
        let tokens = tokenize(text);
        let gaz = vec![0; tokens.len()];
        let infos = token_infos(text, &tokens, &gaz, &HashedSet::default());
        (tokens, infos)
    }

    fn doc_of(text: &str, nth: usize, word: &str) -> u8 {
        let (tokens, infos) = infos(text);
        let index = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.text(text) == word)
            .nth(nth)
            .map(|(i, _)| i)
            .expect("word");
        infos[index].doc
    }

    #[test]
    fn document_evidence_looks_at_other_occurrences_only() {
        let text =
            "Snoke disagreed. Later David Snoke said so, and Snoke Labs agreed. Then it rained.";
        // The sentence-initial "Snoke" is written elsewhere mid-sentence, at the end of a longer
        // name and at the start of one.
        assert_eq!(
            doc_of(text, 0, "Snoke"),
            DOC_MID | DOC_FIRST | DOC_LAST | DOC_SEEN
        );
        // "David Snoke": the other occurrences are sentence-initial and first of a run.
        assert_eq!(doc_of(text, 1, "Snoke"), DOC_MID | DOC_FIRST | DOC_SEEN);
        // Words that occur once have no evidence; "Then" is alone too.
        assert_eq!(doc_of(text, 0, "David"), 0);
        assert_eq!(doc_of(text, 0, "Then"), 0);
    }

    #[test]
    fn document_evidence_ignores_case_of_letters() {
        let text = "WASHINGTON agreed. They met in Washington.";
        assert_eq!(doc_of(text, 0, "WASHINGTON"), DOC_MID | DOC_SEEN);
    }
}
