#!/usr/bin/env python3
"""Builds more parallel Standard Malay / Indonesian interface strings for TRAINING the pair stage,
from the gettext catalogues of Debian packages that are NOT installed on this machine.

    apt-file update   # (apt-get install apt-file) to find the packages with both catalogues
    comm -12 <(apt-file search /usr/share/locale/ms/LC_MESSAGES/ | cut -d: -f1 | sort -u) \
             <(apt-file search /usr/share/locale/id/LC_MESSAGES/ | cut -d: -f1 | sort -u) \
        | comm -23 - <(dpkg-query -W -f '${Package}\\n' | sort) > /tmp/idms-gt-packages.txt
    mkdir -p /tmp/gt-debs && cd /tmp/gt-debs && apt-get download $(cat /tmp/idms-gt-packages.txt)
    scripts/lang/build-idms-gettext-train.py --wordfreq /tmp/wf/wordfreq-3.1.1-py3-none-any.whl \
        --domains-out scripts/lang/data/idms-gettext-train-domains.txt /tmp/gt-debs/*.deb \
        > /tmp/idms-gettext-train.jsonl

The test set (`build-idms-test.py`) reads the catalogues installed under /usr/share/locale, so
this script leaves out every text domain installed here and every string found in an installed
catalogue, and writes the domains it used to `--domains-out`, which `build-idms-test.py` skips
(the installed packages differ from machine to machine). Never mix the two.

Source: Debian's packages (GNOME, KDE, Xfce, MATE and other programs; their translations are
under their programs' licences, GPL and LGPL mostly; only hashed word weights derived from them
are kept in kabar's tables). Strings are paired by (text domain, msgid); cleaned and filtered as
in `build-idms-train.py` (place-holders, accelerators, strings left in English, pairs whose two
sides are the same).

Output rows: {"id": "gt-<domain>-<n>-<lang>", "text", "lang", "group"}; rows sharing `group` are
translations of each other (split train/tune by group, see scripts/lang/train-lang.py).
"""

import argparse
import gettext
import glob
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile

from train_strings import ENGLISH_SHARE, clean, english_share, letters, zipf_lists

MO = re.compile(r"usr/share/locale/(ms|id)/LC_MESSAGES/(.+)\.mo$")
# Catalogues of names (countries, languages, currencies), not sentences.
SKIP = re.compile(r"^iso_")


def catalogue(data):
    try:
        return gettext.GNUTranslations(io.BytesIO(data))._catalog
    except Exception:  # noqa: BLE001 - a broken catalogue is skipped
        return {}


def deb_catalogues(path):
    """{(locale, domain): {msgid: msgstr}} of one .deb."""
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", path], stdout=subprocess.PIPE, check=True).stdout
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for member in tar.getmembers():
            m = MO.search(member.name)
            if m and member.isfile():
                out[(m.group(1), m.group(2))] = catalogue(tar.extractfile(member).read())
    return out


def installed():
    """Domains and cleaned strings of the catalogues installed here (the test set's source)."""
    domains, texts = set(), set()
    for folder in ("ms", "id"):
        for path in glob.glob(f"/usr/share/locale/{folder}/LC_MESSAGES/*.mo"):
            domains.add(os.path.basename(path)[:-3])
            with open(path, "rb") as f:
                texts.update(v.lower() for v in catalogue(f.read()).values() if isinstance(v, str))
    return domains, texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordfreq", required=True, help="wordfreq-3.1.1-py3-none-any.whl; needs msgpack")
    parser.add_argument("--domains-out", required=True, help="where to write the text domains used")
    parser.add_argument("debs", nargs="+")
    args = parser.parse_args()
    lists = zipf_lists(args.wordfreq)
    test_domains, test_texts = installed()
    by_domain = {}
    for path in sorted(args.debs):
        for (locale, domain), strings in deb_catalogues(path).items():
            if domain in test_domains or SKIP.match(domain):
                continue
            by_domain.setdefault(domain, {}).setdefault(locale, {}).update(strings)
    n = 0
    used = set()
    seen = set()
    for domain in sorted(by_domain):
        ms, ind = by_domain[domain].get("ms", {}), by_domain[domain].get("id", {})
        for msgid in sorted(k for k in set(ms) & set(ind) if isinstance(k, str) and k):
            if not (isinstance(ms[msgid], str) and isinstance(ind[msgid], str)):
                continue
            if ms[msgid].lower() in test_texts or ind[msgid].lower() in test_texts:
                continue
            a, b = clean(ms[msgid].replace("_", "")), clean(ind[msgid].replace("_", ""))
            english = clean(msgid.replace("_", "")).lower()
            if a.lower() == b.lower() or english in (a.lower(), b.lower()):
                continue
            if letters(a) < 4 or letters(b) < 4 or (a, b) in seen:
                continue
            if max(english_share(a, lists), english_share(b, lists)) >= ENGLISH_SHARE:
                continue
            seen.add((a, b))
            used.add(domain)
            group = hashlib.sha256(f"gettext|{domain}|{msgid}".encode()).hexdigest()[:12]
            for lang, text in (("zsm", a), ("ind", b)):
                row = {"id": f"gt-{domain}-{n}-{lang}", "text": text, "lang": lang, "group": group}
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    with open(args.domains_out, "w", encoding="utf-8") as f:
        f.write("# Text domains whose catalogues train the Indonesian/Malay pair stage\n")
        f.write("# (scripts/lang/build-idms-gettext-train.py); build-idms-test.py skips them.\n")
        for domain in sorted(used):
            f.write(domain + "\n")
    print(f"{n} pairs from {len(used)} text domains", file=sys.stderr)


if __name__ == "__main__":
    main()
