//! Gazetteers: known entities with their aliases, matched with Aho-Corasick.
//!
//! Tables are `type<TAB>wikidata<TAB>name<TAB>alias|alias...` with `#` comments. An alias may
//! be limited to languages with a suffix: `AS@ind+msa` is the United States only in Indonesian
//! and Malay text. Aliases match in their exact case, or upper-cased in all-caps text
//! ("KOREA UTARA", "SEOUL") when longer than three letters. Entries of a *strong* table (curated
//! names, countries, capitals) are mentions on their own; entries of a *weak* table (other cities)
//! are evidence for the tagger and canonical names for what it finds.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use aho_corasick::{AhoCorasick, MatchKind};

use super::hash::{Identity, hash_lower};
use crate::article::EntityType;

/// One known entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntity {
    pub entity_type: EntityType,
    /// Empty when the entity has no verified Wikidata id.
    pub wikidata: String,
    pub name: String,
    /// A mention on its own, even where the tagger saw none.
    pub strong: bool,
}

/// A gazetteer hit: byte range in the text and the entity's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

/// One alias of one entity.
#[derive(Debug, Clone)]
struct Alias {
    text: String,
    entity: usize,
    /// ISO 639-3 codes the alias is limited to; empty for any language.
    languages: Vec<String>,
}

impl Alias {
    fn allowed_in(&self, language: &str) -> bool {
        self.languages.is_empty() || self.languages.iter().any(|l| l == language)
    }

    /// Whether `surface` (whose lower-case hash equals the alias's) is a real use of it.
    fn accepts(&self, surface: &str) -> bool {
        surface == self.text
            || (self.text.chars().count() > 3
                && surface
                    .chars()
                    .flat_map(char::to_lowercase)
                    .eq(self.text.chars().flat_map(char::to_lowercase))
                && surface.chars().any(char::is_alphabetic)
                && !surface.chars().any(char::is_lowercase))
    }
}

/// Aliases of known entities, matched leftmost-longest on word boundaries.
#[derive(Debug)]
pub struct Gazetteer {
    entities: Vec<KnownEntity>,
    aliases: Vec<Alias>,
    matcher: AhoCorasick,
    /// For each pattern, the alias it spells.
    pattern_alias: Vec<usize>,
    /// Hash of the lower-cased alias → alias indices, for linking what the tagger found.
    by_lower: HashMap<u64, Vec<usize>, BuildHasherDefault<Identity>>,
}

/// Why a gazetteer table or the tagger model was rejected.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("line {line}: {detail}")]
    BadLine { line: usize, detail: String },
    #[error("cannot build matcher: {0}")]
    Build(#[from] aho_corasick::BuildError),
    #[error("bad tagger model: {0}")]
    BadModel(String),
    #[error("bad knowledge base: {0}")]
    KnowledgeBase(#[from] super::kb::KbError),
}

/// A table and whether its entries are mentions on their own.
#[derive(Debug, Clone, Copy)]
pub struct Table<'a> {
    pub text: &'a str,
    pub strong: bool,
}

impl Gazetteer {
    /// The tables shipped with kabar: curated names, countries, capitals and large cities.
    pub const BUNDLED: [Table<'static>; 3] = [
        Table {
            text: include_str!("../../data/entities/curated.tsv"),
            strong: true,
        },
        Table {
            text: include_str!("../../data/entities/countries.tsv"),
            strong: true,
        },
        Table {
            text: include_str!("../../data/entities/cities.tsv"),
            strong: false,
        },
    ];

    /// The bundled tables.
    pub fn bundled() -> Result<Self, GazetteerError> {
        Self::parse_tables(&Self::BUNDLED)
    }

    /// Parses one strong table.
    pub fn parse(table: &str) -> Result<Self, GazetteerError> {
        Self::parse_tables(&[Table {
            text: table,
            strong: true,
        }])
    }

