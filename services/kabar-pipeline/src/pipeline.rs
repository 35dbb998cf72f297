//! The pipeline: decode, clean, detect language, tag entities, route; one article at a time.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::article::{EnrichedArticle, PipelineInfo, Story};
use crate::clean::Cleaner;
use crate::dedup::{DedupConfig, Detector, EventTime, Fingerprint, Record};
use crate::entities::gazetteer::GazetteerError;
use crate::entities::{ArticleContext, EntityTagger};
use crate::error::{PipelineError, Stage};
use crate::input::{self, InputArticle, Limits};
use crate::lang::{DetectorOptions, LanguageDetector};
use crate::metadata;
use crate::route::{RouteError, RouteRule, Router};

/// Which enrichment stages run. Decoding always runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSet {
    pub clean: bool,
    pub lang: bool,
    pub entities: bool,
    /// Near-duplicate detection: `duplicate` and `story`.
    pub dedup: bool,
    pub route: bool,
}

impl StageSet {
    pub const ALL: StageSet = StageSet {
        clean: true,
        lang: true,
        entities: true,
        dedup: true,
        route: true,
    };

    const NONE: StageSet = StageSet {
        clean: false,
        lang: false,
        entities: false,
        dedup: false,
        route: false,
    };

    fn names(self) -> Vec<String> {
        [
            (self.clean, Stage::Clean),
            (self.lang, Stage::Lang),
            (self.entities, Stage::Entities),
            (self.dedup, Stage::Dedup),
            (self.route, Stage::Route),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, stage)| stage.as_str().to_owned())
        .collect()
    }
}

impl Default for StageSet {
    fn default() -> Self {
        Self::ALL
    }
}

impl FromStr for StageSet {
    type Err = String;

    /// Parses `clean,lang,entities,dedup,route` (any subset, any order).
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let mut set = StageSet::NONE;
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "clean" => set.clean = true,
                "lang" => set.lang = true,
                "entities" => set.entities = true,
                "dedup" => set.dedup = true,
                "route" => set.route = true,
                other => {
                    return Err(format!(
                        "unknown stage {other:?}; expected any of clean, lang, entities, dedup, route"
                    ));
                }
            }
        }
        if set == StageSet::NONE {
            return Err("no stage selected".to_owned());
        }
        Ok(set)
    }
}

/// Everything a pipeline is built from.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub limits: Limits,
    pub routes: Vec<RouteRule>,
    pub stages: StageSet,
    /// Language priors: for every article, and for the articles of particular sources.
    pub languages: LanguagePriors,
    /// Near-duplicate detection (when `stages.dedup`).
    pub dedup: DedupConfig,
}

impl PipelineConfig {
    /// All stages, default limits, no language priors, default detection, the given routes.
    pub fn new(routes: Vec<RouteRule>) -> Self {
        Self {
            limits: Limits::default(),
            routes,
            stages: StageSet::ALL,
            languages: LanguagePriors::default(),
            dedup: DedupConfig::default(),
        }
    }
}

/// What the operator knows about the languages to expect. A source's own options replace the
/// defaults for its articles; a source is matched by the article's `source` field, else by the
/// host of its `url` (with or without a leading `www.`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LanguagePriors {
    pub default: DetectorOptions,
    pub by_source: BTreeMap<String, DetectorOptions>,
}

impl LanguagePriors {
    /// Language codes named in the options that the detector does not know, for validation.
    pub fn unknown_codes(&self) -> Vec<String> {
        let known = crate::lang::supported_codes();
        std::iter::once(&self.default)
            .chain(self.by_source.values())
            .flat_map(|options| options.expected.iter().chain(&options.allowed))
            .filter(|code| !known.contains(&code.as_str()))
            .cloned()
            .collect()
    }
}

/// One detector for the defaults and one per configured source.
#[derive(Debug)]
struct Detectors {
    default: LanguageDetector,
    by_source: HashMap<String, LanguageDetector>,
}

impl Detectors {
    fn new(priors: LanguagePriors) -> Self {
        Self {
            default: LanguageDetector::with_options(priors.default),
            by_source: priors
                .by_source
                .into_iter()
                .map(|(source, options)| {
                    (
                        source.to_ascii_lowercase(),
                        LanguageDetector::with_options(options),
                    )
                })
                .collect(),
        }
    }

