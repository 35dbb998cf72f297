//! The curated gazetteer: known entities with their aliases, matched with Aho-Corasick.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::article::EntityType;

/// One known entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownEntity {
    pub entity_type: EntityType,
    pub wikidata: String,
    pub name: String,
}

/// A gazetteer hit: byte range in the text and the entity's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

/// Aliases of known entities, matched leftmost-longest on word boundaries.
#[derive(Debug)]
pub struct Gazetteer {
    entities: Vec<KnownEntity>,
    matcher: AhoCorasick,
    /// For each pattern, the entity it names.
    pattern_entity: Vec<usize>,
}

/// Why a gazetteer table was rejected.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error("line {line}: {detail}")]
    BadLine { line: usize, detail: String },
    #[error("cannot build matcher: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

impl Gazetteer {
    /// The table shipped with kabar.
    pub const BUNDLED: &'static str = include_str!("../../data/gazetteer.tsv");

    /// Parses a table: `type<TAB>wikidata<TAB>name<TAB>alias|alias...`, `#` comments.
    pub fn parse(table: &str) -> Result<Self, GazetteerError> {
        let mut entities = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_entity = Vec::new();
        for (index, line) in table.lines().enumerate() {
            let line_no = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [kind, wikidata, name, aliases] = fields[..] else {
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
            let entity = entities.len();
            entities.push(KnownEntity {
                entity_type,
                wikidata: wikidata.to_owned(),
                name: name.to_owned(),
            });
            for alias in aliases.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                patterns.push(alias.to_owned());
                pattern_entity.push(entity);
                // All-caps headlines: long aliases also match upper-cased. Short all-caps
                // aliases (AS, UN) stay exact, since their lower-case forms are common words.
                let upper = alias.to_uppercase();
                if upper != alias && alias.chars().count() > 4 {
                    patterns.push(upper);
                    pattern_entity.push(entity);
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        Ok(Self {
            entities,
            matcher,
            pattern_entity,
        })
    }

    pub fn entity(&self, index: usize) -> &KnownEntity {
        &self.entities[index]
    }

    /// All whole-word hits in `text`, in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        self.matcher
            .find_iter(text)
            .filter(|m| is_word_boundary(text, m.start(), m.end()))
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                entity: self.pattern_entity[m.pattern().as_usize()],
            })
            .collect()
    }
}

fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses() {
        let gazetteer = Gazetteer::parse(Gazetteer::BUNDLED).expect("bundled table");
        let hits = gazetteer.find("Korut dan AS di PBB; KOREA UTARA");
        let names: Vec<&str> = hits
            .iter()
            .map(|h| gazetteer.entity(h.entity).name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "North Korea",
                "United States",
                "United Nations",
                "North Korea"
            ]
        );
    }

    #[test]
    fn partial_words_do_not_match() {
        let gazetteer = Gazetteer::parse(Gazetteer::BUNDLED).expect("bundled table");
        assert!(
            gazetteer
                .find("ASEAN-nya bukan ASal; Rusiaku")
                .iter()
                .all(|h| { gazetteer.entity(h.entity).name == "ASEAN" })
        );
    }

    #[test]
    fn bad_lines_are_reported() {
        let error = Gazetteer::parse("LOC\tQ1\tOnly three").expect_err("bad");
        assert!(error.to_string().contains("line 1"));
    }
}
