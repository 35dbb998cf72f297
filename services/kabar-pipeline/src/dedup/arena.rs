//! The index's strings (article ids, story ids, the id of the first copy) packed into chunks,
//! one record an entry, addressed by a 32-bit offset: no pointer and no allocation per entry.
//!
//! Removing an entry leaves its record as garbage; the index compacts the arena when garbage
//! passes a sixteenth of the live bytes ([`Arena::wants_compaction`]), copying live records
//! into fresh chunks: an index at its cap that keeps evicting holds at most that much more.

/// Bytes per chunk; a record never spans two.
const CHUNK: usize = 64 * 1024;

/// What an entry says about its article: its id, its story, and the first copy it duplicates.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Strings<'a> {
    pub id: &'a str,
    /// `None`: the article's own id.
    pub story: Option<&'a str>,
    /// The first copy and the similarity to it, when the article is a duplicate.
    pub duplicate: Option<(&'a str, f32)>,
}

#[derive(Debug, Default)]
pub(super) struct Arena {
    chunks: Vec<Vec<u8>>,
    live: usize,
    garbage: usize,
}

const HAS_STORY: u8 = 1;
const HAS_DUPLICATE: u8 = 2;

fn put_str(out: &mut Vec<u8>, text: &str) {
    // Ids are at most a few hundred bytes (the input's field limit); longer ones are cut at a
    // character boundary rather than corrupting the arena.
    let mut end = text.len().min(u16::MAX as usize);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_le_bytes());
    out.extend_from_slice(&text.as_bytes()[..end]);
}

fn take_str<'a>(bytes: &'a [u8], at: &mut usize) -> &'a str {
    let len = usize::from(u16::from_le_bytes([bytes[*at], bytes[*at + 1]]));
    let text = &bytes[*at + 2..*at + 2 + len];
    *at += 2 + len;
    std::str::from_utf8(text).unwrap_or_default()
}

fn encode(strings: &Strings<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(strings.id.len() + 8);
    let flags = u8::from(strings.story.is_some()) * HAS_STORY
        + u8::from(strings.duplicate.is_some()) * HAS_DUPLICATE;
    out.push(flags);
    put_str(&mut out, strings.id);
    if let Some(story) = strings.story {
        put_str(&mut out, story);
    }
    if let Some((of, similarity)) = strings.duplicate {
        put_str(&mut out, of);
        out.extend_from_slice(&similarity.to_le_bytes());
    }
    out
}

impl Arena {
    /// Stores a record; its offset.
    pub(super) fn push(&mut self, strings: &Strings<'_>) -> u32 {
        let record = encode(strings);
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + record.len() <= CHUNK);
        if !fits {
            self.chunks
                .push(Vec::with_capacity(CHUNK.max(record.len())));
        }
        let index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[index];
        let offset = index * CHUNK + chunk.len();
        chunk.extend_from_slice(&record);
        self.live += record.len();
        u32::try_from(offset).unwrap_or(u32::MAX)
    }

    fn record_bytes(&self, offset: u32) -> (&[u8], usize) {
        let offset = offset as usize;
        (&self.chunks[offset / CHUNK], offset % CHUNK)
    }

    /// The record at `offset`.
    pub(super) fn get(&self, offset: u32) -> Strings<'_> {
        let (chunk, mut at) = self.record_bytes(offset);
        let flags = chunk[at];
        at += 1;
        let id = take_str(chunk, &mut at);
        let story = (flags & HAS_STORY != 0).then(|| take_str(chunk, &mut at));
        let duplicate = (flags & HAS_DUPLICATE != 0).then(|| {
            let of = take_str(chunk, &mut at);
            let similarity = f32::from_le_bytes(chunk[at..at + 4].try_into().unwrap_or_default());
            (of, similarity)
        });
        Strings {
            id,
            story,
            duplicate,
        }
    }

    /// Only the id of the record at `offset`.
    pub(super) fn id(&self, offset: u32) -> &str {
        let (chunk, at) = self.record_bytes(offset);
        take_str(chunk, &mut (at + 1))
    }

    /// Marks the record at `offset` as garbage.
    pub(super) fn release(&mut self, offset: u32) {
        let size = encode(&self.get(offset)).len();
        self.live -= size;
        self.garbage += size;
    }

    pub(super) fn wants_compaction(&self) -> bool {
        // About sixteen records (under a kilobyte) copied per record removed, for at most 4
        // bytes an entry of garbage with 32-byte ids.
        self.garbage > (self.live / 16).max(CHUNK * 4)
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<u8>>()
    }

    /// A fresh arena holding the records at `offsets` (in that order); their new offsets are
    /// written back.
    pub(super) fn compacted<'o>(&self, offsets: impl Iterator<Item = &'o mut u32>) -> Arena {
        let mut fresh = Arena::default();
        for offset in offsets {
            *offset = fresh.push(&self.get(*offset));
        }
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_across_chunks_and_compaction() {
        let mut arena = Arena::default();
        let mut offsets = Vec::new();
        for index in 0..20_000 {
            let id = format!("article-{index:06}-{}", "x".repeat(index % 40));
            let story = format!("story-{}", index / 3);
            let strings = Strings {
                id: &id,
                story: (index % 3 != 0).then_some(story.as_str()),
                duplicate: (index % 5 == 0).then_some(("first-copy", 0.875)),
            };
            offsets.push(arena.push(&strings));
            assert_eq!(arena.get(offsets[index]), strings);
        }
        assert!(arena.chunks.len() > 1);
        assert_eq!(
            arena.id(offsets[19_999]),
            format!("article-019999-{}", "x".repeat(39))
        );
        for offset in offsets.iter().skip(100) {
            arena.release(*offset);
        }
        assert!(arena.wants_compaction());
        let mut kept: Vec<u32> = offsets[..100].to_vec();
        let before: Vec<String> = kept
            .iter()
            .map(|o| format!("{:?}", arena.get(*o)))
            .collect();
        let fresh = arena.compacted(kept.iter_mut());
        let after: Vec<String> = kept
            .iter()
            .map(|o| format!("{:?}", fresh.get(*o)))
            .collect();
        assert_eq!(before, after);
        assert_eq!(fresh.chunks.len(), 1);
        assert_eq!(fresh.garbage, 0);
    }

    #[test]
    fn an_over_long_id_is_cut_at_a_character_boundary() {
        let mut arena = Arena::default();
        let long = "é".repeat(40_000);
        let offset = arena.push(&Strings {
            id: &long,
            story: None,
            duplicate: None,
        });
        assert!(arena.id(offset).len() < u16::MAX as usize);
        assert!(long.starts_with(arena.id(offset)));
    }
}
