"""CoNLL-style NER corpora into kabar's training sentences and evaluation documents: shared by
prepare-ner.py and cv-entities.py.

Documents for evaluation are groups of SENTENCES_PER_DOC consecutive sentences, detokenised into
plain text (no space before closing punctuation), with gold mentions as code-point offsets.
Corpora with document boundaries (GUM's docs.tsv) can also be read as whole articles
(`gum_documents`, `article`): a heading, a dateline or a caption (a sentence without a final
mark) ends its line, as in a plain-text article.
"""

import csv
import gzip
import os

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


FINAL_MARKS = (".", "?", "!", '"', "'", "”", "’", ")", ":", ";", ",")


def detokenise(sentences, lines=False):
    """Joins sentences into one text; returns text and per-sentence token offsets. With `lines`,
    a sentence without a final mark (a heading, a dateline) ends its line."""
    text = ""
    offsets = []
    for tokens, _ in sentences:
        sentence_offsets = []
        for index, token in enumerate(tokens):
            glue = text != "" and not (
                token in NO_SPACE_BEFORE
                or (index > 0 and tokens[index - 1] in NO_SPACE_AFTER)
            )
            if glue and index == 0 and lines and not text.endswith(FINAL_MARKS):
                text += "\n"
            elif glue:
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


def article(doc_id, sentences, lines=False):
    """One evaluation document {"id", "text", "gold"} of the sentences."""
    text, offsets = detokenise(sentences, lines)
    gold = []
    for (tokens, tags), sentence_offsets in zip(sentences, offsets):
        for start, end, kind in spans(tags):
            if kind in ("PER", "ORG", "LOC"):
                gold.append([kind, sentence_offsets[start][0], sentence_offsets[end - 1][1]])
    return {"id": doc_id, "text": text, "gold": gold}


def documents(name, sentences):
    return [
        article(f"{name}-{first // SENTENCES_PER_DOC}", sentences[first : first + SENTENCES_PER_DOC])
        for first in range(0, len(sentences), SENTENCES_PER_DOC)
    ]


def gum_documents(gum_dir, file_name):
    """GUM's documents in one of its files: [(doc id, genre, sentences)], from docs.tsv."""
    sentences = read_conll(os.path.join(gum_dir, file_name), 1)
    out = []
    with open(os.path.join(gum_dir, "docs.tsv"), encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["file"] != file_name:
                continue
            first, n = int(row["first_sentence"]), int(row["n_sentences"])
            out.append((row["doc_id"], row["genre"], sentences[first : first + n]))
    if sum(len(doc) for _, _, doc in out) != len(sentences):
        raise SystemExit(f"{file_name}: docs.tsv does not cover its sentences")
    return out
