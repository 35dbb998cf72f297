//! Where things are in the repository.

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The sample articles of `deploy/samples/` (the README's first command reads them).
pub fn samples() -> PathBuf {
    repo_root().join("deploy/samples")
}

/// The pipeline's test fixtures.
pub fn pipeline_fixtures() -> PathBuf {
    repo_root().join("services/kabar-pipeline/tests/fixtures")
}

/// Every sample article as `(name, payload)`: one per file, one per line of a `.jsonl` file
/// (named `<file stem>-<line index>`), in file-name order.
pub fn sample_payloads() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(samples())
        .expect("deploy/samples")
        .map(|entry| entry.expect("a sample").path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(&path).expect("a readable sample");
        if path.extension().is_some_and(|e| e == "jsonl") {
            for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
                if !line.is_empty() {
                    out.push((format!("{stem}-{index}"), line.to_vec()));
                }
            }
        } else {
            out.push((stem, bytes));
        }
    }
    out
}
