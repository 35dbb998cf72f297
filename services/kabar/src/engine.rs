//! The bridge between async IO and the CPU-bound pipeline: articles are enriched on a fixed
//! pool of worker threads, never on the async runtime's threads.
//!
//! An article goes through two steps: [`Engine::prepare`] (every stage up to the fingerprint,
//! on the pool, in any order) and [`Engine::complete`] (the near-duplicate decision and the
//! routes, a few microseconds, which callers take in input order).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use kabar_pipeline::dedup::EventTime;
use kabar_pipeline::input::Limits;
use kabar_pipeline::{Enriched, Failure, Pipeline, PipelineConfig, Processed, StageSet};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::events::{self, ArticleEnriched, DuplicateChecked, IndexSize};

/// Runs the pipeline on a dedicated thread pool.
pub struct Engine {
    pipeline: Arc<Pipeline>,
    pool: rayon::ThreadPool,
    /// When the index's size was last reported, in milliseconds since `started`.
    index_reported: AtomicI64,
    started: Instant,
}

/// How often the index's size is reported at most.
const INDEX_REPORT_MS: i64 = 1000;

impl Engine {
    pub fn new(pipeline: Pipeline, workers: usize) -> anyhow::Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|index| format!("kabar-worker-{index}"))
            .build()?;
        Ok(Self {
            pipeline: Arc::new(pipeline),
            pool,
            index_reported: AtomicI64::new(i64::MIN),
            started: Instant::now(),
        })
    }

    /// The pipeline `config` describes (with `stages`, less near-duplicate detection when
    /// `dedup.enabled` is off), on `config`'s worker threads.
    pub fn from_config(config: &Config, mut stages: StageSet) -> anyhow::Result<Self> {
        stages.dedup &= config.dedup.enabled;
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
        Self::new(pipeline, config.worker_threads())
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The first step off the async runtime: every stage up to the fingerprint.
    pub async fn prepare(&self, payload: Arc<[u8]>) -> Result<Enriched, Failure> {
        let (sender, receiver) = oneshot::channel();
        let pipeline = Arc::clone(&self.pipeline);
        self.pool.spawn(move || {
            let _ = sender.send(pipeline.enrich(&payload));
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
    pub fn prepare_blocking(&self, payload: &[u8]) -> Result<Enriched, Failure> {
        self.pipeline.enrich(payload)
    }

    /// The second step, in input order: the near-duplicate decision at `event`, and the routes.
    /// Reports the enriched article.
    pub fn complete(&self, enriched: Enriched, event: EventTime) -> Result<Processed, Failure> {
        let result = self.pipeline.complete(enriched, event);
        if let Ok(processed) = &result {
            events::emit(ArticleEnriched { processed });
            if self.pipeline.detector().is_some() {
                events::emit(DuplicateChecked { processed });
            }
        }
        self.report_index();
        result
    }

    /// Both steps, deciding in call order (file mode reads one article at a time).
    pub async fn enrich(&self, payload: Arc<[u8]>) -> Result<Processed, Failure> {
        let enriched = self.prepare(payload).await?;
        self.complete(enriched, EventTime::InputOrder)
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
