#!/usr/bin/env python3
"""Builds interface strings in many languages for TRAINING the n-gram model.

    mkdir -p /tmp/ui-debs && cd /tmp/ui-debs && apt-get download $(for l in en-gb de fr es-es it \
        pt-pt pt-br nl pl ru uk tr sv-se da nb-no fi cs hu ro ca vi ar fa he hi-in sk; \
        do echo firefox-esr-l10n-$l; done)
    scripts/lang/build-ui-train.py /tmp/ui-debs/*.deb > /tmp/ui-train.jsonl

Source: the Firefox language packs in Debian's `firefox-esr-l10n-<locale>` (MPL-2.0; Mozilla's
localisation teams). Strings are cleaned as in `build-idms-train.py`; a string identical to the
British English pack's string for the same key is dropped as untranslated (the en-GB pack must
be among the inputs). Malay and Indonesian come from `build-idms-train.py` instead.

This is a different source from the test sets (`build-lang-tests.py` reads the GNU gettext
catalogues under /usr/share/locale and the UDHR): never mix the two.

Output rows: {"id": "ui-<lang>-<n>", "text", "lang", "group"}; `group` is a hash of the string's
key, the same in every language (split train/tune by group, see scripts/lang/train-lang.py).
"""

import hashlib
import json
import sys

from train_strings import clean, deb_strings, letters

LOCALES = {
    "en-GB": "eng", "de": "deu", "fr": "fra", "es-ES": "spa", "it": "ita", "pt-PT": "por",
    "pt-BR": "por", "nl": "nld", "pl": "pol", "ru": "rus", "uk": "ukr", "tr": "tur", "sv-SE": "swe",
    "da": "dan", "nb-NO": "nob", "fi": "fin", "cs": "ces", "hu": "hun", "ro": "ron", "ca": "cat",
    "vi": "vie", "ar": "ara", "fa": "fas", "he": "heb", "hi-IN": "hin", "sk": "slk",
}


def main():
    packs = {}
    for path in sys.argv[1:]:
        _, locale, strings = deb_strings(path)
        packs[locale] = strings
    english = packs.get("en-GB")
    if english is None:
        sys.exit("the en-GB pack is needed to drop untranslated strings")
    for locale, code in LOCALES.items():
        strings = packs.get(locale)
        if strings is None:
            print(f"no pack for {locale}", file=sys.stderr)
            continue
        n = 0
        seen = set()
        for key in sorted(strings):
            text = clean(strings[key])
            if letters(text) < 4 or text in seen:
                continue
            if code != "eng" and key in english and clean(english[key]) == text:
                continue
            seen.add(text)
            group = hashlib.sha256(f"firefox|{key[0]}|{key[1]}".encode()).hexdigest()[:12]
            row = {"id": f"ui-{code}-{locale}-{n}", "text": text, "lang": code, "group": group}
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        print(f"{locale}: {n} strings", file=sys.stderr)


if __name__ == "__main__":
    main()
