//! Signals for the `kabar` process: SIGTERM or SIGINT starts a graceful shutdown; a second one
//! exits at once.

use tokio_util::sync::CancellationToken;

use crate::events::{self, SignalReceived};

/// Cancels `shutdown` on the first SIGTERM or SIGINT; exits the process (130) on the second.
/// Needs a running Tokio runtime.
pub fn spawn_handler(shutdown: CancellationToken) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        for round in 0..2 {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            events::emit(SignalReceived { first: round == 0 });
            if round == 0 {
                shutdown.cancel();
            } else {
                std::process::exit(130);
            }
        }
    });
    Ok(())
}
