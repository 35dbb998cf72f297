#!/usr/bin/env python3
"""Converts the Broad Twitter Corpus (Derczynski, Bontcheva and Roberts 2016, CC-BY 4.0) into
the tagger's training format: scripts/entities/data/btc-en.conll.gz.

Input: `train_dev_test_conll/btc.train` and `btc.dev` of GateNLP/broad_twitter_corpus at commit
0c45ef7b1924a6b8115bceab388781590b1b553a (sections A, B, E, G and H: the corpus's own training
and development split; section F, its recommended test split, is not used).
Output: gzip (no timestamp, so the file is byte for byte reproducible), one `token<TAB>tag` line
per token, a blank line between tweets, IOB2 over PER/ORG/LOC/MISC.

What is changed, so that the tweets read like news text:
  - links, "RT", user names ("@abc", or "@" and the name after it) are dropped; a hashtag keeps
    its word ("#Ebola" or "# Ebola" -> "Ebola", tag kept); the token '"' (quoted) is a quote mark;
  - a one-word place that is a people's name ("Australians", "Turkish") becomes MISC, as kabar
    tags nationalities;
  - IOB2 is re-derived after the drops; tweets left without a word are dropped.
Usage: scripts/entities/convert-btc.py BTC_CHECKOUT_DIR OUT.conll.gz
"""

import gzip
import io
import os
import re
import sys

from ner_docs import fix_iob, read_conll

# Endings of a people's name ("Australians", "Syrian", "Japanese", "Turkish", "Kurds" is not
# caught and stays as tagged).
DEMONYM = re.compile(r"^[A-Z][a-z]+(ians?|eans?|ans|ese|ish)$")


def clean(tokens, tags):
    out_tokens, out_tags = [], []
    skip_next = False
    for token, tag in zip(tokens, tags):
        if skip_next:
            skip_next = False
            continue
        if token == "@":
            skip_next = True
            continue
        if token.startswith("@") or token.lower().startswith(("http:", "https:")) or token == "RT":
            continue
        if token == "#":
            continue
        if token.startswith("#") and len(token) > 1:
            token = token[1:]
        if token == "'\"'":
            token = '"'
        if tag != "O" and tag[2:] not in ("PER", "ORG", "LOC", "MISC"):
            tag = "O"
        out_tokens.append(token)
        out_tags.append(tag)
    # A tag left as I- after a dropped word starts its own mention again.
    out_tokens, out_tags = fix_iob((out_tokens, out_tags))
    for index, (token, tag) in enumerate(zip(out_tokens, out_tags)):
        single = tag.startswith("B-") and (
            index + 1 == len(out_tags) or not out_tags[index + 1].startswith("I-")
        )
        if single and tag == "B-LOC" and DEMONYM.match(token):
            out_tags[index] = "B-MISC"
    return out_tokens, out_tags


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: convert-btc.py BTC_CHECKOUT_DIR OUT.conll.gz")
    checkout, out_path = sys.argv[1], sys.argv[2]
    text = io.StringIO()
    kept = dropped = 0
    for name in ("btc.train", "btc.dev"):
        for tokens, tags in read_conll(os.path.join(checkout, "train_dev_test_conll", name), 1):
            tokens, tags = clean(tokens, tags)
            if not any(any(c.isalpha() for c in t) for t in tokens):
                dropped += 1
                continue
            kept += 1
            for token, tag in zip(tokens, tags):
                text.write(f"{token}\t{tag}\n")
            text.write("\n")
    with open(out_path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
            out.write(text.getvalue().encode("utf-8"))
    print(f"{kept} tweets kept, {dropped} dropped -> {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
