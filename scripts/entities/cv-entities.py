#!/usr/bin/env python3
"""Cross-validates the entity tagger on its own training data, for choosing features and data.

The tuning split of prepare-ner.py --tune holds 111 English documents: one shuffle of the
training data moves its F1 by about 0.01, and it has disagreed with the held-out split in both
directions. This script evaluates instead on every document of the training file's named
corpora (its rows' "corpus": English WikiGold, UNER English dev and test, GUM's other genres;
idner-news-2k train), in K contiguous folds per corpus (GUM's by whole document): for each fold,
a model is trained on everything else (the other corpora always) and tags that fold. The
held-out split and the news test are never read.

Prints bag-of-mentions micro F1 (as eval-entities.py counts it) pooled over the folds, per
seed (`KABAR_TRAIN_SEED`) and as the mean over seeds, for English (all and per type), for each
English corpus and for Indonesian. --train-without=CORPUS,... trains without those corpora
(their folds are still evaluated): what a corpus adds.

Usage:
  scripts/entities/prepare-ner.py ../shared/data/ner /tmp/kabar-ner
  cargo build --release -p kabar-pipeline --features train --example train_entities --example tag_jsonl
  scripts/entities/cv-entities.py /tmp/kabar-ner/train.jsonl [--folds 5] [--seeds 11,22,33]
                                  [--bin $CARGO_TARGET_DIR/release/examples] [--work DIR] [--jobs 2]
                                  [--epochs 20] [--bits 19] [--train-without gum,uner-en-test]
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
import zlib

from mention_scores import TYPES, count
from ner_docs import article

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

# English corpora reported one by one, in this order.
ENGLISH = ("wikigold", "uner-en", "uner-en-test", "gum")


def unit(doc):
    """The unit kept within one fold: a document, or GUM's whole document ("N-DOC.CHUNK")."""
    return doc.split(".")[0]


def folds_of(rows, folds):
    """Assigns each evaluated document a fold: contiguous blocks within its corpus."""
    by_corpus = collections.defaultdict(list)
    for row in rows:
        corpus = row.get("corpus")
        if corpus and (not by_corpus[corpus] or by_corpus[corpus][-1] != unit(row["doc"])):
            by_corpus[corpus].append(unit(row["doc"]))
    fold = {}
    for units in by_corpus.values():
        for index, name in enumerate(units):
            fold[name] = index * folds // len(units)
    return fold


def keeps_english(doc, share):
    """--english-share: whether an English training document is kept (a learning curve)."""
    return zlib.crc32(doc.encode()) % 100 < share * 100


def write_fold(rows, fold_of, fold, work, args):
    train_path = os.path.join(work, f"train-{fold}.jsonl")
    held = collections.defaultdict(list)
    corpus_of = {}
    without = set(filter(None, args.train_without.split(",")))
    copies = {lang: int(n) for lang, n in (item.split("=") for item in filter(None, args.copies.split(",")))}
    with open(train_path, "w", encoding="utf-8") as out:
        for row in rows:
            if fold_of.get(unit(row["doc"])) == fold:
                held[row["doc"]].append((row["tokens"], row["tags"]))
                corpus_of[row["doc"]] = (row["corpus"], row["lang"])
            elif row.get("corpus") in without:
                continue
            elif row["lang"] != "eng" or keeps_english(row["doc"], args.english_share):
                # --copies LANG=N: the trainer takes that language's documents N times
                if row["lang"] in copies:
                    row = dict(row, copies=copies[row["lang"]])
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    for lang in ("ind", "eng"):
        docs = []
        for doc, sentences in held.items():
            corpus, doc_lang = corpus_of[doc]
            if doc_lang != lang:
                continue
            # prepare-ner.py's own detokeniser and gold spans, one document per group; the
            # corpus is the id's first part
            docs.append(article(f"{corpus}/cv{fold}-{doc}", sentences, lines=corpus == "gum"))
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
        if lang == "eng":
            for corpus in ENGLISH:
                pairs = [(d, a) for d, a in zip(docs, articles) if d["id"].startswith(corpus + "/")]
                if pairs:
                    counts[corpus] = bag_counts(count(*zip(*pairs))[0]["bag"])
    if args.errors:
        with open(os.path.join(work, f"errors-{fold}-{seed}.txt"), "w", encoding="utf-8") as out:
            for lang in ("ind", "eng"):
                with open(os.path.join(work, f"dev-{fold}-{lang}.jsonl"), encoding="utf-8") as handle:
                    docs = [json.loads(line) for line in handle]
                command = [os.path.join(args.bin, "tag_jsonl"), "--model", model, "--lang", lang]
                articles, _ = kabar_scripts.run_jsonl(command, [{"id": d["id"], "text": d["text"]} for d in docs])
                for error in count(docs, articles)[2]:
                    out.write("\t".join(map(str, error)) + "\n")
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
    parser.add_argument("--copies", default="", help="LANG=N,...: a language's training documents N times (instead of the file's copies)")
    parser.add_argument("--train-without", default="", help="corpora left out of training (still evaluated)")
    parser.add_argument("--errors", action="store_true", help="write each fold's bag errors to the work directory")
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
    columns += [(corpus, "all") for corpus in ENGLISH if (corpus, "all") in per_seed[seeds[0]]]
    names = [f"{lang} {kind}" if kind != "all" or lang in ("eng", "ind") else lang for lang, kind in columns]
    print("seed  " + "  ".join(f"{name[:12]:>12}" for name in names))
    means = collections.defaultdict(list)
    for seed in seeds:
        scores = [f1(*per_seed[seed][column]) for column in columns]
        for column, score in zip(columns, scores):
            means[column].append(score)
        print(f"{seed:<5} " + "  ".join(f"{score:12.4f}" for score in scores))
    print("mean  " + "  ".join(f"{statistics.mean(means[column]):12.4f}" for column in columns))
    n_eng = sum(per_seed[seeds[0]][("eng", "all")][i] for i in (0, 2))
    n_ind = sum(per_seed[seeds[0]][("ind", "all")][i] for i in (0, 2))
    print(f"({len(fold_of)} documents in {args.folds} folds; gold mentions: English {n_eng}, Indonesian {n_ind})")


if __name__ == "__main__":
    sys.exit(main())
