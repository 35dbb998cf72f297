//! Running without Kafka: articles from files or stdin, each routed stream to
//! `<output-dir>/<topic>.jsonl`.
//!
//! Input: a file, a folder (every file and named pipe in it, sorted), or `-` for stdin. `.jsonl`/`.ndjson`
//! files and stdin hold one article per line; any other file is one article (JSON, HTML or
//! plain text). Dead letters go to `<output-dir>/<dead-letter-topic>.jsonl` with their reason.
//! Progress through a file or folder is in the `kabar_input_*` metrics and on stderr.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::dead_letter::DeadLetter;
use crate::engine::Engine;
use crate::events::{
    self, DeadLetterSource, DeadLettered, InputMeasured, InputProgressed, MessageConsumed,
    OutputProduced,
};
use crate::progress::{Display, Progress, Unit};
use crate::status::InputProgress;

/// What file mode reads and where it writes.
#[derive(Debug, Clone)]
pub struct FileModeOptions {
    pub input: PathBuf,
    pub output_dir: PathBuf,
    /// Keep reading stdin or a growing file after its end.
    pub follow: bool,
    pub dead_letter_topic: String,
    /// Counts what is done, and what there is to do when known (`/status`).
    pub progress: Arc<InputProgress>,
}

/// What a run did, for the closing summary.
#[derive(Debug, Default)]
pub struct Summary {
    pub articles: u64,
    pub dead_letters: u64,
    /// Lines written per output file.
    pub outputs: BTreeMap<PathBuf, u64>,
}

/// One unit of input: its bytes and where it came from ("file.jsonl:12").
pub struct Item {
    pub origin: String,
    pub payload: Vec<u8>,
    /// Input bytes this item accounts for (its line with the newline and the blank lines
    /// before it, or its whole file).
    pub input_bytes: u64,
    /// Files of the input finished once this item is done.
    pub files_done: u64,
}

/// What an input holds, listed before reading: its files in reading order with their sizes,
/// or stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPlan {
    Stdin,
    /// One file (which `--follow` may keep reading as it grows).
    File(PathBuf, u64),
    /// A folder's files.
    Folder(Vec<(PathBuf, u64)>),
}

impl InputPlan {
    /// Lists `input`: `-` is stdin; a folder, every file and named pipe in it, sorted by name.
    pub fn of(input: &Path) -> anyhow::Result<Self> {
        if input.as_os_str() == "-" {
            return Ok(InputPlan::Stdin);
        }
        let metadata = fs::metadata(input)
            .with_context(|| format!("cannot read input {}", input.display()))?;
        if !metadata.is_dir() {
            return Ok(InputPlan::File(input.to_path_buf(), metadata.len()));
        }
        let mut files = Vec::new();
        for entry in fs::read_dir(input)
            .with_context(|| format!("cannot read input {}", input.display()))?
            .filter_map(Result::ok)
        {
            let path = entry.path();
            // A named pipe is read like a file: another program can stream into a folder run.
            let Ok(metadata) = fs::metadata(&path) else {
                continue;
            };
            if metadata.is_file() || metadata.file_type().is_fifo() {
                files.push((path, metadata.len()));
            }
        }
        files.sort();
        Ok(InputPlan::Folder(files))
    }

    /// The files in reading order, with their sizes as listed.
    pub fn file_list(&self) -> Vec<(PathBuf, u64)> {
        match self {
            InputPlan::Stdin => Vec::new(),
            InputPlan::File(path, size) => vec![(path.clone(), *size)],
            InputPlan::Folder(files) => files.clone(),
        }
    }

    /// Files to read (0 for stdin).
    pub fn files(&self) -> u64 {
        match self {
            InputPlan::Stdin => 0,
            InputPlan::File(..) => 1,
            InputPlan::Folder(files) => files.len() as u64,
        }
    }

    /// Their bytes, as listed (0 for stdin).
    pub fn bytes(&self) -> u64 {
        self.file_list().iter().map(|(_, size)| size).sum()
    }

    /// Articles in the input: one per non-blank line of `.jsonl` files, one per other file;
    /// `None` for stdin and named pipes. Reads every line file once.
    pub fn count_articles(&self) -> anyhow::Result<Option<u64>> {
        if *self == InputPlan::Stdin {
            return Ok(None);
        }
        let files = self.file_list();
        // A named pipe read here would lose what it carries.
        if files.iter().any(|(path, _)| !path.is_file()) {
            return Ok(None);
        }
        let mut count = 0u64;
        for (path, _) in files {
            if !is_line_file(&path) {
                count += 1;
                continue;
            }
            let file =
                File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            let mut reader = BufReader::new(file);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line)? > 0 {
                if !line.trim_ascii().is_empty() {
                    count += 1;
                }
                line.clear();
            }
        }
        Ok(Some(count))
    }
}

