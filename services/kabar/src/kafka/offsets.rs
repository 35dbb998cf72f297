//! Which input offsets may be committed: only those whose every output is acknowledged.
//!
//! Several messages of one partition are in flight at once and finish in any order. The tracker
//! keeps, per partition, the offsets still in flight; the offset that may be stored is the one
//! just before the oldest in-flight message (or the newest finished one when none is in flight).
//! A rebalance bumps the partition's generation, so work begun before it cannot store offsets
//! for a partition this instance may no longer own.
//!
//! Offsets are handed to the consumer's offset store *under the tracker's lock*, and marked as
//! stored only when the store took them. Two finishing tasks could otherwise store in the wrong
//! order (the older offset last, moving the stored offset backwards), and a store refused while
//! the assignment was in doubt would never be tried again: at the end of the input either one
//! leaves the committed offset behind for good with nothing in flight.
//! [`OffsetTracker::store_pending`] retries what was refused.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// A topic and partition.
pub type TopicPartition = (String, i32);

#[derive(Debug, Default)]
struct PartitionState {
    generation: u64,
    in_flight: BTreeSet<i64>,
    /// Newest offset whose work has finished.
    newest_finished: Option<i64>,
    /// Newest offset the consumer's offset store took.
    stored: Option<i64>,
    /// Newest offset begun in this generation: an offset at or below it means the consumer
    /// went back (a seek or a re-fetch after the assignment was lost), so the partition starts
    /// over.
    newest_begun: Option<i64>,
}

impl PartitionState {
    /// The offset that may be stored now, if it is ahead of what is stored.
    fn storable(&self) -> Option<i64> {
        let storable = match self.in_flight.first() {
            Some(&oldest) => oldest.checked_sub(1).filter(|o| *o >= 0)?,
            None => self.newest_finished?,
        };
        match self.stored {
            Some(stored) if stored >= storable => None,
            _ => Some(storable),
        }
    }

    fn store(&mut self, key: &TopicPartition, store: &mut impl FnMut(&str, i32, i64) -> bool) {
        if let Some(offset) = self.storable() {
            if store(&key.0, key.1, offset) {
                self.stored = Some(offset);
            }
        }
    }
}

/// A ticket for one message's work; give it back to [`OffsetTracker::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    generation: u64,
}

/// Thread-safe in-flight bookkeeping for every assigned partition.
#[derive(Debug, Default)]
pub struct OffsetTracker {
    partitions: Mutex<HashMap<TopicPartition, PartitionState>>,
    generations: Mutex<u64>,
}

impl OffsetTracker {
    pub fn new() -> Self {
        Self::default()
    }

    fn next_generation(&self) -> u64 {
        let mut generation = self.generations.lock().unwrap_or_else(|p| p.into_inner());
        *generation += 1;
        *generation
    }

    /// Marks a message as in flight.
    pub fn begin(&self, topic: &str, partition: i32, offset: i64) -> Ticket {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        let key = (topic.to_owned(), partition);
        let went_back = partitions
            .get(&key)
            .and_then(|state| state.newest_begun)
            .is_some_and(|newest| offset <= newest);
        if went_back || !partitions.contains_key(&key) {
            // A new generation: tickets of the old one (redone from here on) store nothing.
            let generation = self.next_generation();
            partitions.insert(
                key.clone(),
                PartitionState {
                    generation,
                    ..PartitionState::default()
                },
            );
        }
        let state = partitions.entry(key).or_default();
        state.in_flight.insert(offset);
        state.newest_begun = Some(offset);
        Ticket {
            topic: topic.to_owned(),
            partition,
            offset,
            generation: state.generation,
        }
    }

