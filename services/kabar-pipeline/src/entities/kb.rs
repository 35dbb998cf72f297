//! The knowledge base: people, organisations and places with their Wikidata ids, names and
//! aliases in Indonesian, Malay and English, and a popularity prior for each.
//!
//! Built offline by `scripts/entities/build-kb.py` from Wikidata extracts and compiled into the
//! binary as gzip-compressed tables (`data/entities/kb/`, one directory per licence class):
//!
//! - `entities.tsv`: `qid type kind name_en name_id country prior prior_basis sources`
//! - `aliases.tsv`: `alias qid langs form common sources`, where `langs` is `any` or a list of
//!   `en`, `id`, `ms`; `form` is `name`, `abbr` (KPK, PBB), `short` (a part of a person's name:
//!   Putin) or `nick` (Jokowi); `common` is 1 when the alias is also a common word (Padang,
//!   Antara, Apple).
//!
//! Aliases are found by the hash of their lower-cased text, like the gazetteer's, and accepted in
//! their own case, or in capitals when longer than three letters ("KOREA UTARA").

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, LazyLock};

use flate2::read::GzDecoder;

use super::hash::{HashedMap, hash_lower};
use crate::article::EntityType;

/// One entity of the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbEntity {
    /// The number of the Wikidata id: 423 for Q423.
    pub qid: u32,
    pub entity_type: EntityType,
    /// The English label, else the Indonesian one: the entity's name in kabar's output.
    pub name: Box<str>,
    /// ISO 3166 alpha-2 code of the entity's country ("ID"), `[0, 0]` when it has none (an
    /// international body, a continent).
    pub country: [u8; 2],
    /// How often the news names it, 0 to 100, one scale for every type (countries 90, a
    /// national capital about 70, a legislator 35 to 45, a foreign university 40).
    pub prior: u8,
    /// A sports club or team: what a place that plays in sports copy may link to.
    pub team: bool,
}

impl KbEntity {
    /// The Wikidata id as text ("Q423").
    pub fn wikidata(&self) -> String {
        format!("Q{}", self.qid)
    }
}

/// What kind of name an alias is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AliasForm {
    /// An abbreviation or acronym: ambiguous by nature, linked only where the tagger agrees.
    Abbreviation,
    /// Part of a person's full name ("Putin", "Prabowo").
    Short,
    /// A nickname ("Jokowi", "Negeri Paman Sam").
    Nickname,
    /// A full name.
    Name,
}

/// The languages an alias is used in, as bits.
pub type Languages = u8;
pub const ENGLISH: Languages = 1;
pub const INDONESIAN: Languages = 2;
pub const MALAY: Languages = 4;
pub const ANY_LANGUAGE: Languages = ENGLISH | INDONESIAN | MALAY;

/// The language bit of an article's language (ISO 639-3). Other and unknown languages read
/// like English: the names an English text uses are the international ones.
pub fn language_bit(language: &str) -> Languages {
    match language {
        "ind" => INDONESIAN,
        "zsm" | "msa" => MALAY,
        _ => ENGLISH,
    }
}

/// One alias of one entity.
#[derive(Debug, Clone)]
pub struct KbAlias {
    pub text: Box<str>,
    /// Index into the entities.
    pub entity: u32,
    pub languages: Languages,
    pub form: AliasForm,
    /// Also a common word ("Antara", "Padang"): linked only where the tagger saw a name.
    pub common: bool,
}

impl KbAlias {
    /// Whether `surface` (with the same lower-case hash) spells this alias: in its own case, in
    /// capitals when longer than three letters, or capitalised when the alias is not
    /// ("detikcom" as "Detikcom" at a sentence start).
    pub fn accepts(&self, surface: &str) -> bool {
        let text = &*self.text;
        if surface == text {
            return true;
        }
        let same_letters = surface
            .chars()
            .flat_map(char::to_lowercase)
            .eq(text.chars().flat_map(char::to_lowercase));
        if !same_letters {
            return false;
        }
        let all_caps = surface.chars().any(char::is_alphabetic)
            && !surface.chars().any(char::is_lowercase)
            && text.chars().count() > 3;
        let capitalised = text.starts_with(char::is_lowercase)
            && surface.starts_with(char::is_uppercase)
            && surface.chars().skip(1).eq(text.chars().skip(1));
        all_caps || capitalised
    }
}

/// Why the knowledge base could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KbError {
    #[error("{file}: cannot decompress: {detail}")]
    Decompress { file: &'static str, detail: String },
    #[error("{file} line {line}: {detail}")]
    BadLine {
        file: &'static str,
        line: usize,
        detail: String,
    },
}

/// One licence class of the tables: its entities and aliases, gzip-compressed.
#[derive(Debug, Clone, Copy)]
pub struct KbPart {
    pub name: &'static str,
    pub entities: &'static [u8],
    pub aliases: &'static [u8],
}

/// The knowledge base in memory.
#[derive(Debug, Default)]
pub struct KnowledgeBase {
    entities: Vec<KbEntity>,
    aliases: Vec<KbAlias>,
    /// Hash of the lower-cased alias text -> alias indices.
    by_lower: HashedMap<Vec<u32>>,
    /// Wikidata number -> entity index.
    by_qid: HashMap<u32, u32>,
}

