#!/usr/bin/env python3
"""Cleaning speed of whole processes: pages per CPU-second of `kabar enrich --stages clean`.

Feeds real pages (the article-extraction benchmark's and Mozilla's readability test pages, or
the trafilatura pages) as JSON lines to each given kabar binary, several rounds, alternating the
binaries so that a shared machine's load falls on all of them alike, and reports the median
user+sys CPU time of each (process start, JSON and output included) and the ratio of the first
binary's to each other's. On a shared machine only the ratios mean much.

  cargo build --release -p kabar
  KABAR_PIPELINE_MAX_PAYLOAD_BYTES=4194304 python3 scripts/clean/speed-clean.py OLD_KABAR target/release/kabar
  # whole-page plain text (the renderings of scripts/clean/build-plaintext-dev.py):
  python3 scripts/clean/speed-clean.py OLD_KABAR target/release/kabar --plain target/plaintext-dev

Data: ../shared/data/boilerplate-dev (or $KABAR_SHARED_DIR/data/boilerplate-dev). Some pages are
over kabar's default payload limit: raise it as above.
"""

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402


def pages(data: Path, which: str):
    """(id, html) of the chosen set's pages, in a fixed order."""
    if which in ("aeb", "aeb+readability"):
        for path in sorted((data / "aeb" / "html").glob("*.html.gz")):
            yield "aeb-" + path.name[:12], gzip.open(path).read().decode("utf-8", "replace")
    if which in ("readability", "aeb+readability"):
        for row in kabar_scripts.read_jsonl(str(data / "readability" / "pages.input.jsonl.gz")):
            yield "readability-" + row["id"], row["html"]
    if which == "trafilatura":
        for path in sorted((data / "trafilatura" / "pages").iterdir()):
            raw = gzip.open(path).read() if path.name.endswith(".gz") else path.read_bytes()
            yield "trafilatura-" + path.name, raw.decode("utf-8", "replace")


def cpu_seconds(binary: str, input_path: str) -> float:
    """User+sys CPU seconds of one `kabar enrich --stages clean` run over the input file."""
    with open(input_path, "rb") as stdin:
        process = subprocess.Popen(
            kabar_scripts.enrich_command("clean", binary),
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} failed with status {status}")
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binaries", nargs="+", help="kabar binaries; the first is the baseline")
    parser.add_argument("--data", type=Path, default=Path(kabar_scripts.shared_data("boilerplate-dev")))
    parser.add_argument("--set", default="aeb+readability", choices=["aeb", "readability", "aeb+readability", "trafilatura"])
    parser.add_argument("--plain", type=Path, metavar="DIR",
                        help="feed whole-page plain text instead: every rendering in DIR "
                             "(build-plaintext-dev.py's plaintext-*.jsonl) of the --set's pages")
    parser.add_argument("--copies", type=int, default=4, help="times each page is fed per run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.plain:
        field, rows = "text", []
        for name in args.set.split("+"):
            for path in sorted(args.plain.glob(f"plaintext-{name}-*.jsonl")):
                rows += [(f"{path.stem}-{row['id']}", "\n".join(line for line, _ in row["lines"]))
                         for row in kabar_scripts.read_jsonl(str(path))]
    else:
        field, rows = "html", list(pages(args.data, args.set))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as out:
        for copy in range(args.copies):
            for page_id, content in rows:
                out.write(json.dumps({"id": f"{page_id}-{copy}", field: content}, ensure_ascii=False) + "\n")
    count = len(rows) * args.copies
    try:
        times = {binary: [] for binary in args.binaries}
        for _ in range(args.rounds):
            for binary in args.binaries:
                times[binary].append(cpu_seconds(binary, out.name))
    finally:
        os.unlink(out.name)
    kind = "plain-text renderings" if args.plain else "pages"
    print(f"{args.set}: {len(rows)} {kind} x {args.copies}, median of {args.rounds} alternating runs")
    base = statistics.median(times[args.binaries[0]])
    for binary in args.binaries:
        median = statistics.median(times[binary])
        runs = " ".join(f"{t:.2f}" for t in times[binary])
        print(f"  {binary}: {median:.2f} CPU-s ({runs}), {count / median:.0f} pages per CPU-second, {base / median:.2f}x")


if __name__ == "__main__":
    main()
