//! Mention grouping within one article: repeats of a found name become mentions of it, then
//! mentions become entities, one per identity (a Wikidata id, a known entry, else a type and a
//! lower-cased surface), and a lone "Kim" or the "De Niro" of "Robert De Niro" joins the longer
//! person's name that holds it. The entities are then linked to the knowledge base ([`link`])
//! and those that turn out to be one ("Jokowi", "Joko Widodo") become one.

use std::collections::{HashMap, HashSet};

use super::RawMention;
use super::gazetteer::Gazetteer;
use super::hash::{HashedSet, hash_lower};
use super::kb::KnowledgeBase;
use super::link::{self, ArticleContext, Linkable};
use crate::article::{Entity, EntityType, Mention, TextField};

/// Groups mentions into entities. A one-word mention that is part of a longer person's name in
/// the same article joins that person ("Kim" of "Kim Jong Un", "Park" of "John Park"). `teams`
/// are the positions (field, start byte; sorted, title first) of the mentions that are places
/// playing in sports copy: an entity of their own, linked to a sports club or none.
pub(crate) fn group(
    gazetteer: &Gazetteer,
    kb: &KnowledgeBase,
    context: &ArticleContext,
    mentions: Vec<RawMention>,
    teams: &[(TextField, usize)],
    title: &str,
    body: &str,
) -> Vec<Entity> {
    let text_of = |field: TextField| match field {
        TextField::Title => title,
        TextField::Body => body,
    };
    let mut sorted = mentions;
    sorted.sort_by_key(|m| (m.field == TextField::Body, m.start));
    // Entities with their mentions' surfaces, keyed by identity.
    let mut entities: Vec<(Entity, Option<usize>, Vec<String>)> = Vec::new();
    // Whether each entity is a team, by index into `entities`.
    let mut team_of: Vec<bool> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut cursor = Cursor::default();
    for mention in &sorted {
        let surface = &text_of(mention.field)[mention.start..mention.end];
        let team = !teams.is_empty()
            && teams
                .binary_search_by_key(&(mention.field == TextField::Body, mention.start), |t| {
                    (t.0 == TextField::Body, t.1)
                })
                .is_ok();
        let key = match mention.known {
            _ if team => format!("team:{}", surface.to_lowercase()),
            Some(index) if !gazetteer.entity(index).wikidata.is_empty() => {
                format!("wd:{}", gazetteer.entity(index).wikidata)
            }
            Some(index) => format!("known:{index}"),
            None => format!(
                "{}:{}",
                mention.entity_type.as_str(),
                surface.to_lowercase()
            ),
        };
        let position = cursor.mention(text_of(mention.field), mention);
        let index = *by_key.entry(key).or_insert_with(|| {
            let (name, wikidata) = match mention.known {
                Some(k) => {
                    let known = gazetteer.entity(k);
                    (known.name.clone(), known.wikidata.clone())
                }
                None => (surface.to_owned(), String::new()),
            };
            entities.push((
                Entity {
                    name,
                    entity_type: mention.entity_type,
                    wikidata,
                    mentions: Vec::new(),
                    salience: 0.0,
                },
                mention.known,
                Vec::new(),
            ));
            team_of.push(team);
            entities.len() - 1
        });
        entities[index].0.mentions.push(position);
        entities[index].2.push(surface.to_owned());
    }
    // Lone words join the longer person name that contains them, and so do the last words
    // of one ("De Niro" of "Robert De Niro").
    let people: Vec<(usize, Vec<String>)> = entities
        .iter()
        .enumerate()
        .filter(|(_, (e, _, _))| e.entity_type == EntityType::Person)
        .map(|(i, (_, _, surfaces))| {
            let longest = surfaces.iter().max_by_key(|s| s.chars().count());
            let words = longest.map_or_else(Vec::new, |s| {
                s.split([' ', '-']).map(str::to_lowercase).collect()
            });
            (i, words)
        })
        .filter(|(_, words)| words.len() > 1)
        .collect();
    let mut merged_into: Vec<Option<usize>> = vec![None; entities.len()];
    for (index, (_, known, surfaces)) in entities.iter().enumerate() {
        if known.is_some() || team_of[index] {
            continue;
        }
        // An unlinked entity is keyed by its lower-cased surface: the first stands for all.
        let parts: Vec<String> = surfaces[0]
            .split([' ', '-'])
            .map(str::to_lowercase)
            .collect();
        let part_of = |words: &[String]| match parts.as_slice() {
            [word] => words.contains(word),
            _ => parts.len() < words.len() && words.ends_with(&parts),
        };
        // Prefer a family name (last word) over another part, a linked person over an unknown
        // one, then the most mentioned ("Kim" is Kim Jong Un, not the title's "Putin-Kim").
        let owner = people
            .iter()
            .filter(|(_, words)| part_of(words))
            .max_by_key(|(i, words)| {
                (
                    words.ends_with(&parts),
                    entities[*i].1.is_some(),
                    entities[*i].0.mentions.len(),
                )
            })
            .map(|(i, _)| *i);
        if let Some(owner) = owner.filter(|&o| o != index) {
            merged_into[index] = Some(owner);
        }
    }
    for index in 0..entities.len() {
        let Some(mut owner) = merged_into[index] else {
            continue;
        };
        // "Faber" joins "Eberhard Faber", which joins "Henry Eberhard Faber": the last one
        // takes the mentions of both. Merges only go to longer names, so chains end.
        while let Some(next) = merged_into[owner] {
            owner = next;
        }
        let moved = std::mem::take(&mut entities[index].0.mentions);
        entities[owner].0.mentions.extend(moved);
    }
    // Link what the gazetteer did not, then one entity per id: "Jokowi" and "Joko Widodo".
    let live: Vec<usize> = (0..entities.len())
        .filter(|&i| merged_into[i].is_none())
        .collect();
    let linkables: Vec<Linkable<'_>> = live
        .iter()
        .map(|&i| Linkable {
            entity_type: entities[i].0.entity_type,
            surfaces: &entities[i].2,
            wikidata: &entities[i].0.wikidata,
            team: team_of[i],
        })
        .collect();
    let politics = || link::speaks_of_politics(title) || link::speaks_of_politics(body);
    let links = link::link(kb, &linkables, context, &politics);
    drop(linkables);
    let mut out: Vec<Entity> = Vec::with_capacity(live.len());
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (&index, found) in live.iter().zip(links) {
        let (entity, known, surfaces) = &mut entities[index];
        let mut entity = std::mem::take(entity);
        if let Some(found) = found.filter(|_| entity.wikidata.is_empty()) {
            let linked = kb.entity(found);
            entity.wikidata = linked.wikidata();
            entity.name = linked.name.to_string();
        } else if known.is_none() {
            if let Some(longest) = surfaces.iter().max_by_key(|s| s.chars().count()) {
                entity.name.clone_from(longest);
            }
        }
        if !entity.wikidata.is_empty() {
            if let Some(&first) = by_id.get(&entity.wikidata) {
                out[first].mentions.append(&mut entity.mentions);
                continue;
            }
            by_id.insert(entity.wikidata.clone(), out.len());
        }
        out.push(entity);
    }
    for entity in &mut out {
        entity
            .mentions
            .sort_by_key(|m| (m.field == TextField::Body, m.start));
        entity.mentions.dedup();
    }
    out.sort_by_key(|e| {
        e.mentions
            .first()
            .map(|m| (m.field == TextField::Body, m.start))
    });
    out
}

