//! Entity tagging and linking: people, organisations and places, one identity per article.
//!
//! 1. [`tokens`] splits title and body into words and marks; [`gazetteer`] finds known names
//!    (curated names, countries, capitals, cities) with their Wikidata ids, case-robust for
//!    all-caps headlines and with language-limited aliases ("AS" is the United States in
//!    Indonesian text only).
//! 2. A trained sequence tagger ([`model`], averaged perceptron with Viterbi decoding) labels
//!    capitalised stretches BIO over PER, ORG, LOC and MISC, from hashed [`features`]: word,
//!    shape, affixes, neighbours, gazetteer flags and what the word tables of [`lexicon`] say
//!    of a word: [`cues`] (titles such as "Presiden" are evidence for a person and never part
//!    of the name; heads such as "Partai" are evidence for an organisation), given and family
//!    names, WordNet noun classes, embedding clusters, topic words. Words are keyed by their
//!    [`hash`]. The model is trained from the shared NER corpora by `train` (behind the cargo
//!    feature `train`, run by `scripts/entities/build-entities.sh`) and shipped in
//!    `data/entities/`: `tagger-eng.bin` for English, `tagger.bin` for every other language.
//! 3. `resolve` settles each tagged span's extent, type and link: titles, weekdays and a
//!    sentence's "The" trimmed off, a known place before a person split off, pieces of a known
//!    name merged into it, and strong gazetteer names the tagger passed over added.
//! 4. `group` groups the mentions of the article into entities: repeats of a name are
//!    mentions of it, and a lone "Kim" joins "Kim Jong Un"; `link` links them to the
//!    [`kb`] (knowledge base) by type, context and popularity, or leaves them unlinked.
//!    In English sports copy, `teams` first turns places that play ("Liverpool beat Chelsea")
//!    into teams, which link to sports clubs only.
//! 5. `salience` scores how much the article is about each entity.
//!
//! [`EntityTagger`], the stage, is here: it runs 1 and 2 over the title and the body, turns the
//! tags into spans, and hands them to 3 and 4.

pub mod cues;
pub mod features;
pub mod gazetteer;
mod group;
pub mod hash;
pub mod kb;
pub mod lexicon;
mod link;
pub mod model;
mod resolve;
mod salience;
mod teams;
pub mod tokens;
#[cfg(any(feature = "train", test))]
pub mod train;

use std::ops::Range;
use std::sync::Arc;

use crate::article::{Entity, EntityType, TextField};
use features::{GazCode, TokenInfo};
use gazetteer::{Gazetteer, GazetteerError, Hit};
use hash::HashedSet;
use kb::KnowledgeBase;
pub use link::ArticleContext;
use model::{Model, TAGS, tag_type};
use tokens::{Token, tokenize};

/// The entity stage.
#[derive(Debug)]
pub struct EntityTagger {
    gazetteer: Gazetteer,
    /// The model of every language but English.
    model: Model,
    /// English's own model, trained with English corpora that cost the other model Indonesian
    /// F1 (docs/decisions/entity-tagging.md); `None` when one model serves every language.
    english: Option<Model>,
    /// Shared by every tagger of the process: loaded once.
    kb: Arc<KnowledgeBase>,
}

/// One mention before grouping.
#[derive(Debug, Clone)]
pub(crate) struct RawMention {
    pub field: TextField,
    /// Byte range in the field's text.
    pub start: usize,
    pub end: usize,
    pub entity_type: EntityType,
    /// Index into the gazetteer when linked.
    pub known: Option<usize>,
}

#[cfg(test)]
impl RawMention {
    /// An unlinked mention in the body, for tests.
    pub(crate) fn in_body(start: usize, end: usize, entity_type: EntityType) -> Self {
        Self {
            field: TextField::Body,
            start,
            end,
            entity_type,
            known: None,
        }
    }
}

/// A text prepared for tagging: tokens, their facts, the gazetteer hits.
pub(crate) struct Analysis {
    pub tokens: Vec<Token>,
    pub infos: Vec<TokenInfo>,
    pub candidates: Vec<bool>,
    pub hits: Vec<Hit>,
}

