//! The bridge between async IO and the CPU-bound pipeline: articles are enriched on a fixed
//! pool of worker threads, never on the async runtime's threads.

use std::sync::Arc;

use kabar_pipeline::{Failure, Pipeline, Processed};
use tokio::sync::oneshot;

use crate::metrics::METRICS;

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

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Enriches one payload off the async runtime, recording stage metrics.
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
            METRICS.record_article(processed);
        }
        result
    }

    /// Enriches on the calling thread (for batch commands that manage their own threads).
    pub fn enrich_blocking(&self, payload: &[u8]) -> Result<Processed, Failure> {
        let result = self.pipeline.process(payload);
        if let Ok(processed) = &result {
            METRICS.record_article(processed);
        }
        result
    }

    pub fn pool(&self) -> &rayon::ThreadPool {
        &self.pool
    }
}