/// The parts compiled into kabar, freest licence first. The builder's ODbL part (cities of the
/// Countries States Cities Database) is left out: with it the GUM links were less precise
/// (0.950 against 0.973 on GUM's other genres) and Indonesian news no better linked.
pub const BUNDLED: [KbPart; 2] = [
    KbPart {
        name: "permissive",
        entities: include_bytes!("../../data/entities/kb/permissive/entities.tsv.gz"),
        aliases: include_bytes!("../../data/entities/kb/permissive/aliases.tsv.gz"),
    },
    KbPart {
        name: "ccbysa",
        entities: include_bytes!("../../data/entities/kb/ccbysa/entities.tsv.gz"),
        aliases: include_bytes!("../../data/entities/kb/ccbysa/aliases.tsv.gz"),
    },
];

/// The bundled knowledge base, loaded once per process and shared by every tagger.
static LOADED: LazyLock<Result<Arc<KnowledgeBase>, KbError>> =
    LazyLock::new(|| KnowledgeBase::load(&BUNDLED).map(Arc::new));

impl KnowledgeBase {
    /// The bundled knowledge base (loaded on first use, about a tenth of a second).
    pub fn bundled() -> Result<Arc<Self>, KbError> {
        LOADED.clone()
    }

    /// Loads parts in order; an entity is defined once, aliases of a later part may name an
    /// entity of an earlier one.
    pub fn load(parts: &[KbPart]) -> Result<Self, KbError> {
        let mut kb = Self::default();
        let mut texts = Vec::with_capacity(parts.len());
        for part in parts {
            let entities = gunzip(part.name, part.entities)?;
            kb.parse_entities(part.name, &entities)?;
            texts.push((part.name, gunzip(part.name, part.aliases)?));
        }
        for (name, aliases) in &texts {
            kb.parse_aliases(name, aliases)?;
        }
        kb.aliases.shrink_to_fit();
        kb.entities.shrink_to_fit();
        Ok(kb)
    }

    /// Parses tables given as text (tests and experiments).
    pub fn from_tables(entities: &str, aliases: &str) -> Result<Self, KbError> {
        let mut kb = Self::default();
        kb.parse_entities("entities", entities)?;
        kb.parse_aliases("aliases", aliases)?;
        Ok(kb)
    }

    fn parse_entities(&mut self, file: &'static str, text: &str) -> Result<(), KbError> {
        for (index, line) in text.lines().enumerate().skip(1) {
            let bad = |detail: String| KbError::BadLine {
                file,
                line: index + 1,
                detail,
            };
            let fields: Vec<&str> = line.split('\t').collect();
            let [qid, kind, class, name_en, name_id, country, prior, ..] = fields[..] else {
                return Err(bad(format!("expected 9 fields, found {}", fields.len())));
            };
            let qid = parse_qid(qid).ok_or_else(|| bad(format!("bad wikidata id {qid:?}")))?;
            let entity_type = match kind {
                "PER" => EntityType::Person,
                "ORG" => EntityType::Organisation,
                "LOC" => EntityType::Location,
                other => return Err(bad(format!("unknown type {other:?}"))),
            };
            let prior = prior
                .parse::<u8>()
                .map_err(|_| bad(format!("bad prior {prior:?}")))?;
            let country = match country.as_bytes() {
                [a, b] => [*a, *b],
                _ => [0, 0],
            };
            let name = if name_en.is_empty() { name_id } else { name_en };
            if self.by_qid.contains_key(&qid) {
                continue;
            }
            let index = u32::try_from(self.entities.len()).map_err(|_| bad("too many".into()))?;
            self.by_qid.insert(qid, index);
            self.entities.push(KbEntity {
                qid,
                entity_type,
                name: name.into(),
                country,
                prior,
                team: matches!(class, "sports club" | "sports team"),
            });
        }
        Ok(())
    }

