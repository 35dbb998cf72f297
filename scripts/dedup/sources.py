"""The news text the near-duplicate benchmark is made from, as documents of paragraphs.

Every document is a dict: id, source, lang (ISO 639-3), title, paragraphs (list of str).
Sources (all in ../shared/data, see its README for licences):

- aeb: the article-extraction benchmark's human-written article bodies (mostly English news).
- readability: the gold texts of Mozilla Readability's test pages (news, blogs, documentation).
- wikinews: GUM's Wikinews news and interview documents (English), detokenised.
- idner: Indonesian news sentences of idner-news-2k, grouped into documents of consecutive
  sentences (they are not whole articles, but they are real news prose).
- nusax: NusaX-MT, Indonesian sentences with human translations (for the translation negatives).
"""

import gzip
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "entities"))
import kabar_scripts  # noqa: E402
from ner_docs import detokenise, read_conll  # noqa: E402

# Documents are cut to at most this many words (at a paragraph boundary) and kept only from this
# many words: the benchmark is about articles, not books or captions.
MAX_WORDS = 1500
MIN_WORDS = 80


def words(text):
    return len(text.split())


def shape(doc_id, source, lang, title, paragraphs):
    """A document with its paragraphs cleaned and bounded, or None when it is too short."""
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in paragraphs]
    paragraphs = [p for p in paragraphs if p]
    if any("lorem ipsum" in p.lower() for p in paragraphs):
        # Filler text of synthetic test pages (29 of Readability's): not news, and the same
        # text on every such page, so two of them are copies, not "unrelated".
        return None
    kept, total = [], 0
    for paragraph in paragraphs:
        if total >= MAX_WORDS:
            break
        kept.append(paragraph)
        total += words(paragraph)
    if total < MIN_WORDS:
        return None
    # Edits work on paragraphs: a text of one or two long paragraphs is split at sentences.
    if len(kept) < 4:
        sentences = [s for p in kept for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", p) if s]
        size = max(1, len(sentences) // 5)
        kept = [" ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
    if len(kept) < 3:
        return None
    if not title:
        title = " ".join(kept[0].split()[:10]).rstrip(",.;:")
    return {"id": doc_id, "source": source, "lang": lang, "title": title, "paragraphs": kept}


def aeb():
    path = kabar_scripts.shared_data("boilerplate-dev", "aeb", "ground-truth.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        truth = json.load(handle)
    docs = []
    for key in sorted(truth):
        body = truth[key]["articleBody"]
        slug = truth[key].get("url", "").rstrip("/").rsplit("/", 1)[-1]
        slug = re.sub(r"\.\w+$", "", slug)
        title = " ".join(w for w in re.split(r"[-_]+", slug) if w and not w.isdigit())
        title = title[:1].upper() + title[1:] if len(title.split()) >= 3 else ""
        doc = shape(f"aeb-{key[:12]}", "aeb", "eng", title, body.split("\n"))
        if doc:
            docs.append(doc)
    return docs


def readability():
    path = kabar_scripts.shared_data("boilerplate-dev", "readability", "pages.gold.jsonl.gz")
    docs = []
    for row in kabar_scripts.read_jsonl(path):
        lang = (row.get("lang") or "en")[:2]
        lang = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita"}.get(lang, lang)
        doc = shape(f"rdb-{row['id']}", "readability", lang, row.get("title") or "", row["text"].split("\n\n"))
        if doc:
            docs.append(doc)
    return docs


def wikinews():
    folder = kabar_scripts.shared_data("ner", "gum-en")
    sentences = {
        name: read_conll(os.path.join(folder, name), 1) for name in ("news.conll.gz", "other.conll.gz")
    }
    docs = []
    with open(os.path.join(folder, "docs.tsv"), encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if row["genre"] not in ("news", "interview"):
                continue
            first, count = int(row["first_sentence"]), int(row["n_sentences"])
            group = sentences[row["file"]][first : first + count]
            texts = [detokenise([sentence])[0] for sentence in group]
            title, body = texts[0], texts[1:]
            # Paragraphs of three sentences (GUM keeps sentences, not paragraphs).
            paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
            doc = shape(f"wn-{row['doc_id']}", "wikinews", "eng", title, paragraphs)
            if doc:
                docs.append(doc)
    return docs


def idner(sentences_per_doc=18):
    folder = kabar_scripts.shared_data("ner", "idner-news-2k")
    sentences = []
    for name in ("train.txt", "dev.txt"):
        sentences += read_conll(os.path.join(folder, name), 2)
    docs = []
    for index, first in enumerate(range(0, len(sentences) - sentences_per_doc, sentences_per_doc)):
        texts = [detokenise([s])[0] for s in sentences[first : first + sentences_per_doc]]
        paragraphs = [" ".join(texts[i : i + 2]) for i in range(0, len(texts), 2)]
        doc = shape(f"idner-{index:04d}", "idner", "ind", "", paragraphs)
        if doc:
            docs.append(doc)
    return docs


def nusax():
    """{(split, row): {lang: sentence}} of NusaX-MT."""
    path = kabar_scripts.shared_data("langid", "nusax-mt.jsonl.gz")
    rows = {}
    for row in kabar_scripts.read_jsonl(path):
        _, split, number, lang = row["id"].split("-")
        rows.setdefault((split, int(number)), {})[lang] = row["text"]
    return rows
