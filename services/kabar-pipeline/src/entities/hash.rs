//! Word hashes: FNV-1a over the lower-cased characters of a word, the key of every word table
//! (cue words, names, noun classes, embedding clusters, the model's common words, the
//! gazetteer's case-blind index) and of the word features, and hash collections keyed by
//! such hashes without hashing them again.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Sets of word hashes: the keys are hashes already, so the set does not hash them again.
pub type HashedSet = HashSet<u64, BuildHasherDefault<Identity>>;

/// Maps keyed by word hashes, like [`HashedSet`].
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<Identity>>;

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

pub(super) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Folds one value into an FNV-1a hash.
pub(super) fn fnv(hash: u64, value: u32) -> u64 {
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

/// [`hash_lower`] of a word given as characters (affixes of a word).
pub(super) fn hash_chars(chars: &[char]) -> u64 {
    chars.iter().fold(FNV_OFFSET, |h, &c| fold_lower(h, c))
}
