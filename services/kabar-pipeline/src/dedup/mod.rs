//! Near-duplicate detection: which articles are copies of one seen before, and which story each
//! article belongs to.
//!
//! - [`text`]: the words of a cleaned body, normalised and hashed.
//! - [`sketch`]: a body's fingerprint (one-permutation MinHash of word shingles, a 4-bit sketch
//!   and LSH keys) and the similarity of two fingerprints.
//! - `index`: the in-memory index, bounded by a window of event time and an entry cap.
//! - [`time`]: `publishedAt` as an event time.
//!
//! The [`Detector`] decides: an article is a duplicate when the index holds a near copy
//! (estimated similarity at or above the threshold, event times within the window) that
//! precedes it, by the one order every instance applies: the earlier event time, then the
//! smaller id. `duplicate.of` is the first of those copies; the article's story is that copy's
//! story. An article that precedes every copy in the index is not a duplicate and joins the
//! story of the first of them; an article with no copy starts a story named by its own id. An
//! article never matches its own id: one processed again (after a crash, or its transaction was
//! aborted) gets the answer it got the first time.
//!
//! Fingerprinting is pure and runs on the worker threads in parallel ([`Detector::fingerprint`]);
//! deciding takes the index's lock for a few microseconds ([`Detector::decide`]), so callers
//! that need input order decide in input order. Every decision yields a [`Record`] for other
//! instances, which they add with [`Detector::apply`]: entries are keyed by article id and the
//! last record of an id wins, so indexes fed the same records agree, in whatever order the
//! records arrive.

mod arena;
mod index;
pub mod sketch;
mod table;
pub mod text;
pub mod time;

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

pub use index::{ENTRY_BYTES, IndexCounters};

/// Bytes an index entry takes on the heap with 32-byte article ids, everything counted (the
/// entry, its strings, its share of the tables), as `tests/dedup_memory.rs` measures it with
/// the index at its cap and after as many entries again went through it: for sizing
/// `max_entries`.
pub const TYPICAL_ENTRY_BYTES: usize = 197;
pub use sketch::Fingerprint;

use crate::article::Duplicate;
use arena::Strings;
use index::Index;

/// How the detector decides and how much it remembers.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupConfig {
    /// Estimated similarity (containment of the shorter body's shingles in the other's, 0 to
    /// 1) from which an article is a near copy.
    pub threshold: f32,
    /// How far apart in event time two copies may be, in milliseconds.
    pub window_ms: i64,
    /// Entries the index holds at most (the oldest go first).
    pub max_entries: usize,
    /// Words per shingle. Part of the fingerprint's format: instances must agree on it.
    pub shingle_words: usize,
    /// Bodies with fewer words are not fingerprinted: too short to tell a copy from a template.
    pub min_words: usize,
}

impl DedupConfig {
    pub const DEFAULT_THRESHOLD: f32 = 0.79;
    pub const DEFAULT_WINDOW_MS: i64 = 72 * 3_600_000;
    pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;
    pub const DEFAULT_SHINGLE_WORDS: usize = 5;
    pub const DEFAULT_MIN_WORDS: usize = 20;
    /// The largest entry cap the index supports (24-bit slots).
    pub const MAX_ENTRIES_LIMIT: usize = table::MAX_SLOTS as usize - 1;

    /// What is wrong with the settings, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            problems.push(format!("threshold {} is not in (0, 1]", self.threshold));
        }
        if self.window_ms < 1000 {
            problems.push(format!("window of {} ms is under a second", self.window_ms));
        }
        if self.max_entries == 0 || self.max_entries > Self::MAX_ENTRIES_LIMIT {
            problems.push(format!(
                "max_entries {} is not in 1..={}",
                self.max_entries,
                Self::MAX_ENTRIES_LIMIT
            ));
        }
        if !(2..=8).contains(&self.shingle_words) {
            problems.push(format!(
                "shingle_words {} is not in 2..=8",
                self.shingle_words
            ));
        }
        if self.min_words < self.shingle_words {
            problems.push(format!(
                "min_words {} is under shingle_words {}",
                self.min_words, self.shingle_words
            ));
        }
        problems
    }
}

