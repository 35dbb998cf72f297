//! Span resolution: from the tagger's spans of one field to mentions with their final extent,
//! type and link. Weekdays, titles and a sentence's "The" are trimmed off, a span is cut before
//! a bracket it leaves open, a known place before a person's name is split off, name particles
//! ("bin", "al-") and comma suffixes ("Google, Inc.") are joined on, pieces of a known name
//! merge into it, and strong gazetteer names the tagger passed over are added.

use super::gazetteer::{Gazetteer, Hit};
use super::lexicon::{is_bare_title, is_title};
use super::tokens::Token;
use super::{Analysis, RawMention};
use crate::article::{EntityType, TextField};

/// Cleans and links the tagger's spans of one field, adds strong gazetteer hits it missed.
pub(crate) fn resolve(
    gazetteer: &Gazetteer,
    field: TextField,
    text: &str,
    language: &str,
    analysis: &Analysis,
    found: Vec<RawMention>,
    out: &mut Vec<RawMention>,
) {
    let tokens = &analysis.tokens;
    let mut resolved: Vec<RawMention> = Vec::with_capacity(found.len());
    for mention in found {
        let Some((from, last)) = name_tokens(gazetteer, text, language, tokens, &mention) else {
            continue;
        };
        let mention_end = tokens[last - 1].end.min(mention.end);
        // A title alone is no person ("Chang dan Wamenlu AS Bonnie Jenkins").
        if from + 1 == last
            && mention.entity_type == EntityType::Person
            && is_bare_title(tokens[from].text(text))
        {
            continue;
        }
        let end = without_open_bracket(text, tokens[from].start, mention_end);
        if end <= tokens[from].start {
            continue;
        }
        let mut pieces = vec![(tokens[from].start, end, mention.entity_type)];
        // A title inside an organisation's span introduces a person: "Bank Indonesia Governor
        // Perry Warjiyo", "New York City Mayor Bill de Blasio" are a name, then a person.
        if mention.entity_type == EntityType::Organisation
            && let Some((head_end, person_start)) = title_inside(text, &tokens[from..last])
            && tokens[from + person_start].end <= end
        {
            pieces = vec![
                (
                    tokens[from].start,
                    tokens[from + head_end - 1].end,
                    mention.entity_type,
                ),
                (tokens[from + person_start].start, end, EntityType::Person),
            ];
        }
        // A known place or organisation before a person's name is its own mention ("AS John
        // Park", "London James Nixey"); after it, it is the family name ("George Washington",
        // "Michael Bloomberg", "Henry Ford"); inside organisations it belongs to the name
        // ("University of Berlin").
        let (start, end) = (pieces[0].0, pieces[0].1);
        // Hits are sorted and do not overlap: look only at those inside the mention.
        let first_hit = analysis.hits.partition_point(|h| h.start < start);
        for hit in analysis.hits[first_hit..]
            .iter()
            .take_while(|h| h.start < end)
            .filter(|h| h.end <= end)
        {
            let known = gazetteer.entity(hit.entity);
            if !known.strong
                || mention.entity_type != EntityType::Person
                || known.entity_type == mention.entity_type
                || (hit.start == start && hit.end == end)
            {
                continue;
            }
            // Any white space: a line break inside the span must not start or end a mention.
            let separator = |c: char| c.is_whitespace() || c == ',';
            if hit.start != start {
                continue;
            }
            let rest = text[hit.end..end].trim_start_matches(separator);
            if rest.is_empty() {
                continue;
            }
            let rest_start = end - rest.len();
            pieces = vec![
                (hit.start, hit.end, known.entity_type),
                (rest_start, rest_start + rest.len(), mention.entity_type),
            ];
            break;
        }
        for (start, end, entity_type) in pieces {
            // A known person or organisation keeps its type ("Chatham House" is no place); a
            // known place is linked only where the tagger saw a place, or a government by its
            // country's name ("Korsel menolak"), never a person ("Jordan" the player).
            let known = gazetteer
                .lookup(&text[start..end], language)
                .filter(|&k| match gazetteer.entity(k).entity_type {
                    EntityType::Location => entity_type != EntityType::Person,
                    _ => true,
                });
            let mut entity_type = known.map_or(entity_type, |k| gazetteer.entity(k).entity_type);
            // "New Yorkers", "Chicagoans": a place's people are a group, not a person.
            if entity_type == EntityType::Person
                && known.is_none()
                && is_place_demonym(gazetteer, &text[start..end], language)
            {
                entity_type = EntityType::Misc;
            }
            resolved.push(RawMention {
                field,
                start,
                end,
                entity_type,
                known,
            });
        }
    }
    // Known names the tagger passed over are mentions, except places in Indonesian running
    // text: Indonesian news annotation leaves a country used as a modifier unlabelled
    // ("pejabat AS", "Pemerintah Indonesia") and the tagger learnt when. Headlines in capitals
    // or title case defeat the tagger: there the gazetteer decides, and the tagger keeps only
    // what it could link.
    let headline = headline_case(text, field == TextField::Title);
    if headline {
        resolved.retain(|m| m.known.is_some());
    }
    let tagger_decides_places = !headline && matches!(language, "ind" | "zsm");
    // The tagger's mentions do not overlap: sorted by start, they are sorted by end too.
    resolved.sort_unstable_by_key(|m| (m.start, m.end));
    attach_comma_suffixes(text, &mut resolved);
    join_family_names_after_initials(text, &mut resolved);
    join_name_particles(gazetteer, text, language, tokens, &mut resolved);
    merge_into_known(gazetteer, &analysis.hits, &mut resolved);
    // The tagger's mentions, sorted, for overlap checks in logarithmic time (hostile input can
    // hold hundreds of thousands of hits).
    let taken: Vec<(usize, usize)> = resolved.iter().map(|m| (m.start, m.end)).collect();
    let overlaps_taken = |start: usize, end: usize| {
        let index = taken.partition_point(|&(_, taken_end)| taken_end <= start);
        taken
            .get(index)
            .is_some_and(|&(taken_start, _)| taken_start < end)
    };
    for hit in &analysis.hits {
        let known = gazetteer.entity(hit.entity);
        if known.strong
            && !(tagger_decides_places && known.entity_type == EntityType::Location)
            && !overlaps_taken(hit.start, hit.end)
        {
            resolved.push(RawMention {
                field,
                start: hit.start,
                end: hit.end,
                entity_type: known.entity_type,
                known: Some(hit.entity),
            });
        }
    }
    out.extend(resolved);
}

