//! Running without Kafka: articles from files or stdin, each routed stream to
//! `<output-dir>/<topic>.jsonl`.
//!
//! Input: a file, a folder (every file in it, sorted), or `-` for stdin. `.jsonl`/`.ndjson`
//! files and stdin hold one article per line; any other file is one article (JSON, HTML or
//! plain text). Dead letters go to `<output-dir>/<dead-letter-topic>.jsonl` with their reason.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
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
use crate::events::{self, DeadLetterSource, DeadLettered, MessageConsumed, OutputProduced};
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
}

/// Reads `input` (a file, a folder, or `-` for stdin) on a blocking thread, one [`Item`] per
/// article, until the end (or forever with `follow`) or until `shutdown`.
pub fn spawn_reader(
    input: PathBuf,
    follow: bool,
    shutdown: CancellationToken,
) -> (
    mpsc::Receiver<Item>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (sender, receiver) = mpsc::channel::<Item>(256);
    let reader =
        tokio::task::spawn_blocking(move || read_inputs(&input, follow, &sender, &shutdown));
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
    let (mut receiver, reader) =
        spawn_reader(options.input.clone(), options.follow, shutdown.clone());

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
    }
    for writer in writers.values_mut() {
        writer.flush()?;
    }
    reader.await.context("input reader failed")??;
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
    input: &Path,
    follow: bool,
    sender: &mpsc::Sender<Item>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    if input.as_os_str() == "-" {
        let stdin = std::io::stdin();
        return read_lines(stdin.lock(), "stdin", follow, sender, shutdown);
    }
    let metadata =
        fs::metadata(input).with_context(|| format!("cannot read input {}", input.display()))?;
    let files = if metadata.is_dir() {
        let mut files: Vec<PathBuf> = fs::read_dir(input)?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_file())
            .collect();
        files.sort();
        files
    } else {
        vec![input.to_path_buf()]
    };
    for path in files {
        let origin = path.display().to_string();
        if is_line_file(&path) {
            let file = File::open(&path).with_context(|| format!("cannot open {origin}"))?;
            let follow = follow && metadata.is_file();
            read_lines(BufReader::new(file), &origin, follow, sender, shutdown)?;
        } else {
            let payload = fs::read(&path).with_context(|| format!("cannot read {origin}"))?;
            if sender.blocking_send(Item { origin, payload }).is_err() {
                return Ok(());
            }
        }
        if shutdown.is_cancelled() {
            break;
        }
    }
    Ok(())
}

/// One item per non-empty line; with `follow`, waits for more after the end.
fn read_lines(
    mut reader: impl BufRead,
    origin: &str,
    follow: bool,
    sender: &mpsc::Sender<Item>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0u64;
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
        let payload = line.trim_ascii().to_vec();
        line.clear();
        if payload.is_empty() {
            continue;
        }
        let item = Item {
            origin: format!("{origin}:{number}"),
            payload,
        };
        if sender.blocking_send(item).is_err() {
            return Ok(());
        }
    }
    Ok(())
}
