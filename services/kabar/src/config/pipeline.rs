//! `[pipeline]`: limits, workers, routes and language priors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use kabar_pipeline::LanguagePriors;
use kabar_pipeline::lang::DetectorOptions;
use kabar_pipeline::route::{Condition, Encoding, RouteRule};
use serde::{Deserialize, Serialize};

use super::list::string_list;

/// How articles are processed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineSettings {
    /// Largest accepted input, in bytes; larger payloads are dead-lettered.
    pub max_payload_bytes: usize,
    /// Articles being processed or produced at once; the consumer pauses beyond it.
    pub max_in_flight: usize,
    /// Threads doing CPU work; 0 means one per core.
    pub workers: usize,
    /// TOML file of routes (`[[route]]` tables); kabar's defaults when absent.
    pub routes_file: Option<PathBuf>,
    /// Languages most articles are in (ISO 639-3): they win close calls, such as Indonesian
    /// against Malay. Empty: no preference.
    #[serde(deserialize_with = "string_list")]
    pub expected_languages: Vec<String>,
    /// The only languages kabar may answer (others become the closest allowed one, or `und`).
    /// Empty: every language kabar knows.
    #[serde(deserialize_with = "string_list")]
    pub allowed_languages: Vec<String>,
    /// Per source (an article's `source`, else its URL's host): `expected` and `allowed` for
    /// that source's articles; what a source leaves out comes from the two settings above.
    pub source_languages: BTreeMap<String, SourceLanguages>,
    /// Benchmarking only: forward every input unchanged to `passthrough_topic`, skipping
    /// enrichment, with the same consumer, producer and offset handling. Measures the ceiling
    /// that Kafka and kabar's IO allow on a machine.
    pub passthrough_topic: Option<String>,
}

/// Language priors of one source (see [`PipelineSettings::source_languages`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SourceLanguages {
    #[serde(deserialize_with = "string_list")]
    pub expected: Vec<String>,
    #[serde(deserialize_with = "string_list")]
    pub allowed: Vec<String>,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        Self {
            max_payload_bytes: kabar_pipeline::input::Limits::DEFAULT_MAX_PAYLOAD_BYTES,
            max_in_flight: 256,
            workers: 0,
            routes_file: None,
            expected_languages: Vec::new(),
            allowed_languages: Vec::new(),
            source_languages: BTreeMap::new(),
            passthrough_topic: None,
        }
    }
}

/// The routes file: `[[route]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    route: Vec<RouteRule>,
}

/// kabar's default routes: everything to the enriched stream, and one stream per language.
pub fn default_routes() -> Vec<RouteRule> {
    ["news.enriched.v1", "news.lang.{language}.v1"]
        .into_iter()
        .map(|topic| RouteRule {
            topic: topic.to_owned(),
            when: Condition::default(),
            encoding: Encoding::Json,
        })
        .collect()
}

impl PipelineSettings {
    /// The language priors for the pipeline: the defaults, and each source's own settings with
    /// what it leaves out taken from the defaults.
    pub fn language_priors(&self) -> LanguagePriors {
        let settings = self;
        let default = DetectorOptions {
            expected: settings.expected_languages.clone(),
            allowed: settings.allowed_languages.clone(),
            ..DetectorOptions::default()
        };
        let by_source = settings
            .source_languages
            .iter()
            .map(|(source, own)| {
                let pick = |own: &Vec<String>, default: &Vec<String>| {
                    if own.is_empty() {
                        default.clone()
                    } else {
                        own.clone()
                    }
                };
                let options = DetectorOptions {
                    expected: pick(&own.expected, &default.expected),
                    allowed: pick(&own.allowed, &default.allowed),
                    ..DetectorOptions::default()
                };
                (source.clone(), options)
            })
            .collect();
        LanguagePriors { default, by_source }
    }

    /// The routes: from the routes file, or kabar's defaults.
    pub fn routes(&self) -> anyhow::Result<Vec<RouteRule>> {
        let Some(path) = &self.routes_file else {
            return Ok(default_routes());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read routes file {}", path.display()))?;
        let file: RoutesFile = toml::from_str(&text)
            .with_context(|| format!("invalid routes file {}", path.display()))?;
        Ok(file.route)
    }

    /// Worker threads for CPU work.
    pub fn worker_threads(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism().map_or(2, usize::from)
        }
    }
}
