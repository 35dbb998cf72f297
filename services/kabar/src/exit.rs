//! The `kabar` process's exit statuses, after sysexits(3): 0 success, 78 (`EX_CONFIG`) a
//! configuration error, 69 (`EX_UNAVAILABLE`) no broker reachable at start-up within
//! `kafka.startup_timeout_ms`, 70 (`EX_SOFTWARE`) a fatal internal error or a fenced producer,
//! and 128 + the signal's number when a second signal cut a graceful shutdown short.
//!
//! An error says which it is by carrying an [`Exit`] as context; errors without one are 70.

/// Why kabar stops with an error, as an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Exit {
    /// The configuration, the routes or a file they name cannot work (`EX_CONFIG`).
    #[error("configuration error")]
    Config,
    /// No broker answered at start-up in time (`EX_UNAVAILABLE`).
    #[error("Kafka unavailable")]
    Unavailable,
    /// kabar cannot go on: a fatal client error, a producer fenced by a newer instance, a bug
    /// (`EX_SOFTWARE`).
    #[error("fatal error")]
    Fatal,
}

impl Exit {
    pub const fn code(self) -> u8 {
        match self {
            Exit::Config => 78,
            Exit::Unavailable => 69,
            Exit::Fatal => 70,
        }
    }

    /// The exit status for `error`: its [`Exit`] context, else 70.
    pub fn status_of(error: &anyhow::Error) -> u8 {
        error
            .downcast_ref::<Exit>()
            .copied()
            .unwrap_or(Exit::Fatal)
            .code()
    }
}

/// The status of a process whose shutdown a second `signal` cut short: 128 + its number.
pub const fn signal_status(signal: i32) -> i32 {
    128 + signal
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn the_exit_context_decides_the_status_at_any_depth() {
        let error = Err::<(), _>(anyhow::anyhow!("bad key"))
            .context(Exit::Config)
            .context("while starting")
            .expect_err("an error");
        assert_eq!(Exit::status_of(&error), 78);
        assert_eq!(Exit::status_of(&anyhow::anyhow!("boom")), 70);
        let unavailable = anyhow::Error::new(Exit::Unavailable);
        assert_eq!(Exit::status_of(&unavailable), 69);
        assert_eq!(signal_status(15), 143);
    }
}
