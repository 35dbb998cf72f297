#!/usr/bin/env python3
"""Evaluates kabar's clean stage on labelled pages and plain texts.

Runs `kabar enrich --stages clean` (JSON lines in, one enriched article per line out, in input
order) and prints:

* AEB pages (Scrapinghub article-extraction-benchmark): word-shingle precision, recall and F1,
  exactly as the benchmark's evaluate.py computes them (4-word shingles of `\\w+` tokens,
  per-page normalised TP/FP/FN, precision and recall averaged over pages, F1 of the averages);
* trafilatura pages: snippet precision/recall/F1 (a "with" snippet found is a true positive,
  a "without" snippet found a false positive), as trafilatura's own comparison does;
* plain text: line-level precision/recall/F1 of story lines kept (micro-averaged over lines),
  on the generated cases of plaintext_cases.py, dev and held-out parts apart;
* whole pages as text (`--only pages`): the same line figures on the rendered pages of
  build-plaintext-dev.py (`--pages DIR`), per set and renderer and per set over its three
  renderers. `--tuned-on SET` names the set the plain-text cleaner was developed on, marks
  each figure as tuned on or held out, and prints per-line errors (`--show-errors N`) only for
  the tuned-on set, so the held-out set stays unlooked-at.

Data: ../shared/data/boilerplate-dev (or --data). Some of its pages are over kabar's default
payload limit of 1 MiB:
  cargo build --release -p kabar
  KABAR_PIPELINE_MAX_PAYLOAD_BYTES=4194304 python3 scripts/clean/eval-clean.py
"""

import argparse
import collections
import gzip
import json
import os
import re
import sys
from pathlib import Path

import plaintext_cases

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def shingles(text, n=4):
    tokens = TOKEN_RE.findall(text or "")
    grams = [tuple(tokens[i:i + n]) for i in range(0, max(1, len(tokens) - n + 1))]
    return collections.Counter(g for g in grams if g)


