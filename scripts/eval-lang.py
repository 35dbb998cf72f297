#!/usr/bin/env python3
"""Measures kabar's language identification on labelled text.

    scripts/eval-lang.py [--data FILE.jsonl(.gz)] [--kabar PATH] [--split heldout|calib|train]

Runs `kabar enrich --stages lang` (JSON lines {"id", "text"} on stdin, one enriched article per
line out, in order) and prints accuracy overall, by length, by language and the top confusions,
plus how often `reliable` is set and how often it is right.

--data: a JSONL file of {"id", "text", "lang"} (ISO 639-3). Without it, the rows of the given
split (default: heldout, which no table was built from) of ../shared/data/langid/ in the
languages kabar supports; the split is the one scripts/train-lang.py uses.
--kabar: the binary (default target/release/kabar). The pipeline crate's stand-in speaks the
same protocol: --kabar target/release/examples/eval_lang.
"""

import argparse
import collections
import gzip
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def train_module():
    spec = importlib.util.spec_from_file_location("train_lang", os.path.join(HERE, "train-lang.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def default_rows(split):
    train = train_module()
    data_dir = os.path.join(REPO, "..", "shared", "data", "langid")
    supported = set(train.WHATLANG) | {"zsm", "sun"}
    rows = train.load(data_dir)
    return [r for r in rows if r["lang"] in supported and train.split_of(r["id"]) == split]


def run_kabar(binary, rows):
    payload = "".join(json.dumps({"id": str(r["id"]), "text": r["text"]}, ensure_ascii=False) + "\n" for r in rows)
    started = time.perf_counter()
    done = subprocess.run(
        [binary, "enrich", "--stages", "lang"],
        input=payload.encode(),
        stdout=subprocess.PIPE,
        check=True,
    )
    elapsed = time.perf_counter() - started
    out = [json.loads(line) for line in done.stdout.decode().splitlines() if line.strip()]
    if len(out) != len(rows):
        sys.exit(f"expected {len(rows)} output lines, got {len(out)}")
    return out, elapsed


def length_bucket(text):
    n = len(text)
    return "<=50" if n <= 50 else "51-200" if n <= 200 else "201-1000" if n <= 1000 else ">1000"


def pct(right, total):
    return f"{right / total:.4f}" if total else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--kabar", default=os.path.join(REPO, "target", "release", "kabar"))
    parser.add_argument("--split", default="heldout", choices=["heldout", "calib", "train"])
    parser.add_argument("--confusions", type=int, default=15)
    args = parser.parse_args()

    rows = read_jsonl(args.data) if args.data else default_rows(args.split)
    source = args.data or f"../shared/data/langid ({args.split} split)"
    out, elapsed = run_kabar(args.kabar, rows)

    total = right = 0
    by_len = collections.defaultdict(lambda: [0, 0])
    by_lang = collections.defaultdict(lambda: [0, 0])
    by_source = collections.defaultdict(lambda: [0, 0])
    confusions = collections.Counter()
    reliable = [0, 0]
    undetermined = 0
    for row, result in zip(rows, out):
        language = result.get("language") or {}
        got = language.get("code", "und")
        ok = got == row["lang"]
        total += 1
        right += ok
        for table, key in (
            (by_len, length_bucket(row["text"])),
            (by_lang, row["lang"]),
            (by_source, str(row["id"]).split("-")[0]),
        ):
            table[key][0] += ok
            table[key][1] += 1
        if not ok:
            confusions[(row["lang"], got)] += 1
        if got == "und":
            undetermined += 1
        if language.get("reliable"):
            reliable[0] += ok
            reliable[1] += 1

    print(f"data: {source}: {total} texts, {len(by_lang)} languages, {elapsed:.2f} s")
    print(f"overall accuracy: {pct(right, total)} ({right}/{total}), und: {undetermined}")
    print(f"reliable: {pct(reliable[1], total)} of texts, accuracy when reliable: {pct(*reliable)} ({reliable[0]}/{reliable[1]})")
    print("by length (chars):")
    for key in ("<=50", "51-200", "201-1000", ">1000"):
        if by_len[key][1]:
            print(f"  {key:>8}: {pct(*by_len[key])} ({by_len[key][0]}/{by_len[key][1]})")
    print("by source:")
    for key, (ok, n) in sorted(by_source.items()):
        print(f"  {key:>8}: {pct(ok, n)} ({ok}/{n})")
    print("by language:")
    for key, (ok, n) in sorted(by_lang.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {key}: {pct(ok, n)} ({ok}/{n})")
    print("top confusions (gold -> got):")
    for (gold, got), n in confusions.most_common(args.confusions):
        print(f"  {gold} -> {got}: {n}")


if __name__ == "__main__":
    main()
