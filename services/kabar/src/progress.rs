//! Progress of long runs (`kabar produce`, `replay`, `tail --until-end`, `run --input`) on
//! stderr: a progress bar when stderr is a terminal (count, rate, time left where the total is
//! known), and a log line every few seconds otherwise, so that a run in CI or under systemd says
//! how far it got.
//!
//! Log lines written while a bar is drawn go through [`LogWriter`], which lifts the bar, writes
//! the line and draws the bar again, so the two never share a line.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanCount, HumanDuration, ProgressBar, ProgressStyle};

/// How often a log line reports progress when stderr is not a terminal.
pub const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// What the count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Messages,
    Bytes,
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// A bar on stderr, which is a terminal.
    Bar,
    /// A log line every [`LOG_INTERVAL`].
    Log,
    /// Nothing (short runs, or progress that means nothing, such as stdin).
    Hidden,
}

impl Display {
    /// A bar on a terminal, log lines otherwise.
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Display::Bar
        } else {
            Display::Log
        }
    }
}

/// The bar being drawn, if any: [`LogWriter`] lifts it around each log line.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Counts and totals shared with the log thread.
#[derive(Debug, Default)]
struct Counts {
    done: AtomicU64,
    /// 0 while unknown.
    total: AtomicU64,
    note: Mutex<String>,
}

/// The progress of one run. Dropping it (or [`Progress::finish`]) clears the bar or stops the
/// log lines.
pub struct Progress {
    unit: Unit,
    counts: Arc<Counts>,
    bar: Option<ProgressBar>,
    logger: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// Starts reporting `label`'s progress (e.g. `produce`) in `unit`, out of `total` when known.
    pub fn start(label: &'static str, unit: Unit, total: Option<u64>, display: Display) -> Self {
        let counts = Arc::new(Counts::default());
        counts.total.store(total.unwrap_or(0), Ordering::Relaxed);
        let mut progress = Self {
            unit,
            counts,
            bar: None,
            logger: None,
        };
        match display {
            Display::Bar => {
                let bar =
                    ProgressBar::with_draw_target(total, indicatif::ProgressDrawTarget::stderr())
                        .with_prefix(label);
                bar.set_style(style(unit, total.is_some()));
                bar.enable_steady_tick(Duration::from_millis(200));
                *ACTIVE_BAR.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar.clone());
                progress.bar = Some(bar);
            }
            Display::Log => {
                let (stop, stopped) = mpsc::channel();
                let counts = Arc::clone(&progress.counts);
                let spawned = std::thread::Builder::new()
                    .name("kabar-progress".into())
                    .spawn(move || log_every_interval(label, unit, &counts, &stopped));
                // Without the thread the run goes on, only without its progress lines.
                if let Ok(handle) = spawned {
                    progress.logger = Some((stop, handle));
                }
            }
            Display::Hidden => {}
        }
        progress
    }

    /// No progress shown.
    pub fn hidden() -> Self {
        Self::start("", Unit::Messages, None, Display::Hidden)
    }

    /// `delta` more done.
    pub fn inc(&self, delta: u64) {
        self.counts.done.fetch_add(delta, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.inc(delta);
        }
    }

    /// How much is done.
    pub fn done(&self) -> u64 {
        self.counts.done.load(Ordering::Relaxed)
    }

    /// The total, once known or when it changed.
    pub fn set_total(&self, total: u64) {
        let before = self.counts.total.swap(total, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            if before == 0 {
                bar.set_style(style(self.unit, true));
            }
            bar.set_length(total);
        }
    }

    /// A short note shown after the figures, e.g. `3/9 files`.
    pub fn set_note(&self, note: String) {
        if let Some(bar) = &self.bar {
            bar.set_message(note.clone());
        }
        *self
            .counts
            .note
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = note;
    }

    /// Runs `write` (output for the same terminal) with the bar lifted.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Clears the bar, or stops the log lines.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            // One bar is drawn at a time: it was the active one.
            *ACTIVE_BAR.lock().unwrap_or_else(PoisonError::into_inner) = None;
        }
        if let Some((stop, handle)) = self.logger.take() {
            drop(stop);
            let _ = handle.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[allow(clippy::unwrap_used)] // constant templates: a failure is a programming error
fn style(unit: Unit, known_total: bool) -> ProgressStyle {
    let template = match (unit, known_total) {
        (Unit::Messages, true) => {
            "{prefix:.bold} {wide_bar:.cyan/blue} {human_pos}/{human_len} {rate:.green} {eta:.yellow} left {msg}"
        }
        (Unit::Messages, false) => "{spinner} {prefix:.bold} {human_pos} {rate:.green} {msg}",
        (Unit::Bytes, true) => {
            "{prefix:.bold} {wide_bar:.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec:.green} {eta:.yellow} left {msg}"
        }
        (Unit::Bytes, false) => {
            "{spinner} {prefix:.bold} {bytes} {binary_bytes_per_sec:.green} {msg}"
        }
    };
    ProgressStyle::with_template(template)
        .unwrap()
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{}/s", HumanCount(state.per_sec().round() as u64));
            },
        )
        .progress_chars("=> ")
}