/// A person's name does not end with a middle initial: the capitalised word after "Michael R."
/// is the family name ("Michael R. Bloomberg"), even where the tagger made it a mention of its
/// own (an organisation that shares the name).
fn join_family_names_after_initials(text: &str, resolved: &mut Vec<RawMention>) {
    let ends_with_initial = |surface: &str| {
        surface
            .rsplit_once(' ')
            .map(|(_, last)| last)
            .is_some_and(|last| {
                let mut chars = last.chars();
                matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
            })
    };
    let mut index = 0;
    while index < resolved.len() {
        let mention = &resolved[index];
        if mention.entity_type != EntityType::Person
            || !ends_with_initial(&text[mention.start..mention.end])
        {
            index += 1;
            continue;
        }
        let after = &text[mention.end..];
        let Some(rest) = after.strip_prefix(' ') else {
            index += 1;
            continue;
        };
        let word_len = rest
            .find(|c: char| !c.is_alphabetic() && c != '-' && c != '\'')
            .unwrap_or(rest.len());
        let word = &rest[..word_len];
        if !word.starts_with(char::is_uppercase) || word.chars().count() < 2 {
            index += 1;
            continue;
        }
        let word_end = mention.end + 1 + word_len;
        match resolved.get(index + 1) {
            // The tagger's own mention of the family name (and whatever it holds) joins.
            Some(next) if next.start == mention.end + 1 => {
                let end = next.end;
                resolved[index].end = end;
                resolved.remove(index + 1);
            }
            Some(next) if next.start < word_end => {}
            _ => resolved[index].end = word_end,
        }
        index += 1;
    }
}

