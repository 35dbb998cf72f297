#!/usr/bin/env python3
"""How much of real news the knowledge base covers.

  coverage.py seed                 the seed article: every name in it, and the KB's best id
  coverage.py idner [--split S]    idner-news-2k gold PER/ORG/LOC: share whose surface the KB knows
                                   (train by default; dev is held out: measure it once, at the end)
  coverage.py gum                  GUM English: links.tsv surface -> gold QID agreement, and the
                                   share of news.conll gold mentions whose surface the KB knows
  coverage.py all                  all of the above (idner train only)

--classes picks the licence classes loaded (default permissive,ccbysa). --misses N prints
the N most frequent unknown surfaces (do this on train splits only).

A surface is "known" when an alias equals it exactly, or (case-insensitively) when the alias is
longer than three letters, as kabar's gazetteer matches; "type agrees" when a candidate has the
gold type. The best candidate is the type-agreeing candidate with the highest prior; a surface is
"ambiguous" when type-agreeing candidates carry more than one id.
"""

from __future__ import annotations

import argparse
import csv
import os
import gzip
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = Path(os.environ.get("KABAR_SHARED_DIR") or ROOT.parent / "shared") / "data"
LANG_OF = {"idner": "id", "gum": "en", "seed": "id"}


class KB:
    def __init__(self, out: Path, classes: list[str]):
        self.ents: dict[str, dict] = {}
        self.exact: dict[str, list] = defaultdict(list)
        self.lower: dict[str, list] = defaultdict(list)
        for cls in classes:
            with gzip.open(out / cls / "entities.tsv.gz", "rt", encoding="utf-8") as f:
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                    self.ents.setdefault(r["qid"], r)
        for cls in classes:
            with gzip.open(out / cls / "aliases.tsv.gz", "rt", encoding="utf-8") as f:
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                    if r["qid"] not in self.ents:
                        continue
                    self.exact[r["alias"]].append(r)
                    if len(r["alias"]) > 3:
                        self.lower[r["alias"].lower()].append(r)
        self.n_alias = sum(len(v) for v in self.exact.values())

    def candidates(self, surface: str, lang: str) -> list[dict]:
        rows = self.exact.get(surface, [])
        if not rows and len(surface) > 3:
            rows = self.lower.get(surface.lower(), [])
        out = []
        for r in rows:
            langs = r["langs"].split(",")
            if "any" in langs or lang in langs:
                out.append(r)
        return out

    def best(self, surface: str, lang: str, typ: str | None):
        cands = self.candidates(surface, lang)
        if not cands:
            # "Partai Persatuan Pembangunan (PPP)": the name without its bracketed abbreviation
            m = re.match(r"^(.+?)\s*\(([^)]+)\)$", surface)
            if m:
                cands = self.candidates(m.group(1), lang) or self.candidates(m.group(2), lang)
        typed = [c for c in cands if typ is None or self.ents[c["qid"]]["type"] == typ]
        qids = {c["qid"] for c in typed}
        if not typed:
            return cands, None, qids
        top = max(typed, key=lambda c: (int(self.ents[c["qid"]]["prior"]), -int(c["common"])))
        return cands, top["qid"], qids


# --------------------------------------------------------------------------------------------


def read_idner(path: Path):
    """Yields (sentence tokens, spans [(type, start, end)])."""
    toks, tags = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n")
        if not line.strip():
            if toks:
                yield toks, spans(tags)
            toks, tags = [], []
            continue
        parts = line.split()
        toks.append(parts[0])
        tags.append(parts[-1])
    if toks:
        yield toks, spans(tags)


