#!/usr/bin/env python3
"""Page metadata accuracy of `kabar enrich --stages clean` on Mozilla's readability test pages.

Gold: ../shared/data/boilerplate-dev/readability/pages.gold.jsonl.gz (`title`, `byline`,
`siteName`, `publishedTime`: what Readability's maintainers expect it to extract; one tool's
reviewed answer, not ground truth). Each page goes in as `{"id", "html"}` with no metadata of
its own, so every field out comes from the page. Per field, over the pages whose gold states it:

* title: output `title` equals the gold after whitespace and case normalisation, or one contains
  the other with at least 60% of its characters (a site name added or left off);
* author: the gold byline names one of the output `authors` (normalised containment);
* site name: output `siteName` (today's output carries it in `source`) equals the gold,
  normalised;
* day: the output `publishedAt` (RFC 3339) and the gold fall on the same calendar day as
  written (the first ten characters).

`authors` and `siteName` are read from the output once the schema carries them; until then
author accuracy is reported as not measurable and the site name is read from `source`.

  cargo build --release -p kabar
  python3 scripts/clean/eval-metadata.py
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def default_data():
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "data" / "boilerplate-dev"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "boilerplate-dev"


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "kabar"))
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    folder = args.data / "readability"
    gold = {}
    with gzip.open(folder / "pages.gold.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            gold[row["id"]] = row
    pages = []
    with gzip.open(folder / "pages.input.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            pages.append({"id": row["id"], "html": row["html"]})
    payload = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages)
    env = dict(os.environ)
    env.setdefault("KABAR_PIPELINE_MAX_PAYLOAD_BYTES", "4194304")
    proc = subprocess.run([args.binary, "enrich", "--stages", "clean"], input=payload.encode(),
                          capture_output=True, check=False, env=env)
    if proc.returncode != 0:
        sys.exit(f"kabar failed: {proc.stderr.decode()[-2000:]}")
    outputs = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    counts = {k: [0, 0] for k in ("title", "author", "site name", "day")}
    has_authors = any("authors" in o for o in outputs)
    misses = []
    for page, out in zip(pages, outputs):
        g = gold[page["id"]]
        checks = {
            "title": (g.get("title"), title_match(g.get("title"), out.get("title", ""))),
            "site name": (g.get("siteName"),
                          norm(g.get("siteName")) == norm(out.get("siteName", out.get("source", "")))),
            "day": (g.get("publishedTime"),
                    (out.get("publishedAt") or "")[:10] == str(g.get("publishedTime"))[:10]),
        }
        if has_authors:
            byline = norm(g.get("byline"))
            checks["author"] = (g.get("byline"),
                                any(norm(a) and norm(a) in byline for a in out.get("authors", [])))
        for field, (value, ok) in checks.items():
            if present(value):
                counts[field][0] += ok
                counts[field][1] += 1
                if not ok:
                    misses.append((field, page["id"], value, out))
    for field, (ok, total) in counts.items():
        if total and (field != "author" or has_authors):
            print(f"{field:10} accuracy={ok / total:.3f} ({ok}/{total} pages that state one)")
        else:
            print(f"{field:10} not measurable yet (the output has no `authors`)")
    if args.show_misses:
        for field, doc_id, value, out in misses:
            got = {"title": out.get("title"), "site name": out.get("siteName", out.get("source")),
                   "day": out.get("publishedAt"), "author": out.get("authors")}[field]
            print(f"  {field} {doc_id}: gold {value!r} got {got!r}")


if __name__ == "__main__":
    main()
