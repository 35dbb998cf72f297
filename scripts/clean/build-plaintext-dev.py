#!/usr/bin/env python3
"""Builds whole-page plain-text development sets, the way feeds make such text.

Each page of the AEB and Mozilla readability development sets (../shared/data/boilerplate-dev;
both have the whole story as gold) is rendered to text three ways:

* w3m: `w3m -dump -T text/html -cols 2000` (a text browser, as scrapers use it);
* lynx: `lynx -dump -nolist -width=2000 -stdin`;
* dom: a DOM text dump (Python's html.parser: text of every element, scripts and styles out,
  a line break at each block-level tag), as `text_content()`-style scrapers make it.

Wide columns keep a paragraph on one line (feeds carry paragraphs, not wrapped screen lines).
Every non-empty line is labelled against the page's gold text:
* a line of 4 or more words is story when at least half of its word 3-grams (lowercase `\\w+`
  tokens) occur in the gold;
* a shorter line is story when, normalised, it equals a line of the gold or a gold line starts
  with it (headings, short closing lines, list items), furniture otherwise.

Output (not in the repository; big): one JSONL file per source set and renderer,
/work/coord/clean-dev/plaintext-<set>-<renderer>.jsonl (or --out), rows
`{"id", "set", "renderer", "lines": [[text, is_story], ...]}`. Pages whose gold is under 200
characters are left out. scripts/clean/eval-loso.py --plain scores the cleaner on them, one
set held out at a time.

  apt-get install w3m lynx
  python3 scripts/clean/build-plaintext-dev.py
"""

import argparse
import gzip
import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_RE = re.compile(r"\w+", re.UNICODE)
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "blockquote", "pre", "table", "tr", "td", "th", "figure", "figcaption", "dd", "dt",
    "dl", "br", "hr", "address", "header", "footer", "nav", "aside", "form", "body", "caption",
    "title", "label", "option",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}


def default_data():
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "data" / "boilerplate-dev"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "data" / "boilerplate-dev"


class DomText(html.parser.HTMLParser):
    """Text of every element, one line per block, scripts and styles skipped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.current, self.skip = [], [], 0

    def flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.lines.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def render(renderer, page):
    if renderer == "dom":
        parser = DomText()
        parser.feed(page)
        parser.close()
        parser.flush()
        return parser.lines
    if renderer == "w3m":
        cmd = ["w3m", "-dump", "-T", "text/html", "-cols", "2000", "-O", "UTF-8", "-I", "UTF-8"]
    else:
        cmd = ["lynx", "-dump", "-nolist", "-width=2000", "-stdin", "-display_charset=UTF-8",
               "-assume_charset=UTF-8"]
    proc = subprocess.run(cmd, input=page.encode("utf-8"), capture_output=True, timeout=60,
                          check=False)
    text = proc.stdout.decode("utf-8", errors="replace")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def grams(tokens, n=3):
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def normalise(text):
    return " ".join(TOKEN_RE.findall(text.lower()))


def label(lines, gold):
    gold_tokens = TOKEN_RE.findall(gold.lower())
    gold_grams = grams(gold_tokens)
    gold_lines = [normalise(line) for line in gold.splitlines() if line.strip()]
    gold_line_set = set(gold_lines)
    labelled = []
    for line in lines:
        tokens = TOKEN_RE.findall(line.lower())
        if not tokens:
            labelled.append([line, False])
            continue
        if len(tokens) >= 4:
            line_grams = grams(tokens)
            share = sum(g in gold_grams for g in line_grams) / max(1, len(line_grams))
            labelled.append([line, share >= 0.5])
        else:
            norm = " ".join(tokens)
            story = norm in gold_line_set or any(g.startswith(norm + " ") for g in gold_lines)
            labelled.append([line, story])
    return labelled


def load(name, data):
    if name == "aeb":
        truth = json.loads(gzip.open(data / "aeb" / "ground-truth.json.gz").read())
        for doc_id in sorted(truth):
            page = gzip.open(data / "aeb" / "html" / f"{doc_id}.html.gz").read().decode("utf-8", "replace")
            yield doc_id, page, truth[doc_id].get("articleBody", "")
    else:
        gold = {}
        with gzip.open(data / "readability" / "pages.gold.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                gold[row["id"]] = row["text"]
        with gzip.open(data / "readability" / "pages.input.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                yield row["id"], row["html"], gold.get(row["id"], "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--out", type=Path, default=Path("/work/coord/clean-dev"))
    parser.add_argument("--renderers", nargs="+", default=["w3m", "lynx", "dom"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("aeb", "readability"):
        for renderer in args.renderers:
            path = args.out / f"plaintext-{name}-{renderer}.jsonl"
            pages = story = total = 0
            with open(path, "w", encoding="utf-8") as out:
                for doc_id, page, gold in load(name, args.data):
                    if len(gold) < 200:
                        continue
                    lines = label(render(renderer, page), gold)
                    row = {"id": doc_id, "set": name, "renderer": renderer, "lines": lines}
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                    pages += 1
                    story += sum(1 for _, s in lines if s)
                    total += len(lines)
            print(f"{path}: {pages} pages, {total} lines, {story} story", file=sys.stderr)


if __name__ == "__main__":
    main()
