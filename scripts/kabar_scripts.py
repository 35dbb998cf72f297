"""What kabar's Python scripts share: where the repository, the development data and the built
programs are, and how to run a JSON-lines program (`kabar enrich`, a pipeline example) over rows.

A script in a stage folder imports it after putting this folder on its path, once:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import kabar_scripts  # noqa: E402

Environment: KABAR_SHARED_DIR (the development data's `shared/` folder, default `../shared`
beside the repository), CARGO_TARGET_DIR (default `target/`), KABAR_BIN (the kabar binary,
default the release build in the target directory).
"""

import gzip
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shared_data(*parts):
    """A path under the development data, `../shared/data/` beside the repository (or beside
    the folder that holds it, for a git worktree)."""
    shared = os.environ.get("KABAR_SHARED_DIR")
    if not shared:
        beside = [os.path.join(ROOT, "..", "shared"), os.path.join(ROOT, "..", "..", "shared")]
        shared = next((path for path in beside if os.path.isdir(path)), beside[0])
    return os.path.join(shared, "data", *parts)


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")


def kabar_binary():
    """The kabar binary: $KABAR_BIN, else the release build (`cargo build --release -p kabar`)."""
    return os.environ.get("KABAR_BIN") or os.path.join(target_dir(), "release", "kabar")


def enrich_command(stages, binary=None):
    """`kabar enrich --stages STAGES`: JSON lines in, one enriched article a line out, in order."""
    return [binary or kabar_binary(), "enrich", "--stages", stages]


def example_path(name):
    return os.path.join(target_dir(), "release", "examples", name)


def build_example(name, features=()):
    """Builds a kabar-pipeline example in release (cargo does nothing when it is up to date) and
    returns its path."""
    command = ["cargo", "build", "--release", "--quiet", "-p", "kabar-pipeline", "--example", name]
    if features:
        command += ["--features", ",".join(features)]
    subprocess.run(command, cwd=ROOT, check=True)
    return example_path(name)


def read_jsonl(path):
    """The rows of a JSON-lines file, gzip-compressed when its name ends in .gz."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def run_jsonl(command, rows, env=None):
    """Runs a program that reads JSON lines on stdin and writes one JSON line per input line, in
    order; returns its output rows and the seconds it took (process start included). Exits with
    the program's last words when it fails or answers with another number of lines."""
    payload = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    started = time.perf_counter()
    done = subprocess.run(command, input=payload.encode(), capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    out = [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]
    if len(out) != len(rows):
        sys.exit(f"{command[0]}: expected {len(rows)} output lines, got {len(out)}")
    return out, elapsed