/// The tokens `[from, last)` of a tagger span that make the name: weekdays, titles and a
/// sentence's "The" left out where they are not part of it. `None` when nothing is left.
fn name_tokens(
    gazetteer: &Gazetteer,
    text: &str,
    language: &str,
    tokens: &[Token],
    mention: &RawMention,
) -> Option<(usize, usize)> {
    let first = tokens.partition_point(|t| t.start < mention.start);
    let last = tokens.partition_point(|t| t.end <= mention.end);
    if last <= first {
        return None;
    }
    let mut from = first;
    let mut last = last;
    // Weekdays are dates, not names: "the Supreme Court Wednesday", a sentence's "Monday".
    if mention.entity_type != EntityType::Misc {
        while from < last && is_weekday(tokens[from].text(text)) {
            from += 1;
        }
        while last > from && is_weekday(tokens[last - 1].text(text)) {
            last -= 1;
        }
        if last == from {
            return None;
        }
    }
    // Titles and roles are evidence, never part of a person's name. Other names keep a
    // title word ("General Electric", "Prince Edward Island") unless what follows it is a
    // known name ("Presiden AS").
    let before_titles = from;
    while from + 1 < last && is_title(tokens[from].text(text)) {
        from += 1;
    }
    if mention.entity_type != EntityType::Person
        && from > before_titles
        && gazetteer
            .lookup(&text[tokens[from].start..tokens[last - 1].end], language)
            .is_none()
    {
        from = before_titles;
    }
    // ... nor at the end of an organisation's ("European Commission President"), unless
    // the name needs it ("Office of the President").
    while mention.entity_type == EntityType::Organisation
        && last >= from + 2
        && is_title(tokens[last - 1].text(text))
        && tokens[last - 2].text(text).starts_with(char::is_uppercase)
    {
        last -= 1;
    }
    // A sentence's "The" before a known name is no part of it ("The European Union"),
    // where the name is known without it ("The Hague" keeps it).
    if from + 1 < last
        && tokens[from].text(text) == "The"
        && gazetteer
            .lookup(&text[tokens[from].start..tokens[last - 1].end], language)
            .is_none()
        && gazetteer
            .lookup(
                &text[tokens[from + 1].start..tokens[last - 1].end],
                language,
            )
            .is_some()
    {
        from += 1;
    }
    Some((from, last))
}

/// A strong known name that holds the tagger's mentions whole, pieces of it, replaces them:
/// "Bosnia" and "Herzegovina" are "Bosnia and Herzegovina", "Department" of "Department of
/// Justice" is the department. `resolved` is sorted and stays so.
fn merge_into_known(gazetteer: &Gazetteer, hits: &[Hit], resolved: &mut Vec<RawMention>) {
    let mut merged: Vec<RawMention> = Vec::with_capacity(resolved.len());
    let mut next = 0;
    for hit in hits {
        if next >= resolved.len() {
            break;
        }
        let known = gazetteer.entity(hit.entity);
        if !known.strong {
            continue;
        }
        // Mentions before the hit stay as they are.
        let from = next + resolved[next..].partition_point(|m| m.end <= hit.start);
        merged.extend(resolved[next..from].iter().cloned());
        next = from;
        let to = from + resolved[from..].partition_point(|m| m.start < hit.end);
        let inside = &resolved[from..to];
        let whole = inside
            .iter()
            .all(|m| m.start >= hit.start && m.end <= hit.end);
        let smaller = inside.len() > 1
            || inside
                .first()
                .is_some_and(|m| (m.start, m.end) != (hit.start, hit.end));
        if inside.is_empty() || !whole || !smaller {
            continue;
        }
        merged.push(RawMention {
            field: inside[0].field,
            start: hit.start,
            end: hit.end,
            entity_type: known.entity_type,
            known: Some(hit.entity),
        });
        next = to;
    }
    if merged.is_empty() {
        return;
    }
    merged.extend(resolved.drain(next..));
    *resolved = merged;
}