    fn for_article(&self, source: &str, url: &str) -> &LanguageDetector {
        if self.by_source.is_empty() {
            return &self.default;
        }
        let host = url
            .split_once("://")
            .map_or(url, |(_, rest)| rest)
            .split(['/', '?', '#', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        [source.to_ascii_lowercase().as_str(), host]
            .into_iter()
            .filter(|key| !key.is_empty())
            .find_map(|key| self.by_source.get(key))
            .unwrap_or(&self.default)
    }
}

/// Why a pipeline could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid routes: {0}")]
    Routes(#[from] RouteError),
    #[error("invalid gazetteer: {0}")]
    Gazetteer(#[from] GazetteerError),
    #[error("invalid near-duplicate settings: {0}")]
    Dedup(String),
}

/// A successfully enriched article and what each stage cost.
#[derive(Debug, Clone)]
pub struct Processed {
    pub article: EnrichedArticle,
    /// Time per stage that ran, in pipeline order.
    pub timings: Vec<(Stage, Duration)>,
    /// The article's fingerprint record, for the other instances (when it has a fingerprint).
    pub record: Option<Record>,
}

/// An article through every stage that runs in parallel (up to the fingerprint), waiting for
/// [`Pipeline::complete`]: the near-duplicate decision and routing, taken in input order.
#[derive(Debug, Clone)]
pub struct Enriched {
    article: EnrichedArticle,
    timings: Vec<(Stage, Duration)>,
    fingerprint: Option<Fingerprint>,
    /// Time spent fingerprinting, counted with the decision as the dedup stage.
    fingerprinting: Duration,
    started: Instant,
}

impl Enriched {
    /// The article so far.
    pub fn article(&self) -> &EnrichedArticle {
        &self.article
    }
}

/// An article that cannot be enriched, ever: it goes to the dead-letter topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("article {id}: {error}")]
pub struct Failure {
    /// The article's id, or a hash of the payload when it did not decode.
    pub id: String,
    pub error: PipelineError,
}

/// What [`Pipeline::warm_up`] enriches (JSON strings cannot hold raw line breaks, hence `concat!`).
const WARM_UP_ARTICLE: &[u8] = concat!(
    r#"{"id":"warm-up","title":"Presiden bertemu Perdana Menteri","html":"<html><body><article>"#,
    r#"<p>Presiden Joko Widodo bertemu Kim Jong Un di Seoul, kata juru bicara Kementerian "#,
    r#"Luar Negeri kepada Reuters.</p></article></body></html>"}"#
)
.as_bytes();

/// What an operator may change while the pipeline runs: the routes and the language priors.
/// Built apart from the [`Pipeline`] (whose tables are large and slow to build), so that a
/// service can swap it between two articles: [`Pipeline::process_with`] takes it per article,
/// and the same settings decide the article's language and its topics.
#[derive(Debug)]
pub struct Settings {
    detectors: Detectors,
    router: Router,
}

impl Settings {
    /// Validates the routes and builds one detector per set of language priors.
    pub fn new(routes: Vec<RouteRule>, languages: LanguagePriors) -> Result<Self, RouteError> {
        Ok(Self {
            detectors: Detectors::new(languages),
            router: Router::new(routes)?,
        })
    }

    pub fn router(&self) -> &Router {
        &self.router
    }
}

/// The whole enrichment pipeline. Immutable once built; share it between threads.
#[derive(Debug)]
pub struct Pipeline {
    limits: Limits,
    stages: StageSet,
    cleaner: Cleaner,
    /// Built only when the entity stage runs: `kabar enrich --stages clean` does not pay for
    /// tables it never reads.
    tagger: Option<EntityTagger>,
    /// The near-duplicate detector and its index, when the dedup stage runs.
    detector: Option<Detector>,
    /// The settings it was built with, for [`Pipeline::process`].
    settings: Settings,
}

impl Pipeline {
    pub fn new(config: PipelineConfig) -> Result<Self, BuildError> {
        let problems = config.dedup.problems();
        if !problems.is_empty() {
            return Err(BuildError::Dedup(problems.join("; ")));
        }
        let pipeline = Self {
            limits: config.limits,
            stages: config.stages,
            cleaner: Cleaner::new(),
            tagger: if config.stages.entities {
                Some(EntityTagger::new()?)
            } else {
                None
            },
            detector: config.stages.dedup.then(|| Detector::new(config.dedup)),
            settings: Settings::new(config.routes, config.languages)?,
        };
        pipeline.warm_up();
        Ok(pipeline)
    }

    /// Runs one small article through every stage that runs, so that the tables those stages
    /// build on first use (word lists, n-gram and entity tables: about 15 ms) are built before
    /// the service says it is ready, not while the first articles wait.
    fn warm_up(&self) {
        // The result is thrown away: a warm-up that fails only means a slower first article.
        // Not decided: the warm-up article stays out of the near-duplicate index.
        if let Ok(enriched) = self.enrich(WARM_UP_ARTICLE) {
            let _ = self.settings.router.route(&enriched.article);
        }
    }

    /// The router of the settings the pipeline was built with.
    pub fn router(&self) -> &Router {
        &self.settings.router
    }

    /// The near-duplicate detector, when the dedup stage runs.
    pub fn detector(&self) -> Option<&Detector> {
        self.detector.as_ref()
    }

    /// Enriches one payload with the settings the pipeline was built with, deciding near
    /// duplicates in call order (event time: the article's `publishedAt`, else call order).
    pub fn process(&self, payload: &[u8]) -> Result<Processed, Failure> {
        self.process_with(payload, &self.settings)
    }

    /// Enriches one payload with `settings` (routes and language priors) instead of the ones
    /// the pipeline was built with, deciding near duplicates in call order. Callers that enrich
    /// in parallel use [`Pipeline::enrich_with`] and [`Pipeline::complete_with`].
    pub fn process_with(&self, payload: &[u8], settings: &Settings) -> Result<Processed, Failure> {
        let enriched = self.enrich_with(payload, settings)?;
        self.complete_with(enriched, EventTime::InputOrder, settings)
    }

    /// [`Pipeline::enrich_with`] the settings the pipeline was built with.
    pub fn enrich(&self, payload: &[u8]) -> Result<Enriched, Failure> {
        self.enrich_with(payload, &self.settings)
    }

    /// Every stage that runs in parallel: decode, clean, lang (by `settings`), entities, and the
    /// fingerprint.
    pub fn enrich_with(&self, payload: &[u8], settings: &Settings) -> Result<Enriched, Failure> {
        let started = Instant::now();
        let mut timings = Vec::with_capacity(5);
        let input = input::decode(payload, &self.limits).map_err(|error| Failure {
            id: input::payload_id(payload),
            error,
        })?;
        timings.push((Stage::Decode, started.elapsed()));
        let id = input.id.clone();
        let fail = |error| Failure {
            id: id.clone(),
            error,
        };

        let mut article = self.clean(input, &mut timings).map_err(fail)?;
        if self.stages.lang {
            let (title, body) = (&article.title, &article.body);
            let detector = settings
                .detectors
                .for_article(&article.source, &article.url);
            let language = run_stage(Stage::Lang, &mut timings, || detector.detect(title, body))
                .map_err(fail)?;
            article.language = Some(language);
        }
        if let Some(tagger) = &self.tagger {
            let (title, body) = (&article.title, &article.body);
            let context = ArticleContext {
                language: article
                    .language
                    .as_ref()
                    .map_or_else(String::new, |l| l.code.clone()),
                country: site_country(&article.url),
            };
            article.entities = run_stage(Stage::Entities, &mut timings, || {
                tagger.tag_in(title, body, &context)
            })
            .map_err(fail)?;
            bound_entities(&mut article.entities);
        }
        let mut fingerprinting = Duration::ZERO;
        let fingerprint = match &self.detector {
            Some(detector) => {
                let began = Instant::now();
                let body = &article.body;
                let mut scratch = Vec::new();
                let fingerprint =
                    run_stage(Stage::Dedup, &mut scratch, || detector.fingerprint(body))
                        .map_err(fail)?;
                fingerprinting = began.elapsed();
                fingerprint
            }
            None => None,
        };
        Ok(Enriched {
            article,
            timings,
            fingerprint,
            fingerprinting,
            started,
        })
    }

    /// [`Pipeline::complete_with`] the settings the pipeline was built with.
    pub fn complete(&self, enriched: Enriched, event: EventTime) -> Result<Processed, Failure> {
        self.complete_with(enriched, event, &self.settings)
    }

    /// The steps taken in input order: the near-duplicate decision (which adds the article to
    /// the index) at `event`, then routing by `settings` (the ones [`Pipeline::enrich_with`]
    /// used), which may depend on the decision.
    pub fn complete_with(
        &self,
        enriched: Enriched,
        event: EventTime,
        settings: &Settings,
    ) -> Result<Processed, Failure> {
        let Enriched {
            mut article,
            mut timings,
            fingerprint,
            fingerprinting,
            started,
        } = enriched;
        let id = article.id.clone();
        let fail = |error| Failure {
            id: id.clone(),
            error,
        };
        let mut record = None;
        if let Some(detector) = &self.detector {
            let began = Instant::now();
            let (id, published_at) = (&article.id, &article.published_at);
            let mut scratch = Vec::new();
            let (verdict, decided) = run_stage(Stage::Dedup, &mut scratch, || {
                detector.decide(id, published_at, event, fingerprint.as_ref())
            })
            .map_err(fail)?;
            article.duplicate = verdict.duplicate;
            article.story = Some(Story { id: verdict.story });
            record = decided;
            timings.push((Stage::Dedup, fingerprinting + began.elapsed()));
        }
        if self.stages.route {
            let snapshot = &article;
            article.routes = run_stage(Stage::Route, &mut timings, || {
                settings.router.route(snapshot)
            })
            .map_err(fail)?;
        }
        article.pipeline = Some(PipelineInfo {
            version: crate::VERSION.to_owned(),
            stages: self.stages.names(),
            processing_micros: u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX),
        });
        Ok(Processed {
            article,
            timings,
            record,
        })
    }

    fn clean(
        &self,
        input: InputArticle,
        timings: &mut Vec<(Stage, Duration)>,
    ) -> Result<EnrichedArticle, PipelineError> {
        let mut article = EnrichedArticle {
            id: input.id,
            source: input.source.clone(),
            url: input.url,
            title: input.title,
            published_at: metadata::input_published_at(&input.published_at),
            ..EnrichedArticle::default()
        };
        let has_html = !input.html.trim().is_empty();
        if !self.stages.clean {
            article.body = if has_html {
                crate::clean::html::extract(&input.html).blocks.join("\n\n")
            } else {
                input.text.trim().to_owned()
            };
            return Ok(article);
        }
        let (html, text, source) = (&input.html, &input.text, &input.source);
        let cleaned = run_stage(Stage::Clean, timings, || {
            if has_html {
                self.cleaner.clean_html_from(source, html)
            } else {
                self.cleaner.clean_text_from(source, text)
            }
        })?;
        metadata::apply_page(&mut article, cleaned.metadata);
        article.body = cleaned.body;
        let mut stats = cleaned.stats;
        // Never empty a real article: if cleaning removed everything, keep the uncleaned text
        // and flag it, so it can be routed for review rather than lost.
        if article.body.is_empty() {
            article.body = if has_html {
                crate::clean::html::visible_text(&input.html)
            } else {
                input.text.trim().to_owned()
            };
            stats.fallback = !article.body.is_empty();
        }
        article.boilerplate = Some(stats);
        Ok(article)
    }
}

/// At most this many entities per article, and mentions per entity: bounds the size of the
/// output of pathological input (a text repeating one name a hundred thousand times).
pub const MAX_ENTITIES: usize = 1000;
pub const MAX_MENTIONS_PER_ENTITY: usize = 1000;

fn bound_entities(entities: &mut Vec<crate::article::Entity>) {
    entities.truncate(MAX_ENTITIES);
    for entity in entities {
        entity.mentions.truncate(MAX_MENTIONS_PER_ENTITY);
    }
}

/// The country of a site's country-code top-level domain ("www.kompas.co.id" is Indonesian),
/// None for generic domains and for country codes that sites use for their letters (".io",
/// ".tv", ".me").
fn site_country(url: &str) -> Option<[u8; 2]> {
    const GENERIC: &[&str] = &[
        "ai", "cc", "co", "fm", "gg", "io", "la", "ly", "me", "nu", "so", "sh", "to", "tv", "vc",
        "ws",
    ];
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#', ':'])
        .next()?;
    let tld = host.rsplit('.').next()?.to_ascii_lowercase();
    match tld.as_bytes() {
        [a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() && !GENERIC.contains(&&*tld) => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

/// Runs one stage, timing it and turning a panic into a stage error instead of a crash.
fn run_stage<T>(
    stage: Stage,
    timings: &mut Vec<(Stage, Duration)>,
    work: impl FnOnce() -> T,
) -> Result<T, PipelineError> {
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        PipelineError::StageFailed { stage, detail }
    });
    timings.push((stage, started.elapsed()));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline() -> Pipeline {
        let routes = vec![RouteRule {
            topic: "out.{language}".to_owned(),
            when: crate::route::Condition::default(),
            encoding: crate::route::Encoding::Json,
        }];
        Pipeline::new(PipelineConfig::new(routes)).expect("pipeline")
    }

    #[test]
    fn the_warm_up_article_goes_through_every_stage() {
        let processed = pipeline()
            .process(WARM_UP_ARTICLE)
            .expect("warm-up article");
        let article = processed.article;
        assert!(article.body.contains("Kim Jong Un"));
        assert_eq!(article.language.map(|l| l.code).as_deref(), Some("ind"));
        assert!(article.entities.iter().any(|e| e.name == "Kim Jong Un"));
    }

    #[test]
    fn a_source_s_language_options_apply_to_its_articles_only() {
        let routes = vec![RouteRule {
            topic: "out".to_owned(),
            when: crate::route::Condition::default(),
            encoding: crate::route::Encoding::Json,
        }];
        let mut config = PipelineConfig::new(routes);
        let malay_only = DetectorOptions {
            expected: vec!["zsm".to_owned()],
            allowed: vec!["zsm".to_owned(), "eng".to_owned()],
            ..DetectorOptions::default()
        };
        config
            .languages
            .by_source
            .insert("Bernama.com".to_owned(), malay_only);
        assert!(config.languages.unknown_codes().is_empty());
        let pipeline = Pipeline::new(config).expect("pipeline");
        let text = "Presiden Indonesia bertemu para menteri di Jakarta pada hari Senin untuk \
                    membahas anggaran negara tahun depan dan rencana pembangunan jalan tol.";
        let language = |extra: &str| {
            let payload = format!(r#"{{"text":"{text}"{extra}}}"#);
            let processed = pipeline.process(payload.as_bytes()).expect("processed");
            processed.article.language.expect("detected").code
        };
        assert_eq!(language(""), "ind");
        assert_eq!(language(r#","source":"bernama.com""#), "zsm");
        assert_eq!(
            language(r#","url":"https://www.bernama.com/en/news.php?id=1""#),
            "zsm"
        );
        assert_eq!(
            language(r#","url":"https://example.org/bernama.com""#),
            "ind"
        );
    }

    #[test]
    fn only_the_stages_that_run_are_built() {
        let mut config = PipelineConfig::new(vec![RouteRule {
            topic: "out".to_owned(),
            when: crate::route::Condition::default(),
            encoding: crate::route::Encoding::Json,
        }]);
        config.stages = "clean".parse().expect("valid");
        let pipeline = Pipeline::new(config).expect("pipeline");
        assert!(pipeline.tagger.is_none());
        let processed = pipeline.process(WARM_UP_ARTICLE).expect("cleaned");
        assert!(processed.article.body.contains("Kim Jong Un"));
        assert!(processed.article.language.is_none() && processed.article.entities.is_empty());
    }

    #[test]
    fn unknown_language_codes_are_reported() {
        let mut priors = LanguagePriors::default();
        priors.default.allowed = vec!["ind".to_owned(), "klingon".to_owned()];
        assert_eq!(priors.unknown_codes(), ["klingon"]);
    }

    #[test]
    fn stage_lists_parse() {
        let set: StageSet = "lang".parse().expect("valid");
        assert!(set.lang && !set.clean && !set.entities && !set.route);
        assert!("lang,bogus".parse::<StageSet>().is_err());
        assert!("".parse::<StageSet>().is_err());
    }

    #[test]
    fn html_metadata_fills_missing_fields() {
        let pipeline = pipeline();
        let payload = serde_json::json!({
            "html": "<html lang=en><head><title>Storm hits coast</title><link rel=canonical href=https://n.example/storm></head><body><article><p>A powerful storm hit the coast of Java on Monday, officials in Jakarta said, cutting power to thousands of homes.</p></article></body></html>"
        });
        let processed = pipeline
            .process(payload.to_string().as_bytes())
            .expect("processed");
        let article = processed.article;
        assert_eq!(article.title, "Storm hits coast");
        assert_eq!(article.url, "https://n.example/storm");
        assert!(article.body.starts_with("A powerful storm"));
        assert_eq!(
            article.language.as_ref().map(|l| l.code.as_str()),
            Some("eng")
        );
        assert_eq!(article.routes, ["out.eng"]);
    }

    #[test]
    fn sites_have_the_country_of_their_domain() {
        assert_eq!(
            site_country("https://www.kompas.co.id/read/1"),
            Some(*b"ID")
        );
        assert_eq!(site_country("http://bernama.com.my:8080/x"), Some(*b"MY"));
        assert_eq!(site_country("https://example.com/a.id"), None);
        assert_eq!(site_country("https://news.example.io/"), None);
        assert_eq!(site_country(""), None);
    }

    #[test]
    fn failures_carry_an_id() {
        let pipeline = pipeline();
        let failure = pipeline.process(b"{not json").expect_err("poison");
        assert_eq!(failure.error.code(), "invalid_json");
        assert_eq!(failure.id.len(), 32);
    }
}
