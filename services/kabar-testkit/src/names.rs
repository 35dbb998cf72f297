//! Names and ports no other test uses.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// A name no other test (or earlier run on the same broker) uses: `<prefix>-<pid>-<n>-<nanos>`.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// A free TCP port on loopback (free when asked; bind port 0 where the program allows it).
///
/// Taken below Linux's ephemeral range (32768 and up), never from `bind(0)`: ephemeral ports are
/// also the local ports of outgoing connections, and the Kafka clients of a test open many, so a
/// port from `bind(0)` could be taken by one of them before the child binds it. Each call of a
/// process gets another port, starting where the process id points, so that test binaries and
/// the threads of one rarely meet.
pub fn free_port() -> u16 {
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = (std::process::id() % 600) * 20;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = u16::try_from(FIRST + (start + n) % COUNT).expect("below 32768");
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
