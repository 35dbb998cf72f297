#!/usr/bin/env python3
"""Evaluates kabar's entity tagger on held-out labelled news, Indonesian and English.

Runs `kabar enrich --stages lang,entities` (JSON lines {"id", "text"} in, one enriched article a
line out) over the development documents written by scripts/entities/prepare-ner.py (idner-news-2k dev
for Indonesian; held-out tails of wikigold and uner-en for English) and prints precision, recall
and F1 per type (PER, ORG, LOC) and overall (micro), both exact-span and bag-of-mentions per
document (multisets of (type, surface) per document).

Usage:
  scripts/entities/eval-entities.py [--cmd "target/release/kabar enrich --stages lang,entities"]
                           [--ner-dir ../shared/data/ner] [--dev-dir DIR] [--only ind|eng]
                           [--errors N] [--bootstrap N]
In --cmd, "{lang}" is replaced by the language evaluated (ind, eng).
Without --cmd it uses target/release/kabar if present, else the pipeline example tag_jsonl
(cargo run --release -p kabar-pipeline --example tag_jsonl), which has the same contract.
"""

import argparse
import collections
import random
import json
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TYPES = ("PER", "ORG", "LOC")


def default_command():
    kabar = os.path.join(ROOT, "target/release/kabar")
    if os.path.exists(kabar):
        return [kabar, "enrich", "--stages", "lang,entities"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    example = os.path.join(target, "release/examples/tag_jsonl")
    if not os.path.exists(example):
        subprocess.run(
            ["cargo", "build", "--release", "-p", "kabar-pipeline", "--example", "tag_jsonl"],
            cwd=ROOT,
            check=True,
        )
    return [example]


def run(command, docs):
    payload = "".join(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n" for d in docs)
    result = subprocess.run(command, input=payload.encode(), stdout=subprocess.PIPE, check=True)
    out = [json.loads(line) for line in result.stdout.decode().splitlines() if line.strip()]
    if len(out) != len(docs):
        sys.exit(f"expected {len(docs)} output lines, got {len(out)}")
    return out


def predicted_mentions(article):
    body = article.get("body", "")
    mentions = []
    for entity in article.get("entities", []):
        if entity.get("type") not in TYPES:
            continue
        for mention in entity.get("mentions", []):
            if mention.get("field", "body") != "body":
                continue
            start, end = mention.get("start", 0), mention["end"]
            mentions.append((entity["type"], start, end, body[start:end]))
    return mentions


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(docs, articles, show_errors, bootstrap=0):
    counts = {kind: collections.Counter() for kind in ("exact", "bag")}
    errors = []
    per_doc = []
    for doc, article in zip(docs, articles):
        if article.get("id") != doc["id"]:
            sys.exit(f"output out of order at {doc['id']}")
        text = doc["text"]
        shift = len(text) - len(text.lstrip())
        gold = [(t, s - shift, e - shift, text[s:e]) for t, s, e in doc["gold"]]
        pred = predicted_mentions(article)
        for kind, key in (("exact", lambda m: m[:3]), ("bag", lambda m: (m[0], m[3]))):
            g = collections.Counter(key(m) for m in gold)
            p = collections.Counter(key(m) for m in pred)
            for t in TYPES:
                gt = collections.Counter({k: v for k, v in g.items() if k[0] == t})
                pt = collections.Counter({k: v for k, v in p.items() if k[0] == t})
                tp = sum((gt & pt).values())
                counts[kind][(t, "tp")] += tp
                counts[kind][(t, "fp")] += sum(pt.values()) - tp
                counts[kind][(t, "fn")] += sum(gt.values()) - tp
            if kind == "bag":
                # this document's bag counts over the three types, for --bootstrap
                tp = sum((g & p).values())
                per_doc.append((tp, sum(p.values()) - tp, sum(g.values()) - tp))
            if kind == "bag" and show_errors:
                for k in (p - g):
                    errors.append(("FP", k, doc["id"]))
                for k in (g - p):
                    errors.append(("FN", k, doc["id"]))
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
    parser.add_argument("--ner-dir", default=os.path.join(ROOT, "../shared/data/ner"))
    parser.add_argument("--dev-dir", help="already prepared dev files (prepare-ner.py output)")
    parser.add_argument("--only", choices=["ind", "eng"], help="evaluate one language")
    parser.add_argument("--errors", type=int, default=0, help="print this many bag-of-mentions errors")
    parser.add_argument("--bootstrap", type=int, default=0, help="resamples for a 95%% interval of bag F1")
    args = parser.parse_args()
    command = shlex.split(args.cmd) if args.cmd else default_command()
    dev_dir = args.dev_dir
    if not dev_dir:
        dev_dir = tempfile.mkdtemp(prefix="kabar-ner-")
        subprocess.run([sys.executable, os.path.join(HERE, "prepare-ner.py"), args.ner_dir, dev_dir], check=True)
    for lang, name in (("ind", "Indonesian (idner-news-2k dev)"), ("eng", "English (wikigold + uner-en held-out)")):
        if args.only and lang != args.only:
            continue
        with open(os.path.join(dev_dir, f"dev-{lang}.jsonl"), encoding="utf-8") as handle:
            docs = [json.loads(line) for line in handle]
        articles = run([part.replace("{lang}", lang) for part in command], docs)
        n = sum(len(d["gold"]) for d in docs)
        print(f"{name}: {len(docs)} documents, {n} gold mentions")
        evaluate(docs, articles, args.errors, args.bootstrap)


if __name__ == "__main__":
    main()
