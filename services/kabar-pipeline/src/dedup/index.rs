//! The in-memory index of fingerprints: a window of event time and an entry cap, with the LSH
//! tables that find an article's candidates and the id table that finds an article itself.
//!
//! Memory per entry, by design (checked by `tests/dedup_memory.rs`, which counts allocated
//! bytes): the entry itself ([`ENTRY_BYTES`]: event time, arena offset, shingle count, the seven
//! LSH keys, the 48-byte sketch), its strings in the arena (the id, plus the story and first
//! copy's id when they are another article's), four bytes in each of the eight slot tables at
//! up to 80% load, and four bytes in its time bucket. With 32-byte ids and a quarter of the
//! entries duplicates, that is 195 bytes at the cap and 197 with the arena's garbage of churn.
//!
//! Eviction: entries are filed in time buckets of a 32nd of the window. A bucket entirely
//! older than the window (counted back from the newest event time seen) is dropped whole; over
//! the cap, entries of the oldest bucket go first. Lookups check the window themselves, so when
//! an entry goes does not change an answer.

use std::cmp::Ordering;
use std::collections::{BTreeMap, VecDeque};

use super::arena::{Arena, Strings};
use super::sketch::{self, Fingerprint, KEYS, SKETCH_BYTES};
use super::table::{MAX_SLOTS, SlotTable};

/// Slots sharing one key in one LSH table at most: copies beyond it are found through the
/// earliest ones (by event time, then id), which the table keeps, so a flood of identical
/// articles costs a bounded amount of work per lookup.
const MAX_PER_KEY: usize = 16;

/// Buckets per window.
const BUCKETS_PER_WINDOW: i64 = 32;

/// Not a valid arena offset: the slot is free.
const FREE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Event time, milliseconds since the epoch.
    time: i64,
    /// Offset of the entry's strings in the arena; [`FREE`] when the slot is unused.
    record: u32,
    shingles: u32,
    keys: [u32; KEYS],
    /// Bit `b` set: the entry is in LSH table `b`.
    tables: u8,
    sketch: [u8; SKETCH_BYTES],
}

/// Bytes of one entry in the slab.
pub const ENTRY_BYTES: usize = std::mem::size_of::<Entry>();

/// What the index has done, cumulatively.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexCounters {
    /// Entries dropped because they fell out of the window.
    pub evicted_window: u64,
    /// Entries dropped because the index was at its cap.
    pub evicted_cap: u64,
}

/// The index. Not thread-safe: the detector holds it behind a lock.
#[derive(Debug)]
pub(super) struct Index {
    window_ms: i64,
    max_entries: usize,
    bucket_ms: i64,
    entries: Vec<Entry>,
    free: Vec<u32>,
    live: usize,
    arena: Arena,
    ids: SlotTable,
    bands: [SlotTable; KEYS],
    buckets: BTreeMap<i64, VecDeque<u32>>,
    /// The newest event time seen: the window ends here.
    newest: i64,
    counters: IndexCounters,
}

/// The hash of an article id in the id table.
fn id_key(id: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    sketch::mix(hash) as u32
}

