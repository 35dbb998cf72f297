//! A body's fingerprint: one-permutation MinHash over word shingles, kept as a 4-bit sketch for
//! estimating similarity, plus the keys that find candidates in the index.
//!
//! Each shingle (a run of `shingle_words` words) is hashed once to 64 bits: the high half picks
//! one of [`BINS`] bins, the low half is the value, and each bin keeps its smallest value (one
//! permutation hashing). Empty bins, which short texts leave, borrow the value of a bin chosen by
//! a fixed hash of the empty bin's number (optimal densification), so two texts with the same
//! shingles always agree bin for bin. The sketch keeps the lowest 4 bits of each bin (b-bit
//! MinHash): two bins agree by chance one time in 16, which [`similarity`] corrects for.
//!
//! Candidates are found by locality-sensitive hashing: [`BANDS`] keys, each made of two whole
//! bin values (two texts share a key with probability about J², J the Jaccard similarity of
//! their shingle sets), plus a lead key over the first [`LEAD_SHINGLES`] shingles, which a
//! truncated copy shares with its original whatever its length.
//!
//! The similarity reported is the containment of the smaller shingle set in the larger,
//! estimated from the Jaccard estimate and the two set sizes: a copy cut to its first half is a
//! copy (containment near 1) although its Jaccard similarity is only one half.

use std::cell::RefCell;

/// Bins of the one-permutation MinHash.
pub const BINS: usize = 96;
/// Bytes of the 4-bit sketch.
pub const SKETCH_BYTES: usize = BINS / 2;
/// LSH bands, two whole bin values each (bins 0 to 2 × BANDS - 1).
pub const BANDS: usize = 6;
/// Index keys: the bands, then the lead key.
pub const KEYS: usize = BANDS + 1;
/// Shingles at the start of a body that make the lead key.
pub const LEAD_SHINGLES: usize = 40;

/// What the index keeps of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    /// The lowest 4 bits of every bin, two bins a byte.
    pub sketch: [u8; SKETCH_BYTES],
    /// The LSH keys: [`BANDS`] band keys, then the lead key.
    pub keys: [u32; KEYS],
    /// Distinct shingles in the body (saturating).
    pub shingles: u32,
}

