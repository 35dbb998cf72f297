//! Entity tagging and linking: people, organisations and places, one identity per article.
//!
//! Two sources of mentions: the curated [`gazetteer`] (linked to Wikidata), and runs of
//! capitalised words classified by the cue words around and inside them: a title or role before
//! a name is evidence for a person ("Presiden", "Minister"), an organisation head inside a run is
//! evidence for an organisation ("Partai", "University"). Titles are evidence, never part of the
//! name. Mentions are then grouped into entities: a lone "Kim" joins "Kim Jong Un".

pub mod gazetteer;
mod tokens;

use std::collections::HashMap;

use crate::article::{Entity, EntityType, Mention, TextField};
use gazetteer::{Gazetteer, GazetteerError};
use tokens::{Token, tokenize};

/// Titles and role words: evidence that a person's name follows; never part of it.
const TITLES: &[&str] = &[
    // Indonesian and Malay
    "Presiden",
    "Wakil",
    "Wapres",
    "Menteri",
    "Menlu",
    "Menhan",
    "Wamenlu",
    "Wamenhan",
    "Direktur",
    "Dirut",
    "Pemimpin",
    "Tertinggi",
    "Ketua",
    "Gubernur",
    "Bupati",
    "Walikota",
    "Wali",
    "Jenderal",
    "Kapolri",
    "Kepala",
    "Juru",
    "Bicara",
    "Jubir",
    "Sekretaris",
    "Perdana",
    "Raja",
    "Ratu",
    "Pangeran",
    "Bapak",
    "Ibu",
    "Pak",
    "Bu",
    "Tuan",
    "Puan",
    "Datuk",
    "Dato",
    "Tan",
    "Sri",
    "Senator",
    "Paus",
    "Dubes",
    "Duta",
    "Besar",
    "Luar",
    "Negeri",
    "Dalam",
    "Pertahanan",
    "Keuangan",
    "Urusan",
    "Utama",
    "Umum",
    "Eksekutif",
    "Komisaris",
    "Panglima",
    "Kapten",
    "Letnan",
    "Kolonel",
    "Mayor",
    "Profesor",
    "Prof",
    "Dr",
    "Ir",
    "Hj",
    "Haji",
    // English
    "President",
    "Vice",
    "Minister",
    "Prime",
    "Secretary",
    "Director",
    "Chairman",
    "Chairwoman",
    "Chair",
    "CEO",
    "Chief",
    "Governor",
    "Mayor",
    "General",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "Mr",
    "Mrs",
    "Ms",
    "Sir",
    "Lord",
    "Lady",
    "Pope",
    "Ambassador",
    "Senior",
    "Foreign",
    "Defence",
    "Defense",
    "Deputy",
    "Executive",
    "Professor",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Judge",
    "Justice",
    "Senator",
    "Rep",
    "Sen",
    "Gov",
    "Colonel",
    "Captain",
    "Lieutenant",
    "Commander",
    "Leader",
    "Supreme",
];

/// Words that make a run an organisation.
const ORG_HEADS: &[&str] = &[
    "Partai",
    "Party",
    "Kementerian",
    "Ministry",
    "Universitas",
    "University",
    "Universiti",
    "Institut",
    "Institute",
    "Center",
    "Centre",
    "School",
    "College",
    "House",
    "Bank",
    "Group",
    "Grup",
    "Corporation",
    "Corp",
    "Inc",
    "Ltd",
    "PT",
    "Tbk",
    "Agency",
    "Badan",
    "Komisi",
    "Commission",
    "Council",
    "Dewan",
    "Lembaga",
    "Organisasi",
    "Organization",
    "Organisation",
    "Association",
    "Asosiasi",
    "Foundation",
    "Yayasan",
    "Press",
    "News",
    "Novosti",
    "Times",
    "Post",
    "Fund",
    "Forum",
    "Committee",
    "Komite",
    "Company",
    "Airlines",
    "Airways",
    "Bureau",
    "Biro",
    "Department",
    "Departemen",
    "Office",
    "Court",
    "Mahkamah",
    "Pengadilan",
    "Angkatan",
    "Kepolisian",
    "Polda",
    "Polres",
    "Pemerintah",
    "Government",
    "Parliament",
    "Parlemen",
    "Federation",
    "Federasi",
    "Union",
    "Serikat",
    "Club",
    "Klub",
    "FC",
    "Studios",
    "Motors",
    "Airport",
    "Bandara",
    "Rumah",
    "Sakit",
    "Hospital",
    "Museum",
    "Foundation",
    "Network",
];

