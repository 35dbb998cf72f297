//! Entity linking: which knowledge-base entity, if any, each of an article's entities is.
//!
//! An entity's candidates are the knowledge-base entities that one of its mentions spells (an
//! alias used in the article's language, in its case) and whose type is the tagger's: a place
//! never links a person. Among them the context chooses: each candidate scores its popularity
//! prior, plus a bonus when its country is the country of other entities of the article, of the
//! article's language ("ind": Indonesia) or of its source. The best is taken when it scores
//! high enough for the kind of name that found it (a full name needs less than a nickname, a
//! nickname less than an abbreviation or a common word, a lone family name most) and clearly
//! beats the runner-up; otherwise the entity stays unlinked: a wrong id is worse than none.
//!
//! A place that plays in sports copy ("Liverpool beat Chelsea") comes as a team: it links to a
//! sports club or team only.
//!
//! Two passes: entities with one candidate first, so that their countries are context for the
//! ambiguous ones ("Kim" with "Korut", "Pyongyang").

use std::cell::OnceCell;
use std::collections::HashSet;

use super::kb::{ANY_LANGUAGE, AliasForm, KnowledgeBase, Languages, language_bit};
use crate::article::EntityType;

/// What is known of an article beyond its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleContext {
    /// ISO 639-3 code of the detected language, "" when unknown.
    pub language: String,
    /// ISO 3166 alpha-2 code of the country the article comes from (its site's country-code
    /// domain), when known.
    pub country: Option<[u8; 2]>,
}

impl ArticleContext {
    /// A context knowing only the language.
    pub fn language(language: &str) -> Self {
        Self {
            language: language.to_owned(),
            country: None,
        }
    }

    /// The country whose news is written in the article's language.
    fn home(&self) -> Option<[u8; 2]> {
        match self.language.as_str() {
            "ind" => Some(*b"ID"),
            "zsm" | "msa" => Some(*b"MY"),
            _ => None,
        }
    }
}

/// One entity of the article, as the linker sees it.
pub(crate) struct Linkable<'a> {
    pub entity_type: EntityType,
    /// One surface per mention, repeats included (they weigh a candidate).
    pub surfaces: &'a [String],
    /// The Wikidata id the gazetteer already gave it: kept, and its country is context.
    pub wikidata: &'a str,
    /// A place that plays in sports copy: only a sports club or team of that name is it, by a
    /// name in any language (club names travel).
    pub team: bool,
}

/// Score a candidate needs, by the best kind of name that found it.
fn threshold(entity_type: EntityType, form: AliasForm, common: bool) -> i32 {
    let by_form = match form {
        AliasForm::Name => match entity_type {
            EntityType::Person => 50,
            _ => 40,
        },
        AliasForm::Nickname => 45,
        AliasForm::Abbreviation => 55,
        AliasForm::Short => 60,
    };
    if common { by_form.max(55) } else { by_form }
}

/// How much the best candidate must beat the runner-up by.
const MARGIN: i32 = 10;
/// Bonus for a candidate whose country other entities of the article share.
const CONTEXT_BONUS: i32 = 12;
/// Bonus for a candidate of the country of the article's language or source.
const HOME_BONUS: i32 = 8;
/// A person at least this famous (a head of state or government, current or former) is linked
/// by full name without their country in the article.
const PERSON_WITHOUT_CONTEXT: u8 = 80;
/// In English news a person of the knowledge base below this prior (a legislator, a minor office
/// holder) is linked only where the article speaks of politics: English news names many
/// namesakes of the world's legislators ("Adam Smith", "Mike Johnson").
const PERSON_WITHOUT_POLITICS: u8 = 60;
/// Words of political copy, lower-case.
const POLITICS_WORDS: &[&str] = &[
    "cabinet",
    "campaign",
    "candidate",
    "caucus",
    "congress",
    "congressional",
    "congressman",
    "congresswoman",
    "democrat",
    "democrats",
    "election",
    "elections",
    "gop",
    "governor",
    "lawmaker",
    "lawmakers",
    "legislator",
    "legislators",
    "legislature",
    "minister",
    "mp",
    "mps",
    "parliament",
    "parliamentary",
    "politician",
    "politicians",
    "republican",
    "republicans",
    "sen",
    "senate",
    "senator",
    "senators",
];
/// More candidates than this are not weighed (a bound for hostile input).
const MAX_CANDIDATES: usize = 16;

