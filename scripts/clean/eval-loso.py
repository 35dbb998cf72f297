#!/usr/bin/env python3
"""Leave-one-set-out evaluation of kabar's HTML extraction on three development sets.

Runs `kabar enrich --stages clean` once per set over the pages of
../shared/data/boilerplate-dev (or --data):

* aeb: Scrapinghub's article-extraction benchmark (181 news and blog pages, full gold text);
* readability: Mozilla Readability's test pages (130 pages; gold = the block text of
  Readability's reviewed expected output: one tool's answer, not ground truth);
* trafilatura: trafilatura's evaluation pages (990 pages; gold = hand-picked snippets that must
  or must not appear, no full text).

What is computed, per page (aeb and readability), with tokens = `\\w+` runs (Unicode):
* shingle: the benchmark's own measure: bags (multisets) of word 4-grams of gold and output;
  TP = shared count, FP = output surplus, FN = gold surplus, each divided by TP+FP+FN; precision
  and recall per page, averaged over the pages of the set; F1 of the two averages.
* word: the same with bags of single words (plain word-bag F1), averaged the same way.
* pooled: the shingle figure over the aeb and readability pages together (page-averaged).
For trafilatura only snippet precision/recall/F1 exist (a `with` snippet found in the output is
a true positive, a `without` snippet found a false positive), as scripts/eval-clean.py does.
A page counts as news when its gold has at least 1,500 characters and the page has an
`og:type` of article, an `<article>` element or a NewsArticle/Article JSON-LD type.

Protocol (written down so it is followed): a change is developed while looking only at the
failures of two sets (`--show-worst` prints them; `--hold-out NAME` refuses to print per-page
detail for NAME), then measured on the third, in rotation: aeb+readability -> trafilatura,
aeb+trafilatura -> readability, readability+trafilatura -> aeb. A set's reported held-out
figure is the one measured while it was held out; a set is never tuned on and reported as held
out. Public extraction benchmarks' test sets (CleanEval, L3S-GN1, Dragnet, CETD, ...) are not
used at all.

--peers also runs trafilatura and readability-lxml (from a virtual environment given by
--peer-python, see --help) on the same pages for comparison; their code is not used by kabar.

Examples:
  cargo build --release -p kabar
  KABAR_PIPELINE_MAX_PAYLOAD_BYTES=4194304 python3 scripts/clean/eval-loso.py
  python3 scripts/clean/eval-loso.py --sets aeb readability --show-worst 10 --hold-out trafilatura
  python3 scripts/clean/eval-loso.py --peers --peer-python /path/to/venv/bin/python
"""

import argparse
import collections
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_RE = re.compile(r"\w+", re.UNICODE)
SETS = ("aeb", "readability", "trafilatura")


def default_data():
    """../shared/data/boilerplate-dev beside the checkout (or a worktree's parent's)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "data" / "boilerplate-dev"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "boilerplate-dev"


def read_gz(path):
    with gzip.open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def load_set(name, data):
    """[(id, html, gold)] where gold is a text, or {'with': [...], 'without': [...]}."""
    pages = []
    if name == "aeb":
        truth = json.loads(read_gz(data / "aeb" / "ground-truth.json.gz"))
        for doc_id in sorted(truth):
            html = read_gz(data / "aeb" / "html" / f"{doc_id}.html.gz")
            pages.append((doc_id, html, truth[doc_id].get("articleBody", "")))
    elif name == "readability":
        gold = {}
        with gzip.open(data / "readability" / "pages.gold.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                gold[row["id"]] = row["text"]
        with gzip.open(data / "readability" / "pages.input.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                pages.append((row["id"], row["html"], gold.get(row["id"], "")))
        pages.sort()
    else:
        evaldata = json.loads(read_gz(data / "trafilatura" / "evaldata.json.gz"))
        for url, item in sorted(evaldata.items()):
            path = data / "trafilatura" / "pages" / (item["file"] + ".gz")
            if path.exists():
                snippets = {"with": item.get("with", []), "without": item.get("without", [])}
                pages.append((url, read_gz(path), snippets))
    return pages


NEWS_MARK = re.compile(
    r"""og:type["']?\s+content=["']article|<article[\s>]|"@type"\s*:\s*"(?:News)?Article\"""",
    re.IGNORECASE)


def is_news(html, gold):
    return isinstance(gold, str) and len(gold) >= 1500 and bool(NEWS_MARK.search(html))


def grams(text, n):
    tokens = TOKEN_RE.findall(text or "")
    if n == 1:
        return collections.Counter(tokens)
    return collections.Counter(tuple(tokens[i:i + n]) for i in range(0, max(0, len(tokens) - n + 1)))


