//! An open-addressing hash table of index slots, four bytes a cell, for the id lookup and the
//! LSH bands.
//!
//! A cell holds a slot (24 bits) and an 8-bit tag of its key; the key itself lives in the
//! entry, so the table asks for it (`key_of`) only when it moves cells (growing, deleting) or
//! when a tag matches. Several slots may share a key (a band key of copies). Linear probing,
//! deletion by backward shift (no tombstones), at most [`MAX_LOAD`] full; capacity is not a
//! power of two (the home cell is a multiply-shift of the key), so growth stops at what the
//! index's entry cap needs instead of doubling past it.

/// Most slots a table can hold a reference to (24 bits, zero meaning empty).
pub const MAX_SLOTS: u32 = (1 << 24) - 1;

const MAX_LOAD: f64 = 0.8;
const SLOT_MASK: u32 = (1 << 24) - 1;

#[derive(Debug, Clone, Default)]
pub(super) struct SlotTable {
    cells: Vec<u32>,
    len: usize,
}

fn tag(key: u32) -> u32 {
    (key & 0xff) << 24
}

impl SlotTable {
    fn home(&self, key: u32) -> usize {
        ((u64::from(key) * self.cells.len() as u64) >> 32) as usize
    }

    fn next(&self, position: usize) -> usize {
        if position + 1 == self.cells.len() {
            0
        } else {
            position + 1
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.cells.capacity() * std::mem::size_of::<u32>()
    }

    /// Slots whose key has `key`'s tag, in probe order, with their positions (the caller
    /// compares the keys).
    pub(super) fn matches(&self, key: u32) -> impl Iterator<Item = (usize, u32)> + '_ {
        let wanted = tag(key);
        let mut position = if self.cells.is_empty() {
            None
        } else {
            Some(self.home(key))
        };
        let mut steps = 0;
        std::iter::from_fn(move || {
            while let Some(at) = position {
                let cell = self.cells[at];
                steps += 1;
                position = if cell == 0 || steps > self.cells.len() {
                    None
                } else {
                    Some(self.next(at))
                };
                if cell == 0 {
                    return None;
                }
                if cell & !SLOT_MASK == wanted {
                    return Some((at, (cell & SLOT_MASK) - 1));
                }
            }
            None
        })
    }

    /// Replaces the slot at `position` (found by [`SlotTable::matches`]) by `slot`, of the
    /// same key.
    pub(super) fn replace(&mut self, position: usize, key: u32, slot: u32) {
        self.cells[position] = tag(key) | (slot + 1);
    }

    /// Adds `slot` under `key`. `limit` is how many slots the table should be able to hold
    /// (the index's entry cap); `key_of` gives the key of a slot already in the table.
    pub(super) fn insert(
        &mut self,
        key: u32,
        slot: u32,
        limit: usize,
        key_of: impl Fn(u32) -> u32,
    ) {
        if (self.len + 1) as f64 > self.cells.len() as f64 * MAX_LOAD {
            let needed = ((limit.max(self.len + 1)) as f64 / MAX_LOAD).ceil() as usize + 1;
            let grown = (self.cells.len() * 2)
                .max(16)
                .min(needed.max(self.cells.len() + 1));
            self.resize(grown, &key_of);
        }
        let mut at = self.home(key);
        while self.cells[at] != 0 {
            at = self.next(at);
        }
        self.cells[at] = tag(key) | (slot + 1);
        self.len += 1;
    }

    /// Removes `slot` from under `key`; false when it was not there.
    pub(super) fn remove(&mut self, key: u32, slot: u32, key_of: impl Fn(u32) -> u32) -> bool {
        let Some(mut hole) = self
            .matches(key)
            .find(|(_, found)| *found == slot)
            .map(|(at, _)| at)
        else {
            return false;
        };
        self.cells[hole] = 0;
        self.len -= 1;
        // Backward shift: pull later cells of the run into the hole when their home allows.
        let mut at = self.next(hole);
        while self.cells[at] != 0 {
            let home = self.home(key_of((self.cells[at] & SLOT_MASK) - 1));
            // The cell may move to the hole unless its home lies cyclically in (hole, at].
            let stays = if hole <= at {
                hole < home && home <= at
            } else {
                hole < home || home <= at
            };
            if !stays {
                self.cells[hole] = self.cells[at];
                self.cells[at] = 0;
                hole = at;
            }
            at = self.next(at);
        }
        true
    }

    fn resize(&mut self, capacity: usize, key_of: &impl Fn(u32) -> u32) {
        let old = std::mem::replace(&mut self.cells, vec![0; capacity]);
        for cell in old.into_iter().filter(|c| *c != 0) {
            let mut at = self.home(key_of((cell & SLOT_MASK) - 1));
            while self.cells[at] != 0 {
                at = self.next(at);
            }
            self.cells[at] = cell;
        }
    }

    /// Gives memory back after many removals (capacity over four times what is needed).
    pub(super) fn shrink(&mut self, key_of: impl Fn(u32) -> u32) {
        let needed = (self.len as f64 / MAX_LOAD).ceil() as usize + 16;
        if self.cells.len() > 4 * needed {
            self.resize(2 * needed, &key_of);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_with_shared_keys_and_growth() {
        // Slot s has key keys[s]; many slots share keys, so runs are long.
        let keys: Vec<u32> = (0..5000u32)
            .map(|s| (s % 97).wrapping_mul(0x9e37_79b9))
            .collect();
        let key_of = |slot: u32| keys[slot as usize];
        let mut table = SlotTable::default();
        for slot in 0..5000 {
            table.insert(key_of(slot), slot, 5000, key_of);
        }
        assert!(table.cells.len() <= (5000.0 / MAX_LOAD) as usize + 2);
        let found = |table: &SlotTable, key: u32| {
            let mut slots: Vec<u32> = table
                .matches(key)
                .map(|(_, s)| s)
                .filter(|s| key_of(*s) == key)
                .collect();
            slots.sort_unstable();
            slots
        };
        let expected: Vec<u32> = (0..5000).filter(|s| s % 97 == 3).collect();
        assert_eq!(found(&table, key_of(3)), expected);
        for slot in (0..5000).filter(|s| s % 2 == 0) {
            assert!(table.remove(key_of(slot), slot, key_of));
        }
        assert!(!table.remove(key_of(0), 0, key_of));
        let expected: Vec<u32> = (0..5000).filter(|s| s % 97 == 3 && s % 2 == 1).collect();
        assert_eq!(found(&table, key_of(3)), expected);
        for slot in (0..5000).filter(|s| s % 2 == 1) {
            assert!(table.remove(key_of(slot), slot, key_of));
        }
        assert_eq!(table.len, 0);
        assert!(table.cells.iter().all(|c| *c == 0));
        table.shrink(key_of);
        assert!(table.cells.len() <= 64);
    }
}