/// Converts byte offsets to code points, counting forward over mentions sorted by position.
#[derive(Default)]
struct Cursor {
    field: Option<TextField>,
    byte: usize,
    chars: usize,
}

impl Cursor {
    fn mention(&mut self, text: &str, mention: &RawMention) -> Mention {
        if self.field != Some(mention.field) || mention.start < self.byte {
            *self = Cursor {
                field: Some(mention.field),
                byte: 0,
                chars: 0,
            };
        }
        self.chars += text[self.byte..mention.start].chars().count();
        self.byte = mention.start;
        let end = self.chars + text[mention.start..mention.end].chars().count();
        Mention {
            field: mention.field,
            start: u32::try_from(self.chars).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }
}

/// Repeats of a name within one article are the same name: every other whole-word occurrence
/// of the surface of a mention becomes a mention too, linked like it where it was linked, else
/// with the type the tagger gave that surface most often ("Reuters" tagged once is tagged
/// everywhere). The tagger sees one sentence at a time; this is the article's say.
/// One-word names that are also common words ("Will") are not repeated.
pub(crate) fn propagate(
    mentions: &mut Vec<RawMention>,
    title: &str,
    body: &str,
    common: &HashedSet,
) {
    let text_of = |field: TextField| match field {
        TextField::Title => title,
        TextField::Body => body,
    };
    // Votes per surface, in order of first mention; linked mentions keep their gazetteer type.
    let mut surfaces: Vec<(&str, [u32; 4])> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    // Linked surfaces, with their entity: a name the article links once ("Korut" in a sentence
    // where the tagger confirmed the place) is linked wherever else it stands.
    let mut linked: Vec<(&str, usize, EntityType)> = Vec::new();
    let mut linked_seen: HashSet<&str> = HashSet::new();
    for mention in mentions.iter() {
        let surface = &text_of(mention.field)[mention.start..mention.end];
        if !surface.starts_with(char::is_uppercase) || surface.chars().nth(1).is_none() {
            continue;
        }
        let one_word = !surface.contains(|c: char| !c.is_alphanumeric());
        if one_word && common.contains(&hash_lower(surface)) {
            continue;
        }
        if let Some(known) = mention.known {
            if linked_seen.insert(surface) {
                linked.push((surface, known, mention.entity_type));
            }
            continue;
        }
        let index = *index_of.entry(surface).or_insert_with(|| {
            surfaces.push((surface, [0; 4]));
            surfaces.len() - 1
        });
        surfaces[index].1[type_index(mention.entity_type)] += 1;
    }
    if surfaces.is_empty() && linked.is_empty() {
        return;
    }
    let majority = |votes: &[u32; 4]| {
        let best = (0..4)
            .max_by_key(|&i| (votes[i], std::cmp::Reverse(i)))
            .unwrap_or(0);
        EntityType::ALL[best]
    };
    for mention in mentions.iter_mut().filter(|m| m.known.is_none()) {
        let surface = &text_of(mention.field)[mention.start..mention.end];
        if let Some(&index) = index_of.get(surface) {
            mention.entity_type = majority(&surfaces[index].1);
        }
    }
    // Linked surfaces first: where one text is both, the link wins.
    let surface_index = SurfaceIndex::new(
        linked
            .iter()
            .map(|(surface, _, _)| *surface)
            .chain(surfaces.iter().map(|(surface, _)| *surface)),
    );
    let mut added = Vec::new();
    for field in [TextField::Title, TextField::Body] {
        let text = text_of(field);
        let mut taken: Vec<(usize, usize)> = mentions
            .iter()
            .filter(|m| m.field == field)
            .map(|m| (m.start, m.end))
            .collect();
        taken.sort_unstable();
        for (start, end, surface) in surface_index.whole_word_matches(text) {
            let index = taken.partition_point(|&(_, taken_end)| taken_end <= start);
            let overlaps = taken.get(index).is_some_and(|&(s, _)| s < end);
            if overlaps {
                continue;
            }
            let (entity_type, known) = match linked.get(surface) {
                Some(&(_, known, entity_type)) => (entity_type, Some(known)),
                None => (majority(&surfaces[surface - linked.len()].1), None),
            };
            added.push(RawMention {
                field,
                start,
                end,
                entity_type,
                known,
            });
        }
    }
    mentions.extend(added);
}

/// The surfaces of one article, to find their whole-word repeats. Built per article, usually
/// for a handful of names: then a hash map by first word, which costs far less to build than an
/// Aho-Corasick automaton (that took about a sixth of the entity stage), looked up only at the
/// capitalised words of the text, where every surface starts. Its lookups cost names sharing a
/// first word times occurrences, so with many names (hostile input: thousands of "Bank ..."), an
/// automaton, linear in the text. The automaton takes the longest match at a position before
/// the whole-word check, so where a surface ends inside a word and overlaps another the two can
/// differ; real articles stay on the map.
enum SurfaceIndex<'s> {
    /// First word -> (surface, its index), longest surface first.
    ByFirstWord(HashMap<&'s str, Vec<(&'s str, usize)>>),
    Automaton(aho_corasick::AhoCorasick),
}

