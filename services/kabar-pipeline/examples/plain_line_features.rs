//! The whole-page plain-text line features, for `scripts/clean/train-plain-lines.py`: the
//! trainer reads every line's vector from this program, so the model it writes sees exactly
//! what `kabar_pipeline::clean::plain` computes when it cleans.
//!
//! ```text
//! plain_line_features [--names] < pages.jsonl > features.jsonl
//! ```
//!
//! Input: one JSON object per line with `lines` (`[[text, label], ...]`, as
//! `scripts/clean/build-plaintext-dev.py` writes them) or `text` (split at newlines).
//! Output: one JSON line per input line, `{"id", "features": [vector or null per line]}`
//! (null for an empty line). `--names` prints the feature names as one JSON array instead.

use std::io::{self, BufRead, BufWriter, Write};

use kabar_pipeline::clean::plain;
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if std::env::args().skip(1).any(|arg| arg == "--names") {
        writeln!(out, "{}", serde_json::to_string(&plain::feature_names())?)?;
        return Ok(());
    }
    for line in io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Value = serde_json::from_str(&line)?;
        let text_lines: Vec<String> = match (&row["lines"], &row["text"]) {
            (Value::Array(lines), _) => lines
                .iter()
                .map(|pair| pair[0].as_str().unwrap_or_default().to_owned())
                .collect(),
            (_, Value::String(text)) => text.lines().map(str::to_owned).collect(),
            _ => return Err("a row needs `lines` or `text`".into()),
        };
        let borrowed: Vec<&str> = text_lines.iter().map(String::as_str).collect();
        let features = plain::features(&borrowed);
        writeln!(out, "{}", json!({"id": row["id"], "features": features}))?;
    }
    out.flush()?;
    Ok(())
}