/// Words that make a run something other than a person: events, projects, products.
const MISC_HEADS: &[&str] = &[
    "Perang",
    "War",
    "Piala",
    "Cup",
    "Olimpiade",
    "Olympics",
    "Proyek",
    "Project",
    "Program",
    "Programme",
    "Festival",
    "Konferensi",
    "Conference",
    "KTT",
    "Summit",
    "Operasi",
    "Operation",
    "Hari",
    "Day",
    "Pemilu",
    "Election",
    "Undang",
    "Act",
];

/// Connectors allowed inside a name ("Osama bin Laden", "Vincent van Gogh").
const CONNECTORS: &[&str] = &[
    "bin", "binti", "van", "von", "der", "de", "da", "al", "el", "la", "of",
];

/// Leading words that are not part of any name.
const DETERMINERS: &[&str] = &["The", "A", "An", "Sang", "Si", "Para", "Sebuah"];

/// The entity stage.
#[derive(Debug)]
pub struct EntityTagger {
    gazetteer: Gazetteer,
}

/// One mention before grouping.
#[derive(Debug, Clone)]
struct RawMention {
    field: TextField,
    /// Byte range in the field's text.
    start: usize,
    end: usize,
    surface: String,
    entity_type: EntityType,
    /// Index into the gazetteer when linked.
    known: Option<usize>,
}

impl EntityTagger {
    /// A tagger with the bundled gazetteer.
    pub fn new() -> Result<Self, GazetteerError> {
        Ok(Self {
            gazetteer: Gazetteer::parse(Gazetteer::BUNDLED)?,
        })
    }

    /// Tags title and body, returning entities in order of first mention.
    pub fn tag(&self, title: &str, body: &str) -> Vec<Entity> {
        let mut mentions = Vec::new();
        for (field, text) in [(TextField::Title, title), (TextField::Body, body)] {
            self.find_mentions(field, text, &mut mentions);
        }
        group(&self.gazetteer, mentions, title, body)
    }

    fn find_mentions(&self, field: TextField, text: &str, out: &mut Vec<RawMention>) {
        let hits = self.gazetteer.find(text);
        for hit in &hits {
            out.push(RawMention {
                field,
                start: hit.start,
                end: hit.end,
                surface: text[hit.start..hit.end].to_owned(),
                entity_type: self.gazetteer.entity(hit.entity).entity_type,
                known: Some(hit.entity),
            });
        }
        let tokens = tokenize(text);
        let covered = |token: &Token| {
            hits.iter()
                .any(|h| token.start < h.end && h.start < token.end)
        };
        let mut index = 0;
        while index < tokens.len() {
            let token = &tokens[index];
            if covered(token) || !token.capitalised {
                index += 1;
                continue;
            }
            // Extend the run over capitalised tokens (and connectors between them) separated
            // only by spaces.
            let mut end = index + 1;
            while end < tokens.len() {
                let next = &tokens[end];
                if covered(next) || !tokens::joined_by_space(text, &tokens[end - 1], next) {
                    break;
                }
                if next.capitalised {
                    end += 1;
                } else if CONNECTORS.contains(&next.text(text))
                    && tokens.get(end + 1).is_some_and(|after| {
                        after.capitalised
                            && !covered(after)
                            && tokens::joined_by_space(text, next, after)
                    })
                {
                    end += 2;
                } else {
                    break;
                }
            }
            if let Some(mention) = classify_run(field, text, &tokens, index, end) {
                out.push(mention);
            }
            index = end;
        }
    }
}

