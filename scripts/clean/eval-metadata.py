#!/usr/bin/env python3
"""Page metadata accuracy of `kabar enrich --stages clean` on Mozilla's readability test pages.

Gold: ../shared/data/boilerplate-dev/readability/pages.gold.jsonl.gz (`title`, `byline`,
`siteName`, `publishedTime`: what Readability's maintainers expect it to extract; one tool's
reviewed answer, not ground truth). Each page goes in as `{"id", "html"}` with no metadata of
its own, so every field out comes from the page. Per field, over the pages whose gold states it:

* title: output `title` equals the gold after whitespace and case normalisation, or one contains
  the other with at least 60% of its characters (a site name added or left off);
* author: the gold byline names one of the output `authors` (normalised containment);
* authors all: every output author is named in the gold byline (nothing wrong added), and
  there is at least one;
* site name: output `siteName` equals the gold, normalised;
* day: the output `publishedAt` (RFC 3339) and the gold fall on the same calendar day as
  written (the first ten characters).

It also counts the pages whose gold states no date but the output has one (a date read where
Readability found none: worth a look, as kabar must never guess one).

These pages were used while developing the metadata reader (clean/metadata.rs, clean/dates.rs):
the figures are development figures, not held-out ones.

`--plain DIR` scores plain text instead: the same pages rendered to whole-page text by
`build-plaintext-dev.py` (DIR holds its plaintext-readability-<renderer>.jsonl files), each
rendering sent as `{"id", "text"}`. Only the publication day can come out of plain text (from a
dateline line at its top, `dates::dateline`); the renderings were not looked at while writing
that rule, so these figures are held-out ones.

  cargo build --release -p kabar
  python3 scripts/clean/eval-metadata.py
  python3 scripts/clean/eval-metadata.py --plain target/plaintext-dev
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402


def norm(text):
    return " ".join(re.findall(r"\w+", (text or "").lower()))


def title_match(gold, out):
    g, o = norm(gold), norm(out)
    if not g or not o:
        return False
    if g == o:
        return True
    short, long_ = sorted((g, o), key=len)
    return short in long_ and len(short) >= 0.6 * len(long_)


def present(value):
    return value not in (None, "", "None", "null")


def run_kabar(binary, rows):
    payload = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in rows)
    env = dict(os.environ)
    env.setdefault("KABAR_PIPELINE_MAX_PAYLOAD_BYTES", "4194304")
    proc = subprocess.run([binary, "enrich", "--stages", "clean"], input=payload.encode(),
                          capture_output=True, check=False, env=env)
    if proc.returncode != 0:
        sys.exit(f"kabar failed: {proc.stderr.decode()[-2000:]}")
    return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]


def plain_days(binary, gold, folder, show_misses):
    """Publication-day accuracy on the whole-page text renderings, one renderer at a time."""
    for path in sorted(folder.glob("plaintext-readability-*.jsonl")):
        rows = [json.loads(line) for line in open(path, encoding="utf-8")]
        inputs = [{"id": r["id"], "text": "\n".join(t for t, _ in r["lines"])} for r in rows]
        outputs = run_kabar(binary, inputs)
        right = stated = dated_without_gold = undated = wrong_day = 0
        for row, out in zip(rows, outputs):
            g = gold[row["id"]].get("publishedTime")
            got = out.get("publishedAt") or ""
            if present(g):
                stated += 1
                right += got[:10] == str(g)[:10]
                wrong_day += bool(got) and got[:10] != str(g)[:10]
                if show_misses and got[:10] != str(g)[:10]:
                    print(f"  day {row['id']}: gold {g!r} got {got!r}")
            else:
                undated += 1
                dated_without_gold += bool(got)
        print(f"{path.stem}: day accuracy={right / max(1, stated):.3f} ({right}/{stated} pages "
              f"that state one; {wrong_day} with another day); date out where the gold has "
              f"none: {dated_without_gold}/{undated}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=kabar_scripts.kabar_binary())
    parser.add_argument("--data", type=Path, default=Path(kabar_scripts.shared_data("boilerplate-dev")))
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--plain", type=Path, help="folder of build-plaintext-dev.py's renderings")
    args = parser.parse_args()
    folder = args.data / "readability"
    gold = {}
    with gzip.open(folder / "pages.gold.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            gold[row["id"]] = row
    if args.plain:
        plain_days(args.binary, gold, args.plain, args.show_misses)
        return
    pages = []
    with gzip.open(folder / "pages.input.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            pages.append({"id": row["id"], "html": row["html"]})
    outputs = run_kabar(args.binary, pages)
    counts = {k: [0, 0] for k in ("title", "author", "authors all", "site name", "day")}
    dated_without_gold = undated_gold = 0
    misses = []
    for page, out in zip(pages, outputs):
        g = gold[page["id"]]
        byline = norm(g.get("byline"))
        authors = [norm(a) for a in out.get("authors", [])]
        checks = {
            "title": (g.get("title"), title_match(g.get("title"), out.get("title", ""))),
            "author": (g.get("byline"), any(a and a in byline for a in authors)),
            "authors all": (g.get("byline"), bool(authors) and all(a and a in byline for a in authors)),
            "site name": (g.get("siteName"), norm(g.get("siteName")) == norm(out.get("siteName", ""))),
            "day": (g.get("publishedTime"),
                    (out.get("publishedAt") or "")[:10] == str(g.get("publishedTime"))[:10]),
        }
        if not present(g.get("publishedTime")):
            undated_gold += 1
            dated_without_gold += bool(out.get("publishedAt"))
        for field, (value, ok) in checks.items():
            if present(value):
                counts[field][0] += ok
                counts[field][1] += 1
                if not ok:
                    misses.append((field, page["id"], value, out))
    print(f"readability pages ({len(pages)}; development set, looked at while writing the reader)")
    for field, (ok, total) in counts.items():
        print(f"{field:12} accuracy={ok / max(1, total):.3f} ({ok}/{total} pages that state one)")
    print(f"date out where the gold has none: {dated_without_gold}/{undated_gold} pages")
    if args.show_misses:
        for field, doc_id, value, out in misses:
            got = {"title": out.get("title"), "site name": out.get("siteName"),
                   "day": out.get("publishedAt"), "author": out.get("authors"),
                   "authors all": out.get("authors")}[field]
            print(f"  {field} {doc_id}: gold {value!r} got {got!r}")


if __name__ == "__main__":
    main()
