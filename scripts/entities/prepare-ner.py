#!/usr/bin/env python3
"""Converts the NER corpora in shared/data/ner into kabar's training and evaluation files.

Writes, into OUT_DIR:
  train.jsonl       {"lang", "doc", "tokens", "tags"} per sentence: the tagger's training data
                    (Indonesian and English sets, plus UNER Portuguese and Danish train);
                    "doc" groups consecutive sentences into documents, "corpus" names the
                    corpora cross-validation evaluates, "copies" (default 1) is how many times
                    the trainer takes a document; the English model's
  train-general.jsonl  the model of the other languages': train.jsonl without GUM, the UNER
                    English test split and the Broad Twitter Corpus, each document once (with them, Indonesian lost about
                    0.008 F1 on its held-out split)
  dev-ind.jsonl     {"id", "text", "gold"} per document: idner-news-2k dev (held out)
  dev-eng.jsonl     the same for English: held-out tails of wikigold and uner-en
  test-news.jsonl   the same for English news: GUM's news genre (Wikinews), whole articles, a
                    test set never trained or tuned on (not written with --tune)

Documents for evaluation are groups of consecutive sentences, detokenised into plain text
(no space before closing punctuation), with gold mentions as code-point offsets.
With --tune, the dev files hold a tuning split carved out of the training data instead (the
slice of WikiGold and UNER English just before their held-out tails, and the last 15% of
idner-news-2k train), and train.jsonl leaves it out: choices about features and data are made
on it, so that the held-out dev split stays a fair estimate.
--extra=LANG:PATH adds a corpus (PATH under NER_DIR, token<TAB>tag) to the training data.
--btc=LANG[:COPIES] trains the English model on the Broad Twitter Corpus (data/btc-en.conll.gz,
in this repository) under that language code, COPIES times (--btc=eng is the candidate); the
default, off, leaves it out.
Usage: scripts/entities/prepare-ner.py [NER_DIR] [OUT_DIR] [--tune] [--extra=LANG:PATH ...]
                                       [--btc=LANG[:COPIES]|off]
"""

import json
import os
import sys

from ner_docs import SENTENCES_PER_DOC, article, documents, gum_documents, read_conll

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
TUNE = "--tune" in sys.argv[1:]
EXTRA = [a[len("--extra="):] for a in sys.argv[1:] if a.startswith("--extra=")]
# The Broad Twitter Corpus as English, once, gained English +0.020 bag F1 on the tuning split
# (ORG +0.036, 8 seeds, t 7.3) and +0.006 / +0.008 on the held-out split and the news set; under
# a language code of its own, or only its news headlines (section G), nothing. In since a
# person's name no longer ends at a middle initial (resolve.rs), which kept "Michael R."
# apart from "Bloomberg" with it (docs/decisions/entity-tagging.md); --btc=off leaves it out.
BTC = next((a[len("--btc="):] for a in sys.argv[1:] if a.startswith("--btc=")), "eng")
# --whole-docs: GUM's documents are trained on whole rather than in groups of sentences.
WHOLE_DOCS = "--whole-docs" in sys.argv[1:]
NER = ARGS[0] if ARGS else kabar_scripts.shared_data("ner")
OUT = ARGS[1] if len(ARGS) > 1 else "/tmp/kabar-ner"
# Share of each English set held out for evaluation (its tail).
ENG_HELD_OUT = 0.2
# With --tune: share of each English set (before the tail) and of idner-news-2k train (its end)
# used as the tuning split.
ENG_TUNE = 0.15
IND_TUNE = 0.15
# Indonesian documents are trained on twice: with GUM and the UNER English test split, English
# outweighs Indonesian three to one, and once each cost Indonesian 0.003 cross-validated (and
# 0.013 on the held-out split), twice each costs nothing (cv-entities.py --copies ind=2: English
# 0.6745 -> 0.6738, Indonesian 0.7896 -> 0.7931, 3 seeds).
COPIES = {"ind": 2}
# Corpora only the English model is trained on: GUM and the UNER English test split gave +0.02
# to +0.025 English F1 on both held-out English sets, -0.008 Indonesian on its held-out split
# (4 seeds each); the Broad Twitter Corpus came later, for English alone.
ENGLISH_ONLY = ("gum", "uner-en-test", "btc")
HERE = os.path.dirname(os.path.abspath(__file__))
# GUM genres left out of training (see main).
NOT_TRAINED_GENRES = ("interview",)