impl Index {
    pub(super) fn new(window_ms: i64, max_entries: usize) -> Self {
        Self {
            window_ms: window_ms.max(1),
            max_entries: max_entries.clamp(1, MAX_SLOTS as usize - 1),
            bucket_ms: (window_ms / BUCKETS_PER_WINDOW).max(1),
            entries: Vec::new(),
            free: Vec::new(),
            live: 0,
            arena: Arena::default(),
            ids: SlotTable::default(),
            bands: Default::default(),
            buckets: BTreeMap::new(),
            newest: i64::MIN,
            counters: IndexCounters::default(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.live
    }

    pub(super) fn counters(&self) -> IndexCounters {
        self.counters
    }

    pub(super) fn newest(&self) -> Option<i64> {
        (self.newest != i64::MIN).then_some(self.newest)
    }

    /// Bytes the index holds on the heap (the slab, the arena, the tables, the buckets).
    pub(super) fn heap_bytes(&self) -> usize {
        let bucket_bytes: usize = self
            .buckets
            .values()
            .map(|slots| slots.capacity() * 4 + std::mem::size_of::<(i64, VecDeque<u32>)>())
            .sum();
        self.entries.capacity() * ENTRY_BYTES
            + self.free.capacity() * 4
            + self.arena.heap_bytes()
            + self.ids.heap_bytes()
            + self.bands.iter().map(SlotTable::heap_bytes).sum::<usize>()
            + bucket_bytes
    }

    /// The slot of the entry with this id.
    pub(super) fn find(&self, id: &str) -> Option<u32> {
        let key = id_key(id);
        self.ids
            .matches(key)
            .map(|(_, slot)| slot)
            .find(|slot| self.arena.id(self.entries[*slot as usize].record) == id)
    }

    pub(super) fn time(&self, slot: u32) -> i64 {
        self.entries[slot as usize].time
    }

    pub(super) fn strings(&self, slot: u32) -> Strings<'_> {
        self.arena.get(self.entries[slot as usize].record)
    }

    pub(super) fn id(&self, slot: u32) -> &str {
        self.arena.id(self.entries[slot as usize].record)
    }

    pub(super) fn fingerprint(&self, slot: u32) -> Fingerprint {
        let entry = &self.entries[slot as usize];
        Fingerprint {
            sketch: entry.sketch,
            keys: entry.keys,
            shingles: entry.shingles,
        }
    }

    /// The estimated similarity of the entry in `slot` to `fingerprint`.
    pub(super) fn similarity(&self, slot: u32, fingerprint: &Fingerprint) -> f32 {
        let entry = &self.entries[slot as usize];
        sketch::similarity(
            &entry.sketch,
            entry.shingles,
            &fingerprint.sketch,
            fingerprint.shingles,
        )
    }

    /// Every entry sharing an LSH key with `fingerprint`, each once, into `out`.
    pub(super) fn candidates(&self, fingerprint: &Fingerprint, out: &mut Vec<u32>) {
        out.clear();
        for (band, (table, key)) in self.bands.iter().zip(fingerprint.keys).enumerate() {
            out.extend(
                table
                    .matches(key)
                    .map(|(_, slot)| slot)
                    .filter(|slot| self.entries[*slot as usize].keys[band] == key),
            );
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Whether the entry in `a` comes before the one in `b`: earlier event time, then smaller id.
    fn precedes(&self, a: u32, b: u32) -> bool {
        order(self.time(a), self.id(a), self.time(b), self.id(b)) == Ordering::Less
    }

    /// Adds an entry (replacing one with the same id). False when its event time is already
    /// out of the window. The window ends at the newest event time seen, but never past
    /// `ceiling` (the wall clock plus a margin): one article stamped in the year 2099 must not
    /// empty the index.
    pub(super) fn insert(
        &mut self,
        time: i64,
        ceiling: i64,
        fingerprint: &Fingerprint,
        strings: &Strings<'_>,
    ) -> bool {
        if let Some(slot) = self.find(strings.id) {
            self.remove(slot);
        }
        self.newest = self.newest.max(time.min(ceiling));
        if time < self.horizon() {
            self.evict();
            return false;
        }
        let record = self.arena.push(strings);
        let entry = Entry {
            time,
            record,
            shingles: fingerprint.shingles,
            keys: fingerprint.keys,
            tables: 0,
            sketch: fingerprint.sketch,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.entries[slot as usize] = entry;
                slot
            }
            None => {
                if self.entries.len() == self.entries.capacity() {
                    let target = (self.entries.capacity() * 2)
                        .max(64)
                        .min(self.max_entries + 1);
                    self.entries
                        .reserve_exact(target.saturating_sub(self.entries.len()).max(1));
                }
                self.entries.push(entry);
                (self.entries.len() - 1) as u32
            }
        };
        self.live += 1;
        let limit = self.max_entries + 1;
        let entries = &self.entries;
        self.ids.insert(id_key(strings.id), slot, limit, |s| {
            id_key(self.arena.id(entries[s as usize].record))
        });
        for band in 0..KEYS {
            self.add_to_band(band, slot);
        }
        self.buckets
            .entry(time.div_euclid(self.bucket_ms))
            .or_default()
            .push_back(slot);
        self.evict();
        true
    }

    /// Files `slot` under its key in LSH table `band`, keeping the earliest [`MAX_PER_KEY`]
    /// entries of a key.
    fn add_to_band(&mut self, band: usize, slot: u32) {
        let key = self.entries[slot as usize].keys[band];
        let sharing: Vec<(usize, u32)> = self.bands[band]
            .matches(key)
            .filter(|(_, other)| self.entries[*other as usize].keys[band] == key)
            .collect();
        let bit = 1u8 << band;
        if sharing.len() < MAX_PER_KEY {
            let limit = self.max_entries + 1;
            let entries = &self.entries;
            self.bands[band].insert(key, slot, limit, |s| entries[s as usize].keys[band]);
            self.entries[slot as usize].tables |= bit;
            return;
        }
        let latest = sharing
            .iter()
            .copied()
            .reduce(|a, b| if self.precedes(a.1, b.1) { b } else { a });
        if let Some((position, displaced)) = latest {
            if self.precedes(slot, displaced) {
                self.bands[band].replace(position, key, slot);
                self.entries[slot as usize].tables |= bit;
                self.entries[displaced as usize].tables &= !bit;
            }
        }
    }

    /// Removes the entry in `slot`.
    pub(super) fn remove(&mut self, slot: u32) {
        let entry = self.entries[slot as usize];
        if entry.record == FREE {
            return;
        }
        let entries = &self.entries;
        let arena = &self.arena;
        self.ids.remove(id_key(arena.id(entry.record)), slot, |s| {
            id_key(arena.id(entries[s as usize].record))
        });
        for (band, table) in self.bands.iter_mut().enumerate() {
            if entry.tables & (1 << band) != 0 {
                table.remove(entry.keys[band], slot, |s| entries[s as usize].keys[band]);
            }
        }
        self.arena.release(entry.record);
        self.entries[slot as usize].record = FREE;
        self.entries[slot as usize].tables = 0;
        self.free.push(slot);
        self.live -= 1;
        // The bucket's reference goes stale; eviction skips it.
    }

    /// Where the window starts: entries older than this are not kept.
    fn horizon(&self) -> i64 {
        self.newest.saturating_sub(self.window_ms)
    }

    fn evict(&mut self) {
        let horizon = self.horizon();
        while let Some((&bucket, _)) = self.buckets.first_key_value() {
            if (bucket + 1).saturating_mul(self.bucket_ms) > horizon {
                break;
            }
            let slots = self.buckets.pop_first().map(|(_, s)| s).unwrap_or_default();
            for slot in slots {
                if self.in_bucket(slot, bucket) {
                    self.remove(slot);
                    self.counters.evicted_window += 1;
                }
            }
        }
        while self.live > self.max_entries {
            let Some(mut oldest) = self.buckets.first_entry() else {
                break;
            };
            let bucket = *oldest.key();
            match oldest.get_mut().pop_front() {
                Some(slot) => {
                    if self.in_bucket(slot, bucket) {
                        self.remove(slot);
                        self.counters.evicted_cap += 1;
                    }
                }
                None => {
                    oldest.remove();
                }
            }
        }
        if self.arena.wants_compaction() {
            self.compact();
        }
    }

    /// Whether `slot` holds a live entry filed in `bucket` (a reference left by a removed or
    /// replaced entry does not).
    fn in_bucket(&self, slot: u32, bucket: i64) -> bool {
        let entry = &self.entries[slot as usize];
        entry.record != FREE && entry.time.div_euclid(self.bucket_ms) == bucket
    }

    /// Rewrites the arena without garbage, and gives back table and slab memory that many
    /// removals left unused.
    fn compact(&mut self) {
        let live = self
            .entries
            .iter_mut()
            .filter(|e| e.record != FREE)
            .map(|e| &mut e.record);
        self.arena = self.arena.compacted(live);
        let entries = &self.entries;
        let arena = &self.arena;
        self.ids
            .shrink(|s| id_key(arena.id(entries[s as usize].record)));
        for (band, table) in self.bands.iter_mut().enumerate() {
            table.shrink(|s| entries[s as usize].keys[band]);
        }
        for slots in self.buckets.values_mut() {
            slots.retain(|slot| entries[*slot as usize].record != FREE);
            slots.shrink_to_fit();
        }
    }
}

/// The order that decides which copy is first: earlier event time, then smaller id.
pub(super) fn order(a_time: i64, a_id: &str, b_time: i64, b_id: &str) -> Ordering {
    a_time.cmp(&b_time).then_with(|| a_id.cmp(b_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    fn print(seed: u32) -> Fingerprint {
        let text: String = (0..60)
            .map(|i| format!("w{} ", seed.wrapping_mul(7919) + i))
            .collect();
        sketch::fingerprint(&text, 4, 10).expect("long enough")
    }

    fn strings(id: &str) -> Strings<'_> {
        Strings {
            id,
            story: None,
            duplicate: None,
        }
    }

    #[test]
    fn entries_are_found_by_id_and_by_keys_and_replaced_by_id() {
        let mut index = Index::new(72 * HOUR, 1000);
        for n in 0..200u32 {
            assert!(index.insert(
                i64::from(n) * 1000,
                i64::MAX,
                &print(n),
                &strings(&format!("id-{n}"))
            ));
        }
        assert_eq!(index.len(), 200);
        let slot = index.find("id-7").expect("found");
        assert_eq!(index.fingerprint(slot), print(7));
        let mut out = Vec::new();
        index.candidates(&print(7), &mut out);
        assert_eq!(out, [slot]);
        // Same id, new content: replaced, not added.
        index.insert(7000, i64::MAX, &print(1000), &strings("id-7"));
        assert_eq!(index.len(), 200);
        index.candidates(&print(7), &mut out);
        assert!(out.is_empty());
        assert!(index.find("id-8").is_some());
    }

    #[test]
    fn the_window_and_the_cap_bound_the_index() {
        let mut index = Index::new(72 * HOUR, 100);
        for n in 0..150u32 {
            index.insert(
                i64::from(n) * HOUR,
                i64::MAX,
                &print(n),
                &strings(&format!("id-{n}")),
            );
        }
        // Newest at 149 h: the window keeps 77 h and later (to within a bucket of 2.25 h).
        assert!(index.len() <= 75, "{}", index.len());
        assert!(index.find("id-149").is_some() && index.find("id-80").is_some());
        assert!(index.find("id-70").is_none());
        assert!(index.counters().evicted_window >= 70);
        // An article older than the window is not kept.
        assert!(!index.insert(10 * HOUR, i64::MAX, &print(999), &strings("late")));
        // The cap: a burst within one hour.
        for n in 0..300u32 {
            index.insert(
                150 * HOUR + i64::from(n),
                i64::MAX,
                &print(1000 + n),
                &strings(&format!("b-{n}")),
            );
        }
        assert_eq!(index.len(), 100);
        assert!(index.counters().evicted_cap > 0);
        assert!(index.find("b-299").is_some());
    }

    #[test]
    fn a_flood_of_copies_keeps_the_earliest_per_key() {
        let mut index = Index::new(72 * HOUR, 10_000);
        let same = print(1);
        // Inserted latest first: the tables must still end with the earliest.
        for n in (0..100u32).rev() {
            index.insert(
                i64::from(n),
                i64::MAX,
                &same,
                &strings(&format!("copy-{n:03}")),
            );
        }
        let mut out = Vec::new();
        index.candidates(&same, &mut out);
        let mut ids: Vec<&str> = out.iter().map(|s| index.id(*s)).collect();
        ids.sort_unstable();
        assert_eq!(ids.len(), MAX_PER_KEY);
        assert_eq!(ids[0], "copy-000");
        assert_eq!(ids[MAX_PER_KEY - 1], format!("copy-{:03}", MAX_PER_KEY - 1));
        // Removing them all leaves the tables empty.
        for n in 0..100u32 {
            let slot = index.find(&format!("copy-{n:03}")).expect("present");
            index.remove(slot);
        }
        index.candidates(&same, &mut out);
        assert!(out.is_empty());
        assert_eq!(index.len(), 0);
    }

    #[test]
    fn churn_keeps_memory_bounded() {
        let mut index = Index::new(HOUR, 2000);
        for n in 0..20_000u32 {
            index.insert(
                i64::from(n) * 1000,
                i64::MAX,
                &print(n),
                &strings(&format!("article-{n:08}")),
            );
        }
        assert!(index.len() <= 2000);
        let per_entry = index.heap_bytes() / index.len();
        assert!(per_entry < 400, "{per_entry} bytes per entry");
    }
}