#[derive(Debug, Clone, Copy)]
struct Candidate {
    entity: u32,
    /// The best kind of name among the aliases that found it.
    form: AliasForm,
    /// Every alias that found it is a common word.
    common: bool,
}

/// Countries of the article's linked entities, with how many entities name each.
#[derive(Default)]
struct Countries(Vec<([u8; 2], u32)>);

impl Countries {
    fn add(&mut self, country: [u8; 2]) {
        if country == [0, 0] {
            return;
        }
        match self.0.iter_mut().find(|(c, _)| *c == country) {
            Some((_, n)) => *n += 1,
            None => self.0.push((country, 1)),
        }
    }

    fn contains(&self, country: [u8; 2]) -> bool {
        self.0.iter().any(|(c, _)| *c == country)
    }
}

/// Whether a text speaks of politics (a word of [`POLITICS_WORDS`]).
pub(crate) fn speaks_of_politics(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|word| in_sorted_words(POLITICS_WORDS, word))
}

/// Whether `word` is one of `sorted` (lower-case ASCII, sorted), in any case; no allocation.
pub(crate) fn in_sorted_words(sorted: &[&str], word: &str) -> bool {
    if word.len() < 2 || word.len() > 16 {
        return false;
    }
    sorted
        .binary_search_by(|probe| {
            probe
                .bytes()
                .cmp(word.bytes().map(|b| b.to_ascii_lowercase()))
        })
        .is_ok()
}

