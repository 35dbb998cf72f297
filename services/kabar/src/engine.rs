//! The bridge between async IO and the CPU-bound pipeline: articles are enriched on a fixed
//! pool of worker threads, never on the async runtime's threads.

use std::sync::Arc;

use anyhow::Context as _;
use kabar_pipeline::input::Limits;
use kabar_pipeline::{Failure, Pipeline, PipelineConfig, Processed, StageSet};
use tokio::sync::oneshot;

use crate::config::Config;
use crate::events::{self, ArticleEnriched};

/// Runs the pipeline on a dedicated thread pool.
pub struct Engine {
    pipeline: Arc<Pipeline>,
    pool: rayon::ThreadPool,
}

impl Engine {
    pub fn new(pipeline: Pipeline, workers: usize) -> anyhow::Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name(|index| format!("kabar-worker-{index}"))
            .build()?;
        Ok(Self {
            pipeline: Arc::new(pipeline),
            pool,
        })
    }

    /// The pipeline `config` describes (with `stages`), on `config`'s worker threads.
    pub fn from_config(config: &Config, stages: StageSet) -> anyhow::Result<Self> {
        let pipeline = Pipeline::new(PipelineConfig {
            limits: Limits {
                max_payload_bytes: config.pipeline.max_payload_bytes,
            },
            routes: config.routes()?,
            stages,
            languages: config.language_priors(),
        })
        .context("cannot build the pipeline")?;
        Self::new(pipeline, config.worker_threads())
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Enriches one payload off the async runtime, reporting each enriched article.
    pub async fn enrich(&self, payload: Arc<[u8]>) -> Result<Processed, Failure> {
        let (sender, receiver) = oneshot::channel();
        let pipeline = Arc::clone(&self.pipeline);
        self.pool.spawn(move || {
            let _ = sender.send(pipeline.process(&payload));
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
        if let Ok(processed) = &result {
            events::emit(ArticleEnriched { processed });
        }
        result
    }

    /// Enriches on the calling thread (for batch commands that manage their own threads).
    pub fn enrich_blocking(&self, payload: &[u8]) -> Result<Processed, Failure> {
        let result = self.pipeline.process(payload);
        if let Ok(processed) = &result {
            events::emit(ArticleEnriched { processed });
        }
        result
    }

    pub fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }
}
