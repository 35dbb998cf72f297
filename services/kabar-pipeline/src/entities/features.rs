//! Hashed features of a token in context: word, shape, affixes, neighbours, gazetteer and cue
//! flags, WordNet noun classes, word-embedding clusters. Shared by run time and training so that
//! both see exactly the same features.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::cues::{CONNECTORS, MISC_HEADS, ORG_HEADS, PLACE_HEADS, TITLES};
use super::tokens::{Token, without_abbreviation_dot};

/// Sets of word hashes: the keys are hashes already, so the set does not hash them again.
pub type HashedSet = HashSet<u64, BuildHasherDefault<Identity>>;

/// A hasher that passes a `u64` key through.
#[derive(Default)]
pub struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

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
    cue: u8,
    pub gaz: GazCode,
    /// First token of a sentence (after . ! ? : quotes or a line break).
    sentence_start: bool,
    /// How the same word is written elsewhere in the text (`DOC_*` bits).
    doc: u8,
    /// WordNet's class of the word as a noun ([`NOUN_CLASS`]; 0: none).
    noun: u8,
    /// Embedding clusters of the word, coarse to fine, plus one ([`CLUSTERS`]; 0: none).
    cluster: [u16; 3],
    /// Topics of the whole text ([`TOPICS`] bits), the same for every token.
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

const CUE_TITLE: u8 = 1;
const CUE_ORG: u8 = 2;
const CUE_MISC: u8 = 4;
const CUE_CONNECTOR: u8 = 8;
const CUE_PLACE_HEAD: u8 = 16;
const CUE_GIVEN_NAME: u8 = 32;
const CUE_FAMILY_NAME: u8 = 64;
const CUE_COMMON: u8 = 128;

static OPEN: LazyLock<u64> = LazyLock::new(|| hash_lower("("));
static CLOSE: LazyLock<u64> = LazyLock::new(|| hash_lower(")"));
static OF: LazyLock<u64> = LazyLock::new(|| hash_lower("of"));
static FOR: LazyLock<u64> = LazyLock::new(|| hash_lower("for"));
/// How far back in a run an "of" or "for" is looked for.
const OF_WINDOW: usize = 6;

fn lower_set(words: &[&str]) -> HashedSet {
    words.iter().map(|w| hash_lower(w)).collect()
}

static TITLE_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(TITLES));

/// Every cue word with its cue bits, for one lookup per token.
static CUES: LazyLock<HashMap<u64, u8, BuildHasherDefault<Identity>>> = LazyLock::new(|| {
    let mut cues: HashMap<u64, u8, BuildHasherDefault<Identity>> = HashMap::default();
    for (set, bit) in [
        (&*TITLE_SET, CUE_TITLE),
        (&*ORG_SET, CUE_ORG),
        (&*MISC_SET, CUE_MISC),
        (&*CONNECTOR_SET, CUE_CONNECTOR),
        (&*PLACE_HEAD_SET, CUE_PLACE_HEAD),
        (&*GIVEN_NAMES, CUE_GIVEN_NAME),
        (&*FAMILY_NAMES, CUE_FAMILY_NAME),
    ] {
        for &hash in set {
            *cues.entry(hash).or_default() |= bit;
        }
    }
    cues
});

/// Whether a word is a title or role ("Presiden", "Dr.").
pub fn is_title(word: &str) -> bool {
    TITLE_SET.contains(&hash_lower(word))
        || TITLE_SET.contains(&hash_lower(word.trim_end_matches('.')))
}

/// A title or role that is not also a given or family name ("Wamenlu", "Presiden"; not "Baron"):
/// alone, it is never a person's name.
pub fn is_bare_title(word: &str) -> bool {
    is_title(word) && {
        let hash = hash_lower(word);
        !GIVEN_NAMES.contains(&hash) && !FAMILY_NAMES.contains(&hash)
    }
}
static ORG_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(ORG_HEADS));
static MISC_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(MISC_HEADS));
static CONNECTOR_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(CONNECTORS));
static PLACE_HEAD_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(PLACE_HEADS));

/// Given and family names (US census lists): evidence for people.
const NAMES: &str = include_str!("../../data/entities/names.tsv");

fn name_set(kind: &str) -> HashedSet {
    NAMES
        .lines()
        .filter_map(|line| line.strip_prefix(kind))
        .map(hash_lower)
        .collect()
}

static GIVEN_NAMES: LazyLock<HashedSet> = LazyLock::new(|| name_set("F\t"));
static FAMILY_NAMES: LazyLock<HashedSet> = LazyLock::new(|| name_set("L\t"));

