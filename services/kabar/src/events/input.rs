//! File mode's progress through its input (a file or a folder).

use std::path::Path;

use super::internal_event::InternalEvent;
use super::internal_event::targets::FILES;
use crate::metrics::METRICS;

/// The input is listed: how many files and bytes it holds.
pub struct InputMeasured<'a> {
    pub path: &'a Path,
    pub files: u64,
    pub bytes: u64,
}

impl InternalEvent for InputMeasured<'_> {
    fn emit(self) {
        let (files, bytes) = (self.files, self.bytes);
        tracing::info!(target: FILES, path = %self.path.display(), files, bytes, "reading input");
        METRICS.input_files.set(gauge(files));
        METRICS.input_bytes.set(gauge(bytes));
    }
}

/// An article of the input is done (written, or dead-lettered): the input is this far.
pub struct InputProgressed {
    pub files_done: u64,
    pub bytes_done: u64,
}

impl InternalEvent for InputProgressed {
    fn emit(self) {
        METRICS.input_files_done.set(gauge(self.files_done));
        METRICS.input_bytes_done.set(gauge(self.bytes_done));
    }
}

fn gauge(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