thread_local! {
    /// Word and shingle hashes of the body being fingerprinted, reused between bodies.
    static BUFFERS: RefCell<(Vec<u64>, Vec<u64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The 64-bit finaliser of SplitMix64: spreads the bits of a combined hash.
pub const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn bin_of(hash: u64) -> usize {
    // Multiply-shift over the high half: a bin in 0..BINS with no modulo bias.
    (((hash >> 32) * BINS as u64) >> 32) as usize
}

/// Calls `shingle` with the 64-bit hash of every run of `shingle_words` words of `text`, in
/// order; the number of words.
pub fn for_each_shingle(text: &str, shingle_words: usize, shingle: impl FnMut(u64)) -> usize {
    BUFFERS.with(|buffers| {
        let words = &mut buffers.borrow_mut().0;
        words.clear();
        super::text::for_each_word_hash(text, |hash| words.push(hash));
        shingles_of(words, shingle_words.max(1), shingle);
        words.len()
    })
}

fn shingles_of(words: &[u64], width: usize, mut shingle: impl FnMut(u64)) {
    for window in words.windows(width) {
        let mut combined = 0u64;
        for (position, word) in window.iter().enumerate() {
            combined ^= word.rotate_left((position as u32 * 17) % 64);
        }
        shingle(mix(combined));
    }
}

/// The fingerprint of `text`, or `None` when it has fewer than `min_words` words.
pub fn fingerprint(text: &str, shingle_words: usize, min_words: usize) -> Option<Fingerprint> {
    BUFFERS.with(|buffers| {
        let (words, shingles) = &mut *buffers.borrow_mut();
        words.clear();
        shingles.clear();
        super::text::for_each_word_hash(text, |hash| words.push(hash));
        let width = shingle_words.max(1);
        if words.len() < min_words.max(width) {
            return None;
        }
        let mut bins = [u64::MAX; BINS];
        let mut lead = [u64::MAX; 2];
        shingles_of(words, width, |hash| {
            let value = u64::from(hash as u32);
            let bin = &mut bins[bin_of(hash)];
            *bin = (*bin).min(value);
            if shingles.len() < LEAD_SHINGLES {
                let half = &mut lead[(hash >> 63) as usize];
                *half = (*half).min(value);
            }
            shingles.push(hash);
        });
        shingles.sort_unstable();
        shingles.dedup();
        densify(&mut bins);
        Some(Fingerprint {
            sketch: sketch_of(&bins),
            keys: keys_of(&bins, lead),
            shingles: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
        })
    })
}

/// Fills every empty bin with the value of a non-empty one, chosen by hashing the empty bin's
/// number (and an attempt counter) so that every text borrows from the same places.
fn densify(bins: &mut [u64; BINS]) {
    let filled = *bins;
    for (index, bin) in bins.iter_mut().enumerate() {
        if *bin != u64::MAX {
            continue;
        }
        for attempt in 0u64.. {
            let pick = bin_of(mix(((index as u64) << 32) | attempt));
            if filled[pick] != u64::MAX {
                // Mixed with the distance travelled, as optimal densification prescribes, so a
                // borrowed value is not mistaken for the lender's own.
                *bin = mix(filled[pick] ^ (attempt + 1)) & 0xffff_ffff;
                break;
            }
            if attempt > 4 * BINS as u64 {
                // Astronomically unlikely with at least one filled bin; stay deterministic.
                let first = filled.iter().copied().find(|v| *v != u64::MAX).unwrap_or(0);
                *bin = mix(first ^ (attempt + 1)) & 0xffff_ffff;
                break;
            }
        }
    }
}

fn sketch_of(bins: &[u64; BINS]) -> [u8; SKETCH_BYTES] {
    let mut sketch = [0u8; SKETCH_BYTES];
    for (byte, pair) in sketch.iter_mut().zip(bins.chunks_exact(2)) {
        *byte = ((pair[0] & 0xf) as u8) | (((pair[1] & 0xf) as u8) << 4);
    }
    sketch
}

fn keys_of(bins: &[u64; BINS], lead: [u64; 2]) -> [u32; KEYS] {
    let mut keys = [0u32; KEYS];
    for (band, key) in keys.iter_mut().take(BANDS).enumerate() {
        let pair = (bins[2 * band] << 32) | bins[2 * band + 1];
        *key = mix(pair ^ (band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as u32;
    }
    // A short body fills one half of the lead or neither: use what there is.
    let lead = match lead {
        [u64::MAX, u64::MAX] => [0, 0],
        [u64::MAX, other] | [other, u64::MAX] => [other, other],
        both => both,
    };
    keys[BANDS] = mix(((lead[0] << 32) | lead[1]) ^ 0x6c65_6164) as u32;
    keys
}

/// How many of the two sketches' bins agree.
fn agreeing_bins(a: &[u8; SKETCH_BYTES], b: &[u8; SKETCH_BYTES]) -> u32 {
    let mut differing = 0;
    for (left, right) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let mut x = u64::from_le_bytes(left.try_into().unwrap_or_default())
            ^ u64::from_le_bytes(right.try_into().unwrap_or_default());
        // One bit per differing nibble.
        x |= x >> 1;
        x |= x >> 2;
        differing += (x & 0x1111_1111_1111_1111).count_ones();
    }
    BINS as u32 - differing
}

/// The estimated containment of the smaller shingle set in the larger, from 0 to 1.
pub fn similarity(
    a: &[u8; SKETCH_BYTES],
    a_shingles: u32,
    b: &[u8; SKETCH_BYTES],
    b_shingles: u32,
) -> f32 {
    let agreeing = f64::from(agreeing_bins(a, b)) / BINS as f64;
    // Unrelated bins agree by chance one time in 16.
    let chance = 1.0 / 16.0;
    let jaccard = ((agreeing - chance) / (1.0 - chance)).clamp(0.0, 1.0);
    let (a_size, b_size) = (f64::from(a_shingles.max(1)), f64::from(b_shingles.max(1)));
    let common = jaccard * (a_size + b_size) / (1.0 + jaccard);
    (common / a_size.min(b_size)).min(1.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Heavy overnight rain flooded dozens of neighbourhoods in Jakarta on Monday, \
        cutting power to thousands of homes and forcing schools to close, officials said. The \
        national disaster agency said water reached more than a metre in parts of East Jakarta, \
        where rescuers used rubber boats to evacuate elderly residents. \"We are monitoring the \
        rivers hour by hour,\" an agency spokesperson told Reuters, adding that more rain was \
        expected later in the week. President Joko Widodo has ordered ministers to speed up work \
        on the city's sea wall and on the planned move of the capital to Borneo.";

    fn print(text: &str) -> Fingerprint {
        fingerprint(text, 4, 10).expect("long enough")
    }

    fn similar(a: &Fingerprint, b: &Fingerprint) -> f32 {
        similarity(&a.sketch, a.shingles, &b.sketch, b.shingles)
    }

    #[test]
    fn a_copy_with_other_typography_has_the_same_fingerprint() {
        let copy = STORY
            .replace('"', "\u{201c}")
            .replace("city's", "city\u{2019}s")
            .to_uppercase();
        assert_eq!(print(STORY), print(&copy));
        assert_eq!(similar(&print(STORY), &print(&copy)), 1.0);
    }

    #[test]
    fn a_truncated_copy_is_contained_and_shares_the_lead() {
        let half = &STORY[..STORY.len() / 2];
        let (whole, part) = (print(STORY), print(half));
        assert!(similar(&whole, &part) > 0.8, "{}", similar(&whole, &part));
        assert_eq!(whole.keys[BANDS], part.keys[BANDS], "the lead key");
    }

    #[test]
    fn different_stories_are_not_similar() {
        let other = "The central bank kept interest rates unchanged on Thursday and said \
            inflation would ease next year as food prices fell, while the currency held steady \
            against the dollar and bond yields edged lower in thin trading before the holiday.";
        let (a, b) = (print(STORY), print(other));
        assert!(similar(&a, &b) < 0.3, "{}", similar(&a, &b));
        assert!(a.keys.iter().zip(&b.keys).all(|(x, y)| x != y));
    }

    #[test]
    fn short_texts_have_no_fingerprint() {
        assert!(fingerprint("Gempa guncang Maluku", 4, 10).is_none());
        assert!(fingerprint("", 4, 1).is_none());
        // At the minimum: one shingle, every bin densified from it.
        let tiny = fingerprint("satu dua tiga empat", 4, 4).expect("four words");
        assert_eq!(tiny.shingles, 1);
    }

    #[test]
    fn sketches_agree_bin_for_bin() {
        let a = [0x21u8; SKETCH_BYTES];
        let mut b = a;
        assert_eq!(agreeing_bins(&a, &b), BINS as u32);
        b[0] = 0x22; // one nibble differs
        b[5] = 0x00; // two differ
        assert_eq!(agreeing_bins(&a, &b), BINS as u32 - 3);
    }
}
