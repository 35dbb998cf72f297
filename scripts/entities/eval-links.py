#!/usr/bin/env python3
"""Measures kabar's entity linking: how much it links, how consistently, and how precisely.

Runs the entity stage (the pipeline example tag_jsonl, or --cmd: JSON lines {"id", "text"} in,
enriched articles out) over news documents and reports:

  measure   per set: the linked share of the PER, ORG and LOC entities kabar finds (entities and
            mentions), one name linked to one id across the set (consistency), and on GUM the
            precision and coverage of the links against GUM's gold Wikipedia identities
            (links.tsv: surface -> Wikidata id).
  draw      draws the link sample to judge by hand: links (one linked entity of one document each)
            drawn at random with a fixed seed from the held-out news, half Indonesian, written to
            --sample with empty verdict columns (verdicts: ok, wrong, or unsure, which counts as
            wrong). Refuses to overwrite a judged sample.
  extend    keeps the judged sample in step with a changed linker (--base-cmd: the linker it was
            drawn with): today's links are those the base linker made too (S) and new ones (N);
            per language the sample keeps its judged links that today's linker still makes (a
            random sample of S), and is brought to --per-language links in proportion to S and
            N by seeded random draws (new rows unjudged); links that changed leave the sample.
  score     reads the judged sample: precision per language with a 95% Wilson interval, and
            whether today's linker still makes the sampled links.
  show      prints linked entities of a tuning set, to look at while tuning (held-out sets refused).
  compare   prints the mentions of tuning sets whose type or link differ between --base-cmd and
            today's linker, with their context (held-out sets refused).

The sets (../shared/data; see docs/decisions/entity-linking.md for which were tuned on):
  idner-train  idner-news-2k train, 5-sentence documents          Indonesian  tuning
  gum-other    GUM's other genres (interview, bio, speech, ...)     English     tuning
  web-pages    paragraphs of the trafilatura pages and the gold     English and tuning
               text of the readability pages (boilerplate-dev)      others
  idner-dev    idner-news-2k dev, 5-sentence documents            Indonesian  held out
  gum-news     GUM's news documents (Wikinews)                     English     held out
  aeb-news     the article-extraction benchmark's gold text of     English     held out
               its English news pages (boilerplate-dev/aeb)

Usage:
  scripts/entities/eval-links.py measure [--sets idner-dev,gum-news,aeb-news] [--cmd CMD]
  scripts/entities/eval-links.py draw [--per-language 160] [--seed 19]
  scripts/entities/eval-links.py extend --base-cmd OLD_TAG_JSONL [--per-language 160] [--seed 19]
  scripts/entities/eval-links.py score [--sample PATH]
  scripts/entities/eval-links.py show --sets idner-train [-n 40]
  scripts/entities/eval-links.py compare --sets web-pages,gum-other --base-cmd OLD_TAG_JSONL
"""

import argparse
import collections
import csv
import gzip
import html.parser
import json
import math
import os
import random
import re
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import kabar_scripts  # noqa: E402
from ner_docs import detokenise, documents, read_conll  # noqa: E402

TYPES = ("PER", "ORG", "LOC")
HELD_OUT = {"idner-dev", "gum-news", "aeb-news"}
LANGUAGE = {"web-pages": "eng", "idner-train": "ind", "idner-dev": "ind", "gum-other": "eng", "gum-news": "eng", "aeb-news": "eng"}
SAMPLE = os.path.join(HERE, "data", "link-sample.tsv")
SAMPLE_COLUMNS = ["n", "lang", "set", "doc", "type", "surface", "wikidata", "name", "context", "verdict", "reason"]


def load_set(name):
    """Documents {"id", "text"} of a set."""
    if name.startswith("idner-"):
        split = "train" if name == "idner-train" else "dev"
        sentences = read_conll(kabar_scripts.shared_data("ner", "idner-news-2k", f"{split}.txt"), 2)
        return [{"id": d["id"], "text": d["text"]} for d in documents(name, sentences)]
    if name.startswith("gum-"):
        return gum_documents(news=name == "gum-news")
    if name == "web-pages":
        return web_pages()
    if name == "aeb-news":
        path = kabar_scripts.shared_data("boilerplate-dev", "aeb", "ground-truth.json.gz")
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            truth = json.load(handle)
        return [{"id": f"aeb-{key[:12]}", "text": value["articleBody"]} for key, value in sorted(truth.items())]
    sys.exit(f"unknown set {name}")