    /// Marks a message's work as finished (every output acknowledged) and hands the offset that
    /// may now be stored, if it moved forward, to `store` (the consumer's `store_offset`), which
    /// says whether it was taken. Stale tickets store nothing.
    pub fn finish(&self, ticket: &Ticket, mut store: impl FnMut(&str, i32, i64) -> bool) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        let key = (ticket.topic.clone(), ticket.partition);
        let Some(state) = partitions.get_mut(&key) else {
            return;
        };
        if state.generation != ticket.generation || !state.in_flight.remove(&ticket.offset) {
            return;
        }
        state.newest_finished = Some(
            state
                .newest_finished
                .map_or(ticket.offset, |n| n.max(ticket.offset)),
        );
        state.store(&key, &mut store);
    }

    /// Offers every partition's storable offset that the store has not taken yet (refused while
    /// the assignment was changing) to `store` again. Called periodically.
    pub fn store_pending(&self, mut store: impl FnMut(&str, i32, i64) -> bool) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        for (key, state) in partitions.iter_mut() {
            state.store(key, &mut store);
        }
    }

    /// Forgets partitions this instance no longer owns (revoked or lost in a rebalance).
    pub fn forget(&self, revoked: &[TopicPartition]) {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        for key in revoked {
            partitions.remove(key);
        }
    }

    /// Messages in flight on these partitions.
    pub fn in_flight(&self, of: &[TopicPartition]) -> usize {
        let partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        of.iter()
            .filter_map(|key| partitions.get(key))
            .map(|state| state.in_flight.len())
            .sum()
    }

    /// Messages in flight on every partition.
    pub fn total_in_flight(&self) -> usize {
        let partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        partitions.values().map(|state| state.in_flight.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finishes a ticket against a store that takes everything; returns what was stored.
    fn finish(tracker: &OffsetTracker, ticket: &Ticket) -> Option<i64> {
        let mut stored = None;
        tracker.finish(ticket, |_, _, offset| {
            stored = Some(offset);
            true
        });
        stored
    }

    #[test]
    fn stores_only_the_contiguous_prefix() {
        let tracker = OffsetTracker::new();
        let t0 = tracker.begin("in", 0, 10);
        let t1 = tracker.begin("in", 0, 11);
        let t2 = tracker.begin("in", 0, 12);
        assert_eq!(
            finish(&tracker, &t2),
            Some(9),
            "offset 9 precedes the oldest in flight"
        );
        assert_eq!(finish(&tracker, &t1), None, "10 is still in flight");
        assert_eq!(finish(&tracker, &t0), Some(12));
    }

    #[test]
    fn first_offset_of_a_partition() {
        let tracker = OffsetTracker::new();
        let t0 = tracker.begin("in", 0, 0);
        let t1 = tracker.begin("in", 0, 1);
        assert_eq!(
            finish(&tracker, &t1),
            None,
            "nothing before offset 0 to store"
        );
        assert_eq!(finish(&tracker, &t0), Some(1));
    }

    #[test]
    fn partitions_are_independent() {
        let tracker = OffsetTracker::new();
        let a = tracker.begin("in", 0, 5);
        let b = tracker.begin("in", 1, 7);
        assert_eq!(finish(&tracker, &b), Some(7));
        assert_eq!(tracker.in_flight(&[("in".into(), 0)]), 1);
        assert_eq!(finish(&tracker, &a), Some(5));
        assert_eq!(tracker.total_in_flight(), 0);
    }

    #[test]
    fn stale_tickets_after_a_rebalance_store_nothing() {
        let tracker = OffsetTracker::new();
        let old = tracker.begin("in", 0, 5);
        tracker.forget(&[("in".into(), 0)]);
        let new = tracker.begin("in", 0, 3);
        assert_eq!(finish(&tracker, &old), None);
        assert_eq!(finish(&tracker, &new), Some(3));
    }

    #[test]
    fn a_refused_store_is_offered_again() {
        let tracker = OffsetTracker::new();
        let last = tracker.begin("in", 0, 41);
        tracker.finish(&last, |_, _, _| false);
        let mut offered = Vec::new();
        tracker.store_pending(|topic, partition, offset| {
            offered.push((topic.to_owned(), partition, offset));
            true
        });
        assert_eq!(offered, [("in".to_owned(), 0, 41)]);
        tracker.store_pending(|_, _, offset| panic!("{offset} was already stored"));
    }

    #[test]
    fn stores_never_go_backwards_whatever_the_finishing_order() {
        // Tasks finish on many threads at once; the offsets reaching the store must rise.
        let tracker = std::sync::Arc::new(OffsetTracker::new());
        let tickets: Vec<Ticket> = (0..2_000).map(|o| tracker.begin("in", 0, o)).collect();
        let stored = std::sync::Arc::new(Mutex::new(Vec::new()));
        std::thread::scope(|scope| {
            for chunk in tickets.chunks(250) {
                let (tracker, stored) = (&tracker, &stored);
                scope.spawn(move || {
                    for ticket in chunk.iter().rev() {
                        tracker.finish(ticket, |_, _, offset| {
                            stored.lock().expect("not poisoned").push(offset);
                            true
                        });
                    }
                });
            }
        });
        let stored = stored.lock().expect("not poisoned");
        assert!(stored.windows(2).all(|w| w[0] < w[1]), "{stored:?}");
        assert_eq!(stored.last(), Some(&1_999));
    }

    #[test]
    fn a_rewound_partition_starts_over() {
        // The consumer went back to offset 3 (re-fetch after a lost assignment) without a
        // rebalance callback in between: the redone work must store again.
        let tracker = OffsetTracker::new();
        let first = tracker.begin("in", 0, 5);
        assert_eq!(finish(&tracker, &first), Some(5));
        let again = tracker.begin("in", 0, 3);
        let next = tracker.begin("in", 0, 4);
        assert_eq!(finish(&tracker, &again), Some(3));
        assert_eq!(finish(&tracker, &next), Some(4));
        let stale = tracker.begin("in", 0, 5);
        tracker.forget(&[("in".into(), 0)]);
        assert_eq!(finish(&tracker, &stale), None);
    }
}
