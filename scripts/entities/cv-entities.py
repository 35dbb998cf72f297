#!/usr/bin/env python3
"""Cross-validates the entity tagger on its own training data, for choosing features and data.

The tuning split of prepare-ner.py --tune holds 111 English documents: one shuffle of the
training data moves its F1 by about 0.01, and it has disagreed with the held-out split in both
directions. This script evaluates instead on every English (WikiGold and UNER English, 592
documents) and idner-news-2k train document (about 400) of prepare-ner.py's training file, in
K contiguous folds: for each fold, a model is trained on everything else (the other corpora
always) and tags that fold. The held-out split is never read.

Prints bag-of-mentions micro F1 (as eval-entities.py counts it) pooled over the folds, per
seed (`KABAR_TRAIN_SEED`) and as the mean over seeds.

Usage:
  scripts/entities/prepare-ner.py ../shared/data/ner /tmp/kabar-ner
  cargo build --release -p kabar-pipeline --features train --example train_entities --example tag_jsonl
  scripts/entities/cv-entities.py /tmp/kabar-ner/train.jsonl [--folds 5] [--seeds 11,22,33]
                                  [--bin $CARGO_TARGET_DIR/release/examples] [--work DIR] [--jobs 2]
                                  [--epochs 20] [--bits 19]
"""

import argparse
import collections
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile

from mention_scores import TYPES, count
from ner_docs import documents

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

# Corpus numbers in prepare-ner.py's "doc" field ("CORPUS-INDEX"): the ones evaluated here.
EVALUATED = {"1": "ind", "4": "eng", "5": "eng"}


def folds_of(rows, folds):
    """Assigns each evaluated document a fold: contiguous blocks within its corpus."""
    by_corpus = collections.defaultdict(list)
    for row in rows:
        corpus = row["doc"].split("-")[0]
        if corpus in EVALUATED and (not by_corpus[corpus] or by_corpus[corpus][-1] != row["doc"]):
            by_corpus[corpus].append(row["doc"])
    fold = {}
    for docs in by_corpus.values():
        for index, doc in enumerate(docs):
            fold[doc] = index * folds // len(docs)
    return fold


def keeps_english(doc, share):
    """--english-share: whether an English training document is kept (a learning curve)."""
    index = int(doc.split("-")[1])
    return (index * 7919) % 100 < share * 100


def write_fold(rows, fold_of, fold, work, args):
    train_path = os.path.join(work, f"train-{fold}.jsonl")
    held = collections.defaultdict(list)
    with open(train_path, "w", encoding="utf-8") as out:
        for row in rows:
            if fold_of.get(row["doc"]) == fold:
                held[row["doc"]].append((row["tokens"], row["tags"]))
            elif row["lang"] != "eng" or keeps_english(row["doc"], args.english_share):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                # --english-copies N: English rows N times, as separate documents
                for copy in range(1, args.english_copies if row["lang"] == "eng" else 1):
                    out.write(json.dumps(dict(row, doc=f"{row['doc']}c{copy}"), ensure_ascii=False) + "\n")
    for lang in ("ind", "eng"):
        docs = []
        for doc, sentences in held.items():
            if EVALUATED[doc.split("-")[0]] != lang:
                continue
            # prepare-ner.py's own detokeniser and gold spans, one document per group
            (document,) = documents(f"cv{fold}-{doc}", sentences)
            docs.append(document)
        with open(os.path.join(work, f"dev-{fold}-{lang}.jsonl"), "w", encoding="utf-8") as out:
            for document in docs:
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
    return train_path


def run_fold(args, work, fold, seed):
    model = os.path.join(work, f"model-{fold}-{seed}.bin")
    env = dict(os.environ, KABAR_TRAIN_SEED=str(seed))
    subprocess.run(
        [os.path.join(args.bin, "train_entities"), os.path.join(work, f"train-{fold}.jsonl"), model, str(args.epochs), str(args.bits)],
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    counts = {}
    for lang in ("ind", "eng"):
        with open(os.path.join(work, f"dev-{fold}-{lang}.jsonl"), encoding="utf-8") as handle:
            docs = [json.loads(line) for line in handle]
        command = [os.path.join(args.bin, "tag_jsonl"), "--model", model, "--lang", lang]
        records = [{"id": d["id"], "text": d["text"]} for d in docs]
        articles, _ = kabar_scripts.run_jsonl(command, records)
        counts[lang] = bag_counts(count(docs, articles)[0]["bag"])
    os.remove(model)
    return counts


def bag_counts(bag):
    """(type or "all" -> (tp, fp, fn)) of the bag-of-mentions counts."""
    by_type = {t: tuple(bag[(t, c)] for c in ("tp", "fp", "fn")) for t in TYPES}
    by_type["all"] = tuple(sum(values[i] for values in by_type.values()) for i in range(3))
    return by_type


def f1(tp, fp, fn):
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train", help="prepare-ner.py's train.jsonl (without --tune)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="11,22,33")
    parser.add_argument("--bin", default=os.path.dirname(kabar_scripts.example_path("tag_jsonl")))
    parser.add_argument("--work", help="directory for the folds' files (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=1, help="folds trained at once")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--bits", type=int, default=19, help="log2 of the hashed feature buckets")
    parser.add_argument("--english-share", type=float, default=1.0, help="share of the English training documents kept")
    parser.add_argument("--english-copies", type=int, default=1, help="English training rows this many times")
    args = parser.parse_args()
    with open(args.train, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    fold_of = folds_of(rows, args.folds)
    work = args.work or tempfile.mkdtemp(prefix="kabar-cv-")
    os.makedirs(work, exist_ok=True)
    for fold in range(args.folds):
        write_fold(rows, fold_of, fold, work, args)
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(fold, seed) for seed in seeds for fold in range(args.folds)]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda job: run_fold(args, work, *job), jobs))
    per_seed = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0, 0]))
    for (fold, seed), counts in zip(jobs, results):
        for lang, by_type in counts.items():
            for kind, values in by_type.items():
                total = per_seed[seed][(lang, kind)]
                for i, value in enumerate(values):
                    total[i] += value
    columns = [("eng", "all"), ("eng", "PER"), ("eng", "ORG"), ("eng", "LOC"), ("ind", "all")]
    print("seed  " + "  ".join(f"{lang} {kind:3}" for lang, kind in columns))
    means = collections.defaultdict(list)
    for seed in seeds:
        scores = [f1(*per_seed[seed][column]) for column in columns]
        for column, score in zip(columns, scores):
            means[column].append(score)
        print(f"{seed:<5} " + "  ".join(f"{score:7.4f}" for score in scores))
    print("mean  " + "  ".join(f"{statistics.mean(means[column]):7.4f}" for column in columns))
    n_eng = sum(per_seed[seeds[0]][("eng", "all")][i] for i in (0, 2))
    n_ind = sum(per_seed[seeds[0]][("ind", "all")][i] for i in (0, 2))
    print(f"({len(fold_of)} documents in {args.folds} folds; gold mentions: English {n_eng}, Indonesian {n_ind})")


if __name__ == "__main__":
    sys.exit(main())
