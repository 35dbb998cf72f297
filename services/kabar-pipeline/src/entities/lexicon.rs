//! Word tables: what the tagger knows about a single word, looked up by its [`hash_lower`].
//!
//! The cue lists of [`cues`](super::cues) as bits, given and family names (US census lists),
//! WordNet's noun class, embedding clusters and topic words, each built once on first use from
//! the lists and the tables bundled in `data/entities/`. The features read them; so does span
//! resolution, to tell a title from a name.

use std::sync::LazyLock;

use super::cues::{CONNECTORS, MISC_HEADS, ORG_HEADS, PLACE_HEADS, TITLES, TOPICS};
use super::hash::{HashedMap, HashedSet, hash_lower};

/// Cue bits of a word ([`cues`]).
pub const CUE_TITLE: u8 = 1;
pub const CUE_ORG: u8 = 2;
pub const CUE_MISC: u8 = 4;
pub const CUE_CONNECTOR: u8 = 8;
pub const CUE_PLACE_HEAD: u8 = 16;
pub const CUE_GIVEN_NAME: u8 = 32;
pub const CUE_FAMILY_NAME: u8 = 64;
/// Not from a table: set by the features for the model's common words.
pub const CUE_COMMON: u8 = 128;

fn lower_set(words: &[&str]) -> HashedSet {
    words.iter().map(|w| hash_lower(w)).collect()
}

static TITLE_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(TITLES));
static ORG_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(ORG_HEADS));
static MISC_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(MISC_HEADS));
static CONNECTOR_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(CONNECTORS));
static PLACE_HEAD_SET: LazyLock<HashedSet> = LazyLock::new(|| lower_set(PLACE_HEADS));

/// Every cue word with its cue bits, for one lookup per token.
static CUES: LazyLock<HashedMap<u8>> = LazyLock::new(|| {
    let mut cues: HashedMap<u8> = HashedMap::default();
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

/// The cue bits (`CUE_*`, all but [`CUE_COMMON`]) of a word by its [`hash_lower`]; 0: none.
pub fn cues(lower: u64) -> u8 {
    CUES.get(&lower).copied().unwrap_or(0)
}

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
static NOUN_CLASS: LazyLock<HashedMap<u8>> = LazyLock::new(|| {
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

/// WordNet's class of a word as a noun by its [`hash_lower`]: 1 organisation, 2 social group,
/// 3 place, 4 person; 0: none.
pub fn noun_class(lower: u64) -> u8 {
    NOUN_CLASS.get(&lower).copied().unwrap_or(0)
}

/// Words with the k-means clusters of their static word embeddings at three granularities:
/// evidence for words seen rarely or never in training ("hospital" near "clinic").
const CLUSTER_TABLE: &str = include_str!("../../data/entities/embedding-clusters.tsv");

/// Lower-case word hash to its clusters (k = 64, 256, 1024), each plus one.
static CLUSTERS: LazyLock<HashedMap<[u16; 3]>> = LazyLock::new(|| {
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

/// The embedding clusters of a word by its [`hash_lower`], coarse to fine, each plus one;
/// zeros: none.
pub fn clusters(lower: u64) -> [u16; 3] {
    CLUSTERS.get(&lower).copied().unwrap_or_default()
}

/// Lower-case word hash to its topic bit.
static TOPIC_WORDS: LazyLock<HashedMap<u8>> = LazyLock::new(|| {
    let mut words: HashedMap<u8> = HashedMap::default();
    for (index, list) in TOPICS.iter().enumerate() {
        for word in *list {
            *words.entry(hash_lower(word)).or_default() |= 1 << index;
        }
    }
    words
});

/// The topics a word is a cue for by its [`hash_lower`], one bit per list of [`TOPICS`];
/// 0: none.
pub fn topics(lower: u64) -> u8 {
    TOPIC_WORDS.get(&lower).copied().unwrap_or(0)
}