def page_row(gold, output, n):
    """Normalised (tp, fp, fn) of one page's bags of word n-grams."""
    t, p = grams(gold, n), grams(output, n)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def averaged(rows):
    """Benchmark-style: precision and recall per page, averaged, then F1 of the averages."""
    def prec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def rec(tp, fp, fn):
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    ps = [prec(*r) for r in rows if r[0] + r[1] > 0 or r[2] == 0]
    rs = [rec(*r) for r in rows if r[0] + r[2] > 0]
    mp = sum(ps) / max(1, len(ps))
    mr = sum(rs) / max(1, len(rs))
    return mp, mr, 2 * mp * mr / max(1e-9, mp + mr)


def page_f1(row):
    tp, fp, fn = row
    return tp / max(1e-9, tp + 0.5 * (fp + fn))


def run_kabar(binary, pages):
    payload = "".join(json.dumps({"id": i, "html": h}, ensure_ascii=False) + "\n" for i, h, _ in pages)
    env = dict(os.environ)
    env.setdefault("KABAR_PIPELINE_MAX_PAYLOAD_BYTES", "4194304")
    started = time.perf_counter()
    proc = subprocess.run([binary, "enrich", "--stages", "clean"], input=payload.encode(),
                          capture_output=True, check=False, env=env)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"kabar failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    out = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    if len(out) != len(pages):
        sys.exit(f"kabar returned {len(out)} lines for {len(pages)} pages")
    return [o.get("body", "") for o in out], elapsed


PEER_SCRIPT = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
tool = sys.argv[1]
if tool == "trafilatura":
    import trafilatura
    def extract(html):
        return trafilatura.extract(html, include_comments=False, include_tables=True) or ""
else:
    import lxml.html
    from readability import Document
    def extract(html):
        summary = Document(html).summary(html_partial=True)
        root = lxml.html.fromstring(summary)
        blocks = []
        for el in root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "pre", "blockquote"):
            text = " ".join(el.text_content().split())
            if text:
                blocks.append(text)
        return "\n\n".join(blocks) or " ".join(root.text_content().split())
for line in sys.stdin:
    row = json.loads(line)
    try:
        body = extract(row["html"])
    except Exception:
        body = ""
    print(json.dumps({"body": body}))
