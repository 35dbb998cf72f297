"""The labelled language-identification rows of the development data (`../shared/data/langid`)
and how they are split; shared by `train-lang.py` and `eval-lang.py`.
"""

import gzip
import hashlib
import json
import os
import unicodedata

# whatlang's languages (fas for pes); with Malay and Sundanese, the languages kabar answers.
WHATLANG = (
    "epo eng rus cmn spa por ita ben fra deu ukr kat ara hin jpn heb yid pol amh jav kor nob dan "
    "swe fin tur nld hun ces ell bul bel mar kan ron slv hrv srp mkd lit lav est tam vie urd tha "
    "guj uzb pan aze ind tel fas mal ori mya nep sin khm tuk aka zul sna afr lat slk cat tgl hye cym"
).split()
SUPPORTED = set(WHATLANG) | {"zsm", "sun"}


def split_of(row_id):
    """train / calib / heldout, by hash of the id (translations in NusaX share one group)."""
    key = row_id
    if key.startswith("nusax-"):
        key = key.rsplit("-", 1)[0]
    bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 10
    return "heldout" if bucket < 2 else "calib" if bucket == 2 else "train"


def moz_split(group):
    """train / tune of the interface strings (build-idms-train.py and the other builders), by
    their translation group, so that a string's translations fall on the same side."""
    return "tune" if int(group[:8], 16) % 10 < 2 else "train"


def load(data_dir):
    """Every row of lingua's test data, its Indonesian/Malay rows and NusaX, NFC-normalised,
    first occurrence of an id kept."""
    rows, seen = [], set()
    files = [
        "lingua-testdata.jsonl.gz",
        "id-ms/lingua-id-ms.jsonl.gz",
        "nusax-mt.jsonl.gz",
    ]
    for name in files:
        with gzip.open(os.path.join(data_dir, name), "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if row["id"] in seen:
                    continue
                seen.add(row["id"])
                row["text"] = unicodedata.normalize("NFC", row["text"])
                rows.append(row)
    return rows