def main():
    os.makedirs(OUT, exist_ok=True)
    train = []

    corpora = []

    def add(lang, sentences, corpus=None):
        # Consecutive sentences of a corpus are grouped into documents as for evaluation, so that
        # the tagger learns from the same document-wide evidence it sees at run time. "corpus"
        # names the corpus for cross-validation (cv-entities.py).
        corpora.append(lang)
        for index, (tokens, tags) in enumerate(sentences):
            doc = f"{len(corpora)}-{index // SENTENCES_PER_DOC}"
            row = {"lang": lang, "doc": doc, "tokens": tokens, "tags": tags}
            if corpus:
                row["corpus"] = corpus
            train.append(row)

    idner = read_conll(f"{NER}/idner-news-2k/train.txt", 2)
    if TUNE:
        cut = int(len(idner) * (1 - IND_TUNE))
        ind_dev = documents("idner-tune", idner[cut:])
        idner = idner[:cut]
    else:
        ind_dev = documents("idner-dev", read_conll(f"{NER}/idner-news-2k/dev.txt", 2))
    add("ind", idner, "idner")
    add("ind", read_conll(f"{NER}/indonlu-nergrit-id/train.conll.gz", 1))
    add("ind", read_conll(f"{NER}/indonlu-nergrit-id/valid.conll.gz", 1))
    eng_dev = []
    for name, path in [
        ("wikigold", f"{NER}/wikigold-en/wikigold.conll.gz"),
        ("uner-en", f"{NER}/uner-en/dev.conll.gz"),
    ]:
        sentences = read_conll(path, 1)
        cut = int(len(sentences) * (1 - ENG_HELD_OUT))
        if TUNE:
            tune = int(len(sentences) * (1 - ENG_HELD_OUT - ENG_TUNE))
            add("eng", sentences[:tune], name)
            eng_dev += documents(name + "-tune", sentences[tune:cut])
        else:
            add("eng", sentences[:cut], name)
            eng_dev += documents(name, sentences[cut:])
    # More English, all of it for training: the UNER English-EWT test split (web text) and
    # GUM's genres other than news (interviews, biographies, travel guides, speeches, textbooks,
    # academic papers, court transcripts, vlogs, conversation), whose people, organisations and
    # places were converted to the CoNLL types (gum-en/SOURCE.md). GUM's news genre is the
    # English news test set.
    add("eng", read_conll(f"{NER}/uner-en/test.conll.gz", 1), "uner-en-test")
    # Document by document, so that no training document spans two of GUM's. Not its
    # interviews: they come from Wikinews, the source of the news test set, which must stay a
    # source the tagger has not seen (with them, English news went 0.680 -> 0.700, and back to
    # 0.680 without them; the other English held-out set gained alike either way).
    add("eng", [], "gum")
    for number, (_, genre, doc) in enumerate(gum_documents(f"{NER}/gum-en", "other.conll.gz")):
        if genre in NOT_TRAINED_GENRES:
            continue
        for index, (tokens, tags) in enumerate(doc):
            chunk = 0 if WHOLE_DOCS else index // SENTENCES_PER_DOC
            doc_key = f"{len(corpora)}-{number}.{chunk}"
            train.append({"lang": "eng", "doc": doc_key, "tokens": tokens, "tags": tags, "corpus": "gum"})
    news = [] if TUNE else [article(doc_id, doc, lines=True) for doc_id, _, doc in gum_documents(f"{NER}/gum-en", "news.conll.gz")]
    # SEC filings are English but legal boilerplate (all-caps headings, defined terms left
    # untagged): trained as their own "language" so that their habits do not become English
    # ones ("the FBI", "the CPA" were left untagged), while shape and context still count
    # (+0.003 English F1 and +0.035 ORG on the tuning split, 3 shuffles).
    add("sec", read_conll(f"{NER}/sec-filings-en/sec-filings.conll.gz", 1))
    # Other languages' news-like UNER sets: more evidence for what capitalisation, shape and
    # context say, shared by every language (+0.02 English F1 on the tuning split).
    add("por", read_conll(f"{NER}/uner-pt/train.conll.gz", 1))
    add("dan", read_conll(f"{NER}/uner-da/train.conll.gz", 1))
    if BTC != "off":
        # Tweets, one document each (they are unrelated posts), English model only.
        lang, _, copies = BTC.partition(":")
        add(lang, [], "btc")
        for number, (tokens, tags) in enumerate(read_conll(f"{HERE}/data/btc-en.conll.gz", 1)):
            row = {"lang": lang, "doc": f"{len(corpora)}-{number}", "tokens": tokens, "tags": tags, "corpus": "btc"}
            if copies:
                row["copies"] = int(copies)
            train.append(row)
    for spec in EXTRA:
        lang, path = spec.split(":", 1)
        add(lang, read_conll(f"{NER}/{path}", 1))

    with open(f"{OUT}/train-general.jsonl", "w", encoding="utf-8") as out:
        for row in train:
            if row.get("corpus") not in ENGLISH_ONLY:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(f"{OUT}/train.jsonl", "w", encoding="utf-8") as out:
        for row in train:
            if COPIES.get(row["lang"], 1) != 1:
                row["copies"] = COPIES[row["lang"]]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name, docs in [("dev-ind", ind_dev), ("dev-eng", eng_dev), ("test-news", news)]:
        if name == "test-news" and TUNE:
            continue
        with open(f"{OUT}/{name}.jsonl", "w", encoding="utf-8") as out:
            for doc in docs:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(
        f"train {len(train)} sentences; dev ind {len(ind_dev)} docs, eng {len(eng_dev)} docs; "
        f"news test {len(news)} docs -> {OUT}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