    /// Parses tables in order; on a shared alias the earlier entry wins.
    pub fn parse_tables(tables: &[Table<'_>]) -> Result<Self, GazetteerError> {
        let mut entities = Vec::new();
        let mut aliases: Vec<Alias> = Vec::new();
        for table in tables {
            parse_table(table, &mut entities, &mut aliases)?;
        }
        // Patterns: each alias as written and, when longer than three letters, upper-cased.
        let mut patterns: Vec<String> = Vec::with_capacity(aliases.len() * 2);
        let mut pattern_alias: Vec<usize> = Vec::with_capacity(aliases.len() * 2);
        for (index, alias) in aliases.iter().enumerate() {
            patterns.push(alias.text.clone());
            pattern_alias.push(index);
            let upper = alias.text.to_uppercase();
            if upper != alias.text && alias.text.chars().count() > 3 {
                patterns.push(upper);
                pattern_alias.push(index);
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        let mut by_lower: HashMap<u64, Vec<usize>, BuildHasherDefault<Identity>> =
            HashMap::default();
        for (index, alias) in aliases.iter().enumerate() {
            by_lower
                .entry(hash_lower(&alias.text))
                .or_default()
                .push(index);
        }
        Ok(Self {
            entities,
            aliases,
            matcher,
            pattern_alias,
            by_lower,
        })
    }

    pub fn entity(&self, index: usize) -> &KnownEntity {
        &self.entities[index]
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// All whole-word hits in `text` for a language (ISO 639-3), in order, not overlapping.
    pub fn find(&self, text: &str, language: &str) -> Vec<Hit> {
        let mut hits = Vec::new();
        for found in self.matcher.find_iter(text) {
            let (start, end) = (found.start(), found.end());
            if !is_word_boundary(text, start, end) {
                continue;
            }
            let surface = &text[start..end];
            let alias = &self.aliases[self.pattern_alias[found.pattern().as_usize()]];
            // The matcher reports one alias; another with the same spelling may be allowed here
            // ("AS" is limited to Indonesian and Malay).
            let alias = if alias.allowed_in(language) {
                Some(alias)
            } else {
                self.by_lower
                    .get(&hash_lower(&alias.text))
                    .and_then(|candidates| {
                        candidates
                            .iter()
                            .map(|&i| &self.aliases[i])
                            .find(|a| a.allowed_in(language) && a.accepts(surface))
                    })
            };
            if let Some(alias) = alias {
                hits.push(Hit {
                    start,
                    end,
                    entity: alias.entity,
                });
            }
        }
        hits
    }

    /// The known entity named exactly `surface` (case-robust as in [`Self::find`]).
    pub fn lookup(&self, surface: &str, language: &str) -> Option<usize> {
        let candidates = self.by_lower.get(&hash_lower(surface))?;
        candidates
            .iter()
            .map(|&i| &self.aliases[i])
            .find(|a| a.allowed_in(language) && a.accepts(surface))
            .map(|a| a.entity)
    }
}

fn parse_table(
    table: &Table<'_>,
    entities: &mut Vec<KnownEntity>,
    aliases: &mut Vec<Alias>,
) -> Result<(), GazetteerError> {
    for (index, line) in table.text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, wikidata, name, alias_list] = fields[..] else {
            return Err(GazetteerError::BadLine {
                line: line_no,
                detail: format!("expected 4 tab-separated fields, found {}", fields.len()),
            });
        };
        let entity_type = match kind {
            "PER" => EntityType::Person,
            "ORG" => EntityType::Organisation,
            "LOC" => EntityType::Location,
            "MISC" => EntityType::Misc,
            other => {
                return Err(GazetteerError::BadLine {
                    line: line_no,
                    detail: format!("unknown type {other:?}"),
                });
            }
        };
        let valid_id = wikidata.is_empty()
            || (wikidata.starts_with('Q') && wikidata[1..].bytes().all(|b| b.is_ascii_digit()));
        if !valid_id {
            return Err(GazetteerError::BadLine {
                line: line_no,
                detail: format!("bad wikidata id {wikidata:?}"),
            });
        }
        let entity = entities.len();
        entities.push(KnownEntity {
            entity_type,
            wikidata: wikidata.to_owned(),
            name: name.to_owned(),
            strong: table.strong,
        });
        for alias in alias_list
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            let (text, languages) = match alias.rsplit_once('@') {
                Some((text, langs)) if !langs.is_empty() => (
                    text,
                    langs.split('+').map(str::to_owned).collect::<Vec<_>>(),
                ),
                _ => (alias, Vec::new()),
            };
            aliases.push(Alias {
                text: text.to_owned(),
                entity,
                languages,
            });
        }
    }
    Ok(())
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Gazetteer {
        Gazetteer::bundled().expect("bundled tables")
    }

    fn names(gazetteer: &Gazetteer, text: &str, language: &str) -> Vec<String> {
        gazetteer
            .find(text, language)
            .iter()
            .map(|h| gazetteer.entity(h.entity).name.clone())
            .collect()
    }

    #[test]
    fn aliases_in_any_language_and_all_caps() {
        let gazetteer = bundled();
        assert_eq!(
            names(&gazetteer, "Korut dan AS di PBB; KOREA UTARA", "ind"),
            [
                "North Korea",
                "United States",
                "United Nations",
                "North Korea"
            ]
        );
    }

    #[test]
    fn partial_words_and_lower_case_do_not_match() {
        let gazetteer = bundled();
        assert_eq!(
            names(&gazetteer, "ASEAN-nya bukan ASal; Rusiaku, as in us", "ind"),
            ["ASEAN"]
        );
    }

    #[test]
    fn language_limited_aliases() {
        let gazetteer = bundled();
        assert_eq!(names(&gazetteer, "AS", "ind"), ["United States"]);
        assert!(names(&gazetteer, "AS", "eng").is_empty());
    }

    #[test]
    fn bad_lines_are_reported() {
        let error = Gazetteer::parse("LOC\tQ1\tOnly three").expect_err("bad");
        assert!(error.to_string().contains("line 1"));
        assert!(Gazetteer::parse("LOC\tX1\tA\tA").is_err());
    }
}
