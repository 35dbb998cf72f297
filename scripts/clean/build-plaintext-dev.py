#!/usr/bin/env python3
"""Builds whole-page plain-text development sets, the way feeds make such text.

Each page of the AEB, Mozilla readability and trafilatura development sets
(../shared/data/boilerplate-dev; AEB and readability have the whole story as gold, trafilatura
hand-picked snippets) is rendered to text three ways:

* w3m: `w3m -dump -T text/html -cols 2000` (a text browser, as scrapers use it);
* lynx: `lynx -dump -nolist -width=2000 -stdin`;
* dom: a DOM text dump (Python's html.parser: text of every element, scripts and styles out,
  a line break at each block-level tag), as `text_content()`-style scrapers make it.

Wide columns keep a paragraph on one line (feeds carry paragraphs, not wrapped screen lines;
`<pre>` text stays hard-wrapped). Every non-empty line is labelled against the page's gold text
(tokens: lowercase `\\w+` runs, the gold read as one token sequence):
* a line of 4 or more tokens is story when at least half of its token 3-grams occur in the gold;
* a shorter line is story when, normalised, it equals a gold line or starts one (headings,
  list items), or when at least half of the 3-grams that touch it, read with the last two
  tokens of the line before and the first two of the line after, occur in the gold (a heading
  before its paragraph, the last words of a hard-wrapped paragraph);
* bylines and datelines are the story's where they stand at its head (among the four lines
  with letters before its first line, or before its third line) or on the line right after its
  end: labelled story whatever the gold says, since the cleaner keeps them (the gold of AEB and
  Readability leaves them out; a byline or date elsewhere, in a teaser list or a comment, stays
  furniture). A byline is "By/Oleh/Von/Par/Por/Posted by/Reporter/Penulis..." and a name, a
  dateline a line of at most 14 tokens with a written or numeric date.
The page's headline is whatever the gold says (usually furniture: both golds start after it).
Trafilatura's pages have no whole gold text: a line holding one of its `with` snippets (or held
by one, 3 tokens or more) is story, a line holding a `without` snippet furniture, and every
other line unlabelled (null: neither trained on nor scored).

Output (not in the repository; big): one JSONL file per source set and renderer,
target/plaintext-dev/plaintext-<set>-<renderer>.jsonl (or --out), rows
`{"id", "set", "renderer", "lines": [[text, is_story], ...]}`. AEB and readability pages whose
gold is under 200 characters are left out. `scripts/clean/eval-clean.py --only pages` scores the cleaner on them,
each set in turn as the one not tuned on. `--relabel` labels the rendered lines of existing
files again (after a change to the labelling) without rendering.

  apt-get install w3m lynx
  python3 scripts/clean/build-plaintext-dev.py
"""

import argparse
import gzip
import html.parser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

TOKEN_RE = re.compile(r"\w+", re.UNICODE)
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
    "ol", "blockquote", "pre", "table", "tr", "td", "th", "figure", "figcaption", "dd", "dt",
    "dl", "br", "hr", "address", "header", "footer", "nav", "aside", "form", "body", "caption",
    "title", "label", "option",
}
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}


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


MONTH = (r"(?:jan(?:uary|uari)?|feb(?:ruary|ruari)?|mar(?:ch|et)?|apr(?:il)?|may|mei|jun[ei]?|"
         r"jul[iy]?|aug(?:ust)?|agu(?:stus)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?|"
         r"de[cs](?:ember)?)")