/// Decides what a run of capitalised tokens `tokens[from..to]` is, if anything.
fn classify_run(
    field: TextField,
    text: &str,
    tokens: &[Token],
    from: usize,
    to: usize,
) -> Option<RawMention> {
    let words: Vec<&str> = tokens[from..to].iter().map(|t| t.text(text)).collect();
    let mut first = 0;
    while first < words.len()
        && (TITLES.contains(&words[first]) || DETERMINERS.contains(&words[first]))
    {
        first += 1;
    }
    let preceded_by_title = first > 0
        || from
            .checked_sub(1)
            .is_some_and(|before| TITLES.contains(&tokens[before].text(text)));
    let name_words = &words[first..];
    if name_words.is_empty() {
        return None;
    }
    let has = |set: &[&str]| name_words.iter().any(|w| set.contains(w));
    let entity_type = if has(ORG_HEADS) {
        EntityType::Organisation
    } else if has(MISC_HEADS)
        || name_words
            .iter()
            .any(|w| w.chars().any(|c| c.is_ascii_digit()))
    {
        EntityType::Misc
    } else if (2..=4).contains(&name_words.len())
        || (name_words.len() == 1 && preceded_by_title && !tokens[from + first].sentence_start)
    {
        EntityType::Person
    } else if name_words.len() == 1 {
        // A lone capitalised word: kept as a candidate, linked to a longer name later or dropped.
        EntityType::Misc
    } else {
        return None;
    };
    if entity_type == EntityType::Misc && name_words.len() == 1 {
        let token = &tokens[from + first];
        return Some(RawMention {
            field,
            start: token.start,
            end: token.end,
            surface: token.text(text).to_owned(),
            entity_type: EntityType::Misc,
            known: None,
        })
        .filter(|_| !token.all_caps_short());
    }
    let start = tokens[from + first].start;
    let end = tokens[to - 1].end;
    Some(RawMention {
        field,
        start,
        end,
        surface: text[start..end].to_owned(),
        entity_type,
        known: None,
    })
}

/// Groups mentions into entities. Lone capitalised words survive only when they are part of a
/// longer name of the same article ("Kim" of "Kim Jong Un").
fn group(gazetteer: &Gazetteer, mentions: Vec<RawMention>, title: &str, body: &str) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut lone: Vec<RawMention> = Vec::new();
    let mut sorted = mentions;
    sorted.sort_by_key(|m| (m.field == TextField::Body, m.start));

    let mut offsets = Offsets::new(title, body);
    for mention in sorted {
        let key = match mention.known {
            Some(index) => format!("wd:{}", gazetteer.entity(index).wikidata),
            None if mention.entity_type == EntityType::Misc && !mention.surface.contains(' ') => {
                lone.push(mention);
                continue;
            }
            None => format!(
                "{}:{}",
                mention.entity_type.as_str(),
                mention.surface.to_lowercase()
            ),
        };
        let position = offsets.mention(&mention);
        match by_key.get(&key) {
            Some(&index) => entities[index].mentions.push(position),
            None => {
                let (name, wikidata, entity_type) = match mention.known {
                    Some(index) => {
                        let known = gazetteer.entity(index);
                        (
                            known.name.clone(),
                            known.wikidata.clone(),
                            known.entity_type,
                        )
                    }
                    None => (mention.surface.clone(), String::new(), mention.entity_type),
                };
                by_key.insert(key, entities.len());
                entities.push(Entity {
                    name,
                    entity_type,
                    wikidata,
                    mentions: vec![position],
                });
            }
        }
    }
    // Lone words: attach to the person or organisation whose name contains them.
    for mention in lone {
        let owner = entities.iter().position(|entity| {
            matches!(
                entity.entity_type,
                EntityType::Person | EntityType::Organisation
            ) && entity.name.split(' ').count() > 1
                && entity.name.split(' ').any(|part| part == mention.surface)
        });
        if let Some(index) = owner {
            let position = offsets.mention(&mention);
            entities[index].mentions.push(position);
        }
    }
    for entity in &mut entities {
        entity
            .mentions
            .sort_by_key(|m| (m.field == TextField::Body, m.start));
        entity.mentions.dedup();
    }
    entities.sort_by_key(|e| {
        e.mentions
            .first()
            .map(|m| (m.field == TextField::Body, m.start))
    });
    entities
}