impl Default for DedupConfig {
    fn default() -> Self {
        Self {
            threshold: Self::DEFAULT_THRESHOLD,
            window_ms: Self::DEFAULT_WINDOW_MS,
            max_entries: Self::DEFAULT_MAX_ENTRIES,
            shingle_words: Self::DEFAULT_SHINGLE_WORDS,
            min_words: Self::DEFAULT_MIN_WORDS,
        }
    }
}

/// When an article happened, for the order that decides which copy is first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTime {
    /// Milliseconds since the epoch: in Kafka mode, the input message's timestamp.
    Millis(i64),
    /// File mode and `kabar enrich`: the article's `publishedAt` when it has one (RFC 3339),
    /// else its place in the input: one millisecond after the latest event time decided.
    InputOrder,
}

/// The detector's answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Set when the article is a near copy of one that precedes it.
    pub duplicate: Option<Duplicate>,
    /// The story the article belongs to.
    pub story: String,
}

/// One article's fingerprint as instances share it: what [`Detector::apply`] adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: String,
    /// Event time, milliseconds since the epoch.
    pub time: i64,
    pub fingerprint: Fingerprint,
    /// The story the article belongs to.
    pub story: String,
    /// Its answer, so that it is given again if the article is processed again.
    pub duplicate: Option<Duplicate>,
}

/// What [`Detector::apply`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Added (or replaced the entry of its id).
    Added,
    /// The index already held exactly this.
    Unchanged,
    /// Older than the window: not kept.
    OutOfWindow,
}

/// The index's size and history, for metrics and the start-up log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub entries: usize,
    /// Bytes the index holds on the heap.
    pub bytes: usize,
    pub counters: IndexCounters,
    /// The newest event time seen (where the window ends).
    pub newest: Option<i64>,
}

/// The near-duplicate detector: its configuration and its index, shared by every worker.
#[derive(Debug)]
pub struct Detector {
    config: DedupConfig,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    index: Index,
    /// The latest event time decided in input order.
    clock: Option<i64>,
    /// Candidate slots, reused between lookups.
    candidates: Vec<u32>,
}

