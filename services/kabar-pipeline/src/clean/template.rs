//! Per-source template learning, bounded in memory.
//!
//! Lines that recur across many articles from one source (its menus, footers, share prompts)
//! are that source's template. For each source the cleaner keeps a bounded table of short-line
//! hashes and the number of articles each appeared in; sources themselves are bounded, the
//! least recently seen going first. Shared between threads behind a mutex: the work under the
//! lock is a few hash look-ups per line.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

/// Sources remembered at once.
pub const MAX_SOURCES: usize = 512;
/// Line hashes remembered per source.
pub const MAX_LINES_PER_SOURCE: usize = 4096;
/// Articles a line must have appeared in before it counts as template.
pub const MIN_ARTICLES: u32 = 3;
/// Longer lines are story text, however often a source repeats them.
const MAX_TEMPLATE_CHARS: usize = 200;

#[derive(Debug, Default)]
struct SourceLines {
    counts: HashMap<u64, u32>,
    order: VecDeque<u64>,
}

#[derive(Debug, Default)]
struct Sources {
    by_name: HashMap<String, (u64, SourceLines)>,
    clock: u64,
}

/// The learned templates of every recent source.
#[derive(Debug, Default)]
pub struct Templates {
    inner: Mutex<Sources>,
}

fn line_hash(line: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    line.trim().hash(&mut hasher);
    hasher.finish()
}

impl Templates {
    /// Records one article's lines for `source` and returns, per line, whether it is template
    /// (seen in at least [`MIN_ARTICLES`] earlier articles of the source).
    pub fn observe(&self, source: &str, lines: &[&str]) -> Vec<bool> {
        let mut verdicts = vec![false; lines.len()];
        if source.is_empty() {
            return verdicts;
        }
        let Ok(mut sources) = self.inner.lock() else {
            return verdicts;
        };
        sources.clock += 1;
        let clock = sources.clock;
        if !sources.by_name.contains_key(source) && sources.by_name.len() >= MAX_SOURCES {
            let oldest = sources
                .by_name
                .iter()
                .min_by_key(|(_, (seen, _))| *seen)
                .map(|(name, _)| name.clone());
            if let Some(oldest) = oldest {
                sources.by_name.remove(&oldest);
            }
        }
        let (seen, table) = sources
            .by_name
            .entry(source.to_owned())
            .or_insert_with(|| (clock, SourceLines::default()));
        *seen = clock;
        let mut counted = HashSet::new();
        for (line, verdict) in lines.iter().zip(verdicts.iter_mut()) {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.chars().count() > MAX_TEMPLATE_CHARS {
                continue;
            }
            let hash = line_hash(trimmed);
            if !counted.insert(hash) {
                *verdict = table.counts.get(&hash).is_some_and(|&n| n >= MIN_ARTICLES);
                continue;
            }
            let count = table.counts.entry(hash).or_insert(0);
            *verdict = *count >= MIN_ARTICLES;
            if *count == 0 {
                table.order.push_back(hash);
            }
            *count = count.saturating_add(1);
            while table.order.len() > MAX_LINES_PER_SOURCE {
                if let Some(old) = table.order.pop_front() {
                    table.counts.remove(&old);
                }
            }
        }
        verdicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_lines_become_template_and_memory_is_bounded() {
        let templates = Templates::default();
        for i in 0..3 {
            let story = format!("Story number {i} is different.");
            let verdicts = templates.observe("site", &["Home | News | Sport", &story]);
            assert_eq!(verdicts, vec![false, false]);
        }
        let verdicts = templates.observe("site", &["Home | News | Sport", "A new story."]);
        assert_eq!(verdicts, vec![true, false]);
        assert_eq!(
            templates.observe("other", &["Home | News | Sport"]),
            vec![false]
        );
        for i in 0..(MAX_SOURCES + 10) {
            templates.observe(&format!("s{i}"), &["x"]);
        }
        let sources = templates.inner.lock().expect("lock");
        assert!(sources.by_name.len() <= MAX_SOURCES);
    }
}
