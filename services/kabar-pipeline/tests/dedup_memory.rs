//! The near-duplicate index's memory, counted by the allocator (not estimated, not timed): an
//! index at its entry cap holds at most 200 bytes an entry with 32-byte article ids (the form of
//! the ids kabar derives), a quarter of the articles duplicates naming another article, and it
//! stays there when entries keep coming (the cap evicts). What the index reports as its size
//! (`kabar_dedup_index_bytes`) is what the allocator counted.
//!
//! The same measure at one million entries (about half a minute in a release build):
//! `KABAR_DEDUP_MEMORY_ENTRIES=1000000 cargo test --release -p kabar-pipeline --test dedup_memory
//! -- --nocapture`.

#![allow(unsafe_code)] // a counting global allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use kabar_pipeline::article::Duplicate;
use kabar_pipeline::dedup::{DedupConfig, Detector, Fingerprint, Record, sketch};

struct Counting;

static ALLOCATED: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            ALLOCATED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        ALLOCATED.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            ALLOCATED.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A deterministic stream of pseudo-random numbers.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    sketch::mix(*state)
}

/// Record `n`: a 32-byte hex id, an unrelated fingerprint, one minute apart; every fourth a
/// duplicate of the one before it.
fn record(n: u64, state: &mut u64) -> Record {
    let id = format!("{:016x}{:016x}", next(state), n);
    let mut sketch_bytes = [0u8; sketch::SKETCH_BYTES];
    for byte in &mut sketch_bytes {
        *byte = next(state) as u8;
    }
    let mut keys = [0u32; sketch::KEYS];
    for key in &mut keys {
        *key = next(state) as u32;
    }
    let duplicate = (n % 4 == 3).then(|| Duplicate {
        of: format!("{:032x}", n - 1),
        similarity: 0.93,
    });
    Record {
        story: duplicate
            .as_ref()
            .map_or_else(|| id.clone(), |d| d.of.clone()),
        id,
        time: 1_700_000_000_000 + n as i64 * 60_000,
        fingerprint: Fingerprint {
            sketch: sketch_bytes,
            keys,
            shingles: 300,
        },
        duplicate,
    }
}

/// Bytes an entry of an index at its cap of `cap` entries, counted by the allocator: at the cap,
/// then after as many entries again went through it; and what the index said it held at the cap.
fn measure(cap: usize) -> (f64, f64, f64) {
    let before = ALLOCATED.load(Ordering::Relaxed);
    // Records come a minute apart: a window of ten years (two million entries take under four)
    // leaves the evicting to the cap.
    let detector = Detector::new(DedupConfig {
        max_entries: cap,
        window_ms: 10 * 365 * 24 * 3_600_000,
        ..DedupConfig::default()
    });
    let mut state = 7;
    for n in 0..cap as u64 {
        detector.apply(&record(n, &mut state));
    }
    assert_eq!(detector.stats().entries, cap);
    let at_cap = (ALLOCATED.load(Ordering::Relaxed) - before) as f64 / cap as f64;
    let reported = detector.stats().bytes as f64 / cap as f64;
    // As many again: the cap evicts the oldest, memory stays.
    for n in cap as u64..2 * cap as u64 {
        detector.apply(&record(n, &mut state));
    }
    assert_eq!(detector.stats().entries, cap);
    let after_churn = (ALLOCATED.load(Ordering::Relaxed) - before) as f64 / cap as f64;
    assert!(
        after_churn <= at_cap * 1.05,
        "churn grew the index from {at_cap:.1} to {after_churn:.1} bytes an entry"
    );
    (at_cap, after_churn, reported)
}

#[test]
fn an_index_at_its_cap_holds_under_200_bytes_an_entry() {
    let entries = std::env::var("KABAR_DEDUP_MEMORY_ENTRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let (counted, churned, reported) = measure(entries);
    eprintln!(
        "{entries} entries: {counted:.1} bytes an entry counted by the allocator ({:.1} MB), \
         {reported:.1} reported by the index; {churned:.1} ({:.1} MB) after {entries} more",
        counted * entries as f64 / 1e6,
        churned * entries as f64 / 1e6
    );
    assert!(counted <= 200.0, "{counted:.1} bytes an entry");
    assert!(
        (reported - counted).abs() <= counted * 0.05,
        "the index reports {reported:.1} bytes an entry, the allocator counted {counted:.1}"
    );
}
