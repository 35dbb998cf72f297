//! `[pipeline]`: limits, workers, routes and language priors.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use kabar_pipeline::LanguagePriors;
use kabar_pipeline::lang::DetectorOptions;
use kabar_pipeline::route::{Condition, Encoding, RouteRule, Router};
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
    /// Reload the routes file (and the configuration file) when it changes, as on SIGHUP.
    pub watch_routes: bool,
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
            watch_routes: true,
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

/// The routes in force and where they came from.
#[derive(Debug, Clone)]
pub struct LoadedRoutes {
    pub rules: Vec<RouteRule>,
    /// `sha256:<hex>` of the routes file as read (so `sha256sum routes.toml` can be compared),
    /// or of the text `default` for kabar's defaults.
    pub digest: String,
    /// The routes file; `None` for the defaults.
    pub source: Option<PathBuf>,
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// A problem with the routes, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteProblem {
    pub file: PathBuf,
    /// 1-based; `None` when the file as a whole is the problem.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for RouteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl PipelineSettings {
    /// Every problem of the routes file: unreadable, not TOML, not routes, or routes that
    /// cannot work (each with its line). Kabar's default routes have none.
    pub fn route_problems(&self) -> Vec<RouteProblem> {
        let Some(path) = &self.routes_file else {
            return Vec::new();
        };
        let problem = |line: Option<usize>, message: String| RouteProblem {
            file: path.clone(),
            line,
            message,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                return vec![problem(
                    None,
                    format!("cannot read the routes file: {error}"),
                )];
            }
        };
        let document = match toml_edit::ImDocument::parse(text.as_str()) {
            Ok(document) => document,
            Err(error) => {
                let line = error.span().map(|span| line_of(&text, span.start));
                return vec![problem(
                    line,
                    format!("not TOML: {}", error.message().trim()),
                )];
            }
        };
        let file: RoutesFile = match toml::from_str(&text) {
            Ok(file) => file,
            Err(error) => {
                let line = error.span().map(|span| line_of(&text, span.start));
                return vec![problem(line, error.message().trim().to_owned())];
            }
        };
        if file.route.is_empty() {
            return vec![problem(
                None,
                "no routes: every article would be dropped".to_owned(),
            )];
        }
        let tables = document
            .get("route")
            .and_then(toml_edit::Item::as_array_of_tables);
        let mut problems = Vec::new();
        for (index, rule) in file.route.into_iter().enumerate() {
            if let Err(error) = Router::new(vec![rule]) {
                let line = tables
                    .and_then(|tables| tables.get(index))
                    .and_then(|table| {
                        table
                            .key("topic")
                            .and_then(toml_edit::Key::span)
                            .or_else(|| table.span())
                            .map(|span| line_of(&text, span.start))
                    });
                // The router numbers the one rule it was given 0: say which rule of the file.
                let message = error.to_string();
                let message = message.strip_prefix("route 0: ").unwrap_or(&message);
                problems.push(problem(line, format!("route {}: {message}", index + 1)));
            }
        }
        problems
    }

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
        Ok(self.load_routes()?.rules)
    }

    /// The routes with their digest and source.
    pub fn load_routes(&self) -> anyhow::Result<LoadedRoutes> {
        let Some(path) = &self.routes_file else {
            return Ok(LoadedRoutes {
                rules: default_routes(),
                digest: sha256(b"default"),
                source: None,
            });
        };
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read routes file {}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let file: RoutesFile = toml::from_str(&text)
            .with_context(|| format!("invalid routes file {}", path.display()))?;
        Ok(LoadedRoutes {
            rules: file.route,
            digest: sha256(&bytes),
            source: Some(path.clone()),
        })
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