/// A suffix after a comma belongs to the name before it: "Google, Inc." is one organisation,
/// "Washington, D.C." one place (the tagger often tags the suffix on its own). `resolved` is
/// sorted and stays so.
fn attach_comma_suffixes(text: &str, resolved: &mut Vec<RawMention>) {
    const ORG_SUFFIXES: &[&str] = &[
        "Inc.", "Inc", "Ltd.", "Ltd", "LLC", "Corp.", "PLC", "plc", "GmbH", "Tbk", "Tbk.", "Bhd",
        "Bhd.",
    ];
    const PLACE_SUFFIXES: &[&str] = &["D.C."];
    let mut index = 0;
    while index < resolved.len() {
        let mention = &resolved[index];
        let suffixes = match mention.entity_type {
            EntityType::Organisation => ORG_SUFFIXES,
            EntityType::Location => PLACE_SUFFIXES,
            _ => &[],
        };
        let after = &text[mention.end..];
        let Some(rest) = after.strip_prefix(", ") else {
            index += 1;
            continue;
        };
        let suffix = suffixes.iter().find(|suffix| {
            rest.strip_prefix(**suffix)
                .is_some_and(|tail| !tail.starts_with(char::is_alphanumeric))
        });
        let Some(suffix) = suffix else {
            index += 1;
            continue;
        };
        let end = mention.end + 2 + suffix.len();
        let next = index + 1;
        let covered = resolved[next..].partition_point(|m| m.end <= end);
        // A mention running on past the suffix keeps it.
        if resolved.get(next + covered).is_some_and(|m| m.start < end) {
            index += 1;
            continue;
        }
        resolved[index].end = end;
        // The suffix's own mention, if the tagger made one, is now part of this one.
        resolved.drain(next..next + covered);
        index += 1;
    }
}

fn is_weekday(word: &str) -> bool {
    const WEEKDAYS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Senin",
        "Selasa",
        "Rabu",
        "Kamis",
        "Jumat",
        "Sabtu",
    ];
    WEEKDAYS.contains(&word)
}

/// A known place's name with a plural people ending: "New Yorkers", "Chicagoans", "Berliners".
fn is_place_demonym(gazetteer: &Gazetteer, surface: &str, language: &str) -> bool {
    ["ers", "ans", "ns"].iter().any(|ending| {
        surface
            .strip_suffix(ending)
            .filter(|stem| stem.chars().count() >= 3)
            .and_then(|stem| gazetteer.lookup(stem, language))
            .is_some_and(|k| gazetteer.entity(k).entity_type == EntityType::Location)
    })
}

/// In an organisation's tokens, a title after a capitalised name and before a capitalised
/// name: the end of the head (exclusive) and where the person starts, as token indices.
fn title_inside(text: &str, tokens: &[Token]) -> Option<(usize, usize)> {
    let capitalised =
        |i: usize| tokens[i].word && tokens[i].text(text).starts_with(char::is_uppercase);
    let title = (1..tokens.len().saturating_sub(1)).find(|&i| {
        is_title(tokens[i].text(text)) && capitalised(i - 1) && !is_title(tokens[i - 1].text(text))
    })?;
    let mut person = title;
    while person < tokens.len() && is_title(tokens[person].text(text)) {
        person += 1;
    }
    // The person runs to the end of the span, over capitalised words and name particles only
    // ("... Mayor Bill de Blasio", not "... Mayor Bill de Blasio and Supreme Court").
    let name_only = (person..tokens.len())
        .all(|i| capitalised(i) || NAME_PARTICLES.contains(&tokens[i].text(text)));
    (person < tokens.len() && capitalised(person) && name_only).then_some((title, person))
}

/// Lower-case particles inside people's names ("Mohammed bin Salman", "Ursula von der Leyen",
/// "Lula da Silva"); not "di", which is Indonesian for "in".
const NAME_PARTICLES: &[&str] = &[
    "bin", "binti", "bint", "ibn", "ben", "abu", "al", "el", "van", "von", "der", "den", "de",
    "du", "da", "dos", "das", "del", "della", "la", "le", "ter", "ten", "zu",
];

/// Arabic article or kinship prefixes joined to a family name ("al-Assad", "el-Sisi").
fn is_prefixed_family_name(word: &str) -> bool {
    word.split_once('-').is_some_and(|(prefix, name)| {
        matches!(
            prefix,
            "al" | "el" | "ad" | "as" | "ash" | "at" | "az" | "bin" | "ibn" | "abu"
        ) && name.starts_with(char::is_uppercase)
    })
}

