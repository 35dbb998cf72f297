//! The bridge between async IO and the CPU-bound pipeline: articles are enriched on a fixed
//! pool of worker threads, never on the async runtime's threads.
//!
//! The settings an operator may reload (routes and language priors, [`ActiveSettings`]) are
//! swapped whole between two articles: each article takes the settings in force once, and the
//! same settings detect its language and decide its topics.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Context as _;
use arc_swap::ArcSwap;
use kabar_pipeline::input::Limits;
use kabar_pipeline::route::Encoding;
use kabar_pipeline::{Failure, Pipeline, PipelineConfig, Processed, Settings, StageSet};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::events::{self, ArticleEnriched};

/// Where the routes in force came from.
#[derive(Debug, Clone)]
pub struct RoutesInfo {
    /// Route rules.
    pub count: usize,
    /// `sha256:<hex>` of the routes file as read.
    pub digest: String,
    pub loaded_at: SystemTime,
    /// The routes file; `None` for kabar's defaults.
    pub source: Option<PathBuf>,
    /// Topics the routes name outright (templates excluded).
    pub static_topics: Vec<String>,
}

/// The reloadable settings in force: routes and language priors, built and validated.
#[derive(Debug)]
pub struct ActiveSettings {
    pub pipeline: Settings,
    pub routes: RoutesInfo,
}

impl ActiveSettings {
    /// The routes and language priors `config` describes.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let loaded = config.pipeline.load_routes()?;
        let count = loaded.rules.len();
        let pipeline =
            Settings::new(loaded.rules, config.language_priors()).context("invalid routes")?;
        let static_topics = pipeline.router().static_topics();
        Ok(Self {
            pipeline,
            routes: RoutesInfo {
                count,
                digest: loaded.digest,
                loaded_at: SystemTime::now(),
                source: loaded.source,
                static_topics,
            },
        })
    }
}

/// An enriched article and the topics (with encodings) its settings route it to.
pub struct Routed {
    pub processed: Processed,
    pub destinations: Vec<(String, Encoding)>,
}

/// Runs the pipeline on a dedicated thread pool.
pub struct Engine {
    pipeline: Arc<Pipeline>,
    pool: rayon::ThreadPool,
    settings: ArcSwap<ActiveSettings>,
}

impl Engine {
    pub fn new(
        pipeline: Pipeline,
        settings: ActiveSettings,
        workers: usize,
    ) -> anyhow::Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|index| format!("kabar-worker-{index}"))
            .build()?;
        Ok(Self {
            pipeline: Arc::new(pipeline),
            pool,
            settings: ArcSwap::from_pointee(settings),
        })
    }

    /// The pipeline `config` describes (with `stages`), on `config`'s worker threads.
    pub fn from_config(config: &Config, stages: StageSet) -> anyhow::Result<Self> {
        let settings = ActiveSettings::from_config(config)?;
        let pipeline = Pipeline::new(PipelineConfig {
            limits: Limits {
                max_payload_bytes: config.pipeline.max_payload_bytes,
            },
            routes: config.routes()?,
            stages,
            languages: config.language_priors(),
        })
        .context("cannot build the pipeline")?;
        Self::new(pipeline, settings, config.worker_threads())
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The settings in force now.
    pub fn settings(&self) -> Arc<ActiveSettings> {
        self.settings.load_full()
    }

    /// Puts `settings` in force for every article that starts after this call.
    pub fn swap_settings(&self, settings: ActiveSettings) {
        self.settings.store(Arc::new(settings));
    }

    /// Enriches one payload off the async runtime, reporting each enriched article.
    pub async fn enrich(&self, payload: Arc<[u8]>) -> Result<Processed, Failure> {
        self.enrich_routed(payload)
            .await
            .map(|routed| routed.processed)
    }

    /// Enriches one payload off the async runtime with the settings in force, and routes it by
    /// the same settings.
    pub async fn enrich_routed(&self, payload: Arc<[u8]>) -> Result<Routed, Failure> {
        let (sender, receiver) = oneshot::channel();
        let pipeline = Arc::clone(&self.pipeline);
        let settings = self.settings();
        self.pool.spawn(move || {
            let routed = pipeline
                .process_with(&payload, &settings.pipeline)
                .map(|processed| Routed {
                    destinations: settings.pipeline.router().destinations(&processed.article),
                    processed,
                });
            let _ = sender.send(routed);
        });
        let result = match receiver.await {
            Ok(result) => result,
            // The worker died without answering: only a panic outside a stage does that.
            Err(_) => Err(Failure {
                id: kabar_pipeline::input::payload_id(&[]),
                error: kabar_pipeline::PipelineError::StageFailed {
                    stage: kabar_pipeline::Stage::Decode,
                    detail: "worker stopped".to_owned(),
                },
            }),
        };
        if let Ok(routed) = &result {
            events::emit(ArticleEnriched {
                processed: &routed.processed,
            });
        }
        result
    }

    /// Enriches on the calling thread (for batch commands that manage their own threads), with
    /// the settings in force.
    pub fn enrich_blocking(&self, payload: &[u8]) -> Result<Processed, Failure> {
        let result = self
            .pipeline
            .process_with(payload, &self.settings().pipeline);
        if let Ok(processed) = &result {
            events::emit(ArticleEnriched { processed });
        }
        result
    }

    pub fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }
}
