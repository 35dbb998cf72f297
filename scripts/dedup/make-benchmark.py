#!/usr/bin/env python3
"""Builds kabar's near-duplicate benchmark from the news text in ../shared/data.

    python3 scripts/dedup/make-benchmark.py [--out target/dedup-bench]

Writes `tune.jsonl` and `heldout.jsonl`, one labelled pair a line:

    {"pair": "tune-00012", "split": "tune", "source": "aeb", "kind": "truncation", "label": 1,
     "a": {"id", "title", "text", "publishedAt"}, "b": {...}}

`a` is published first; `label` 1 means `b` is a near copy of `a`. Kinds:

- positives (label 1), one per document and edit kind (edits.py): furniture, headline,
  truncation, paragraph_added, paragraph_removed, reordered, typography, update, combined;
- negatives (label 0): unrelated (two documents of one source), template, sports, market,
  same_event (templates.py), translation (a text and its human translation, NusaX).

Split: `tune` is the article-extraction benchmark's articles (one source, English), the tuned
template families and NusaX's train rows in English and Javanese; `heldout` is the Readability
pages, GUM's Wikinews documents and Indonesian news (idner), the held-out template families and
NusaX's valid and test rows in English, Minangkabau, Banjarese and Sundanese. Thresholds and
shingle sizes are chosen on `tune` only (scripts/dedup/eval-dedup.py --split tune); the figures
of record are `heldout`'s.
"""

import argparse
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edits  # noqa: E402
import sources  # noqa: E402
import templates  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

SEEDS = {"tune": 20, "heldout": 21}
TEMPLATE_PAIRS = 60
UNRELATED_PAIRS = {"tune": 300, "heldout": 450}
TRANSLATION = {
    "tune": (("train",), ("eng", "jav"), 40),
    "heldout": (("valid", "test"), ("eng", "min", "bjn", "sun"), 40),
}


def text_of(title, paragraphs, top=(), tail=()):
    parts = []
    if top:
        parts.append("\n".join(top))
    parts.append("\n\n".join(paragraphs))
    if tail:
        parts.append("\n".join(tail))
    return "\n\n".join(parts)


def article(article_id, title, text, published, doc):
    return {
        "id": article_id,
        "title": title,
        "text": text,
        "publishedAt": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        # The document the text was made from: articles of one document are copies of each
        # other (the stream evaluation's truth). Not part of kabar's input format; ignored.
        "doc": doc,
    }


class Pairs:
    def __init__(self, split):
        self.split = split
        self.rng = random.Random(SEEDS[split])
        self.rows = []

    def times(self):
        first = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
            minutes=self.rng.randint(0, 365 * 24 * 60)
        )
        return first, first + datetime.timedelta(minutes=self.rng.randint(5, 48 * 60))

    def add(self, source, kind, label, a, b, docs=None):
        number = len(self.rows)
        pair = f"{self.split}-{number:05d}"
        first, second = self.times()
        docs = docs or (f"{pair}-a", f"{pair}-b")
        self.rows.append(
            {
                "pair": pair,
                "split": self.split,
                "source": source,
                "kind": kind,
                "label": label,
                "a": article(f"{pair}-a", a[0], a[1], first, docs[0]),
                "b": article(f"{pair}-b", b[0], b[1], second, docs[1]),
            }
        )


def positives(pairs, docs):
    titles = [doc["title"] for doc in docs]
    for index, doc in enumerate(docs):
        for kind in edits.KINDS:
            other = docs[(index + pairs.rng.randint(1, len(docs) - 1)) % len(docs)]
            others = pairs.rng.sample(titles, 12)
            title, paragraphs, top, tail = edits.edit(kind, doc, other, pairs.rng, others)
            original_top, original_tail = (), ()
            if kind in ("furniture", "combined"):
                # "Other furniture": the original has its own.
                original_top, _, original_tail = edits.furniture(doc["lang"], pairs.rng, others)
            a = (doc["title"], text_of(doc["title"], doc["paragraphs"], original_top, original_tail))
            b = (title, text_of(title, paragraphs, top, tail))
            pairs.add(doc["source"], kind, 1, a, b, (doc["id"], doc["id"]))


def unrelated(pairs, docs, count):
    by_source = {}
    for doc in docs:
        by_source.setdefault(doc["source"], []).append(doc)
    groups = list(by_source.values())
    for _ in range(count):
        group = pairs.rng.choice(groups)
        first, second = pairs.rng.sample(group, 2)
        pairs.add(
            first["source"],
            "unrelated",
            0,
            (first["title"], text_of(first["title"], first["paragraphs"])),
            (second["title"], text_of(second["title"], second["paragraphs"])),
            (first["id"], second["id"]),
        )


def template_negatives(pairs):
    for family, (split, kind, _lang, _generator) in templates.FAMILIES.items():
        if split != pairs.split:
            continue
        for _ in range(TEMPLATE_PAIRS):
            (title_a, paragraphs_a), (title_b, paragraphs_b) = templates.negative_pair(family, pairs.rng)
            pairs.add(
                family,
                kind,
                0,
                (title_a, text_of(title_a, paragraphs_a)),
                (title_b, text_of(title_b, paragraphs_b)),
            )


def translations(pairs, nusax):
    splits, languages, count = TRANSLATION[pairs.split]
    rows = sorted(key for key in nusax if key[0] in splits)
    per_doc = 12
    groups = [rows[i : i + per_doc] for i in range(0, len(rows) - per_doc, per_doc)]
    pairs.rng.shuffle(groups)
    for index, group in enumerate(groups[:count]):
        language = languages[index % len(languages)]

        def doc(lang):
            sentences = [nusax[key][lang] for key in group]
            paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
            title = " ".join(sentences[0].split()[:8])
            return title, text_of(title, paragraphs)

        pairs.add(f"nusax-{language}", "translation", 0, doc("ind"), doc(language))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(kabar_scripts.target_dir(), "dedup-bench"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    nusax = sources.nusax()
    split_docs = {
        "tune": sources.aeb(),
        "heldout": sources.readability() + sources.wikinews() + sources.idner(),
    }
    for split, docs in split_docs.items():
        pairs = Pairs(split)
        positives(pairs, docs)
        unrelated(pairs, docs, UNRELATED_PAIRS[split])
        template_negatives(pairs)
        translations(pairs, nusax)
        path = os.path.join(args.out, f"{split}.jsonl")
        kabar_scripts.write_jsonl(path, pairs.rows)
        positive = sum(row["label"] for row in pairs.rows)
        print(f"{path}: {len(pairs.rows)} pairs ({positive} near copies, {len(pairs.rows) - positive} negatives) from {len(docs)} documents")


if __name__ == "__main__":
    main()
