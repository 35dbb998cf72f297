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
import json
import sys

from train_strings import ENGLISH_SHARE, clean, deb_strings, english_share, letters, zipf_lists


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