/// Most surfaces an article's map holds; more take the automaton.
const MAX_MAPPED_SURFACES: usize = 64;

impl<'s> SurfaceIndex<'s> {
    fn new(surfaces: impl Iterator<Item = &'s str> + Clone) -> Self {
        if surfaces.clone().count() > MAX_MAPPED_SURFACES {
            // A non-contiguous NFA builds in a fraction of the time of the DFA the builder
            // would otherwise pick, and one article is searched once.
            if let Ok(automaton) = aho_corasick::AhoCorasick::builder()
                .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(surfaces.clone())
            {
                return Self::Automaton(automaton);
            }
        }
        let mut by_first_word: HashMap<&str, Vec<(&str, usize)>> = HashMap::new();
        for (index, surface) in surfaces.enumerate() {
            by_first_word
                .entry(first_word(surface))
                .or_default()
                .push((surface, index));
        }
        for candidates in by_first_word.values_mut() {
            candidates.sort_by_key(|(surface, index)| (std::cmp::Reverse(surface.len()), *index));
        }
        Self::ByFirstWord(by_first_word)
    }

    /// `(start, end, surface index)` of each whole-word occurrence, left to right, the longest
    /// surface where several start at one word, never overlapping one another.
    fn whole_word_matches(&self, text: &str) -> Vec<(usize, usize, usize)> {
        match self {
            Self::ByFirstWord(by_first_word) => Self::mapped_matches(by_first_word, text),
            Self::Automaton(automaton) => automaton
                .find_iter(text)
                .filter(|found| {
                    !text[..found.start()].ends_with(char::is_alphanumeric)
                        && !text[found.end()..].starts_with(char::is_alphanumeric)
                })
                .map(|found| (found.start(), found.end(), found.pattern().as_usize()))
                .collect(),
        }
    }