DATE_RE = re.compile(
    rf"(?i)\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+\d{{4}}"
    rf"|\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
BYLINE_RE = re.compile(r"(?i)^(?:by|oleh|von|par|por|written by|posted by|reporter|penulis|author|"
                       r"words by)\s*:?\s+[A-Z]")


def is_byline_or_dateline(line):
    """A short line naming the author or stating the date (the story's own, where it stands)."""
    if len(TOKEN_RE.findall(line)) > 14 or "taboola" in line.lower():
        return False
    return bool(BYLINE_RE.match(line) or DATE_RE.search(line))


def is_gold_line(index, tokens, gold_grams, gold_lines):
    """Whether line `index` (tokens per line) belongs to the gold story."""
    line = tokens[index]
    if not line:
        return False
    if len(line) >= 4:
        own = grams(line)
        return sum(g in gold_grams for g in own) / len(own) >= 0.5
    norm = " ".join(line)
    if norm in gold_lines or any(g.startswith(norm + " ") for g in gold_lines):
        return True
    # A short line read with its neighbours: a heading before a paragraph, the last words of a
    # hard-wrapped paragraph, are story when the word sequence runs on in the gold.
    before = next((t for t in reversed(tokens[:index]) if t), [])[-2:]
    after = next((t for t in tokens[index + 1:] if t), [])[:2]
    window = before + line + after
    touching = [tuple(window[i:i + 3]) for i in range(len(window) - 2)
                if i + 3 > len(before) and i < len(before) + len(line)]
    return bool(touching) and sum(g in gold_grams for g in touching) / len(touching) >= 0.5


def label(lines, gold):
    """[[line, is_story]] for the rendered lines of a page against its gold text."""
    gold_grams = grams(TOKEN_RE.findall(gold.lower()))
    gold_lines = {normalise(line) for line in gold.splitlines() if line.strip()}
    tokens = [TOKEN_RE.findall(line.lower()) for line in lines]
    labelled = [[line, is_gold_line(i, tokens, gold_grams, gold_lines)]
                for i, line in enumerate(lines)]
    story = [i for i, (_, is_story) in enumerate(labelled) if is_story]
    if not story:
        return labelled
    # Bylines and datelines at the story's head (the four lines with letters before its first
    # line, or before its third line) and right after its end are the story's, whatever the
    # gold says: the cleaner keeps them.
    first, last = story[0], story[-1]
    has_letters = [bool(t) for t in tokens]
    head = [i for i in range(first - 1, -1, -1) if has_letters[i]][:4]
    third = story[2] if len(story) > 2 else last
    inside = [i for i in range(first, third) if not labelled[i][1]]
    tail = [i for i in range(last + 1, len(lines)) if has_letters[i]][:1]
    for i in head + inside + tail:
        if is_byline_or_dateline(lines[i]):
            labelled[i][1] = True
    return labelled


def label_snippets(lines, snippets):
    """[[line, is_story]] against trafilatura's hand-picked snippets: a line holding a `with`
    snippet (or held by one) is story, a line holding a `without` snippet furniture, any other
    line unknown (None: neither trained on nor scored)."""
    with_norm = [n for n in (normalise(s) for s in snippets["with"]) if n]
    without_norm = [n for n in (normalise(s) for s in snippets["without"]) if n]
    labelled = []
    for line in lines:
        norm = normalise(line)
        padded = f" {norm} "
        story = bool(norm) and any(f" {s} " in padded or (len(norm.split()) >= 3 and f" {norm} " in f" {s} ")
                                   for s in with_norm)
        furniture = bool(norm) and any(f" {s} " in padded for s in without_norm)
        labelled.append([line, story if story != furniture else None])
    return labelled


def load(name, data, pages=True):
    """(id, page HTML, gold) of every page of a set; the HTML is empty without `pages`. The gold
    is a text, or for trafilatura its snippets {"with": [...], "without": [...]}."""
    if name == "trafilatura":
        evaldata = json.loads(gzip.open(data / "trafilatura" / "evaldata.json.gz").read())
        for url, item in sorted(evaldata.items()):
            path = data / "trafilatura" / "pages" / (item["file"] + ".gz")
            if path.exists():
                page = gzip.open(path).read().decode("utf-8", "replace") if pages else ""
                yield url, page, {"with": item.get("with", []), "without": item.get("without", [])}
        return
    if name == "aeb":
        truth = json.loads(gzip.open(data / "aeb" / "ground-truth.json.gz").read())
        for doc_id in sorted(truth):
            page = ""
            if pages:
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
                yield row["id"], row["html"] if pages else "", gold.get(row["id"], "")


def label_any(lines, gold):
    """Labels against a gold text, or against trafilatura's snippets."""
    return label_snippets(lines, gold) if isinstance(gold, dict) else label(lines, gold)


def gold_texts(name, data):
    """{page id: gold text} of a set."""
    return {doc_id: gold for doc_id, _, gold in load(name, data, pages=False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(kabar_scripts.shared_data("boilerplate-dev")))
    parser.add_argument("--out", type=Path, default=Path(kabar_scripts.target_dir()) / "plaintext-dev")
    parser.add_argument("--renderers", nargs="+", default=["w3m", "lynx", "dom"])
    parser.add_argument("--sets", nargs="+", default=["aeb", "readability", "trafilatura"],
                        choices=["aeb", "readability", "trafilatura"])
    parser.add_argument("--relabel", action="store_true",
                        help="label the lines of the existing files again, without rendering")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.sets:
        golds = gold_texts(name, args.data) if args.relabel else None
        for renderer in args.renderers:
            path = args.out / f"plaintext-{name}-{renderer}.jsonl"
            if args.relabel:
                rows = kabar_scripts.read_jsonl(str(path))
                for row in rows:
                    row["lines"] = label_any([line for line, _ in row["lines"]], golds[row["id"]])
            else:
                rows = []
                for doc_id, page, gold in load(name, args.data):
                    if isinstance(gold, dict) or len(gold) >= 200:
                        rows.append({"id": doc_id, "set": name, "renderer": renderer,
                                     "lines": label_any(render(renderer, page), gold)})
            kabar_scripts.write_jsonl(str(path), rows)
            total = sum(len(row["lines"]) for row in rows)
            story = sum(is_story is True for row in rows for _, is_story in row["lines"])
            unknown = sum(is_story is None for row in rows for _, is_story in row["lines"])
            print(f"{path}: {len(rows)} pages, {total} lines, {story} story, {unknown} unlabelled",
                  file=sys.stderr)


if __name__ == "__main__":
    main()
