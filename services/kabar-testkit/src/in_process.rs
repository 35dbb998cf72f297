//! A service started in the test's own process, on a Tokio runtime of its own: the test's
//! blocking calls (reading topics, HTTP requests) never take the service's threads, and the
//! service stops when the test lets go of it.
//!
//! Everything in one test binary shares the process: kabar's metrics registry is global, so
//! tests that run side by side see each other's counts. Assert on series labelled with the
//! test's own topics, on monotonic lower bounds, or on what reached the test's topics.

use std::future::Future;

use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

/// A service running in this process until dropped.
pub struct InProcess<S> {
    /// What the start function returned (for kabar: its `Service` handle).
    pub service: S,
    shutdown: CancellationToken,
    runtime: Option<Runtime>,
}

impl<S: Send + 'static> InProcess<S> {
    /// Runs `start` (given the shutdown token) on a new two-thread runtime and waits for what
    /// it returns. Panics when `start` panics.
    pub fn start<F, Fut>(start: F) -> Self
    where
        F: FnOnce(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = S> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("in-process")
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let shutdown = CancellationToken::new();
        let (started, service) = std::sync::mpsc::channel();
        let token = shutdown.clone();
        runtime.spawn(async move {
            let _ = started.send(start(token).await);
        });
        let service = service.recv().expect("the service panicked while starting");
        Self {
            service,
            shutdown,
            runtime: Some(runtime),
        }
    }
}

impl<S> InProcess<S> {
    /// Asks the service to stop (its shutdown token), as SIGTERM does for a process.
    pub fn stop(&self) {
        self.shutdown.cancel();
    }
}

impl<S> Drop for InProcess<S> {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(runtime) = self.runtime.take() {
            // Works inside the test's own async runtime, where a blocking shutdown may not.
            runtime.shutdown_background();
        }
    }
}