/// The window may end at most this far past the wall clock.
const FUTURE_MARGIN_MS: i64 = 3_600_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Detector {
    pub fn new(config: DedupConfig) -> Self {
        let index = Index::new(config.window_ms, config.max_entries);
        Self {
            config,
            state: Mutex::new(State {
                index,
                clock: None,
                candidates: Vec::new(),
            }),
        }
    }

    pub fn config(&self) -> &DedupConfig {
        &self.config
    }

    /// The fingerprint format: records of another format cannot be compared with ours.
    pub fn scheme(&self) -> String {
        format!(
            "oph{}x4-lsh{}x2-lead{}-w{}",
            sketch::BINS,
            sketch::BANDS,
            sketch::LEAD_SHINGLES,
            self.config.shingle_words
        )
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fingerprint of a cleaned body; `None` when it is too short to have one.
    pub fn fingerprint(&self, body: &str) -> Option<Fingerprint> {
        sketch::fingerprint(body, self.config.shingle_words, self.config.min_words)
    }

    /// Decides for one article and adds it to the index. Without a fingerprint the article is
    /// its own story and nothing is recorded.
    pub fn decide(
        &self,
        id: &str,
        published_at: &str,
        event: EventTime,
        fingerprint: Option<&Fingerprint>,
    ) -> (Verdict, Option<Record>) {
        let mut state = self.state();
        let time = match event {
            EventTime::Millis(millis) => millis,
            EventTime::InputOrder => {
                let time = time::parse_rfc3339(published_at)
                    .unwrap_or_else(|| state.clock.map_or(0, |clock| clock.saturating_add(1)));
                state.clock = Some(state.clock.map_or(time, |clock| clock.max(time)));
                time
            }
        };
        let own = Verdict {
            duplicate: None,
            story: id.to_owned(),
        };
        let Some(fingerprint) = fingerprint else {
            return (own, None);
        };
        let State {
            index, candidates, ..
        } = &mut *state;
        let mut previous_story = None;
        if let Some(slot) = index.find(id) {
            let stored = index.strings(slot);
            if index.fingerprint(slot) == *fingerprint {
                // Processed again: the answer of the first time.
                let verdict = Verdict {
                    duplicate: stored.duplicate.map(|(of, similarity)| Duplicate {
                        of: of.to_owned(),
                        similarity,
                    }),
                    story: stored.story.unwrap_or(id).to_owned(),
                };
                let record = Record {
                    id: id.to_owned(),
                    time: index.time(slot),
                    fingerprint: *fingerprint,
                    story: verdict.story.clone(),
                    duplicate: verdict.duplicate.clone(),
                };
                return (verdict, Some(record));
            }
            // The same id with new content (an update in place): it keeps its story unless it
            // now matches another.
            previous_story = Some(stored.story.unwrap_or(id).to_owned());
        }
        index.candidates(fingerprint, candidates);
        // (slot, similarity) of the first preceding near copy, and of the first near copy.
        let mut first_preceding: Option<(u32, f32)> = None;
        let mut first_any: Option<u32> = None;
        for &slot in candidates.iter() {
            let (other_time, other_id) = (index.time(slot), index.id(slot));
            if other_id == id || other_time.abs_diff(time) > self.config.window_ms.unsigned_abs() {
                continue;
            }
            let similarity = index.similarity(slot, fingerprint);
            if similarity < self.config.threshold {
                continue;
            }
            let earlier = |current: Option<u32>| {
                current.is_none_or(|c| {
                    index::order(other_time, other_id, index.time(c), index.id(c)).is_lt()
                })
            };
            if earlier(first_any) {
                first_any = Some(slot);
            }
            if index::order(other_time, other_id, time, id).is_lt()
                && earlier(first_preceding.map(|(s, _)| s))
            {
                first_preceding = Some((slot, similarity));
            }
        }
        let story_of = |slot: u32| {
            let strings = index.strings(slot);
            strings.story.unwrap_or(strings.id).to_owned()
        };
        let verdict = match (first_preceding, first_any) {
            (Some((slot, similarity)), _) => Verdict {
                duplicate: Some(Duplicate {
                    of: index.id(slot).to_owned(),
                    similarity: (similarity * 1000.0).round() / 1000.0,
                }),
                story: story_of(slot),
            },
            (None, Some(slot)) => Verdict {
                duplicate: None,
                story: story_of(slot),
            },
            (None, None) => Verdict {
                duplicate: None,
                story: previous_story.unwrap_or_else(|| id.to_owned()),
            },
        };
        let record = Record {
            id: id.to_owned(),
            time,
            fingerprint: *fingerprint,
            story: verdict.story.clone(),
            duplicate: verdict.duplicate.clone(),
        };
        Self::insert(index, &record);
        (verdict, Some(record))
    }

    fn insert(index: &mut Index, record: &Record) -> bool {
        let strings = Strings {
            id: &record.id,
            story: (record.story != record.id).then_some(record.story.as_str()),
            duplicate: record
                .duplicate
                .as_ref()
                .map(|d| (d.of.as_str(), d.similarity)),
        };
        index.insert(
            record.time,
            now_ms().saturating_add(FUTURE_MARGIN_MS),
            &record.fingerprint,
            &strings,
        )
    }

    /// Adds another instance's record (or one read back at start-up). The last record of an id
    /// wins.
    pub fn apply(&self, record: &Record) -> Applied {
        let mut state = self.state();
        let index = &mut state.index;
        if let Some(slot) = index.find(&record.id) {
            let stored = index.strings(slot);
            let same = index.fingerprint(slot) == record.fingerprint
                && index.time(slot) == record.time
                && stored.story.unwrap_or(stored.id) == record.story
                && stored.duplicate.map(|(of, s)| (of.to_owned(), s))
                    == record
                        .duplicate
                        .as_ref()
                        .map(|d| (d.of.clone(), d.similarity));
            if same {
                return Applied::Unchanged;
            }
        }
        if Self::insert(index, record) {
            Applied::Added
        } else {
            Applied::OutOfWindow
        }
    }

    /// The index's size and history.
    pub fn stats(&self) -> IndexStats {
        let state = self.state();
        IndexStats {
            entries: state.index.len(),
            bytes: state.index.heap_bytes(),
            counters: state.index.counters(),
            newest: state.index.newest(),
        }
    }
}

#[cfg(test)]
mod tests;