def shingle_tp_fp_fn(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s > 0 else (tp, fp, fn)


def aeb_metrics(rows):
    def prec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def rec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = [prec(*r) for r in rows if r[0] + r[1] > 0]
    r = [rec(*x) for x in rows if x[0] + x[2] > 0]
    mp, mr = sum(p) / len(p), sum(r) / len(r)
    return mp, mr, 2 * mp * mr / (mp + mr)


def read_gz(path):
    with gzip.open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def eval_aeb(cmd, data, show_worst):
    truth = json.loads(read_gz(data / "aeb" / "ground-truth.json.gz"))
    ids = sorted(truth)
    records = [{"id": i, "html": read_gz(data / "aeb" / "html" / f"{i}.html.gz")} for i in ids]
    out, elapsed = kabar_scripts.run_jsonl(cmd, records)
    rows, per_page = [], []
    for doc_id, article in zip(ids, out):
        row = shingle_tp_fp_fn(truth[doc_id].get("articleBody", ""), article.get("body", ""))
        rows.append(row)
        per_page.append((row[0] / max(1e-9, row[0] + 0.5 * (row[1] + row[2])), doc_id, row))
    p, r, f1 = aeb_metrics(rows)
    print(f"AEB pages ({len(ids)}): precision={p:.4f} recall={r:.4f} F1={f1:.4f} "
          f"[{len(ids) / elapsed:.0f} pages/s end to end incl. process start and JSON]")
    for f, doc_id, row in sorted(per_page)[:show_worst]:
        print(f"  worst {doc_id}: F1={f:.3f} tp={row[0]:.2f} fp={row[1]:.2f} fn={row[2]:.2f}")


def eval_trafilatura(cmd, data):
    evaldata = json.loads(read_gz(data / "trafilatura" / "evaldata.json.gz"))
    records, keys = [], []
    for url, item in sorted(evaldata.items()):
        path = data / "trafilatura" / "pages" / (item["file"] + ".gz")
        if not path.exists():
            continue
        records.append({"id": url, "html": read_gz(path)})
        keys.append(url)
    out, _ = kabar_scripts.run_jsonl(cmd, records)
    tp = fp = fn = tn = 0
    for url, article in zip(keys, out):
        body = " ".join(article.get("body", "").split())
        for snippet in evaldata[url].get("with", []):
            if " ".join(snippet.split()) in body:
                tp += 1
            else:
                fn += 1
        for snippet in evaldata[url].get("without", []):
            if " ".join(snippet.split()) in body:
                fp += 1
            else:
                tn += 1
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    print(f"trafilatura pages ({len(keys)}): precision={p:.4f} recall={r:.4f} "
          f"F1={2 * p * r / max(1e-9, p + r):.4f} accuracy={(tp + tn) / max(1, tp + tn + fp + fn):.4f}")


def eval_plaintext(cmd, data, show_errors):
    truth = json.loads(read_gz(data / "aeb" / "ground-truth.json.gz"))
    cases = plaintext_cases.build_cases(truth)
    ids = sorted(cases)
    records = [{"id": i, "text": "\n".join(line for line, _ in cases[i][1])} for i in ids]
    out, _ = kabar_scripts.run_jsonl(cmd, records)
    totals = collections.defaultdict(lambda: [0, 0, 0])  # kept story, kept, story
    errors = []
    for doc_id, article in zip(ids, out):
        part, lines = cases[doc_id]
        kept = collections.Counter(p.strip() for p in article.get("body", "").split("\n\n"))
        t = totals[part]
        for line, is_story in lines:
            key = line.strip()
            is_kept = kept.get(key, 0) > 0
            if is_kept:
                kept[key] -= 1
            t[0] += is_kept and is_story
            t[1] += is_kept
            t[2] += is_story
            if part == "dev" and is_kept != is_story:
                errors.append(("FN" if is_story else "FP", key[:100]))
    for part in ("dev", "heldout"):
        ks, k, s = totals[part]
        p, r = ks / max(1, k), ks / max(1, s)
        print(f"plain text {part} ({sum(1 for i in ids if cases[i][0] == part)} texts, {s} story "
              f"lines): line precision={p:.4f} recall={r:.4f} F1={2 * p * r / max(1e-9, p + r):.4f}")
    for kind, line in errors[:show_errors]:
        print(f"  {kind}: {line}")


def line_counts(lines, body):
    """(kept story, kept, story) lines of one text: a line is kept when the body has it as a
    paragraph (each paragraph of the body counts once). Unlabelled lines (None: trafilatura's
    pages label only the lines holding a snippet) are not counted."""
    paragraphs = collections.Counter(p.strip() for p in body.split("\n\n"))
    kept_story = kept = story = 0
    verdicts = []
    for line, is_story in lines:
        key = line.strip()
        is_kept = paragraphs.get(key, 0) > 0
        if is_kept:
            paragraphs[key] -= 1
        if is_story is None:
            verdicts.append(is_kept)
            continue
        kept_story += is_kept and is_story
        kept += is_kept
        story += is_story
        verdicts.append(is_kept)
    return kept_story, kept, story, verdicts


def prf(kept_story, kept, story):
    p, r = kept_story / max(1, kept), kept_story / max(1, story)
    return p, r, 2 * p * r / max(1e-9, p + r)


def eval_pages(cmd, pages_dir, tuned_on, show_errors):
    """Line figures on whole pages rendered to text, per set and renderer."""
    by_set = collections.defaultdict(lambda: [0, 0, 0])
    paths = sorted(pages_dir.glob("plaintext-*.jsonl"))
    if not paths:
        sys.exit(f"no plaintext-*.jsonl in {pages_dir}: run scripts/clean/build-plaintext-dev.py")
    for path in paths:
        rows = kabar_scripts.read_jsonl(str(path))
        records = [{"id": r["id"], "text": "\n".join(t for t, _ in r["lines"])} for r in rows]
        out, _ = kabar_scripts.run_jsonl(cmd, records)
        totals = [0, 0, 0]
        errors = []
        name = path.stem.replace("plaintext-", "")
        set_name = name.split("-")[0]
        for row, article in zip(rows, out):
            counts = line_counts(row["lines"], article.get("body", ""))
            for i in range(3):
                totals[i] += counts[i]
                by_set[set_name][i] += counts[i]
            for (line, is_story), is_kept in zip(row["lines"], counts[3]):
                if is_story is not None and is_kept != is_story:
                    errors.append(("FN" if is_story else "FP", row["id"][:16], line[:110]))
        p, r, f = prf(*totals)
        mark = "tuned on" if set_name in tuned_on else "held out" if tuned_on else ""
        print(f"pages {name:18} line precision={p:.4f} recall={r:.4f} F1={f:.4f} "
              f"({len(rows)} pages, {totals[2]} story lines) {mark}")
        if set_name in tuned_on:
            for kind, doc_id, line in errors[:show_errors]:
                print(f"    {kind} {doc_id}: {line}")
    for set_name, totals in sorted(by_set.items()):
        p, r, f = prf(*totals)
        mark = "tuned on" if set_name in tuned_on else "held out" if tuned_on else ""
        print(f"pages {set_name:18} line precision={p:.4f} recall={r:.4f} F1={f:.4f} "
              f"(all renderings) {mark}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kabar", default=kabar_scripts.kabar_binary(), help="the kabar binary")
    parser.add_argument("--data", type=Path, default=Path(kabar_scripts.shared_data("boilerplate-dev")))
    parser.add_argument("--only", choices=["aeb", "trafilatura", "plain", "pages"], action="append")
    parser.add_argument("--pages", type=Path, default=Path(kabar_scripts.target_dir()) / "plaintext-dev",
                        help="the whole-page text sets of build-plaintext-dev.py")
    parser.add_argument("--tuned-on", choices=["aeb", "readability", "trafilatura"], nargs="+",
                        help="the set the plain-text cleaner was developed on (errors are shown for it only)")
    parser.add_argument("--show-worst", type=int, default=0)
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args()
    cmd = kabar_scripts.enrich_command("clean", args.kabar)
    only = args.only or ["aeb", "trafilatura", "plain"]
    if "aeb" in only:
        eval_aeb(cmd, args.data, args.show_worst)
    if "trafilatura" in only:
        eval_trafilatura(cmd, args.data)
    if "plain" in only:
        eval_plaintext(cmd, args.data, args.show_errors)
    if "pages" in (args.only or []):
        eval_pages(cmd, args.pages, args.tuned_on or [], args.show_errors)


if __name__ == "__main__":
    main()