/// The knowledge-base entity of each linkable (None: unlinked). Entities the gazetteer linked
/// map to their knowledge-base entry when it has one. `politics` says whether the article
/// speaks of politics ([`speaks_of_politics`]); asked at most once, and only when a candidate
/// needs it.
pub(crate) fn link(
    kb: &KnowledgeBase,
    items: &[Linkable<'_>],
    context: &ArticleContext,
    politics: &dyn Fn() -> bool,
) -> Vec<Option<u32>> {
    let known = OnceCell::new();
    let politics = || *known.get_or_init(politics);
    let languages = language_bit(&context.language);
    let home = context.home();
    let mut countries = Countries::default();
    let mut out: Vec<Option<u32>> = vec![None; items.len()];
    let mut pending: Vec<(usize, Vec<Candidate>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if !item.wikidata.is_empty() {
            if let Some(entity) = kb.by_wikidata(item.wikidata) {
                countries.add(kb.entity(entity).country);
                out[index] = Some(entity);
            }
            continue;
        }
        if !matches!(
            item.entity_type,
            EntityType::Person | EntityType::Organisation | EntityType::Location
        ) {
            continue;
        }
        let candidates = candidates(kb, item, languages);
        if candidates.is_empty() {
            continue;
        }
        pending.push((index, candidates));
    }
    // Pass 1: lone candidates, judged without the other entities' countries.
    let empty = Countries::default();
    for (index, candidates) in &pending {
        if let [only] = candidates[..] {
            let chosen = decide(
                kb,
                items[*index].entity_type,
                &[only],
                &empty,
                home,
                context,
                politics,
            );
            if let Some(entity) = chosen {
                countries.add(kb.entity(entity).country);
                out[*index] = Some(entity);
            }
        }
    }
    // Pass 2: the rest, with the countries found so far as context: places and organisations
    // first, and the places they link are context for the people ("Chuck Schumer" before "New
    // York", the city or the state). An organisation's country is not: a wrong party would
    // carry its country to the next.
    for people in [false, true] {
        for (index, candidates) in &pending {
            let entity_type = items[*index].entity_type;
            if out[*index].is_some() || (entity_type == EntityType::Person) != people {
                continue;
            }
            out[*index] = decide(
                kb,
                entity_type,
                candidates,
                &countries,
                home,
                context,
                politics,
            );
            if let Some(entity) = out[*index].filter(|_| entity_type == EntityType::Location) {
                countries.add(kb.entity(entity).country);
            }
        }
    }
    out
}

/// Type-agreeing knowledge-base entities that the item's surfaces spell.
fn candidates(kb: &KnowledgeBase, item: &Linkable<'_>, languages: Languages) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    // Each distinct surface once; most entities have a few mentions, some thousands (hostile
    // input), where a set keeps this linear.
    let few = item.surfaces.len() <= 8;
    let mut seen: HashSet<&str> = HashSet::new();
    for (index, surface) in item.surfaces.iter().enumerate() {
        let repeat = if few {
            item.surfaces[..index].contains(surface)
        } else {
            !seen.insert(surface.as_str())
        };
        if repeat {
            continue;
        }
        let languages = if item.team { ANY_LANGUAGE } else { languages };
        for alias in kb.aliases_of(surface, languages) {
            let entity = kb.entity(alias.entity);
            if entity.entity_type != item.entity_type || (item.team && !entity.team) {
                continue;
            }
            if let Some(known) = out.iter_mut().find(|c| c.entity == alias.entity) {
                known.form = known.form.max(alias.form);
                known.common &= alias.common;
            } else if out.len() < MAX_CANDIDATES {
                out.push(Candidate {
                    entity: alias.entity,
                    form: alias.form,
                    common: alias.common,
                });
            }
        }
    }
    // A person found only by a part of a name is not the one that the entity's longer name
    // contradicts: "Li" of "Di Li" is not Li Qiang, "Fadli" of "Ahmad Fadli" not Fadli Zon.
    if item.entity_type == EntityType::Person && out.iter().any(|c| c.form == AliasForm::Short) {
        if let Some(longest) = item.surfaces.iter().max_by_key(|s| s.len()) {
            out.retain(|c| {
                c.form != AliasForm::Short
                    || fits_name(longest, &kb.entity(c.entity).name, item.surfaces)
            });
        }
    }
    out
}

/// Whether every capitalised word of `surface` but initials ("V.") and the entity's own
/// one-word names (`parts`: "Zelensky" of "Volodymyr Zelensky", however the knowledge base
/// spells it) is a word of `name`, in any case.
fn fits_name(surface: &str, name: &str, parts: &[String]) -> bool {
    let words = |text: &str| {
        text.split([' ', '-'])
            .filter(|w| !w.ends_with('.') && w.starts_with(char::is_uppercase))
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().count() > 1)
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let name_words = words(name);
    words(surface)
        .iter()
        .all(|w| name_words.contains(w) || parts.iter().any(|p| p.to_lowercase() == *w))
}

fn decide(
    kb: &KnowledgeBase,
    entity_type: EntityType,
    candidates: &[Candidate],
    countries: &Countries,
    home: Option<[u8; 2]>,
    context: &ArticleContext,
    politics: impl Fn() -> bool,
) -> Option<u32> {
    let score = |candidate: &Candidate| {
        let entity = kb.entity(candidate.entity);
        let mut score = i32::from(entity.prior);
        if entity.country != [0, 0] {
            if countries.contains(entity.country) {
                score += CONTEXT_BONUS;
            }
            if home == Some(entity.country) || context.country == Some(entity.country) {
                score += HOME_BONUS;
            }
        }
        score
    };
    let mut best: Option<(i32, &Candidate)> = None;
    let mut second = i32::MIN;
    for candidate in candidates {
        let s = score(candidate);
        match best {
            Some((b, _)) if s <= b => second = second.max(s),
            _ => {
                if let Some((b, _)) = best {
                    second = second.max(b);
                }
                best = Some((s, candidate));
            }
        }
    }
    let (score, candidate) = best?;
    let clear = second == i32::MIN || score - second >= MARGIN;
    // A person named by a part of the name ("Jesus", "Putin"), or one of the many people of
    // middling fame, is the knowledge base's only where the article is about their country:
    // the knowledge base knows a few of the world's people, the news names many more.
    let entity = kb.entity(candidate.entity);
    let needs_country = entity_type == EntityType::Person
        && (candidate.form == AliasForm::Short || entity.prior < PERSON_WITHOUT_CONTEXT);
    let in_context = countries.contains(entity.country)
        || home == Some(entity.country)
        || context.country == Some(entity.country);
    let needs_politics = entity_type == EntityType::Person
        && entity.prior < PERSON_WITHOUT_POLITICS
        && context.language == "eng";
    (clear
        && score >= threshold(entity_type, candidate.form, candidate.common)
        && (!needs_country || in_context)
        && (!needs_politics || politics()))
    .then_some(candidate.entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTITIES: &str = "qid\ttype\tkind\tname_en\tname_id\tcountry\tprior\tprior_basis\tsources\n\
        Q1\tPER\tp\tKim Jong Un\t\tKP\t80\tx\tx\n\
        Q2\tPER\tp\tKim Dae-jung\t\tKR\t75\tx\tx\n\
        Q3\tLOC\tcountry\tNorth Korea\tKorea Utara\tKP\t90\tx\tx\n\
        Q4\tLOC\tcity\tPadang\tPadang\tID\t60\tx\tx\n\
        Q5\tPER\tp\tJohn Smith\t\tGB\t35\tx\tx\n\
        Q6\tORG\tparty\tPartai Amanat Nasional\t\tID\t65\tx\tx\n\
        Q7\tORG\tparty\tPartido Accion Nacional\t\tMX\t50\tx\tx\n\
        Q8\tORG\tsports club\tLiverpool F.C.\tLiverpool\tGB\t70\tx\tx\n\
        Q9\tORG\tuniversity\tUniversity of Liverpool\t\tGB\t40\tx\tx\n\
        Q10\tPER\tp\tAdam Smith\t\tUS\t45\tx\tx\n";
    const ALIASES: &str = "alias\tqid\tlangs\tform\tcommon\tsources\n\
        Kim\tQ1\tany\tshort\t0\tx\n\
        Kim\tQ2\tany\tshort\t0\tx\n\
        Korut\tQ3\tid\tabbr\t0\tx\n\
        Padang\tQ4\tany\tname\t1\tx\n\
        John Smith\tQ5\tany\tname\t0\tx\n\
        PAN\tQ6\tid\tabbr\t0\tx\n\
        PAN\tQ7\tany\tabbr\t0\tx\n\
        Liverpool\tQ8\tid,ms\tname\t0\tx\n\
        Liverpool\tQ9\tany\tname\t0\tx\n\
        Adam Smith\tQ10\tany\tname\t0\tx\n";

    fn kb() -> KnowledgeBase {
        KnowledgeBase::from_tables(ENTITIES, ALIASES).expect("tables")
    }

    fn linked(items: &[(EntityType, &[&str])], language: &str) -> Vec<Option<String>> {
        let kb = kb();
        let surfaces: Vec<Vec<String>> = items
            .iter()
            .map(|(_, s)| s.iter().map(|s| (*s).to_owned()).collect())
            .collect();
        let linkables: Vec<Linkable<'_>> = items
            .iter()
            .zip(&surfaces)
            .map(|((entity_type, _), surfaces)| Linkable {
                entity_type: *entity_type,
                surfaces,
                wikidata: "",
                team: false,
            })
            .collect();
        link(
            &kb,
            &linkables,
            &ArticleContext::language(language),
            &|| true,
        )
        .into_iter()
        .map(|e| e.map(|e| kb.entity(e).wikidata()))
        .collect()
    }

    #[test]
    fn context_chooses_among_candidates() {
        // Alone, "Kim" is two people of similar fame: unlinked.
        assert_eq!(linked(&[(EntityType::Person, &["Kim"])], "ind"), [None]);
        // With North Korea in the article, Kim Jong Un.
        assert_eq!(
            linked(
                &[
                    (EntityType::Person, &["Kim"]),
                    (EntityType::Location, &["Korut"])
                ],
                "ind"
            ),
            [Some("Q1".into()), Some("Q3".into())]
        );
    }

    #[test]
    fn types_must_agree_and_weak_names_need_more() {
        // A place's name never links a person.
        assert_eq!(linked(&[(EntityType::Person, &["Padang"])], "ind"), [None]);
        assert_eq!(
            linked(&[(EntityType::Location, &["Padang"])], "ind"),
            [Some("Q4".into())]
        );
        // An obscure namesake is not enough for a person.
        assert_eq!(
            linked(&[(EntityType::Person, &["John Smith"])], "eng"),
            [None]
        );
        // Abbreviations by the language's press: PAN is the Indonesian party in Indonesian.
        assert_eq!(
            linked(&[(EntityType::Organisation, &["PAN"])], "ind"),
            [Some("Q6".into())]
        );
        assert_eq!(
            linked(&[(EntityType::Organisation, &["PAN"])], "eng"),
            [None]
        );
    }

    #[test]
    fn a_team_links_a_sports_club_only() {
        let kb = kb();
        let surfaces = vec!["Liverpool".to_owned()];
        let as_team = |team| {
            let item = Linkable {
                entity_type: EntityType::Organisation,
                surfaces: &surfaces,
                wikidata: "",
                team,
            };
            link(&kb, &[item], &ArticleContext::language("eng"), &|| false)[0]
                .map(|e| kb.entity(e).wikidata())
        };
        // The club's name in any language; never the university of the same name.
        assert_eq!(as_team(true), Some("Q8".into()));
        assert_eq!(as_team(false), Some("Q9".into()));
    }

    #[test]
    fn english_news_names_legislators_where_it_speaks_of_politics() {
        assert!(speaks_of_politics("Sen. Smith said"));
        assert!(speaks_of_politics("the Senate voted"));
        assert!(!speaks_of_politics(
            "Adam Smith wrote on markets; the scent was strong."
        ));
        assert!(POLITICS_WORDS.is_sorted());
        let kb = kb();
        let surfaces = vec!["Adam Smith".to_owned()];
        let item = Linkable {
            entity_type: EntityType::Person,
            surfaces: &surfaces,
            wikidata: "",
            team: false,
        };
        let linked = |language: &str, politics| {
            let context = ArticleContext {
                language: language.into(),
                country: Some(*b"US"),
            };
            link(&kb, std::slice::from_ref(&item), &context, &|| politics)[0]
                .map(|e| kb.entity(e).wikidata())
        };
        assert_eq!(linked("eng", true), Some("Q10".into()));
        assert_eq!(
            linked("eng", false),
            None,
            "the economist, not the congressman"
        );
        assert_eq!(linked("ind", false), Some("Q10".into()));
    }

    #[test]
    fn a_longer_name_rules_out_a_namesake_found_by_a_part() {
        let with_korea = |name: &[&str]| {
            linked(
                &[
                    (EntityType::Person, name),
                    (EntityType::Location, &["Korut"]),
                ],
                "ind",
            )[0]
            .clone()
        };
        assert_eq!(with_korea(&["Kim"]), Some("Q1".into()));
        assert_eq!(with_korea(&["Kim Jong Un", "Kim"]), Some("Q1".into()));
        assert_eq!(with_korea(&["Kim Tae-hyun", "Kim"]), None);
        let parts = |p: &str| vec![p.to_owned()];
        assert!(fits_name(
            "Vladimir V. Putin",
            "Vladimir Putin",
            &parts("Putin")
        ));
        assert!(!fits_name("Di Li", "Li Qiang", &parts("Li")));
        assert!(fits_name("Kim Jong-un", "Kim Jong Un", &parts("Kim")));
        assert!(!fits_name("Kim Yo-jong", "Kim Jong Un", &parts("Kim")));
        let zelensky = parts("Zelensky");
        assert!(fits_name(
            "Volodymyr Zelensky",
            "Volodymyr Zelenskyy",
            &zelensky
        ));
    }
}