/// A person's name runs on over lower-case particles the tagger never sees as name tokens:
/// "Mohammed" "bin" "Salman" is one person, and so is "Bashar al-Assad". After the particles
/// comes a capitalised word that is the tagger's person or nobody's. `resolved` is sorted
/// and stays so.
fn join_name_particles(
    gazetteer: &Gazetteer,
    text: &str,
    language: &str,
    tokens: &[Token],
    resolved: &mut Vec<RawMention>,
) {
    let mut index = 0;
    while index < resolved.len() {
        let mention = &resolved[index];
        if mention.entity_type != EntityType::Person {
            index += 1;
            continue;
        }
        let mut next = tokens.partition_point(|t| t.start < mention.end);
        let mut particles = 0;
        while particles < 3
            && tokens
                .get(next)
                .is_some_and(|t| NAME_PARTICLES.contains(&t.text(text)))
        {
            next += 1;
            particles += 1;
        }
        let Some(name) = tokens.get(next).filter(|t| {
            let word = t.text(text);
            t.word
                && if particles > 0 {
                    word.starts_with(char::is_uppercase)
                } else {
                    is_prefixed_family_name(word)
                }
        }) else {
            index += 1;
            continue;
        };
        // Only white space and the particles between: no comma, no line of its own.
        let gap = &text[mention.end..name.start];
        if gap.contains(['\n', ',', '.', ';', ':', '(', ')']) {
            index += 1;
            continue;
        }
        let following = resolved.get(index + 1);
        let end = match following {
            Some(m) if m.start == name.start && m.entity_type == EntityType::Person => m.end,
            Some(m) if m.start < name.end => {
                index += 1;
                continue;
            }
            _ => name.end,
        };
        if following.is_some_and(|m| m.start == name.start) {
            resolved.remove(index + 1);
        }
        let joined = &mut resolved[index];
        joined.end = end;
        joined.known = gazetteer
            .lookup(&text[joined.start..end], language)
            .filter(|&k| gazetteer.entity(k).entity_type == EntityType::Person);
        // Not advancing: the joined name may take more ("Abdel Fattah" "al-Sisi" after "bin").
    }
}

/// The end of a span cut before a bracket it opens but does not close: "Bank Indonesia (BI"
/// is "Bank Indonesia" (the tagger stopped inside the abbreviation's brackets).
fn without_open_bracket(text: &str, start: usize, end: usize) -> usize {
    let span = &text[start..end];
    match span.rfind(['(', '[']) {
        Some(open) if !span[open..].contains([')', ']']) => start + span[..open].trim_end().len(),
        _ => end,
    }
}

