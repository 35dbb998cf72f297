"""How kabar's tagged mentions are scored against gold ones: shared by eval-entities.py and
cv-entities.py. Exact span: (type, start, end) per document; bag of mentions: the multiset of
(type, surface) per document, so a name counts once per document whatever its offsets.
"""

import collections
import sys

TYPES = ("PER", "ORG", "LOC")


def predicted_mentions(article):
    """(type, start, end, surface) of every PER, ORG and LOC mention of an enriched article's body."""
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


def count(docs, articles):
    """Counts of the documents (prepare-ner.py's {"id", "text", "gold"}) against the enriched
    articles, in the same order: {"exact" | "bag": Counter((type, "tp" | "fp" | "fn"))}, the
    bag counts of each document (tp, fp, fn) over the three types, and the bag errors as
    ("FP" | "FN", (type, surface), document id)."""
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
                tp = sum((g & p).values())
                per_doc.append((tp, sum(p.values()) - tp, sum(g.values()) - tp))
                for k in p - g:
                    errors.append(("FP", k, doc["id"]))
                for k in g - p:
                    errors.append(("FN", k, doc["id"]))
    return counts, per_doc, errors