    fn parse_aliases(&mut self, file: &'static str, text: &str) -> Result<(), KbError> {
        for (index, line) in text.lines().enumerate().skip(1) {
            let bad = |detail: String| KbError::BadLine {
                file,
                line: index + 1,
                detail,
            };
            let fields: Vec<&str> = line.split('\t').collect();
            let [alias, qid, languages, form, common, ..] = fields[..] else {
                return Err(bad(format!("expected 6 fields, found {}", fields.len())));
            };
            let qid = parse_qid(qid).ok_or_else(|| bad(format!("bad wikidata id {qid:?}")))?;
            // An alias of an entity another part defines, when that part is left out.
            let Some(&entity) = self.by_qid.get(&qid) else {
                continue;
            };
            let languages = if languages == "any" {
                ANY_LANGUAGE
            } else {
                languages.split(',').fold(0, |bits, l| {
                    bits | match l {
                        "en" => ENGLISH,
                        "id" => INDONESIAN,
                        "ms" => MALAY,
                        _ => 0,
                    }
                })
            };
            let form = match form {
                "abbr" => AliasForm::Abbreviation,
                "short" => AliasForm::Short,
                "nick" => AliasForm::Nickname,
                "name" => AliasForm::Name,
                // Codes (ISO and the like) are for lookups by code, not for text.
                "code" => continue,
                other => return Err(bad(format!("unknown form {other:?}"))),
            };
            let alias_index =
                u32::try_from(self.aliases.len()).map_err(|_| bad("too many".into()))?;
            self.by_lower
                .entry(hash_lower(alias))
                .or_default()
                .push(alias_index);
            self.aliases.push(KbAlias {
                text: alias.into(),
                entity,
                languages,
                form,
                common: common == "1",
            });
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub fn alias_count(&self) -> usize {
        self.aliases.len()
    }

    pub fn entity(&self, index: u32) -> &KbEntity {
        &self.entities[index as usize]
    }

    /// The entity with this Wikidata id ("Q423").
    pub fn by_wikidata(&self, wikidata: &str) -> Option<u32> {
        parse_qid(wikidata).and_then(|q| self.by_qid.get(&q).copied())
    }

    /// The aliases `surface` spells (see [`KbAlias::accepts`]) that are used in `languages`.
    pub fn aliases_of<'a>(
        &'a self,
        surface: &'a str,
        languages: Languages,
    ) -> impl Iterator<Item = &'a KbAlias> + 'a {
        self.by_lower
            .get(&hash_lower(surface))
            .into_iter()
            .flatten()
            .map(|&i| &self.aliases[i as usize])
            .filter(move |a| a.languages & languages != 0 && a.accepts(surface))
    }

    /// Whether any alias, in any language and case, has this lower-case hash: a cheap first
    /// test before [`Self::aliases_of`].
    pub fn knows_hash(&self, hash: u64) -> bool {
        self.by_lower.contains_key(&hash)
    }
}

fn parse_qid(text: &str) -> Option<u32> {
    text.strip_prefix('Q')
        .filter(|digits| !digits.starts_with('0'))
        .and_then(|digits| digits.parse().ok())
}

fn gunzip(file: &'static str, bytes: &[u8]) -> Result<String, KbError> {
    let mut text = String::with_capacity(bytes.len() * 5);
    GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| KbError::Decompress {
            file,
            detail: e.to_string(),
        })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTITIES: &str = "qid\ttype\tkind\tname_en\tname_id\tcountry\tprior\tprior_basis\tsources\n\
        Q423\tLOC\tcountry\tNorth Korea\tKorea Utara\tKP\t90\tcountry\tx\n\
        Q2670027\tORG\tlegislature\tPeople's Representative Council\tDewan Perwakilan Rakyat\tID\t90\tcurated\tx\n";
    const ALIASES: &str = "alias\tqid\tlangs\tform\tcommon\tsources\n\
        Korut\tQ423\tid\tabbr\t0\tx\n\
        Korea Utara\tQ423\tid,ms\tname\t0\tx\n\
        DPR\tQ2670027\tid,ms\tabbr\t0\tx\n\
        detikcom\tQ99\tany\tname\t0\tx\n";

    #[test]
    fn aliases_by_language_and_case() {
        let kb = KnowledgeBase::from_tables(ENTITIES, ALIASES).expect("tables");
        assert_eq!(kb.len(), 2);
        assert_eq!(kb.alias_count(), 3, "an alias of an unknown id is skipped");
        let names = |surface: &str, languages| {
            kb.aliases_of(surface, languages)
                .map(|a| kb.entity(a.entity).name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("Korut", INDONESIAN), ["North Korea"]);
        assert!(names("Korut", ENGLISH).is_empty());
        assert_eq!(names("KOREA UTARA", MALAY), ["North Korea"]);
        assert!(names("korea utara", INDONESIAN).is_empty());
        assert!(
            names("Dpr", INDONESIAN).is_empty(),
            "short aliases keep their case"
        );
        assert_eq!(kb.entity(0).wikidata(), "Q423");
        assert_eq!(kb.by_wikidata("Q2670027"), Some(1));
    }

    #[test]
    fn a_capitalised_surface_spells_a_lower_case_alias() {
        let alias = KbAlias {
            text: "detikcom".into(),
            entity: 0,
            languages: ANY_LANGUAGE,
            form: AliasForm::Name,
            common: false,
        };
        assert!(
            alias.accepts("detikcom") && alias.accepts("Detikcom") && alias.accepts("DETIKCOM")
        );
        assert!(!alias.accepts("DetikCom"));
    }

    #[test]
    fn bad_lines_are_reported() {
        let error = KnowledgeBase::from_tables("header\nQ1\tXYZ\tk\ta\tb\tc\t1\tx\ty\n", "h\n")
            .expect_err("bad type");
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn the_bundled_tables_load() {
        let kb = KnowledgeBase::bundled().expect("bundled knowledge base");
        assert!(kb.len() > 40_000, "{}", kb.len());
        let dpr: Vec<_> = kb
            .aliases_of("DPR", INDONESIAN)
            .map(|a| kb.entity(a.entity).wikidata())
            .collect();
        assert!(dpr.contains(&"Q2670027".to_owned()), "{dpr:?}");
    }
}