    fn mapped_matches(
        by_first_word: &HashMap<&str, Vec<(&str, usize)>>,
        text: &str,
    ) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        let mut resume = 0;
        let mut previous_alphanumeric = false;
        for (start, c) in text.char_indices() {
            let word_start = !previous_alphanumeric && c.is_alphanumeric();
            previous_alphanumeric = c.is_alphanumeric();
            if !word_start || start < resume || !c.is_uppercase() {
                continue;
            }
            let rest = &text[start..];
            let Some(candidates) = by_first_word.get(first_word(rest)) else {
                continue;
            };
            let hit = candidates.iter().find(|(surface, _)| {
                rest.starts_with(surface)
                    && !rest[surface.len()..].starts_with(char::is_alphanumeric)
            });
            if let Some(&(surface, index)) = hit {
                found.push((start, start + surface.len(), index));
                resume = start + surface.len();
            }
        }
        found
    }
}

/// The text up to its first character that is not a letter or digit.
fn first_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(text.len());
    &text[..end]
}

fn type_index(entity_type: EntityType) -> usize {
    EntityType::ALL
        .iter()
        .position(|&t| t == entity_type)
        .unwrap_or(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_of_a_found_name_are_mentions_with_the_majority_type() {
        let body =
            "Acme Widgets hired Jordan. Jordan left Acme Widgetsville; Jordan sued Acme Widgets.";
        let mut mentions = vec![
            RawMention::in_body(0, 12, EntityType::Organisation),
            RawMention::in_body(19, 25, EntityType::Person),
            RawMention::in_body(27, 33, EntityType::Person),
            RawMention::in_body(58, 64, EntityType::Location),
        ];
        propagate(&mut mentions, "", body, &HashedSet::default());
        let mut found: Vec<(&str, EntityType)> = mentions
            .iter()
            .map(|m| (&body[m.start..m.end], m.entity_type))
            .collect();
        found.sort_by_key(|&(s, t)| (s, t.as_str()));
        assert_eq!(
            found,
            [
                ("Acme Widgets", EntityType::Organisation),
                ("Acme Widgets", EntityType::Organisation),
                ("Jordan", EntityType::Person),
                ("Jordan", EntityType::Person),
                ("Jordan", EntityType::Person),
            ],
            "whole words only, and the type most often given"
        );
    }

    #[test]
    fn common_words_are_not_repeated() {
        let body = "Will said no. Will it rain?";
        let mut mentions = vec![RawMention::in_body(0, 4, EntityType::Person)];
        let common: HashedSet = [hash_lower("will")].into_iter().collect();
        propagate(&mut mentions, "", body, &common);
        assert_eq!(mentions.len(), 1);
    }

    #[test]
    fn many_names_take_the_automaton_and_find_the_same_repeats() {
        let names: Vec<String> = (0..=MAX_MAPPED_SURFACES)
            .map(|i| format!("Bank Aa{i}"))
            .collect();
        let text: String = names.iter().map(|name| format!("{name} rugi. ")).collect();
        let index = SurfaceIndex::new(names.iter().map(String::as_str));
        assert!(matches!(index, SurfaceIndex::Automaton(_)));
        let found = index.whole_word_matches(&text);
        assert_eq!(found.len(), names.len());
        let few = SurfaceIndex::new(names[..3].iter().map(String::as_str));
        assert!(matches!(few, SurfaceIndex::ByFirstWord(_)));
        assert_eq!(few.whole_word_matches(&text), found[..3]);
    }

    #[test]
    fn a_linked_name_is_linked_wherever_it_repeats() {
        let body = "Korut menembakkan rudal. Seoul menyebut Korut mengancam.";
        let korut = RawMention {
            field: TextField::Body,
            start: 0,
            end: 5,
            entity_type: EntityType::Location,
            known: Some(7),
        };
        let mut mentions = vec![korut];
        propagate(&mut mentions, "", body, &HashedSet::default());
        let repeat = mentions
            .iter()
            .find(|m| m.start > 0)
            .expect("the repeat is found");
        assert_eq!(&body[repeat.start..repeat.end], "Korut");
        assert_eq!(repeat.known, Some(7));
        assert_eq!(repeat.entity_type, EntityType::Location);
    }

    #[test]
    fn repeats_are_whole_words_longest_first_and_never_overlap() {
        let index = SurfaceIndex::new(["Kim", "Kim Jong Un", "Jong", "Ann"].into_iter());
        let text = "Kim Jong Un met Kimberly; Kim left. JoAnn and Ann, Jong.";
        let found: Vec<(&str, usize)> = index
            .whole_word_matches(text)
            .into_iter()
            .map(|(start, end, surface)| (&text[start..end], surface))
            .collect();
        assert_eq!(
            found,
            [("Kim Jong Un", 1), ("Kim", 0), ("Ann", 3), ("Jong", 2)]
        );
    }
}