class Paragraphs(html.parser.HTMLParser):
    """The text of a page's <p> elements, one paragraph each."""

    def __init__(self):
        super().__init__()
        self.depth = self.skip = 0
        self.buffer, self.paragraphs = [], []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        if tag == "p":
            self.depth += 1
            self.buffer = []

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        if tag == "p" and self.depth:
            self.depth -= 1
            text = " ".join("".join(self.buffer).split())
            if len(text) > 40:
                self.paragraphs.append(text)

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.buffer.append(data)


def web_pages():
    """Tuning text: the trafilatura pages' paragraphs and the readability pages' gold text."""
    docs = []
    pages = kabar_scripts.shared_data("boilerplate-dev", "trafilatura", "pages")
    for name in sorted(os.listdir(pages)):
        with gzip.open(os.path.join(pages, name), "rb") as handle:
            parser = Paragraphs()
            parser.feed(handle.read().decode("utf-8", "replace"))
        text = "\n\n".join(parser.paragraphs)
        if len(text) > 500:
            docs.append({"id": "traf-" + name[:12], "text": text})
    path = kabar_scripts.shared_data("boilerplate-dev", "readability", "pages.gold.jsonl.gz")
    for row in kabar_scripts.read_jsonl(path):
        if row.get("text"):
            docs.append({"id": "read-" + row["id"], "text": row["text"]})
    return docs


