"""CoNLL-style NER corpora into kabar's training sentences and evaluation documents: shared by
prepare-ner.py and cv-entities.py.

Documents for evaluation are groups of SENTENCES_PER_DOC consecutive sentences, detokenised into
plain text (no space before closing punctuation), with gold mentions as code-point offsets.
"""

import gzip

SENTENCES_PER_DOC = 5


def read_conll(path, tag_column):
    opener = gzip.open if path.endswith(".gz") else open
    sentences, tokens, tags = [], [], []
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line.strip():
                if tokens:
                    sentences.append((tokens, tags))
                tokens, tags = [], []
                continue
            parts = line.split("\t") if "\t" in line else line.split(" ")
            tokens.append(parts[0])
            tags.append(parts[tag_column] if len(parts) > tag_column else "O")
    if tokens:
        sentences.append((tokens, tags))
    return [fix_iob(s) for s in sentences]


def fix_iob(sentence):
    tokens, tags = sentence
    fixed, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        fixed.append(tag)
        previous = tag
    return tokens, fixed


NO_SPACE_BEFORE = {",", ".", ";", ":", ")", "]", "?", "!", "%", "'s", "n't", "”", "'"}
NO_SPACE_AFTER = {"(", "[", "“"}


def detokenise(sentences):
    """Joins sentences into one text; returns text and per-sentence token offsets."""
    text = ""
    offsets = []
    for tokens, _ in sentences:
        sentence_offsets = []
        for index, token in enumerate(tokens):
            glue = text != "" and not (
                token in NO_SPACE_BEFORE
                or (index > 0 and tokens[index - 1] in NO_SPACE_AFTER)
            )
            if glue:
                text += " "
            start = len(text)
            text += token
            sentence_offsets.append((start, len(text)))
        offsets.append(sentence_offsets)
    return text, offsets


def spans(tags):
    out, start, kind = [], None, None
    for index, tag in enumerate(tags + ["O"]):
        if tag == "O" or tag.startswith("B-"):
            if start is not None:
                out.append((start, index, kind))
                start = None
        if tag.startswith("B-"):
            start, kind = index, tag[2:]
    return out


def documents(name, sentences):
    docs = []
    for first in range(0, len(sentences), SENTENCES_PER_DOC):
        group = sentences[first : first + SENTENCES_PER_DOC]
        text, offsets = detokenise(group)
        gold = []
        for (tokens, tags), sentence_offsets in zip(group, offsets):
            for start, end, kind in spans(tags):
                if kind in ("PER", "ORG", "LOC"):
                    gold.append([kind, sentence_offsets[start][0], sentence_offsets[end - 1][1]])
        docs.append({"id": f"{name}-{first // SENTENCES_PER_DOC}", "text": text, "gold": gold})
    return docs
