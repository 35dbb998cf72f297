#!/usr/bin/env python3
"""Measures kabar's language identification on labelled text.

    scripts/lang/eval-lang.py [--data FILE.jsonl(.gz)] [--kabar PATH] [--split heldout|calib|train]
                              [--snippets]

Runs `kabar enrich --stages lang` (JSON lines {"id", "text"} on stdin, one enriched article per
line out, in order) and prints accuracy overall, by length, by language and the top confusions,
plus how often `reliable` is set and how often it is right.

--data: a JSONL file of {"id", "text", "lang"} (ISO 639-3). Without it, the rows of the given
split (default: heldout, which no table was built from) of ../shared/data/langid/ in the
languages kabar supports; the split is the one scripts/lang/train-lang.py uses.
--kabar: the binary (default $KABAR_BIN, else $CARGO_TARGET_DIR/release/kabar, else
target/release/kabar). The pipeline crate's eval_lang example speaks the same protocol and takes
the detector's tuning knobs: --kabar $CARGO_TARGET_DIR/release/examples/eval_lang.
--snippets: instead of the rows themselves, headline-length snippets (3 to 8 words, at most 50
characters) cut from the sentence rows: a stand-in for headlines and captions.
--baseline: plain `whatlang::detect` on the same rows in the same run, through eval_lang with
KABAR_EVAL_PLAIN_WHATLANG=1 (default: release/examples/eval_lang in the same target directory;
`--baseline none` skips it). Build it with
`cargo build --release -p kabar-pipeline --example eval_lang`.

Sources are reported by id prefix, with lingua's kind (sent = news/web sentences, pair = two
words, word = one word) split out, so the news-like subset is visible on its own.
"""

import argparse
import collections
import hashlib
import os
import sys

from lang_data import SUPPORTED, load, split_of

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402


def default_rows(split):
    rows = load(kabar_scripts.shared_data("langid"))
    return [r for r in rows if r["lang"] in SUPPORTED and split_of(r["id"]) == split]


def snippets(rows):
    """Headline-length snippets: the first 3 to 8 words (chosen by a hash of the id) of every
    sentence row, cut to 50 characters at most; 10 characters at least. lingua's "Malay"
    sentences are left out: about half of them are Indonesian
    (docs/decisions/language-identification.md)."""
    out = []
    for row in rows:
        sentence = "-sent-" in row["id"] or row["id"].startswith("nusax")
        if not sentence or (row["lang"] == "zsm" and row["id"].startswith("lingua")):
            continue
        words = row["text"].split()
        count = 3 + hashlib.sha256(row["id"].encode()).digest()[0] % 6
        text = " ".join(words[:count])
        while len(text) > 50 and count > 1:
            count -= 1
            text = " ".join(words[:count])
        if len(text) >= 10:
            out.append({"id": row["id"] + "-snippet", "text": text, "lang": row["lang"]})
    return out


def run_kabar(binary, rows, env=None):
    records = [{"id": str(r["id"]), "text": r["text"]} for r in rows]
    return kabar_scripts.run_jsonl(kabar_scripts.enrich_command("lang", binary), records, env)


def length_bucket(text):
    n = len(text)
    return "<=50" if n <= 50 else "51-200" if n <= 200 else "201-1000" if n <= 1000 else ">1000"


def source_of(row_id):
    """`lingua-sent`, `lingua-pair`, `lingua-word`, `nusax`, or the id's first part."""
    parts = str(row_id).split("-")
    if parts[0] == "lingua" and len(parts) > 2:
        return f"lingua-{parts[2]}"
    return parts[0]


def codes_of(out):
    return [(result.get("language") or {}).get("code", "und") for result in out]


def pct(right, total):
    return f"{right / total:.4f}" if total else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--kabar", default=kabar_scripts.kabar_binary())
    parser.add_argument("--baseline", default=kabar_scripts.example_path("eval_lang"))
    parser.add_argument("--split", default="heldout", choices=["heldout", "calib", "train"])
    parser.add_argument("--confusions", type=int, default=15)
    parser.add_argument(
        "--snippets", action="store_true", help="evaluate headline-length snippets cut from the sentence rows"
    )
    args = parser.parse_args()

    rows = kabar_scripts.read_jsonl(args.data) if args.data else default_rows(args.split)
    source = args.data or f"../shared/data/langid ({args.split} split)"
    if args.snippets:
        rows = snippets(rows)
        source += ", headline-length snippets of its sentences"
    out, elapsed = run_kabar(args.kabar, rows)
    baseline = None
    if args.baseline != "none":
        if os.path.exists(args.baseline):
            env = dict(os.environ, KABAR_EVAL_PLAIN_WHATLANG="1")
            baseline = codes_of(run_kabar(args.baseline, rows, env)[0])
        else:
            print(f"no baseline: {args.baseline} not built (see --help)", file=sys.stderr)

    total = right = 0
    # [kabar right, texts, whatlang right]
    by_len = collections.defaultdict(lambda: [0, 0, 0])
    by_lang = collections.defaultdict(lambda: [0, 0, 0])
    by_source = collections.defaultdict(lambda: [0, 0, 0])
    base_right = 0
    pair_merged = 0  # right when Indonesian and Malay count as one
    confusions = collections.Counter()
    reliable = [0, 0]
    undetermined = 0
    for i, (row, result) in enumerate(zip(rows, out)):
        language = result.get("language") or {}
        got = language.get("code", "und")
        ok = got == row["lang"]
        base_ok = baseline is not None and baseline[i] == row["lang"]
        total += 1
        right += ok
        base_right += base_ok
        pair_merged += ok or {got, row["lang"]} == {"ind", "zsm"}
        for table, key in (
            (by_len, length_bucket(row["text"])),
            (by_lang, row["lang"]),
            (by_source, source_of(row["id"])),
        ):
            table[key][0] += ok
            table[key][1] += 1
            table[key][2] += base_ok
        if not ok:
            confusions[(row["lang"], got)] += 1
        if got == "und":
            undetermined += 1
        if language.get("reliable"):
            reliable[0] += ok
            reliable[1] += 1

    print(f"data: {source}: {total} texts, {len(by_lang)} languages, {elapsed:.2f} s")
    print(f"overall accuracy: {pct(right, total)} ({right}/{total}), und: {undetermined}")
    print(f"  counting ind/zsm mix-ups as right: {pct(pair_merged, total)}")
    if baseline is not None:
        print(f"plain whatlang on the same rows: {pct(base_right, total)} ({base_right}/{total}); columns 'wl' below")
    wl = (lambda c: f"  wl {pct(c[2], c[1])}") if baseline is not None else (lambda c: "")
    print(f"reliable: {pct(reliable[1], total)} of texts, accuracy when reliable: {pct(*reliable)} ({reliable[0]}/{reliable[1]})")
    print("by length (chars):")
    for key in ("<=50", "51-200", "201-1000", ">1000"):
        if by_len[key][1]:
            c = by_len[key]
            print(f"  {key:>8}: {pct(c[0], c[1])} ({c[0]}/{c[1]}){wl(c)}")
    print("by source:")
    for key, c in sorted(by_source.items()):
        print(f"  {key:>12}: {pct(c[0], c[1])} ({c[0]}/{c[1]}){wl(c)}")
    print("by language:")
    for key, c in sorted(by_lang.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {key}: {pct(c[0], c[1])} ({c[0]}/{c[1]}){wl(c)}")
    print("top confusions (gold -> got):")
    for (gold, got), n in confusions.most_common(args.confusions):
        print(f"  {gold} -> {got}: {n}")


if __name__ == "__main__":
    main()