def gum_documents(news):
    base = kabar_scripts.shared_data("ner", "gum-en")
    sentences = {name: read_conll(os.path.join(base, name), 1) for name in ("news.conll.gz", "other.conll.gz")}
    docs = []
    with open(os.path.join(base, "docs.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if (row["genre"] == "news") != news:
                continue
            first, count = int(row["first_sentence"]), int(row["n_sentences"])
            text, _ = detokenise(sentences[row["file"]][first : first + count])
            docs.append({"id": row["doc_id"], "text": text})
    return docs


def run(command, docs):
    return kabar_scripts.run_jsonl(command, docs)[0]


def surface(article, mention):
    text = article.get("title", "") if mention.get("field") == "title" else article.get("body", "")
    return text[mention.get("start", 0) : mention["end"]]


def entities(article):
    for entity in article.get("entities", []):
        if entity.get("type") in TYPES:
            yield entity


def linked_share(articles):
    counts = collections.Counter()
    for article in articles:
        for entity in entities(article):
            linked = bool(entity.get("wikidata"))
            counts["entities"] += 1
            counts["linked"] += linked
            counts[entity["type"]] += 1
            counts[entity["type"] + " linked"] += linked
            counts["mentions"] += len(entity["mentions"])
            counts["mentions linked"] += len(entity["mentions"]) * linked
    return counts


def consistency(articles):
    """(surface, type) -> Counter of ids over the set, for surfaces linked at least once."""
    ids = collections.defaultdict(collections.Counter)
    for article in articles:
        for entity in entities(article):
            for mention in entity["mentions"]:
                ids[(surface(article, mention), entity["type"])][entity.get("wikidata", "")] += 1
    return {key: counter for key, counter in ids.items() if any(counter)}


def gum_links():
    gold = collections.defaultdict(set)
    weight = collections.Counter()
    path = kabar_scripts.shared_data("ner", "gum-en", "links.tsv")
    with open(path, encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["type"] in TYPES:
                gold[row["surface"]].add(row["wikidata_id"])
                weight[(row["surface"], row["wikidata_id"])] += int(row["count"])
    return gold, weight


def gum_scores(articles):
    """Precision of links whose surface GUM identifies; coverage of GUM's identities."""
    gold, weight = gum_links()
    judged = correct = 0
    found = set()
    wrong = collections.Counter()
    for article in articles:
        for entity in entities(article):
            qid = entity.get("wikidata")
            for mention in entity["mentions"]:
                text = surface(article, mention)
                if text not in gold:
                    continue
                if qid:
                    judged += 1
                    if qid in gold[text]:
                        correct += 1
                        found.add((text, qid))
                    else:
                        wrong[(text, qid, entity["name"], "/".join(sorted(gold[text])))] += 1
    # GUM identities whose surface the documents hold as a whole word, by count: linked right?
    text = "\n".join(a.get("title", "") + "\n" + a.get("body", "") for a in articles)
    present = {key: n for key, n in weight.items() if re.search(r"(?<!\w)" + re.escape(key[0]) + r"(?!\w)", text)}
    covered = sum(n for key, n in present.items() if key in found)
    return judged, correct, sum(present.values()), covered, wrong


def wilson(k, n, z=1.96):
    if n == 0:
        return 0.0, 0.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def enriched(sets, command):
    out = {}
    for name in sets:
        docs = load_set(name)
        articles = run(command, docs)
        if name == "aeb-news":
            # English pages only (kabar's language detection; the benchmark holds a few others).
            articles = [a for a in articles if (a.get("language") or {}).get("code") == "eng"]
        out[name] = articles
    return out


def measure(args, command):
    for name, articles in enriched(args.sets.split(","), command).items():
        tuned = "held out" if name in HELD_OUT else "tuning set"
        counts = linked_share(articles)
        print(f"{name} ({LANGUAGE[name]}, {tuned}): {len(articles)} documents")
        share = lambda k, n: f"{counts[k] / counts[n]:.3f} ({counts[k]}/{counts[n]})" if counts[n] else "-"
        print(f"  linked share of PER/ORG/LOC entities {share('linked', 'entities')}, mentions {share('mentions linked', 'mentions')}")
        print("  by type: " + ", ".join(f"{t} {share(t + ' linked', t)}" for t in TYPES))
        ids = consistency(articles)
        split = {k: c for k, c in ids.items() if len([q for q in c if q]) > 1}
        partly = {k: c for k, c in ids.items() if "" in c and k not in split}
        print(f"  consistency: {len(ids)} linked surfaces; {len(split)} linked to more than one id; "
              f"{len(partly)} also left unlinked elsewhere")
        for (text, kind), counter in sorted(split.items())[: args.errors]:
            print(f"    split: {text} {kind} {dict(counter)}")
        if name.startswith("gum-"):
            judged, correct, total, covered, wrong = gum_scores(articles)
            if judged:
                print(f"  GUM links: precision {correct / judged:.3f} ({correct}/{judged} linked mentions GUM identifies); "
                      f"coverage {covered / max(total, 1):.3f} ({covered}/{total} GUM identities whose surface these documents hold, by count)")
            for (text, qid, label, want), n in wrong.most_common(args.errors):
                print(f"    wrong: {text} -> {qid} {label} (GUM {want}) x{n}")


def link_rows(name, articles):
    rows = []
    for article in articles:
        body = article.get("body", "")
        for entity in entities(article):
            if not entity.get("wikidata"):
                continue
            first = entity["mentions"][0]
            text = surface(article, first)
            context = body
            if first.get("field", "body") == "body":
                start = first.get("start", 0)
                context = body[max(0, start - 90) : first["end"] + 90]
            rows.append({
                "lang": LANGUAGE[name], "set": name, "doc": article["id"], "type": entity["type"],
                "surface": text, "wikidata": entity["wikidata"], "name": entity["name"],
                "context": " ".join(context.split()),
            })
    return rows


def draw(args, command):
    if os.path.exists(args.sample):
        with open(args.sample, encoding="utf-8") as handle:
            if any(row.get("verdict") for row in csv.DictReader(handle, delimiter="\t")):
                sys.exit(f"{args.sample} is judged already; move it away to draw another")
    rng = random.Random(args.seed)
    out = []
    for language, sets in (("ind", ["idner-dev"]), ("eng", ["gum-news", "aeb-news"])):
        rows = []
        for name, articles in enriched(sets, command).items():
            rows += link_rows(name, articles)
        rng.shuffle(rows)
        out += rows[: args.per_language]
        print(f"{language}: {len(rows)} links, {min(len(rows), args.per_language)} drawn", file=sys.stderr)
    with open(args.sample, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SAMPLE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for index, row in enumerate(out, 1):
            writer.writerow({"n": index, **row, "verdict": "", "reason": ""})
    print(f"wrote {len(out)} links to {args.sample}; judge each (verdict ok or wrong, a reason)", file=sys.stderr)


def link_key(row):
    """A link as judged: its id, and its entity's first mention with the text around it (an
    entity that now starts elsewhere is judged again)."""
    return (row["set"], row["doc"], row["surface"], row["type"], row["wikidata"], row["context"])


def extend(args, command):
    if not args.base_cmd:
        sys.exit("extend needs --base-cmd: the linker the sample was drawn with")
    with open(args.sample, encoding="utf-8") as handle:
        sample = list(csv.DictReader(handle, delimiter="\t"))
    base_command = shlex.split(args.base_cmd)
    rng = random.Random(args.seed)
    out = []
    for language, sets in (("ind", ["idner-dev"]), ("eng", ["gum-news", "aeb-news"])):
        old, now = [], []
        for name, articles in enriched(sets, base_command).items():
            old += link_rows(name, articles)
        for name, articles in enriched(sets, command).items():
            now += link_rows(name, articles)
        old_keys = {link_key(r) for r in old}
        now_keys = {link_key(r) for r in now}
        kept_rows = [r for r in now if link_key(r) in old_keys]
        new_rows = [r for r in now if link_key(r) not in old_keys]
        judged = [r for r in sample if r["lang"] == language]
        survivors = [r for r in judged if link_key(r) in now_keys]
        want_kept = round(args.per_language * len(kept_rows) / max(len(now), 1))
        want_new = args.per_language - want_kept
        chosen, fresh = [], []
        # Each stratum: its judged links first (a random sample of it), then seeded draws.
        for rows, want in ((kept_rows, want_kept), (new_rows, want_new)):
            keys = {link_key(r) for r in rows}
            mine = [r for r in survivors if link_key(r) in keys]
            rng.shuffle(mine)
            mine = mine[:want]
            taken = {link_key(r) for r in mine}
            # The same link made twice (two documents with one surface) is drawn once.
            pool = sorted({link_key(r): r for r in rows if link_key(r) not in taken}.values(), key=link_key)
            rng.shuffle(pool)
            chosen += mine
            fresh += pool[: max(0, want - len(mine))]
        print(f"{language}: {len(now)} links today, {len(kept_rows)} also made by the base linker, "
              f"{len(new_rows)} new; the sample had {len(judged)}, {len(survivors)} still made; "
              f"keeps {len(chosen)}, draws {len(fresh)}", file=sys.stderr)
        chosen.sort(key=lambda r: int(r["n"]))  # the judged rows keep their order
        out += chosen + [{**r, "verdict": "", "reason": ""} for r in fresh]
    with open(args.sample, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SAMPLE_COLUMNS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for index, row in enumerate(out, 1):
            writer.writerow({**row, "n": index})
    print(f"wrote {len(out)} links to {args.sample}; judge the rows with no verdict", file=sys.stderr)


def score(args, command):
    with open(args.sample, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    unjudged = [r["n"] for r in rows if r["verdict"] not in ("ok", "wrong", "unsure")]
    if unjudged:
        sys.exit(f"{len(unjudged)} links have no verdict (ok, wrong or unsure): {unjudged[:10]}")
    for language in ("ind", "eng", "all"):
        chosen = [r for r in rows if language in ("all", r["lang"])]
        ok = sum(r["verdict"] == "ok" for r in chosen)
        unsure = sum(r["verdict"] == "unsure" for r in chosen)
        low, high = wilson(ok, len(chosen))
        # An unsure link counts as wrong; its share if it were right is printed beside.
        print(f"{language}: precision {ok / len(chosen):.3f} ({ok}/{len(chosen)}), 95% interval {low:.3f} to {high:.3f}"
              + (f"; {unsure} unsure, counted wrong ({(ok + unsure) / len(chosen):.3f} if right)" if unsure else ""))
        by_type = collections.Counter((r["type"], r["verdict"]) for r in chosen)
        print("  " + ", ".join(f"{t} {by_type[(t, 'ok')]}/{by_type[(t, 'ok')] + by_type[(t, 'wrong')]}" for t in TYPES))
    if args.no_rerun:
        return
    # Does today's linker still make the sampled links?
    sets = sorted({r["set"] for r in rows})
    now = {}
    for name, articles in enriched(sets, command).items():
        for row in link_rows(name, articles):
            now[(row["doc"], row["surface"], row["type"])] = row["wikidata"]
    same = sum(now.get((r["doc"], r["surface"], r["type"])) == r["wikidata"] for r in rows)
    print(f"today's linker makes {same} of the {len(rows)} sampled links")


def show(args, command):
    for name, articles in enriched(args.sets.split(","), command).items():
        if name in HELD_OUT:
            sys.exit(f"{name} is held out: look at tuning sets only")
        rows = link_rows(name, articles)
        random.Random(args.seed).shuffle(rows)
        for row in rows[: args.n]:
            print(f"{row['type']} {row['surface']!r} -> {row['wikidata']} {row['name']} | {row['context'][:160]}")
        if args.unlinked:
            missed = collections.Counter()
            for article in articles:
                for entity in entities(article):
                    if not entity.get("wikidata"):
                        missed[(entity["type"], entity["name"])] += 1
            for (kind, text), n in missed.most_common(args.unlinked):
                print(f"  unlinked {kind} {text} x{n}")


def compare(args, command):
    if not args.base_cmd:
        sys.exit("compare needs --base-cmd: the linker to compare with")
    names = args.sets.split(",")
    if any(name in HELD_OUT for name in names):
        sys.exit("compare looks at tuning sets only")
    changed = collections.Counter()
    base = enriched(names, shlex.split(args.base_cmd))
    for name, articles in enriched(names, command).items():
        for before, after in zip(base[name], articles):
            if (after.get("language") or {}).get("code") != LANGUAGE[name]:
                continue
            old = {(m.get("field", "body"), m.get("start", 0)): e for e in entities(before) for m in e["mentions"]}
            for entity in entities(after):
                for mention in entity["mentions"]:
                    was = old.get((mention.get("field", "body"), mention.get("start", 0)))
                    if not was or (was["type"], was.get("wikidata")) == (entity["type"], entity.get("wikidata")):
                        continue
                    changed[(was["type"], bool(was.get("wikidata")), entity["type"], bool(entity.get("wikidata")))] += 1
                    body = after.get("body", "")
                    start = mention.get("start", 0)
                    context = " ".join(body[max(0, start - 70) : mention["end"] + 50].split())
                    print(f"{after['id']}\t{was['type']} {was.get('wikidata') or '-'} {was['name']} -> "
                          f"{entity['type']} {entity.get('wikidata') or '-'} {entity['name']}\t| {context}")
    for (old_type, old_linked, new_type, new_linked), n in sorted(changed.items()):
        print(f"{old_type} {'linked' if old_linked else 'unlinked'} -> {new_type} "
              f"{'linked' if new_linked else 'unlinked'}: {n} mentions", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["measure", "draw", "extend", "score", "show", "compare"])
    parser.add_argument("--sets", default="idner-dev,gum-news,aeb-news")
    parser.add_argument("--cmd", help="command reading JSON lines on stdin (default: the tag_jsonl example)")
    parser.add_argument("--base-cmd", help="extend: the linker the judged sample was drawn with; compare: the other linker")
    parser.add_argument("--sample", default=SAMPLE)
    parser.add_argument("--per-language", type=int, default=160)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--errors", type=int, default=10, help="examples of errors to print")
    parser.add_argument("-n", type=int, default=40)
    parser.add_argument("--unlinked", type=int, default=0, help="show: the most frequent unlinked names")
    parser.add_argument("--no-rerun", action="store_true", help="score: skip re-running the linker")
    args = parser.parse_args()
    command = shlex.split(args.cmd) if args.cmd else [kabar_scripts.build_example("tag_jsonl")]
    actions = {"measure": measure, "draw": draw, "extend": extend, "score": score, "show": show, "compare": compare}
    actions[args.action](args, command)


if __name__ == "__main__":
    main()