/// Converts byte offsets into code-point offsets, per field.
struct Offsets<'a> {
    title: &'a str,
    body: &'a str,
}

impl<'a> Offsets<'a> {
    fn new(title: &'a str, body: &'a str) -> Self {
        Self { title, body }
    }

    fn mention(&mut self, mention: &RawMention) -> Mention {
        let text = match mention.field {
            TextField::Title => self.title,
            TextField::Body => self.body,
        };
        let start = text[..mention.start].chars().count();
        let end = start + text[mention.start..mention.end].chars().count();
        Mention {
            field: mention.field,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagger() -> EntityTagger {
        EntityTagger::new().expect("bundled gazetteer")
    }

    fn find<'a>(entities: &'a [Entity], name: &str) -> Option<&'a Entity> {
        entities.iter().find(|e| e.name == name)
    }

    #[test]
    fn gazetteer_entities_are_linked_across_aliases() {
        let entities = tagger().tag(
            "Korut Uji Rudal",
            "Korea Utara kembali menguji rudal. PBB mengecam Korut.",
        );
        let north_korea = find(&entities, "North Korea").expect("North Korea");
        assert_eq!(north_korea.wikidata, "Q423");
        assert_eq!(north_korea.entity_type, EntityType::Location);
        assert_eq!(north_korea.mentions.len(), 3);
        assert_eq!(
            north_korea.mentions[0],
            Mention {
                field: TextField::Title,
                start: 0,
                end: 5
            }
        );
        assert_eq!(
            find(&entities, "United Nations").expect("UN").wikidata,
            "Q1065"
        );
    }

    #[test]
    fn titles_are_evidence_not_names() {
        let body = "Wakil Menteri Luar Negeri Korsel, Chang Ho Jin, bertemu Direktur Eksekutif Budi Santoso. Chang berkata begitu.";
        let entities = tagger().tag("", body);
        let chang = find(&entities, "Chang Ho Jin").expect("Chang Ho Jin");
        assert_eq!(chang.entity_type, EntityType::Person);
        assert_eq!(chang.mentions.len(), 2, "{chang:?}");
        assert!(find(&entities, "Budi Santoso").is_some(), "{entities:?}");
        assert!(entities.iter().all(|e| !e.name.contains("Menteri")));
    }

    #[test]
    fn organisation_heads() {
        let entities = tagger().tag(
            "",
            "Pakar di Institut Studi Kebijakan Asan dan Belfer Center mengatakan hal itu.",
        );
        for name in ["Institut Studi Kebijakan Asan", "Belfer Center"] {
            let entity = find(&entities, name).unwrap_or_else(|| panic!("{name}: {entities:?}"));
            assert_eq!(entity.entity_type, EntityType::Organisation);
        }
    }

    #[test]
    fn offsets_are_code_points() {
        let body = "Café “Putin” bertemu.";
        let entities = tagger().tag("", body);
        let putin = find(&entities, "Vladimir Putin").expect("Putin");
        let mention = putin.mentions[0];
        let chars: Vec<char> = body.chars().collect();
        let surface: String = chars[mention.start as usize..mention.end as usize]
            .iter()
            .collect();
        assert_eq!(surface, "Putin");
    }
}
