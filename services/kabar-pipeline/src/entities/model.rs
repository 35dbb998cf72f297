//! The sequence tagger's model: hashed feature weights per tag, tag transitions, Viterbi.
//!
//! Tags are BIO over PER, ORG, LOC and MISC. The binary format (little-endian):
//! `KBNER002`, bits (u32), tags (u32), transitions (tags² i16), a bitmap of non-zero rows
//! (2^bits bits), the non-zero rows (tags i16 each), then the common-word lexicon: a count (u32)
//! and that many u64 hashes of words seen mostly in lower case in the training text (so that a
//! capitalised "Both" at a sentence start is known as a common word). Weights are quantised
//! averaged perceptron weights; only their ratios matter.

use super::hash::HashedSet;

use crate::article::EntityType;

pub const TAGS: usize = 9;
const MAGIC: &[u8; 8] = b"KBNER002";

/// Tag index of `B-type` (`I-type` is one more); tag 0 is outside.
pub const fn begin_tag(entity_type: EntityType) -> usize {
    match entity_type {
        EntityType::Person => 1,
        EntityType::Organisation => 3,
        EntityType::Location => 5,
        EntityType::Misc => 7,
    }
}

/// The type of a tag, and whether it begins a name; `None` for outside.
pub fn tag_type(tag: usize) -> Option<(EntityType, bool)> {
    let entity_type = match tag.div_ceil(2) {
        1 => EntityType::Person,
        2 => EntityType::Organisation,
        3 => EntityType::Location,
        4 => EntityType::Misc,
        _ => return None,
    };
    Some((entity_type, tag % 2 == 1))
}

/// Parses "B-PER" style tags.
pub fn parse_tag(tag: &str) -> Option<usize> {
    if tag == "O" {
        return Some(0);
    }
    let (position, kind) = tag.split_once('-')?;
    let entity_type = match kind {
        "PER" => EntityType::Person,
        "ORG" => EntityType::Organisation,
        "LOC" => EntityType::Location,
        "MISC" => EntityType::Misc,
        _ => return None,
    };
    match position {
        "B" => Some(begin_tag(entity_type)),
        "I" => Some(begin_tag(entity_type) + 1),
        _ => None,
    }
}

/// Whether `tag` may follow `previous`: an inside tag only continues its own type.
pub fn allowed(previous: usize, tag: usize) -> bool {
    tag == 0 || tag % 2 == 1 || previous == tag || previous + 1 == tag
}

/// The trained weights, ready to score.
#[derive(Debug)]
pub struct Model {
    bits: u32,
    transitions: [[i32; TAGS]; TAGS],
    weights: Vec<[i16; TAGS]>,
    /// Hashes of words mostly written in lower case.
    common: HashedSet,
}

impl Model {
    /// The model shipped with kabar for every language but English.
    pub const BUNDLED: &'static [u8] = include_bytes!("../../data/entities/tagger.bin");
    /// The model shipped with kabar for English.
    pub const BUNDLED_ENGLISH: &'static [u8] = include_bytes!("../../data/entities/tagger-eng.bin");

    /// Reads the binary format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(8)? != MAGIC {
            return Err("not a kabar tagger model".to_owned());
        }
        let bits = reader.u32()?;
        let tags = reader.u32()? as usize;
        if tags != TAGS || !(10..=24).contains(&bits) {
            return Err(format!("unsupported shape: {bits} bits, {tags} tags"));
        }
        let mut transitions = [[0; TAGS]; TAGS];
        for row in &mut transitions {
            for cell in row.iter_mut() {
                *cell = i32::from(reader.i16()?);
            }
        }
        let rows = 1usize << bits;
        let bitmap = reader.take(rows / 8)?.to_vec();
        let mut weights = vec![[0i16; TAGS]; rows];
        for (index, row) in weights.iter_mut().enumerate() {
            if bitmap[index / 8] & (1 << (index % 8)) != 0 {
                for cell in row.iter_mut() {
                    *cell = reader.i16()?;
                }
            }
        }
        let count = reader.u32()? as usize;
        let mut common = HashedSet::with_capacity_and_hasher(count, Default::default());
        for _ in 0..count {
            common.insert(reader.u64()?);
        }
        if reader.at != bytes.len() {
            return Err("trailing bytes".to_owned());
        }
        Ok(Self {
            bits,
            transitions,
            weights,
            common,
        })
    }

    /// Writes the binary format.
    pub fn to_bytes(
        bits: u32,
        transitions: &[[i16; TAGS]; TAGS],
        weights: &[[i16; TAGS]],
        common: &HashedSet,
    ) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(bits.to_le_bytes());
        out.extend((TAGS as u32).to_le_bytes());
        for row in transitions {
            for cell in row {
                out.extend(cell.to_le_bytes());
            }
        }
        let mut bitmap = vec![0u8; weights.len() / 8];
        for (index, row) in weights.iter().enumerate() {
            if row.iter().any(|&w| w != 0) {
                bitmap[index / 8] |= 1 << (index % 8);
            }
        }
        out.extend(&bitmap);
        for row in weights.iter().filter(|row| row.iter().any(|&w| w != 0)) {
            for cell in row {
                out.extend(cell.to_le_bytes());
            }
        }
        let mut common: Vec<u64> = common.iter().copied().collect();
        common.sort_unstable();
        out.extend((common.len() as u32).to_le_bytes());
        for hash in common {
            out.extend(hash.to_le_bytes());
        }
        out
    }

    /// Hashes of words mostly written in lower case.
    pub fn common_words(&self) -> &HashedSet {
        &self.common
    }

    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Adds the weights of `features` to `scores`.
    pub fn score(&self, features: &[u64], scores: &mut [i32; TAGS]) {
        let shift = 64 - self.bits;
        for &feature in features {
            let row = &self.weights[(feature >> shift) as usize];
            for (score, &weight) in scores.iter_mut().zip(row) {
                *score += i32::from(weight);
            }
        }
    }

    /// The best tag sequence for per-token emission scores.
    pub fn viterbi(&self, emissions: &[[i32; TAGS]], out: &mut Vec<usize>) {
        viterbi(emissions, &self.transitions, out);
    }
}

