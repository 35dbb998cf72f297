#!/usr/bin/env python3
"""Builds parallel Standard Malay / Indonesian interface strings for TRAINING the pair stage.

    mkdir -p /tmp/idms-debs && cd /tmp/idms-debs && apt-get download \
        firefox-esr-l10n-ms firefox-esr-l10n-id thunderbird-l10n-ms thunderbird-l10n-id
    scripts/lang/build-idms-train.py --wordfreq /tmp/wf/wordfreq-3.1.1-py3-none-any.whl \
        /tmp/idms-debs/*.deb > /tmp/idms-train.jsonl

Source: the Mozilla language packs in Debian's `firefox-esr-l10n-{ms,id}` and
`thunderbird-l10n-{ms,id}` (MPL-2.0; translations by the Mozilla Malay and Indonesian
localisation teams). Each pack's `.ftl`, `.properties` and `.dtd` strings are keyed by
(application, file, key), so the Malay and Indonesian translations of one English string pair
up. Kept: pairs whose cleaned texts differ and have at least 4 letters each; dropped: place-holders,
markup, access keys, and pairs where either side is left in English: 40% or more of its words
are English by wordfreq 3.1.1's lists (the same wheel scripts/lang/train-lang.py reads; a word is
English when its English Zipf frequency beats both its Malay and Indonesian ones by 1.0).

This is a different source from the test sets (`build-idms-test.py` reads the GNU gettext
catalogues under /usr/share/locale and the UDHR): never mix the two.

Output rows: {"id": "moz-<app>-<n>-<lang>", "text", "lang", "group"}; rows sharing `group` are
translations of each other (split train/tune by group, see scripts/lang/train-lang.py).
"""

import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile

PLACEHOLDER = re.compile(
    r"\{[^{}]*\}|%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[a-zA-Z%]|#\d|\$\w+|<[^>]*>|&[a-zA-Z#0-9]+;|\\n|\\u[0-9a-fA-F]{4}"
)
ENGLISH_MARGIN = 1.0
ENGLISH_SHARE = 0.4


def zipf_lists(wheel, codes=("en", "ms", "id")):
    """{code: {word: zipf}} from wordfreq's small lists (msgpack: one list of words per centibel)."""
    import gzip
    import msgpack

    out = {}
    with zipfile.ZipFile(wheel) as z:
        for code in codes:
            data = msgpack.unpackb(gzip.decompress(z.read(f"wordfreq/data/small_{code}.msgpack.gz")), raw=False)
            out[code] = {word: 9 - i / 100 for i, bin_words in enumerate(data[1:]) for word in bin_words}
    return out


def parse(name, text):
    out = {}
    if name.endswith(".properties"):
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                out[key.strip()] = value.strip()
    elif name.endswith(".dtd"):
        for key, value in re.findall(r'<!ENTITY\s+(\S+)\s+"([^"]*)"', text):
            out[key] = value
    elif name.endswith(".ftl"):
        current = None
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"^([a-zA-Z][\w-]*)\s*=\s*(.*)$", line)
            if m:
                current = m.group(1)
                if m.group(2).strip():
                    out[current] = m.group(2).strip()
                continue
            m = re.match(r"^\s+\.([\w-]+)\s*=\s*(.*)$", line)
            if m and current:
                out[f"{current}.{m.group(1)}"] = m.group(2).strip()
    return out


def deb_strings(path):
    """(app, locale, {(file, key): text}) of one language-pack .deb."""
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", path], stdout=subprocess.PIPE, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar.getmembers():
            m = re.search(r"langpack-([\w-]+)@(firefox|thunderbird)", member.name)
            if not (m and member.name.endswith(".xpi")):
                continue
            locale, app = m.group(1), m.group(2)
            strings = {}
            with zipfile.ZipFile(io.BytesIO(tar.extractfile(member).read())) as xpi:
                for name in xpi.namelist():
                    if name.endswith((".ftl", ".properties", ".dtd")):
                        generic = name.replace(f"/{locale}/", "/L/")
                        for key, value in parse(name, xpi.read(name).decode("utf-8", "replace")).items():
                            strings[(generic, key)] = value
            return app, locale, strings
    sys.exit(f"{path}: no language pack inside")


def clean(text):
    text = PLACEHOLDER.sub(" ", text).replace("&", "").replace("\\'", "'")
    return re.sub(r"\s+", " ", text).strip(" :.,;")


def letters(text):
    return sum(ch.isalpha() for ch in text)


def english_share(text, lists):
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return 0.0
    english = sum(
        lists["en"].get(w, 0.0) - max(lists["ms"].get(w, 0.0), lists["id"].get(w, 0.0)) >= ENGLISH_MARGIN
        for w in words
    )
    return english / len(words)


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordfreq", required=True, help="wordfreq-3.1.1-py3-none-any.whl; needs msgpack")
    parser.add_argument("debs", nargs="+")
    args = parser.parse_args()
    lists = zipf_lists(args.wordfreq)
    packs = {}
    for path in args.debs:
        app, locale, strings = deb_strings(path)
        packs[(app, locale)] = strings
    n = 0
    for app in sorted({app for app, _ in packs}):
        ms, ind = packs.get((app, "ms"), {}), packs.get((app, "id"), {})
        for key in sorted(set(ms) & set(ind)):
            a, b = clean(ms[key]), clean(ind[key])
            if a.lower() == b.lower() or letters(a) < 4 or letters(b) < 4:
                continue
            if max(english_share(a, lists), english_share(b, lists)) >= ENGLISH_SHARE:
                continue
            group = hashlib.sha256(f"{app}|{key[0]}|{key[1]}".encode()).hexdigest()[:12]
            for lang, text in (("zsm", a), ("ind", b)):
                row = {"id": f"moz-{app}-{n}-{lang}", "text": text, "lang": lang, "group": group}
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