"""


def run_peer(python, tool, pages):
    payload = "".join(json.dumps({"html": h}, ensure_ascii=False) + "\n" for _, h, _ in pages)
    started = time.perf_counter()
    proc = subprocess.run([python, "-c", PEER_SCRIPT, tool], input=payload.encode(),
                          capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{tool} failed: {proc.stderr.decode()[-2000:]}")
    return [json.loads(line)["body"] for line in proc.stdout.decode().splitlines()], elapsed


def score_text_set(pages, bodies):
    shingle = [page_row(g, b, 4) for (_, _, g), b in zip(pages, bodies)]
    word = [page_row(g, b, 1) for (_, _, g), b in zip(pages, bodies)]
    news = [r for r, (_, h, g) in zip(shingle, pages) if is_news(h, g)]
    return shingle, word, news


def score_snippets(pages, bodies):
    tp = fp = fn = 0
    for (_, _, gold), body in zip(pages, bodies):
        text = " ".join(body.split())
        for s in gold["with"]:
            if " ".join(s.split()) in text:
                tp += 1
            else:
                fn += 1
        for s in gold["without"]:
            fp += " ".join(s.split()) in text
    p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def snippet_misses(pages, bodies):
    """Pages with a `with` snippet missed or a `without` snippet kept, most errors first."""
    found = []
    for (doc_id, _, gold), body in zip(pages, bodies):
        text = " ".join(body.split())
        missed = [s for s in gold["with"] if " ".join(s.split()) not in text]
        kept = [s for s in gold["without"] if " ".join(s.split()) in text]
        if missed or kept:
            found.append((doc_id, missed, kept))
    found.sort(key=lambda x: -(len(x[1]) + len(x[2])))
    return found


def run_kabar_text(binary, rows):
    payload = "".join(json.dumps({"id": r["id"], "text": "\n".join(t for t, _ in r["lines"])},
                                 ensure_ascii=False) + "\n" for r in rows)
    env = dict(os.environ)
    env.setdefault("KABAR_PIPELINE_MAX_PAYLOAD_BYTES", "4194304")
    proc = subprocess.run([binary, "enrich", "--stages", "clean"], input=payload.encode(),
                          capture_output=True, check=False, env=env)
    if proc.returncode != 0:
        sys.exit(f"kabar failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    out = [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]
    return [o.get("body", "") for o in out]


def eval_plain(binary, plain_dir, hold_out, show_errors):
    """Line precision/recall/F1 (micro over lines) of story lines kept, per set and renderer."""
    for path in sorted(plain_dir.glob("plaintext-*.jsonl")):
        rows = [json.loads(line) for line in open(path, encoding="utf-8")]
        bodies = run_kabar_text(binary, rows)
        kept_story = kept = story = 0
        errors = []
        for row, body in zip(rows, bodies):
            paragraphs = collections.Counter(p.strip() for p in body.split("\n\n"))
            for line, is_story in row["lines"]:
                key = line.strip()
                is_kept = paragraphs.get(key, 0) > 0
                if is_kept:
                    paragraphs[key] -= 1
                if is_story is None:  # trafilatura: only lines holding a snippet are labelled
                    continue
                kept_story += is_kept and is_story
                kept += is_kept
                story += is_story
                if is_kept != is_story:
                    errors.append(("FN" if is_story else "FP", row["id"][:12], key[:110]))
        p, r = kept_story / max(1, kept), kept_story / max(1, story)
        name = path.stem.replace("plaintext-", "")
        print(f"plain {name:18} line P={p:.4f} R={r:.4f} F1={2 * p * r / max(1e-9, p + r):.4f} "
              f"({len(rows)} pages, {story} story lines)")
        if show_errors and not name.startswith(str(hold_out)):
            for kind, doc_id, line in errors[:show_errors]:
                print(f"    {kind} {doc_id}: {line}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "kabar"))
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--hold-out", choices=SETS, help="never print per-page detail for this set")
    parser.add_argument("--show-worst", type=int, default=0, help="worst pages per (non-held-out) set")
    parser.add_argument("--dump", type=Path, help="write each set's outputs as JSONL here (not the held-out set)")
    parser.add_argument("--peers", action="store_true", help="also run trafilatura and readability-lxml")
    parser.add_argument("--peer-python", default=os.environ.get("PEER_PYTHON", "python3"),
                        help="a Python with trafilatura and readability-lxml installed")
    parser.add_argument("--plain", type=Path, nargs="?", const=Path("/work/coord/clean-dev"),
                        help="score whole-page plain text from scripts/clean/build-plaintext-dev.py "
                             "(directory of plaintext-*.jsonl) instead of HTML")
    args = parser.parse_args()
    if args.plain:
        eval_plain(args.binary, args.plain, args.hold_out, args.show_worst)
        return

    tools = ["kabar"] + (["trafilatura", "readability"] if args.peers else [])
    pooled = collections.defaultdict(list)
    for name in args.sets:
        pages = load_set(name, args.data)
        for tool in tools:
            if tool == "kabar":
                bodies, elapsed = run_kabar(args.binary, pages)
            else:
                bodies, elapsed = run_peer(args.peer_python, tool, pages)
            rate = f"{len(pages) / elapsed:.0f} pages/s wall"
            if name == "trafilatura":
                p, r, f = score_snippets(pages, bodies)
                print(f"{name:12} {tool:12} snippets P={p:.4f} R={r:.4f} F1={f:.4f} "
                      f"({len(pages)} pages, {rate})")
                if tool == "kabar" and args.show_worst and name != args.hold_out:
                    for doc_id, missed, kept in snippet_misses(pages, bodies)[:args.show_worst]:
                        print(f"    worst {doc_id}: missed {missed} kept {kept}")
            else:
                shingle, word, news = score_text_set(pages, bodies)
                pooled[tool].extend(shingle)
                pooled[tool + " news"].extend(news)
                sp, sr, sf = averaged(shingle)
                _, _, wf = averaged(word)
                _, _, nf = averaged(news) if news else (0, 0, 0)
                print(f"{name:12} {tool:12} shingle P={sp:.4f} R={sr:.4f} F1={sf:.4f}  "
                      f"word F1={wf:.4f}  news shingle F1={nf:.4f} ({len(news)})  "
                      f"({len(pages)} pages, {rate})")
                if tool == "kabar" and args.show_worst and name != args.hold_out:
                    worst = sorted(zip(map(page_f1, shingle), (p[0] for p in pages), shingle))
                    for f, doc_id, row in worst[:args.show_worst]:
                        print(f"    worst {doc_id}: F1={f:.3f} tp={row[0]:.2f} fp={row[1]:.2f} fn={row[2]:.2f}")
            if tool == "kabar" and args.dump and name != args.hold_out:
                args.dump.mkdir(parents=True, exist_ok=True)
                with open(args.dump / f"{name}.jsonl", "w", encoding="utf-8") as f:
                    for (doc_id, _, gold), body in zip(pages, bodies):
                        f.write(json.dumps({"id": doc_id, "body": body, "gold": gold}, ensure_ascii=False) + "\n")
    for tool in tools:
        if pooled[tool]:
            _, _, f = averaged(pooled[tool])
            _, _, nf = averaged(pooled[tool + " news"]) if pooled[tool + " news"] else (0, 0, 0)
            print(f"pooled aeb+readability {tool:12} shingle F1={f:.4f}  news F1={nf:.4f} "
                  f"({len(pooled[tool])} pages, {len(pooled[tool + ' news'])} news)")


if __name__ == "__main__":
    main()