/// Reads `plan`'s input on a blocking thread, one [`Item`] per article, until the end (or
/// forever with `follow`, for stdin or a single file) or until `shutdown`.
pub fn spawn_reader(
    plan: InputPlan,
    follow: bool,
    shutdown: CancellationToken,
) -> (
    mpsc::Receiver<Item>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (sender, receiver) = mpsc::channel::<Item>(256);
    let reader =
        tokio::task::spawn_blocking(move || read_inputs(&plan, follow, &sender, &shutdown));
    (receiver, reader)
}

#[derive(Serialize)]
struct DeadLetterLine<'a> {
    id: &'a str,
    origin: &'a str,
    error: &'a DeadLetter,
    /// The input, as (lossy) text.
    payload: String,
}

/// Reads every input, enriches, writes routed outputs; returns when input ends (or shutdown).
pub async fn run(
    engine: Arc<Engine>,
    options: FileModeOptions,
    shutdown: CancellationToken,
) -> anyhow::Result<Summary> {
    fs::create_dir_all(&options.output_dir).with_context(|| {
        format!(
            "cannot create output directory {}",
            options.output_dir.display()
        )
    })?;
    if !options.follow {
        if let Some(total) = count_items(&options.input) {
            options.progress.total.store(total, Ordering::Relaxed);
        }
    }
    let plan = InputPlan::of(&options.input)?;
    let mut input = InputTracker::start(&options, &plan);
    let (mut receiver, reader) = spawn_reader(plan, options.follow, shutdown.clone());

    let mut writers: BTreeMap<String, BufWriter<File>> = BTreeMap::new();
    let mut summary = Summary::default();
    while let Some(item) = receiver.recv().await {
        options.progress.done.fetch_add(1, Ordering::Relaxed);
        events::emit(MessageConsumed { topic: "file" });
        let payload: Arc<[u8]> = Arc::from(item.payload.as_slice());
        match engine.enrich(payload).await {
            Ok(processed) => {
                summary.articles += 1;
                let line = serde_json::to_string(&processed.article)?;
                for topic in &processed.article.routes {
                    write_line(
                        &options.output_dir,
                        &mut writers,
                        &mut summary,
                        topic,
                        &line,
                    )?;
                }
            }
            Err(failure) => {
                summary.dead_letters += 1;
                let letter = DeadLetter::from_failure(&failure);
                events::emit(DeadLettered {
                    letter: &letter,
                    source: DeadLetterSource::File {
                        origin: &item.origin,
                    },
                });
                let line = serde_json::to_string(&DeadLetterLine {
                    id: &failure.id,
                    origin: &item.origin,
                    error: &letter,
                    payload: String::from_utf8_lossy(&item.payload).into_owned(),
                })?;
                let topic = options.dead_letter_topic.clone();
                write_line(
                    &options.output_dir,
                    &mut writers,
                    &mut summary,
                    &topic,
                    &line,
                )?;
            }
        }
        input.done(&item);
    }
    for writer in writers.values_mut() {
        writer.flush()?;
    }
    reader.await.context("input reader failed")??;
    input.finish(shutdown.is_cancelled());
    Ok(summary)
}

/// How many items `input` holds (one per file, one per non-empty line of line files); `None`
/// for stdin or what cannot be read now (the reader reports that).
fn count_items(input: &Path) -> Option<u64> {
    if input.as_os_str() == "-" {
        return None;
    }
    let files = if fs::metadata(input).ok()?.is_dir() {
        fs::read_dir(input)
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file())
            .collect()
    } else {
        vec![input.to_path_buf()]
    };
    let mut total = 0;
    for path in files {
        total += if is_line_file(&path) {
            let file = File::open(&path).ok()?;
            BufReader::new(file)
                .split(b'\n')
                .filter_map(Result::ok)
                .filter(|line| !line.trim_ascii().is_empty())
                .count() as u64
        } else {
            1
        };
    }
    Some(total)
}

/// Progress through file mode's input: the `kabar_input_*` metrics (the live page and
/// `/status` read them) and, for a folder or a file read once, a bar or log lines on stderr.
struct InputTracker {
    progress: Progress,
    files: u64,
    bytes: u64,
    files_done: u64,
    bytes_done: u64,
}