/// The log thread: one line per interval until `stopped` (its sender dropped).
fn log_every_interval(
    label: &'static str,
    unit: Unit,
    counts: &Counts,
    stopped: &mpsc::Receiver<()>,
) {
    let started = Instant::now();
    let mut last = (started, 0u64);
    loop {
        match stopped.recv_timeout(LOG_INTERVAL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        let done = counts.done.load(Ordering::Relaxed);
        let total = counts.total.load(Ordering::Relaxed);
        let recent = rate(done - last.1.min(done), now - last.0);
        let average = rate(done, now - started);
        let note = counts
            .note
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let line = describe(label, unit, done, total, recent, average, &note);
        tracing::info!(target: "kabar::progress", done, total, rate = recent.round(), "{line}");
        last = (now, done);
    }
}

fn rate(delta: u64, elapsed: Duration) -> f64 {
    if elapsed.is_zero() {
        0.0
    } else {
        delta as f64 / elapsed.as_secs_f64()
    }
}

/// One progress line: `produce: 3,400/10,000 messages (34%), 250/s, about 27s left`.
fn describe(
    label: &str,
    unit: Unit,
    done: u64,
    total: u64,
    rate: f64,
    average_rate: f64,
    note: &str,
) -> String {
    let amount = |n: u64| match unit {
        Unit::Messages => HumanCount(n).to_string(),
        Unit::Bytes => HumanBytes(n).to_string(),
    };
    let unit_name = match unit {
        Unit::Messages => " messages",
        Unit::Bytes => "",
    };
    let per_second = match unit {
        Unit::Messages => format!("{}/s", HumanCount(rate.round() as u64)),
        Unit::Bytes => format!("{}/s", HumanBytes(rate.round() as u64)),
    };
    let mut line = if total > 0 {
        let percent = (done.min(total) as f64 * 100.0 / total as f64).floor();
        format!(
            "{label}: {}/{}{unit_name} ({percent}%), {per_second}",
            amount(done),
            amount(total)
        )
    } else {
        format!("{label}: {}{unit_name}, {per_second}", amount(done))
    };
    if total > done && average_rate > 0.0 {
        let left = Duration::from_secs_f64((total - done) as f64 / average_rate);
        line.push_str(&format!(", about {} left", HumanDuration(left)));
    }
    if !note.is_empty() {
        line.push_str(", ");
        line.push_str(note);
    }
    line
}

/// The log's writer: stderr, with the active progress bar lifted around each line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = ACTIVE_BAR
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let bar = ACTIVE_BAR
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match bar {
            Some(bar) => bar.suspend(|| std::io::stderr().write_all(buf)),
            None => std::io::stderr().write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        *self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::*;

    #[test]
    fn lines_say_count_rate_and_time_left() {
        let line = describe("produce", Unit::Messages, 3400, 10_000, 250.0, 200.0, "");
        assert_eq!(
            line,
            "produce: 3,400/10,000 messages (34%), 250/s, about 33 seconds left"
        );
        let line = describe("tail", Unit::Messages, 12, 0, 3.0, 3.0, "");
        assert_eq!(line, "tail: 12 messages, 3/s");
        let line = describe("input", Unit::Bytes, 1024, 4096, 512.0, 512.0, "1/4 files");
        assert_eq!(
            line,
            "input: 1.00 KiB/4.00 KiB (25%), 512 B/s, about 6 seconds left, 1/4 files"
        );
        let done = describe("replay", Unit::Messages, 10, 10, 0.0, 5.0, "");
        assert_eq!(done, "replay: 10/10 messages (100%), 0/s");
    }

    #[test]
    fn hidden_progress_still_counts() {
        let mut progress = Progress::hidden();
        progress.inc(3);
        progress.set_total(10);
        progress.inc(2);
        assert_eq!(progress.done(), 5);
        progress.finish();
    }

    #[test]
    fn log_progress_stops_when_finished() {
        let mut progress = Progress::start("test", Unit::Messages, Some(10), Display::Log);
        progress.inc(10);
        progress.finish();
        assert!(progress.logger.is_none());
    }
}
