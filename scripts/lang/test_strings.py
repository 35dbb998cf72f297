"""Interface strings for TESTING language identification, read from the gettext catalogues
installed on this machine under /usr/share/locale, and cleaned: shared by build-idms-test.py
and build-lang-tests.py. The training strings come from other sources (train_strings.py): never
mix the two.
"""

import gettext
import os
import re

PLACEHOLDER = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[hlLqjzt]*[a-zA-Z%]|\{[^}]*\}|\$\{?\w+\}?|<[^>]+>|\\n")
# Written by build-idms-gettext-train.py: the text domains whose catalogues train the pair stage.
TRAIN_DOMAINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "idms-gettext-train-domains.txt")


def train_domains():
    """Text domains whose Malay and Indonesian catalogues train the pair stage
    (build-idms-gettext-train.py): never tested on."""
    with open(TRAIN_DOMAINS, encoding="utf-8") as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def catalogue(path):
    try:
        with open(path, "rb") as f:
            return gettext.GNUTranslations(f)._catalog
    except Exception:  # noqa: BLE001 - a broken catalogue is skipped
        return {}


def clean(text):
    text = PLACEHOLDER.sub(" ", text).replace("_", "").replace("&", "")
    return re.sub(r"\s+", " ", text).strip(" :.")