impl InputTracker {
    fn start(options: &FileModeOptions, plan: &InputPlan) -> Self {
        let (files, bytes) = (plan.files(), plan.bytes());
        let measured = *plan != InputPlan::Stdin && !options.follow;
        if measured {
            events::emit(InputMeasured {
                path: &options.input,
                files,
                bytes,
            });
        }
        let progress = if measured {
            Progress::start("input", Unit::Bytes, Some(bytes), Display::for_stderr())
        } else {
            Progress::hidden()
        };
        Self {
            progress,
            files,
            bytes,
            files_done: 0,
            bytes_done: 0,
        }
    }

    /// An item is written: the input is that much further.
    fn done(&mut self, item: &Item) {
        self.bytes_done += item.input_bytes;
        self.progress.inc(item.input_bytes);
        if item.files_done != self.files_done {
            self.files_done = item.files_done;
            self.progress
                .set_note(format!("{}/{} files", item.files_done, self.files));
        }
        events::emit(InputProgressed {
            files_done: self.files_done,
            bytes_done: self.bytes_done,
        });
    }

    /// The reader finished: every file is done unless the run was stopped.
    fn finish(mut self, stopped: bool) {
        if !stopped && self.files > 0 {
            events::emit(InputProgressed {
                files_done: self.files,
                bytes_done: self.bytes_done.max(self.bytes),
            });
        }
        self.progress.finish();
    }
}

fn write_line(
    dir: &Path,
    writers: &mut BTreeMap<String, BufWriter<File>>,
    summary: &mut Summary,
    topic: &str,
    line: &str,
) -> anyhow::Result<()> {
    let path = dir.join(format!("{topic}.jsonl"));
    if !writers.contains_key(topic) {
        let file = File::options()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        writers.insert(topic.to_owned(), BufWriter::new(file));
    }
    if let Some(writer) = writers.get_mut(topic) {
        writer.write_all(line.as_bytes())?;
        writer.write_all(b"\n")?;
    }
    *summary.outputs.entry(path).or_default() += 1;
    events::emit(OutputProduced { topic });
    Ok(())
}

fn is_line_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// Sends every input item to the channel (runs on a blocking thread).
fn read_inputs(
    plan: &InputPlan,
    follow: bool,
    sender: &mpsc::Sender<Item>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    // Following makes sense for stdin or one growing file, not for a folder.
    let follow = follow && !matches!(plan, InputPlan::Folder(_));
    if *plan == InputPlan::Stdin {
        let stdin = std::io::stdin();
        return read_lines(stdin.lock(), "stdin", 0, follow, sender, shutdown);
    }
    for (index, (path, _)) in plan.file_list().iter().enumerate() {
        let origin = path.display().to_string();
        let files_before = index as u64;
        if is_line_file(path) {
            let file = File::open(path).with_context(|| format!("cannot open {origin}"))?;
            read_lines(
                BufReader::new(file),
                &origin,
                files_before,
                follow,
                sender,
                shutdown,
            )?;
        } else {
            let payload = fs::read(path).with_context(|| format!("cannot read {origin}"))?;
            let item = Item {
                origin,
                input_bytes: payload.len() as u64,
                payload,
                files_done: files_before + 1,
            };
            if sender.blocking_send(item).is_err() {
                return Ok(());
            }
        }
        if shutdown.is_cancelled() {
            break;
        }
    }
    Ok(())
}

/// One item per non-empty line; with `follow`, waits for more after the end. `files_before`:
/// files of the input finished before this one.
fn read_lines(
    mut reader: impl BufRead,
    origin: &str,
    files_before: u64,
    follow: bool,
    sender: &mpsc::Sender<Item>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
    // Bytes of blank lines, counted with the next article.
    let mut pending_bytes = 0u64;
    loop {
        if shutdown.is_cancelled() {
            return Ok(());
        }
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 || !line.ends_with(b"\n") && follow {
            if !follow {
                break;
            }
            // A partial last line stays in the buffer until its newline arrives.
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        number += 1;
        let input_bytes = pending_bytes + line.len() as u64;
        let payload = line.trim_ascii().to_vec();
        line.clear();
        if payload.is_empty() {
            pending_bytes = input_bytes;
            continue;
        }
        pending_bytes = 0;
        let item = Item {
            origin: format!("{origin}:{number}"),
            payload,
            input_bytes,
            files_done: files_before,
        };
        if sender.blocking_send(item).is_err() {
            return Ok(());
        }
    }
    Ok(())
}