/// Viterbi over BIO tags with the given transition scores; the sequence starts and ends
/// outside any name.
pub fn viterbi<S>(emissions: &[[S; TAGS]], transitions: &[[S; TAGS]; TAGS], out: &mut Vec<usize>)
where
    S: Copy + PartialOrd + std::ops::Add<Output = S> + std::ops::Sub<Output = S> + Default,
{
    out.clear();
    if emissions.is_empty() {
        return;
    }
    let mut back: Vec<[u8; TAGS]> = vec![[0; TAGS]; emissions.len()];
    let mut best: [Option<S>; TAGS] = [None; TAGS];
    for tag in 0..TAGS {
        if allowed(0, tag) {
            best[tag] = Some(transitions[0][tag] + emissions[0][tag]);
        }
    }
    for (position, emission) in emissions.iter().enumerate().skip(1) {
        let mut next: [Option<S>; TAGS] = [None; TAGS];
        for tag in 0..TAGS {
            for previous in 0..TAGS {
                let Some(score) = best[previous] else {
                    continue;
                };
                if !allowed(previous, tag) {
                    continue;
                }
                let candidate = score + transitions[previous][tag];
                if next[tag].is_none_or(|current| candidate > current) {
                    next[tag] = Some(candidate);
                    back[position][tag] = previous as u8;
                }
            }
            if let Some(score) = next[tag].as_mut() {
                *score = *score + emission[tag];
            }
        }
        // Only differences between paths matter: re-centre on the best path so that scores of
        // arbitrarily long sequences (hostile input of many tokens) cannot overflow.
        let top = next
            .iter()
            .flatten()
            .copied()
            .fold(None, |top: Option<S>, s| match top {
                Some(t) if t >= s => Some(t),
                _ => Some(s),
            });
        if let Some(top) = top {
            for score in next.iter_mut().flatten() {
                *score = *score - top;
            }
        }
        best = next;
    }
    let mut tag = (0..TAGS)
        .filter(|&t| best[t].is_some())
        .fold(
            0,
            |winner, t| if best[t] > best[winner] { t } else { winner },
        );
    out.resize(emissions.len(), 0);
    for position in (0..emissions.len()).rev() {
        out[position] = tag;
        tag = usize::from(back[position][tag]);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or_else(|| "truncated model".to_owned())?;
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }

    fn i16(&mut self) -> Result<i16, String> {
        let b = self.take(2)?;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for name in [
            "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
        ] {
            let tag = parse_tag(name).expect("known tag");
            let back = match tag_type(tag) {
                None => "O".to_owned(),
                Some((t, begin)) => format!("{}-{}", if begin { "B" } else { "I" }, t.as_str()),
            };
            assert_eq!(back, name);
        }
    }

    #[test]
    fn viterbi_respects_bio() {
        let transitions = [[0i32; TAGS]; TAGS];
        let mut emissions = [[0i32; TAGS]; 2];
        emissions[0][0] = 5;
        emissions[1][2] = 10; // I-PER after O is not allowed
        emissions[1][1] = 1;
        let mut out = Vec::new();
        viterbi(&emissions, &transitions, &mut out);
        assert!(allowed(out[0], out[1]));
        assert_ne!(out, [0, 2]);
    }

    #[test]
    fn binary_round_trip() {
        let mut weights = vec![[0i16; TAGS]; 1 << 10];
        weights[3][4] = -7;
        let common: HashedSet = [7u64, 9].into_iter().collect();
        let bytes = Model::to_bytes(10, &[[1; TAGS]; TAGS], &weights, &common);
        let model = Model::from_bytes(&bytes).expect("model");
        assert_eq!(model.weights[3][4], -7);
        assert_eq!(model.transitions[2][2], 1);
        assert_eq!(model.common_words(), &common);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn bundled_models_load() {
        for bytes in [Model::BUNDLED, Model::BUNDLED_ENGLISH] {
            let model = Model::from_bytes(bytes).expect("bundled model");
            assert!(model.bits() >= 16);
        }
    }
}
