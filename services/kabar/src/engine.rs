//! The bridge between async IO and the CPU-bound pipeline: articles are enriched on a fixed
//! pool of worker threads, never on the async runtime's threads.
//!
//! An article goes through two steps: [`Engine::prepare`] (every stage up to the fingerprint,
//! on the pool, in any order) and [`Engine::complete`] (the near-duplicate decision and the
//! routes, a few microseconds, which callers take in input order).
//!
//! The settings an operator may reload (routes and language priors, [`ActiveSettings`]) are
//! swapped whole between two articles: each article takes the settings in force once, in its
//! first step, and the same settings detect its language and decide its topics.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Instant, SystemTime};

use anyhow::Context as _;
use arc_swap::ArcSwap;
use kabar_pipeline::dedup::EventTime;
use kabar_pipeline::input::Limits;
use kabar_pipeline::route::Encoding;
use kabar_pipeline::{Enriched, Failure, Pipeline, PipelineConfig, Processed, Settings, StageSet};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::events::{self, ArticleEnriched, DuplicateChecked, IndexSize};

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

/// An article through the first step, with the settings it took.
pub struct Prepared {
    enriched: Enriched,
    settings: Arc<ActiveSettings>,
}

/// Runs the pipeline on a dedicated thread pool.
pub struct Engine {
    pipeline: Arc<Pipeline>,
    pool: rayon::ThreadPool,
    settings: ArcSwap<ActiveSettings>,
    /// When the index's size was last reported, in milliseconds since `started`.
    index_reported: AtomicI64,
    started: Instant,
}

/// How often the index's size is reported at most.
const INDEX_REPORT_MS: i64 = 1000;

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
            index_reported: AtomicI64::new(i64::MIN),
            started: Instant::now(),
        })
    }

    /// The pipeline `config` describes (with `stages`, less near-duplicate detection when
    /// `dedup.enabled` is off), on `config`'s worker threads.
    pub fn from_config(config: &Config, mut stages: StageSet) -> anyhow::Result<Self> {
        stages.dedup &= config.dedup.enabled;
        let settings = ActiveSettings::from_config(config)?;
        let pipeline = Pipeline::new(PipelineConfig {
            limits: Limits {
                max_payload_bytes: config.pipeline.max_payload_bytes,
            },
            routes: config.routes()?,
            stages,
            languages: config.language_priors(),
            dedup: config.dedup.detector(),
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

    /// The first step off the async runtime, with the settings in force: every stage up to the
    /// fingerprint.
    pub async fn prepare(&self, payload: Arc<[u8]>) -> Result<Prepared, Failure> {
        let (sender, receiver) = oneshot::channel();
        let pipeline = Arc::clone(&self.pipeline);
        let settings = self.settings();
        self.pool.spawn(move || {
            let prepared = pipeline
                .enrich_with(&payload, &settings.pipeline)
                .map(|enriched| Prepared { enriched, settings });
            let _ = sender.send(prepared);
        });
        match receiver.await {
            Ok(result) => result,
            // The worker died without answering: only a panic outside a stage does that.
            Err(_) => Err(Failure {
                id: kabar_pipeline::input::payload_id(&[]),
                error: kabar_pipeline::PipelineError::StageFailed {
                    stage: kabar_pipeline::Stage::Decode,
                    detail: "worker stopped".to_owned(),
                },
            }),
        }
    }

    /// The first step on the calling thread (for batch commands that manage their own threads).
    pub fn prepare_blocking(&self, payload: &[u8]) -> Result<Prepared, Failure> {
        let settings = self.settings();
        self.pipeline
            .enrich_with(payload, &settings.pipeline)
            .map(|enriched| Prepared { enriched, settings })
    }

    /// The second step, in input order: the near-duplicate decision at `event`, then the routes
    /// and the topics by the settings the first step took. Reports the enriched article.
    pub fn complete(&self, prepared: Prepared, event: EventTime) -> Result<Routed, Failure> {
        let Prepared { enriched, settings } = prepared;
        let result = self
            .pipeline
            .complete_with(enriched, event, &settings.pipeline)
            .map(|processed| Routed {
                destinations: settings.pipeline.router().destinations(&processed.article),
                processed,
            });
        if let Ok(routed) = &result {
            let processed = &routed.processed;
            events::emit(ArticleEnriched { processed });
            if self.pipeline.detector().is_some() {
                events::emit(DuplicateChecked { processed });
            }
        }
        self.report_index();
        result
    }

    /// Both steps, deciding in call order (file mode reads one article at a time).
    pub async fn enrich_routed(&self, payload: Arc<[u8]>) -> Result<Routed, Failure> {
        let prepared = self.prepare(payload).await?;
        self.complete(prepared, EventTime::InputOrder)
    }

    /// Both steps, deciding in call order, without the topics.
    pub async fn enrich(&self, payload: Arc<[u8]>) -> Result<Processed, Failure> {
        self.enrich_routed(payload)
            .await
            .map(|routed| routed.processed)
    }

    /// Both steps on the calling thread, deciding in call order.
    pub fn enrich_blocking(&self, payload: &[u8]) -> Result<Processed, Failure> {
        let prepared = self.prepare_blocking(payload)?;
        self.complete(prepared, EventTime::InputOrder)
            .map(|routed| routed.processed)
    }

    /// Reports the index's size, at most once a second.
    pub fn report_index(&self) {
        let Some(detector) = self.pipeline.detector() else {
            return;
        };
        let now = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let last = self.index_reported.load(Ordering::Relaxed);
        if now.saturating_sub(last) < INDEX_REPORT_MS
            || self
                .index_reported
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        events::emit(IndexSize {
            stats: detector.stats(),
        });
    }

    pub fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }
}
