#!/usr/bin/env python3
"""Evaluates kabar's entity tagger on held-out labelled news, Indonesian and English.

Runs `kabar enrich --stages lang,entities` (JSON lines {"id", "text"} in, one enriched article a
line out) over the documents written by prepare-ner.py that were never trained on
(idner-news-2k dev for Indonesian; held-out tails of wikigold and uner-en for English; GUM's
news genre, whole Wikinews articles, for English news, a set never tuned on either) and
prints precision, recall and F1 per type (PER, ORG, LOC) and overall (micro), both exact-span
and bag-of-mentions per document (multisets of (type, surface) per document).

Usage:
  scripts/entities/eval-entities.py [--cmd "target/release/kabar enrich --stages lang,entities"]
                                    [--ner-dir ../shared/data/ner] [--dev-dir DIR] [--only ind|eng|news]
                                    [--errors N] [--bootstrap N]
In --cmd, "{lang}" is replaced by the language evaluated (ind, eng).
Without --cmd it runs the kabar binary ($KABAR_BIN, else the release build) if present, else the
pipeline example tag_jsonl (built in release here), which has the same contract.
"""

import argparse
import collections
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

from mention_scores import TYPES, count, prf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def default_command():
    kabar = kabar_scripts.kabar_binary()
    if os.path.exists(kabar):
        return kabar_scripts.enrich_command("lang,entities", kabar)
    return [kabar_scripts.build_example("tag_jsonl")]


def run(command, docs):
    return kabar_scripts.run_jsonl(command, [{"id": d["id"], "text": d["text"]} for d in docs])[0]


def evaluate(docs, articles, show_errors, bootstrap=0):
    counts, per_doc, errors = count(docs, articles)
    for kind in ("exact", "bag"):
        c = counts[kind]
        print(f"  {kind:5}  {'P':>6} {'R':>6} {'F1':>6}   (tp/fp/fn)")
        total = collections.Counter()
        for t in TYPES:
            tp, fp, fn = c[(t, "tp")], c[(t, "fp")], c[(t, "fn")]
            total.update({"tp": tp, "fp": fp, "fn": fn})
            p, r, f = prf(tp, fp, fn)
            print(f"  {t:5}  {p:6.3f} {r:6.3f} {f:6.3f}   ({tp}/{fp}/{fn})")
        p, r, f = prf(total["tp"], total["fp"], total["fn"])
        print(f"  {'all':5}  {p:6.3f} {r:6.3f} {f:6.3f}   ({total['tp']}/{total['fp']}/{total['fn']})")
    if bootstrap:
        # Documents resampled with replacement: how much the figure owes to which documents the
        # split happens to hold.
        rng = random.Random(1)
        scores = []
        for _ in range(bootstrap):
            sample = [per_doc[rng.randrange(len(per_doc))] for _ in per_doc]
            tp, fp, fn = (sum(d[i] for d in sample) for i in range(3))
            scores.append(prf(tp, fp, fn)[2])
        scores.sort()
        low, high = scores[int(0.025 * bootstrap)], scores[int(0.975 * bootstrap) - 1]
        print(f"  bag F1 95% interval over documents ({bootstrap} resamples): {low:.3f} to {high:.3f}")
    for error in errors[:show_errors]:
        print("   ", *error)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cmd", help="command reading JSON lines on stdin (default: kabar enrich)")
    parser.add_argument("--ner-dir", default=kabar_scripts.shared_data("ner"))
    parser.add_argument("--dev-dir", help="already prepared dev files (prepare-ner.py output)")
    parser.add_argument("--only", choices=["ind", "eng", "news"], help="evaluate one set")
    parser.add_argument("--errors", type=int, default=0, help="print this many bag-of-mentions errors")
    parser.add_argument("--bootstrap", type=int, default=0, help="resamples for a 95%% interval of bag F1")
    args = parser.parse_args()
    command = shlex.split(args.cmd) if args.cmd else default_command()
    dev_dir = args.dev_dir
    if not dev_dir:
        dev_dir = tempfile.mkdtemp(prefix="kabar-ner-")
        subprocess.run([sys.executable, os.path.join(HERE, "prepare-ner.py"), args.ner_dir, dev_dir], check=True)
    sets = (
        ("ind", "dev-ind", "ind", "Indonesian (idner-news-2k dev)"),
        ("eng", "dev-eng", "eng", "English (wikigold + uner-en held-out)"),
        ("news", "test-news", "eng", "English news (GUM news genre, Wikinews, test)"),
    )
    for key, file_name, lang, name in sets:
        if args.only and key != args.only:
            continue
        path = os.path.join(dev_dir, f"{file_name}.jsonl")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as handle:
            docs = [json.loads(line) for line in handle]
        articles = run([part.replace("{lang}", lang) for part in command], docs)
        n = sum(len(d["gold"]) for d in docs)
        print(f"{name}: {len(docs)} documents, {n} gold mentions")
        evaluate(docs, articles, args.errors, args.bootstrap)


if __name__ == "__main__":
    main()
