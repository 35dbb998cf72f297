//! Signals for the `kabar` process: SIGTERM or SIGINT starts a graceful shutdown; a second one
//! exits at once with 128 + its number. (SIGHUP reloads the configuration: see
//! [`reload`](crate::reload).)

use tokio_util::sync::CancellationToken;

use crate::events::{self, ShutdownCutShort, SignalReceived};
use crate::exit::signal_status;

/// Cancels `shutdown` on the first SIGTERM or SIGINT; exits the process (128 + the signal's
/// number) on the second. Needs a running Tokio runtime.
pub fn spawn_handler(shutdown: CancellationToken) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        for round in 0..2 {
            let signal = tokio::select! {
                _ = terminate.recv() => SignalKind::terminate(),
                _ = interrupt.recv() => SignalKind::interrupt(),
            };
            let number = signal.as_raw_value();
            if round == 0 {
                events::emit(SignalReceived { signal: number });
                shutdown.cancel();
            } else {
                events::emit(ShutdownCutShort { signal: number });
                std::process::exit(signal_status(number));
            }
        }
    });
    Ok(())
}