/// Nouns with WordNet's class of their most frequent sense: evidence for the head of a name
/// ("Coronado Unified School District", "Cascade Timberlands", "Landmark Church").
const NOUNS: &str = include_str!("../../data/entities/wordnet-nouns.tsv");

/// Lower-case word hash to noun class: 1 organisation, 2 social group, 3 place, 4 person.
static NOUN_CLASS: LazyLock<HashMap<u64, u8, BuildHasherDefault<Identity>>> = LazyLock::new(|| {
    NOUNS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(class, word)| {
            let code = match class {
                "ORG" => 1,
                "GRP" => 2,
                "LOC" => 3,
                "PER" => 4,
                _ => return None,
            };
            Some((hash_lower(word), code))
        })
        .collect()
});

/// Words with the k-means clusters of their static word embeddings at three granularities:
/// evidence for words seen rarely or never in training ("hospital" near "clinic").
const CLUSTER_TABLE: &str = include_str!("../../data/entities/embedding-clusters.tsv");

/// Lower-case word hash to its clusters (k = 64, 256, 1024), each plus one.
static CLUSTERS: LazyLock<HashMap<u64, [u16; 3], BuildHasherDefault<Identity>>> =
    LazyLock::new(|| {
        CLUSTER_TABLE
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let word = fields.next()?;
                let mut ids = [0u16; 3];
                for id in &mut ids {
                    *id = fields.next()?.parse::<u16>().ok()?.checked_add(1)?;
                }
                Some((hash_lower(word), ids))
            })
            .collect()
    });

/// Topic cue words, English and Indonesian: which of them occur in a text is evidence for the
/// type of its names (a band or a club is an organisation, a race an event).
const TOPICS: [&[&str]; 4] = [
    // Music.
    &[
        "album",
        "albums",
        "band",
        "song",
        "songs",
        "single",
        "tour",
        "guitarist",
        "chart",
        "label",
        "singer",
        "concert",
        "lagu",
        "musik",
        "konser",
        "penyanyi",
        "vokalis",
        "gitaris",
    ],
    // Sports.
    &[
        "season",
        "league",
        "club",
        "team",
        "match",
        "goal",
        "goals",
        "coach",
        "championship",
        "race",
        "tournament",
        "stadium",
        "liga",
        "klub",
        "pertandingan",
        "pelatih",
        "musim",
        "gol",
        "turnamen",
        "balapan",
        "kejuaraan",
    ],
    // Business.
    &[
        "company",
        "shares",
        "revenue",
        "profit",
        "investors",
        "stock",
        "billion",
        "market",
        "perusahaan",
        "saham",
        "laba",
        "investor",
        "pendapatan",
        "miliar",
        "pasar",
    ],
    // Politics.
    &[
        "election",
        "party",
        "government",
        "minister",
        "parliament",
        "vote",
        "senator",
        "pemilu",
        "partai",
        "pemerintah",
        "menteri",
        "parlemen",
        "pemilihan",
    ],
];

/// Lower-case word hash to its topic bit.
static TOPIC_WORDS: LazyLock<HashMap<u64, u8, BuildHasherDefault<Identity>>> =
    LazyLock::new(|| {
        let mut words: HashMap<u64, u8, BuildHasherDefault<Identity>> = HashMap::default();
        for (index, list) in TOPICS.iter().enumerate() {
            for word in *list {
                *words.entry(hash_lower(word)).or_default() |= 1 << index;
            }
        }
        words
    });

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

fn fnv(hash: u64, value: u32) -> u64 {
    (hash ^ u64::from(value)).wrapping_mul(FNV_PRIME)
}

/// Folds the lower-case form of `c` into `hash`.
fn fold_lower(hash: u64, c: char) -> u64 {
    if c.is_ascii() {
        fnv(hash, u32::from(c.to_ascii_lowercase()))
    } else {
        c.to_lowercase().fold(hash, |h, l| fnv(h, u32::from(l)))
    }
}

/// Hash of the lower-cased word, the key for word identity and cue lists.
pub fn hash_lower(word: &str) -> u64 {
    word.chars().fold(FNV_OFFSET, fold_lower)
}

fn hash_chars(chars: &[char]) -> u64 {
    chars.iter().fold(FNV_OFFSET, |h, &c| fold_lower(h, c))
}

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
            topic |= TOPIC_WORDS.get(&lower).copied().unwrap_or(0);
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
            cue = CUES.get(&lower).copied().unwrap_or(0);
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
            NOUN_CLASS.get(&lower).copied().unwrap_or(0)
        } else {
            0
        };
        info.cluster = if token.word {
            CLUSTERS.get(&lower).copied().unwrap_or_default()
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
    let mut counts: HashMap<u64, [u16; 4], BuildHasherDefault<Identity>> = HashMap::default();
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