def read_conll_gz(path: Path):
    toks, tags = [], []
    for line in gzip.open(path, "rt", encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if toks:
                yield toks, spans(tags)
            toks, tags = [], []
            continue
        parts = line.split("\t")
        toks.append(parts[0])
        tags.append(parts[-1])
    if toks:
        yield toks, spans(tags)


def spans(tags):
    out, cur = [], None
    for i, t in enumerate(tags + ["O"]):
        if t.startswith("B-") or t == "O" or (t.startswith("I-") and (cur is None or cur[0] != t[2:])):
            if cur:
                out.append((cur[0], cur[1], i))
                cur = None
            if t.startswith("B-") or t.startswith("I-"):
                cur = (t[2:], i)
    return out


def detok(tokens: list[str]) -> str:
    s = " ".join(tokens)
    s = re.sub(r" ([,.'’)])", r"\1", s)
    s = re.sub(r"([(]) ", r"\1", s)
    s = re.sub(r" - ", "-", s)
    return s


def mention_coverage(kb: KB, sents, lang: str, misses: int, label: str):
    by = defaultdict(Counter)
    miss = defaultdict(Counter)
    amb_ex = Counter()
    for toks, sp in sents:
        for typ, a, b in sp:
            if typ not in ("PER", "ORG", "LOC"):
                continue
            surf = detok(toks[a:b])
            cands, best, qids = kb.best(surf, lang, typ)
            by[typ]["mentions"] += 1
            if cands:
                by[typ]["known"] += 1
            if best:
                by[typ]["type agrees"] += 1
                if len(qids) > 1:
                    by[typ]["ambiguous"] += 1
                    amb_ex[surf] += 1
            else:
                miss[typ][surf] += 1
    print(f"\n## {label}: gold mentions whose surface the KB knows")
    print("| type | mentions | known (any type) | known, type agrees | of those ambiguous |")
    print("| --- | --- | --- | --- | --- |")
    tot = Counter()
    for typ in ("PER", "ORG", "LOC"):
        c = by[typ]
        tot.update(c)
        print(f"| {typ} | {c['mentions']} | {c['known'] / max(1, c['mentions']):.3f} | {c['type agrees'] / max(1, c['mentions']):.3f} | {c['ambiguous'] / max(1, c['type agrees']):.3f} |")
    print(f"| all | {tot['mentions']} | {tot['known'] / max(1, tot['mentions']):.3f} | {tot['type agrees'] / max(1, tot['mentions']):.3f} | {tot['ambiguous'] / max(1, tot['type agrees']):.3f} |")
    if misses:
        for typ in ("PER", "ORG", "LOC"):
            print(f"\nmost frequent unknown {typ}:", ", ".join(f"{s} ({n})" for s, n in miss[typ].most_common(misses)))
        print("\nmost frequent ambiguous:", ", ".join(f"{s} ({n})" for s, n in amb_ex.most_common(misses)))
    return by


# --------------------------------------------------------------------------------------------

# The seed article's names: (surface as written, gold type, expected Wikidata id or None when no
# id could be verified offline). Ids are those the issue names or that two sources agree on.
SEED_NAMES = [
    ("Putin", "PER", "Q7747"), ("Vladimir Putin", "PER", "Q7747"),
    ("Kim Jong Un", "PER", "Q56226"), ("Kim", "PER", "Q56226"),
    ("PBB", "ORG", "Q1065"), ("Dewan Keamanan PBB", "ORG", "Q37470"), ("Dewan Keamanan", "ORG", "Q37470"),
    ("Reuters", "ORG", "Q130879"), ("RIA Novosti", "ORG", None), ("Associated Press", "ORG", "Q40469"),
    ("Chatham House", "ORG", "Q263016"), ("Harvard Kennedy School", "ORG", None),
    ("Belfer Center", "ORG", None), ("Institut Studi Kebijakan Asan", "ORG", None),
    ("Seoul University", "ORG", None), ("Sukhoi", "ORG", None),
    ("Seoul", "LOC", "Q8684"), ("Moskow", "LOC", "Q649"), ("Pyongyang", "LOC", "Q18808"),
    ("Vladivostok", "LOC", "Q959"), ("London", "LOC", "Q84"), ("Komsomolsk-on-Amur", "LOC", "Q154801"),
    ("Korut", "LOC", "Q423"), ("Korea Utara", "LOC", "Q423"), ("Korsel", "LOC", "Q884"),
    ("Korea Selatan", "LOC", "Q884"), ("AS", "LOC", "Q30"), ("Amerika Serikat", "LOC", "Q30"),
    ("Rusia", "LOC", "Q159"), ("Ukraina", "LOC", "Q212"), ("Eropa", "LOC", "Q46"),
    ("Soviet", "LOC", "Q15180"), ("Eurasia", "LOC", "Q5401"),
    ("Chang Ho Jin", "PER", None), ("Bonnie Jenkins", "PER", "Q16202531"), ("Sasha Baker", "PER", None),
    ("John Park", "PER", None), ("James Nixey", "PER", None), ("Uk Yang", "PER", None),
]


def seed(kb: KB):
    text = (ROOT / "services/kabar-pipeline/tests/fixtures/seed-id.txt").read_text(encoding="utf-8")
    print("\n## Seed article (shared/data/seed/indonesian-news-article.txt)")
    print("| name | type | times | expected id | KB best (type agrees) | candidates | verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    tally = Counter()
    for surf, typ, want in SEED_NAMES:
        n = len(re.findall(r"(?<![\w])" + re.escape(surf) + r"(?![\w])", text))
        cands, best, qids = kb.best(surf, "id", typ)
        name = kb.ents[best]["name_en"] if best else ""
        if want is None:
            verdict = "no verified id; KB has none" if not best else f"KB links {best} (check)"
            tally["no verified id"] += 1
        elif best == want:
            verdict = "right" + (" (ambiguous)" if len(qids) > 1 else "")
            tally["right"] += 1
        elif want in qids:
            verdict = "right id among candidates, not best"
            tally["among candidates"] += 1
        else:
            verdict = "missing" if not cands else "wrong"
            tally[verdict] += 1
        print(f"| {surf} | {typ} | {n} | {want or '-'} | {best or '-'} {name} | {len(qids)} | {verdict} |")
    print(f"\nseed tally: {dict(tally)}")


def gum(kb: KB, misses: int):
    rows = list(csv.DictReader(open(SHARED / "ner/gum-en/links.tsv", encoding="utf-8"), delimiter="\t"))
    by = defaultdict(Counter)
    wrong = Counter()
    for r in rows:
        typ = r["type"]
        if typ not in ("PER", "ORG", "LOC"):
            continue
        n = int(r["count"])
        cands, best, qids = kb.best(r["surface"], "en", typ)
        any_q = {c["qid"] for c in cands}
        c = by[typ]
        c["mentions"] += n
        if cands:
            c["known"] += n
        if r["wikidata_id"] in any_q:
            c["gold among candidates"] += n
        if best:
            c["best exists"] += n
            if best == r["wikidata_id"]:
                c["best is gold"] += n
            else:
                wrong[f"{r['surface']} -> {best} ({kb.ents[best]['name_en']}), gold {r['wikidata_id']} {r['wikipedia_title']}"] += n
            if len(qids) > 1:
                c["ambiguous"] += n
    print("\n## GUM links.tsv (all GUM genres; surface -> gold QID), mentions weighted by count")
    print("| type | mentions | surface known | gold id among candidates | best (type agrees) is gold, of all | precision of best | ambiguous, of typed |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    tot = Counter()
    for typ in ("PER", "ORG", "LOC"):
        c = by[typ]
        tot.update(c)
    for typ, c in list(by.items()) + [("all", tot)]:
        if typ not in ("PER", "ORG", "LOC", "all"):
            continue
        m = max(1, c["mentions"])
        print(f"| {typ} | {c['mentions']} | {c['known'] / m:.3f} | {c['gold among candidates'] / m:.3f} | {c['best is gold'] / m:.3f} | {c['best is gold'] / max(1, c['best exists']):.3f} | {c['ambiguous'] / max(1, c['best exists']):.3f} |")
    if misses:
        print("\nmost frequent wrong best candidates:")
        for s, n in wrong.most_common(misses):
            print(f"  {n} x {s}")
    mention_coverage(kb, read_conll_gz(SHARED / "ner/gum-en/news.conll.gz"), "en", 0,
                     "GUM news.conll.gz (Wikinews)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["seed", "idner", "gum", "all"])
    ap.add_argument("--split", default="train", choices=["train", "dev"])
    ap.add_argument("--out", default=str(ROOT / "services/kabar-pipeline/data/entities/kb"))
    ap.add_argument("--classes", default="permissive,ccbysa")
    ap.add_argument("--misses", type=int, default=0)
    args = ap.parse_args()
    kb = KB(Path(args.out), args.classes.split(","))
    print(f"KB: {len(kb.ents)} entities, {kb.n_alias} aliases, classes {args.classes}")
    if args.what in ("seed", "all"):
        seed(kb)
    if args.what in ("idner", "all"):
        mention_coverage(kb, read_idner(SHARED / f"ner/idner-news-2k/{args.split}.txt"), "id",
                         args.misses, f"idner-news-2k {args.split}")
    if args.what in ("gum", "all"):
        gum(kb, args.misses)


if __name__ == "__main__":
    main()
