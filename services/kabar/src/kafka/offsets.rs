//! Which input offsets may be committed: only those whose every output is acknowledged.
//!
//! Several messages of one partition are in flight at once and finish in any order. The tracker
//! keeps, per partition, the offsets still in flight; the offset that may be stored is the one
//! just before the oldest in-flight message (or the newest finished one when none is in flight).
//! A rebalance bumps the partition's generation, so work begun before it cannot store offsets
//! for a partition this instance may no longer own.

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
    /// Newest offset already handed to the consumer for commit.
    stored: Option<i64>,
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
        if !partitions.contains_key(&key) {
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
        Ticket {
            topic: topic.to_owned(),
            partition,
            offset,
            generation: state.generation,
        }
    }

    /// Marks a message's work as finished (every output acknowledged). Returns the offset that
    /// may now be stored for commit, if it moved forward. Stale tickets return `None`.
    pub fn finish(&self, ticket: &Ticket) -> Option<i64> {
        let mut partitions = self.partitions.lock().unwrap_or_else(|p| p.into_inner());
        let state = partitions.get_mut(&(ticket.topic.clone(), ticket.partition))?;
        if state.generation != ticket.generation || !state.in_flight.remove(&ticket.offset) {
            return None;
        }
        state.newest_finished = Some(
            state
                .newest_finished
                .map_or(ticket.offset, |n| n.max(ticket.offset)),
        );
        let storable = match state.in_flight.first() {
            Some(&oldest) => oldest.checked_sub(1).filter(|o| *o >= 0)?,
            None => state.newest_finished?,
        };
        if state.stored.is_some_and(|stored| stored >= storable) {
            return None;
        }
        state.stored = Some(storable);
        Some(storable)
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

    #[test]
    fn stores_only_the_contiguous_prefix() {
        let tracker = OffsetTracker::new();
        let t0 = tracker.begin("in", 0, 10);
        let t1 = tracker.begin("in", 0, 11);
        let t2 = tracker.begin("in", 0, 12);
        assert_eq!(
            tracker.finish(&t2),
            Some(9),
            "offset 9 precedes the oldest in flight"
        );
        assert_eq!(tracker.finish(&t1), None, "10 is still in flight");
        assert_eq!(tracker.finish(&t0), Some(12));
    }

    #[test]
    fn first_offset_of_a_partition() {
        let tracker = OffsetTracker::new();
        let t0 = tracker.begin("in", 0, 0);
        let t1 = tracker.begin("in", 0, 1);
        assert_eq!(
            tracker.finish(&t1),
            None,
            "nothing before offset 0 to store"
        );
        assert_eq!(tracker.finish(&t0), Some(1));
    }

    #[test]
    fn partitions_are_independent() {
        let tracker = OffsetTracker::new();
        let a = tracker.begin("in", 0, 5);
        let b = tracker.begin("in", 1, 7);
        assert_eq!(tracker.finish(&b), Some(7));
        assert_eq!(tracker.in_flight(&[("in".into(), 0)]), 1);
        assert_eq!(tracker.finish(&a), Some(5));
        assert_eq!(tracker.total_in_flight(), 0);
    }

    #[test]
    fn stale_tickets_after_a_rebalance_store_nothing() {
        let tracker = OffsetTracker::new();
        let old = tracker.begin("in", 0, 5);
        tracker.forget(&[("in".into(), 0)]);
        let new = tracker.begin("in", 0, 3);
        assert_eq!(tracker.finish(&old), None);
        assert_eq!(tracker.finish(&new), Some(3));
    }
}