/// Text in capitals, or a title in title case (nearly every word capitalised).
fn headline_case(text: &str, title: bool) -> bool {
    let (mut upper, mut lower) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if c.is_uppercase() {
            upper += 1;
        } else {
            lower += 1;
        }
    }
    if upper > 3 * lower {
        return true;
    }
    let (mut capitalised, mut words) = (0usize, 0usize);
    for word in text.split_whitespace() {
        let Some(first) = word.chars().find(|c| c.is_alphanumeric()) else {
            continue;
        };
        words += 1;
        capitalised += usize::from(first.is_uppercase() || first.is_numeric());
    }
    title && words >= 3 && capitalised * 10 >= words * 8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityTagger;

    /// A body mention of `[start, end)`, not linked.
    fn raw(start: usize, end: usize, entity_type: EntityType) -> RawMention {
        RawMention {
            field: TextField::Body,
            start,
            end,
            entity_type,
            known: None,
        }
    }

    #[test]
    fn a_suffix_after_a_comma_joins_the_name() {
        let text = "Google, Inc. hired staff in Washington, D.C. and Paris, Texas.";
        let at = |s: &str| text.find(s).expect("in the text");
        let mut mentions = vec![
            raw(0, 6, EntityType::Organisation),
            raw(at("Inc."), at("Inc.") + 4, EntityType::Organisation),
            raw(
                at("Washington"),
                at("Washington") + 10,
                EntityType::Location,
            ),
            raw(at("Paris"), at("Paris") + 5, EntityType::Location),
        ];
        attach_comma_suffixes(text, &mut mentions);
        assert_eq!(
            spans(&mentions, text),
            [
                ("Google, Inc.".to_string(), EntityType::Organisation),
                ("Washington, D.C.".to_string(), EntityType::Location),
                ("Paris".to_string(), EntityType::Location),
            ]
        );
    }

    #[test]
    fn a_name_does_not_end_at_a_middle_initial() {
        let text = "Michael R. Bloomberg met John F. Kennedy and Harry S. Truman. Mr. Smith came.";
        let at = |s: &str| text.find(s).expect("in the text");
        let mut mentions = vec![
            raw(0, at(" Bloomberg"), EntityType::Person),
            raw(
                at("Bloomberg"),
                at("Bloomberg") + 9,
                EntityType::Organisation,
            ),
            raw(at("John"), at(" Kennedy"), EntityType::Person),
            raw(at("Harry"), at("Harry") + 15, EntityType::Person),
            raw(at("Smith"), at("Smith") + 5, EntityType::Person),
        ];
        join_family_names_after_initials(text, &mut mentions);
        assert_eq!(
            spans(&mentions, text),
            [
                ("Michael R. Bloomberg".to_string(), EntityType::Person),
                ("John F. Kennedy".to_string(), EntityType::Person),
                ("Harry S. Truman".to_string(), EntityType::Person),
                ("Smith".to_string(), EntityType::Person),
            ]
        );
    }

    #[test]
    fn a_span_is_cut_before_a_bracket_it_leaves_open() {
        let text = "Bank Indonesia (BI memutuskan";
        assert_eq!(without_open_bracket(text, 0, 18), 14);
        let closed = "Bank Indonesia (BI) memutuskan";
        assert_eq!(without_open_bracket(closed, 0, 19), 19);
        assert_eq!(without_open_bracket("(BI", 0, 3), 0);
    }

    fn spans(mentions: &[RawMention], text: &str) -> Vec<(String, EntityType)> {
        mentions
            .iter()
            .map(|m| (text[m.start..m.end].to_owned(), m.entity_type))
            .collect()
    }

    #[test]
    fn known_names_absorb_the_pieces_they_hold_whole() {
        let gazetteer = Gazetteer::parse(
            "LOC\tQ225\tBosnia and Herzegovina\tBosnia and Herzegovina\n\
             ORG\t\tDepartment of Justice\tDepartment of Justice\n\
             LOC\t\tNew York\tNew York\n",
        )
        .expect("table");
        let text = "Bosnia and Herzegovina met the Department of Justice in New York City.";
        let hits = gazetteer.find(text, "eng");
        let at = |s: &str| text.find(s).expect("in text");
        let mut resolved = vec![
            RawMention::in_body(at("Bosnia"), at("Bosnia") + 6, EntityType::Location),
            RawMention::in_body(
                at("Herzegovina"),
                at("Herzegovina") + 11,
                EntityType::Location,
            ),
            RawMention::in_body(at("Department"), at("Department") + 10, EntityType::Person),
            // Crosses the known name's end: the tagger's longer name stays.
            RawMention::in_body(at("New York"), at(" City") + 5, EntityType::Location),
        ];
        merge_into_known(&gazetteer, &hits, &mut resolved);
        assert_eq!(
            spans(&resolved, text),
            [
                ("Bosnia and Herzegovina".to_owned(), EntityType::Location),
                ("Department of Justice".to_owned(), EntityType::Organisation),
                ("New York City".to_owned(), EntityType::Location),
            ]
        );
        assert!(resolved[0].known.is_some() && resolved[2].known.is_none());
    }

    #[test]
    fn a_place_split_off_across_a_line_break_leaves_a_trimmed_name() {
        // found by the `entities` fuzz target: "Rusia\nSebagai" tagged as one person, "Rusia"
        // split off as the place, and the rest kept its line break: a mention "\nSebagai"
        let body = " dan roket. Semanksi Ke Korut Rusia\nSebagai informasi, Korut";
        let chars: Vec<char> = body.chars().collect();
        let entities = EntityTagger::new()
            .expect("bundled tagger")
            .tag("", body, "ind");
        assert!(!entities.is_empty());
        for entity in &entities {
            assert_eq!(entity.name.trim(), entity.name, "{entity:?}");
            for mention in &entity.mentions {
                let surface: String = chars[mention.start as usize..mention.end as usize]
                    .iter()
                    .collect();
                assert_eq!(surface.trim(), surface, "{entity:?}");
            }
        }
    }
}