impl Analysis {
    /// Maximal runs of candidate tokens: the only places a name can be.
    pub fn segments(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = None;
        for (index, &candidate) in self.candidates.iter().enumerate() {
            match (candidate, start) {
                (true, None) => start = Some(index),
                (false, Some(from)) => {
                    out.push(from..index);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(from) = start {
            out.push(from..self.candidates.len());
        }
        out
    }
}

/// Analyses already tokenised text (training reads corpus tokens; run time uses [`tokenize`]).
pub(crate) fn analyse_tokens(
    gazetteer: &Gazetteer,
    common: &HashedSet,
    text: &str,
    tokens: Vec<Token>,
    language: &str,
) -> Analysis {
    let hits = gazetteer.find(text, language);
    let mut codes: Vec<GazCode> = vec![0; tokens.len()];
    let mut next_hit = 0;
    for (index, token) in tokens.iter().enumerate() {
        while next_hit < hits.len() && hits[next_hit].end <= token.start {
            next_hit += 1;
        }
        if let Some(hit) = hits.get(next_hit).filter(|h| h.start <= token.start) {
            let known = gazetteer.entity(hit.entity);
            let base = model::begin_tag(known.entity_type) as u8;
            let inside = u8::from(hit.start != token.start);
            let weak = if known.strong { 0 } else { 8 };
            codes[index] = base + inside + weak;
        }
    }
    let infos = features::token_infos(text, &tokens, &codes, common);
    let candidates = features::candidates(&infos);
    Analysis {
        tokens,
        infos,
        candidates,
        hits,
    }
}

impl EntityTagger {
    /// A tagger with the bundled model and tables.
    pub fn new() -> Result<Self, GazetteerError> {
        let english =
            Model::from_bytes(Model::BUNDLED_ENGLISH).map_err(GazetteerError::BadModel)?;
        Ok(Self {
            english: Some(english),
            ..Self::with_model(Model::BUNDLED)?
        })
    }

    /// A tagger with the bundled tables and another model for every language (for training
    /// experiments).
    pub fn with_model(model: &[u8]) -> Result<Self, GazetteerError> {
        Ok(Self {
            gazetteer: Gazetteer::bundled()?,
            model: Model::from_bytes(model).map_err(GazetteerError::BadModel)?,
            english: None,
            kb: KnowledgeBase::bundled()?,
        })
    }

    /// The model that tags `language`.
    fn model_for(&self, language: &str) -> &Model {
        match &self.english {
            Some(english) if language == "eng" => english,
            _ => &self.model,
        }
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// Tags title and body, returning entities in order of first mention. `language` is the
    /// detected ISO 639-3 code ("ind", "eng"), or "" when unknown.
    pub fn tag(&self, title: &str, body: &str, language: &str) -> Vec<Entity> {
        self.tag_in(title, body, &ArticleContext::language(language))
    }

    /// Tags title and body with what else is known of the article (its language and the
    /// country it comes from), which the linker weighs.
    pub fn tag_in(&self, title: &str, body: &str, context: &ArticleContext) -> Vec<Entity> {
        let language = context.language.as_str();
        let mut mentions = Vec::new();
        for (field, text) in [(TextField::Title, title), (TextField::Body, body)] {
            self.find_mentions(field, text, language, &mut mentions);
        }
        let common = self.model_for(language).common_words();
        group::propagate(&mut mentions, title, body, common);
        let teams = teams::retag(&mut mentions, title, body, language);
        let mut entities = group::group(
            &self.gazetteer,
            &self.kb,
            context,
            mentions,
            &teams,
            title,
            body,
        );
        salience::score(&mut entities, body);
        entities
    }

    fn find_mentions(
        &self,
        field: TextField,
        text: &str,
        language: &str,
        out: &mut Vec<RawMention>,
    ) {
        if text.is_empty() {
            return;
        }
        let model = self.model_for(language);
        let analysis = analyse_tokens(
            &self.gazetteer,
            model.common_words(),
            text,
            tokenize(text),
            language,
        );
        let language_feature = features::language_hash(language);
        let mut buffer = Vec::with_capacity(32);
        let mut emissions: Vec<[i32; TAGS]> = Vec::new();
        let mut tags = Vec::new();
        let mut found: Vec<RawMention> = Vec::new();
        for range in analysis.segments() {
            emissions.clear();
            for i in range.clone() {
                buffer.clear();
                features::features(
                    &analysis.infos,
                    range.clone(),
                    i,
                    language_feature,
                    &mut buffer,
                );
                let mut scores = [0i32; TAGS];
                model.score(&buffer, &mut scores);
                emissions.push(scores);
            }
            model.viterbi(&emissions, &mut tags);
            let mut open: Option<(usize, EntityType)> = None;
            for (offset, &tag) in tags.iter().chain([&0]).enumerate() {
                let index = range.start + offset;
                let kind = tag_type(tag);
                let continues = matches!((kind, open), (Some((t, false)), Some((_, o))) if t == o);
                if continues {
                    continue;
                }
                if let Some((from, entity_type)) = open.take() {
                    found.push(RawMention {
                        field,
                        start: analysis.tokens[from].start,
                        end: analysis.tokens[index - 1].end,
                        entity_type,
                        known: None,
                    });
                }
                if let Some((entity_type, _)) = kind {
                    open = Some((index, entity_type));
                }
            }
        }
        resolve::resolve(
            &self.gazetteer,
            field,
            text,
            language,
            &analysis,
            found,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Mention;

    fn tagger() -> EntityTagger {
        EntityTagger::new().expect("bundled tagger")
    }

    fn find<'a>(entities: &'a [Entity], name: &str) -> Option<&'a Entity> {
        entities.iter().find(|e| e.name == name)
    }

    /// Each entity's longest mention in `body` (the tagger's name, whatever the link's label),
    /// with its type.
    fn spelled(entities: &[Entity], body: &str) -> Vec<(String, EntityType)> {
        let chars: Vec<char> = body.chars().collect();
        entities
            .iter()
            .filter_map(|e| {
                let longest = e
                    .mentions
                    .iter()
                    .filter(|m| m.field == TextField::Body)
                    .max_by_key(|m| m.end - m.start)?;
                let text = chars[longest.start as usize..longest.end as usize].iter();
                Some((text.collect(), e.entity_type))
            })
            .collect()
    }

    #[test]
    fn english_has_its_own_model() {
        let tagger = tagger();
        let english = tagger.model_for("eng");
        assert!(!std::ptr::eq(english, tagger.model_for("ind")));
        assert!(std::ptr::eq(tagger.model_for("ind"), tagger.model_for("")));
        assert!(std::ptr::eq(
            tagger.model_for("msa"),
            tagger.model_for("ind")
        ));
    }

    #[test]
    fn gazetteer_entities_are_linked_across_aliases() {
        let entities = tagger().tag(
            "Korut Uji Rudal",
            "Korea Utara kembali menguji rudal. PBB mengecam Korut.",
            "ind",
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
        let entities = tagger().tag("", body, "ind");
        let chang = find(&entities, "Chang Ho Jin").expect("Chang Ho Jin");
        assert_eq!(chang.entity_type, EntityType::Person);
        assert_eq!(chang.mentions.len(), 2, "{chang:?}");
        assert!(find(&entities, "Budi Santoso").is_some(), "{entities:?}");
        assert!(entities.iter().all(|e| !e.name.contains("Menteri")));
    }

    #[test]
    fn organisation_heads() {
        let body = "Menurut peneliti Universitas Gadjah Mada, kader Partai Buruh Nasional menolak.";
        let names = spelled(&tagger().tag("", body, "ind"), body);
        for name in ["Universitas Gadjah Mada", "Partai Buruh Nasional"] {
            assert!(
                names.contains(&(name.to_owned(), EntityType::Organisation)),
                "{name}: {names:?}"
            );
        }
    }

    #[test]
    fn all_caps_headlines() {
        let entities = tagger().tag("PUTIN BERTEMU KIM DI VLADIVOSTOK", "", "ind");
        for name in ["Vladimir Putin", "Vladivostok"] {
            assert!(find(&entities, name).is_some(), "{name}: {entities:?}");
        }
    }

    #[test]
    fn names_run_on_over_particles_and_titles_stay_out() {
        let text = "Saudi Crown Prince Mohammed bin Salman hosted Syrian President Bashar \
                    al-Assad, while European Commission President Ursula von der Leyen met \
                    officials. The European Union was not involved.";
        let spelled = spelled(&tagger().tag("", text, "eng"), text);
        let names: Vec<(&str, EntityType)> =
            spelled.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        for person in [
            "Mohammed bin Salman",
            "Bashar al-Assad",
            "Ursula von der Leyen",
        ] {
            assert!(
                names.contains(&(person, EntityType::Person)),
                "{person}: {names:?}"
            );
        }
        assert!(
            names.contains(&("European Commission", EntityType::Organisation)),
            "{names:?}"
        );
        assert!(
            names.contains(&("European Union", EntityType::Organisation)),
            "{names:?}"
        );
        assert!(
            !names.iter().any(|(name, _)| name.starts_with("The ")),
            "{names:?}"
        );
    }

    #[test]
    fn family_names_titles_and_weekdays_in_news() {
        let text = "George Washington met Michael R. Bloomberg. General Motors and General Electric cut jobs. \
                    Bank Indonesia Governor Perry Warjiyo spoke to the Supreme Court Wednesday.";
        let spelled = spelled(&tagger().tag("", text, "eng"), text);
        let names: Vec<(&str, EntityType)> =
            spelled.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        for person in ["George Washington", "Michael R. Bloomberg", "Perry Warjiyo"] {
            assert!(
                names.contains(&(person, EntityType::Person)),
                "{person}: {names:?}"
            );
        }
        for organisation in ["General Electric", "Bank Indonesia", "Supreme Court"] {
            assert!(
                names.contains(&(organisation, EntityType::Organisation)),
                "{organisation}: {names:?}"
            );
        }
    }

    #[test]
    fn the_last_words_of_a_name_are_the_same_person() {
        let text = "Robert De Niro and Al Pacino starred. Later De Niro said Pacino was great.";
        let entities = tagger().tag("", text, "eng");
        let de_niro = find(&entities, "Robert De Niro").expect("Robert De Niro");
        assert_eq!(de_niro.entity_type, EntityType::Person);
        assert_eq!(de_niro.mentions.len(), 2, "{entities:?}");
    }

    #[test]
    fn a_place_s_people_are_no_person() {
        let text = "New Yorkers and Chicagoans met Langejans.";
        let entities = tagger().tag("", text, "eng");
        for group in ["New Yorkers", "Chicagoans"] {
            assert!(
                find(&entities, group).is_none_or(|e| e.entity_type != EntityType::Person),
                "{group}: {entities:?}"
            );
        }
    }

    #[test]
    fn places_that_play_in_sports_copy_are_not_the_places() {
        let body = "Liverpool beat Chelsea 2-1 in the league on Saturday, and Finland drew with \
                    Sweden in a World Cup qualifier. Fans in London and Helsinki watched the \
                    striker score.";
        let entities = tagger().tag("", body, "eng");
        for place in ["Q24826", "Q33", "Q34"] {
            assert!(
                entities.iter().all(|e| e.wikidata != place),
                "{place}: {entities:?}"
            );
        }
        for place in ["Q84", "Q1757"] {
            assert!(
                entities.iter().any(|e| e.wikidata == place),
                "{place}: {entities:?}"
            );
        }
    }

    #[test]
    fn offsets_are_code_points() {
        let body = "Café “Putin” bertemu.";
        let entities = tagger().tag("", body, "ind");
        let putin = find(&entities, "Vladimir Putin").expect("Putin");
        let mention = putin.mentions[0];
        let chars: Vec<char> = body.chars().collect();
        let surface: String = chars[mention.start as usize..mention.end as usize]
            .iter()
            .collect();
        assert_eq!(surface, "Putin");
    }
}
