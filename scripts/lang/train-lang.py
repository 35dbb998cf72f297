#!/usr/bin/env python3
"""Builds kabar's language-identification tables from the labelled development data.

    pip download --no-deps -d /tmp/wf wordfreq==3.1.1; pip install msgpack
    mkdir -p /tmp/idms-debs && (cd /tmp/idms-debs && apt-get download firefox-esr-l10n-ms \
        firefox-esr-l10n-id thunderbird-l10n-ms thunderbird-l10n-id)
    scripts/lang/build-idms-train.py --wordfreq /tmp/wf/wordfreq-3.1.1-py3-none-any.whl \
        /tmp/idms-debs/*.deb > /tmp/idms-train.jsonl
    (Debian packages with Malay and Indonesian catalogues, not installed here: command in
    scripts/lang/build-idms-gettext-train.py's docstring)
    scripts/lang/build-idms-gettext-train.py --wordfreq /tmp/wf/wordfreq-3.1.1-py3-none-any.whl \
        --domains-out scripts/lang/data/idms-gettext-train-domains.txt /tmp/gt-debs/*.deb \
        > /tmp/idms-gettext-train.jsonl
    (the Firefox packs of 26 locales, command in scripts/lang/build-ui-train.py's docstring)
    scripts/lang/build-ui-train.py /tmp/ui-debs/*.deb > /tmp/ui-train.jsonl
    scripts/lang/train-lang.py --wordfreq /tmp/wf/wordfreq-3.1.1-py3-none-any.whl \
        --idms-train /tmp/idms-train.jsonl /tmp/idms-gettext-train.jsonl \
        --ui-train /tmp/ui-train.jsonl \
        [--data-dir ../shared/data/langid] [--out services/kabar-pipeline/data/lang]

Writes, from the TRAIN split only (see `split_of` and `moz_split` in lang_data.py; the held-out, calibration and
tune rows are never counted):

- `ngram.bin`: a naive-Bayes model over hashed character 1-4-grams and whole words, one column
  per language, quantised to u8 costs (-log p * SCALE). Layout in `src/lang/ngram.rs`. Counts
  come from the train rows plus, for the 35 languages it covers, wordfreq 3.1.1's small
  frequency list read as a corpus of WORDFREQ_TOKENS words (see `wordfreq_counts`; without
  --wordfreq the model is the older, lingua-only one), the Mozilla Malay/Indonesian strings
  (--idms-train, first file), the gettext Malay/Indonesian strings at GETTEXT_WEIGHT (second
  file) and Firefox's interface strings in 25 other languages at UI_WEIGHT (--ui-train).
  Sources and licences: `services/kabar-pipeline/data/lang/README.md`.
- `id-ms.bin`, `id-ms-words.tsv`: the Indonesian/Malay evidence tables (character 1-5-gram and
  word log-odds from wordfreq's two lists). Layout in `src/lang/idms.rs`.
- `id-ms-lr.bin` (with --idms-train): the Indonesian/Malay pair classifier, a logistic
  regression over hashed words and word pairs plus the evidence above (`build_idms_lr`).

Text features (words, character n-grams, their hashed buckets) come from the detector's own
code, `src/lang/features.rs`, through `examples/lang_features.rs` (built here with cargo): the
tables hash text exactly as the detector reads it. The rest is Python (no numpy; msgpack to read
wordfreq), about three minutes on one core.
"""

import argparse
import collections
import gzip
import json
import math
import os
import struct
import subprocess
import sys
import unicodedata
import zipfile

from lang_data import WHATLANG, load, moz_split, split_of

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import kabar_scripts  # noqa: E402

# Scripts with one language each, and Chinese/Japanese: whatlang decides those alone.
SINGLE_SCRIPT = set("ben kat amh kor ell kan tam tha guj pan tel mal ori mya sin khm hye cmn jpn".split())
# Languages the n-gram model learns: whatlang's that the data covers, plus Malay and Sundanese.
# Languages outside this set are confusers in the data and are not trained.
MODEL_LANGS = sorted((set(WHATLANG) - SINGLE_SCRIPT) | {"zsm", "sun"})

NGRAM_BUCKETS_LOG2 = int(os.environ.get("KABAR_TRAIN_LOG2", "17"))
NGRAM_MAX_N = 4
NGRAM_SCALE = 12.0  # quantisation steps per nat
IDMS_BUCKETS_LOG2 = 16
IDMS_MAX_N = 5
IDMS_SCALE = 16.0  # i8 steps per nat, clipped to +-127
ALPHA = 0.5  # additive smoothing
# wordfreq's small lists (see `wordfreq_counts`) for the model languages it covers. lingua's
# sentences are only ~7,000 words per language (and its Spanish has lost every accent), too few
# for one- and two-word texts; a frequency list is the same naive-Bayes evidence as a corpus
# with those word counts.
WORDFREQ = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "dan": "da", "deu": "de", "eng": "en",
    "spa": "es", "fas": "fa", "fin": "fi", "tgl": "fil", "fra": "fr", "heb": "he", "hin": "hi",
    "hun": "hu", "ind": "id", "ita": "it", "lit": "lt", "lav": "lv", "mkd": "mk", "zsm": "ms",
    "nob": "nb", "nld": "nl", "pol": "pl", "por": "pt", "ron": "ro", "rus": "ru", "slk": "sk",
    "slv": "sl", "swe": "sv", "tur": "tr", "ukr": "uk", "urd": "ur", "vie": "vi",
}
# Tokens a frequency list stands for (chosen on the calibration split among 10,000, 30,000 and 100,000).
WORDFREQ_TOKENS = float(os.environ.get("KABAR_TRAIN_WF_TOKENS", "30000"))
# Words below this Zipf frequency are left out (noise, names, other languages' words).
WORDFREQ_MIN_ZIPF = float(os.environ.get("KABAR_TRAIN_WF_MIN_ZIPF", "3.0"))
# lingua's Spanish rows lost their accents (0 non-ASCII letters in 600 sentences): left out.
BROKEN = {"spa"}
NGRAM_WITH_MOZ = os.environ.get("KABAR_TRAIN_NGRAM_MOZ", "1") == "1"
# How much each gettext pair string (build-idms-gettext-train.py) counts in the n-gram model's
# Malay and Indonesian columns (the pair classifier counts them fully).
GETTEXT_WEIGHT = float(os.environ.get("KABAR_TRAIN_GETTEXT_WEIGHT", "0.3"))
# Firefox interface strings (scripts/lang/build-ui-train.py, train split) count this much each
# in the n-gram model, next to lingua's sentences and the wordfreq lists.
UI_WEIGHT = float(os.environ.get("KABAR_TRAIN_UI_WEIGHT", "0.3"))


class Features:
    """The detector's text features (`examples/lang_features.rs`): `[bucket, count]` pairs in
    the order each bucket first occurs, so that sums come out as they always have."""

    def __init__(self, binary):
        self.binary = binary

    def _run(self, texts, max_n, log2, *flags):
        command = [self.binary, "--max-n", str(max_n), "--log2", str(log2), *flags]
        payload = "".join(json.dumps(text, ensure_ascii=False) + "\n" for text in texts)
        done = subprocess.run(command, input=payload.encode(), stdout=subprocess.PIPE, check=True)
        return [json.loads(line) for line in done.stdout.decode().splitlines()]

    def total(self, texts, max_n, log2, with_words=True):
        """Counter of buckets over every text: character 1..max_n-grams and, with_words, words."""
        flags = ["--sum"] + ([] if with_words else ["--no-words"])
        (pairs,) = self._run(texts, max_n, log2, *flags)
        return collections.Counter(dict(pairs))

    def by_word(self, texts, max_n, log2, with_words=True):
        """For each text, its lower-cased words in order, each with its bucket counts."""
        flags = ["--by-word"] + ([] if with_words else ["--no-words"])
        return self._run(texts, max_n, log2, *flags)

    def per_text(self, texts, log2):
        """For each text, the bucket counts of its words and word pairs (no character n-grams)."""
        return self._run(texts, 0, log2, "--bigrams")


def is_one_word(word, by_word):
    """Whether the detector reads `word` as exactly this one word (lower case, no separator)."""
    return len(by_word) == 1 and by_word[0][0] == word


def wordfreq_counts(wheel, lang, script_ok, features):
    """(word, expected count, bucket counts) from wordfreq's small list of one language, read
    from the wheel.

    The list is msgpack: a header, then one list of words per centibel bin (bin i holds the
    words of Zipf frequency 9 - i/100). Words not in the language's script are dropped.
    """
    import msgpack  # only needed for training

    iso2 = WORDFREQ[lang]
    with zipfile.ZipFile(wheel) as z:
        data = msgpack.unpackb(gzip.decompress(z.read(f"wordfreq/data/small_{iso2}.msgpack.gz")), raw=False)
    if data[0] != {"format": "cB", "version": 1}:
        sys.exit(f"unexpected wordfreq format: {data[0]}")
    candidates = []
    for i, bin_words in enumerate(data[1:]):
        zipf = 9 - i / 100
        if zipf < WORDFREQ_MIN_ZIPF:
            break
        count = WORDFREQ_TOKENS * 10 ** (zipf - 9)
        for word in bin_words:
            candidates.append((unicodedata.normalize("NFC", word), count))
    analysed = features.by_word([word for word, _ in candidates], NGRAM_MAX_N, NGRAM_BUCKETS_LOG2)
    return [
        (word, count, by_word[0][1])
        for (word, count), by_word in zip(candidates, analysed)
        if is_one_word(word, by_word) and all(script_ok(ch) for ch in word)
    ]


def script_checker(lang):
    """True for letters of the script the language is written in (by Unicode name)."""
    name = {
        "ara": "ARABIC", "fas": "ARABIC", "urd": "ARABIC", "heb": "HEBREW", "hin": "DEVANAGARI",
        "bul": "CYRILLIC", "mkd": "CYRILLIC", "rus": "CYRILLIC", "ukr": "CYRILLIC",
    }.get(lang, "LATIN")
    return lambda ch: unicodedata.name(ch, "").startswith(name)


def count_weighted(words):
    """Counter of buckets, each feature of a word counting the word's weight."""
    out = collections.Counter()
    for _, weight, pairs in words:
        for b, n in pairs:
            for _ in range(n):
                out[b] += weight
    return out


def build_ngram(train, out_dir, wheel, features, extra=(), ui=(), gettext=()):
    by_lang = collections.defaultdict(list)
    for row in list(train) + list(extra):
        if row["lang"] in MODEL_LANGS:
            by_lang[row["lang"]].append(row["text"])
    ui_by_lang = collections.defaultdict(list)
    for row in ui:
        if row["lang"] in MODEL_LANGS and row["lang"] not in ("ind", "zsm"):
            ui_by_lang[row["lang"]].append(row["text"])
    langs = [lang for lang in MODEL_LANGS if by_lang[lang]]
    size = 1 << NGRAM_BUCKETS_LOG2
    table = bytearray(size * len(langs))
    for col, lang in enumerate(langs):
        texts = [] if lang in BROKEN and wheel and lang in WORDFREQ else by_lang[lang]
        counts = features.total(texts, NGRAM_MAX_N, NGRAM_BUCKETS_LOG2)
        if ui_by_lang[lang]:
            ui_counts = features.total(ui_by_lang[lang], NGRAM_MAX_N, NGRAM_BUCKETS_LOG2)
            counts.update({b: n * UI_WEIGHT for b, n in ui_counts.items()})
        gettext_texts = [r["text"] for r in gettext if r["lang"] == lang]
        if gettext_texts and GETTEXT_WEIGHT > 0:
            gettext_counts = features.total(gettext_texts, NGRAM_MAX_N, NGRAM_BUCKETS_LOG2)
            counts.update({b: n * GETTEXT_WEIGHT for b, n in gettext_counts.items()})
        if wheel and lang in WORDFREQ:
            counts.update(count_weighted(wordfreq_counts(wheel, lang, script_checker(lang), features)))
        # Witten-Bell smoothing: unseen buckets share T / (N + T), T the distinct seen ones, so
        # a language with little data does not give away half its mass to what it never saw.
        seen, total = len(counts), sum(counts.values())
        unseen = -math.log(seen / ((total + seen) * (size - seen)))
        for b in range(size):
            n = counts.get(b, 0)
            cost = -math.log(n / (total + seen)) if n else unseen
            table[b * len(langs) + col] = min(255, int(round(cost * NGRAM_SCALE)))
        print(f"  {lang}: {len(texts)} texts", file=sys.stderr)
    header = b"KLNB" + struct.pack(
        "<BBBBf", 1, len(langs), NGRAM_BUCKETS_LOG2, NGRAM_MAX_N, NGRAM_SCALE
    )
    header += "".join(langs).encode()
    with open(os.path.join(out_dir, "ngram.bin"), "wb") as f:
        f.write(header + bytes(table))
    return langs


def llr_table(counts_ms, counts_id, size):
    total_ms = sum(counts_ms.values()) + ALPHA * size
    total_id = sum(counts_id.values()) + ALPHA * size
    table = bytearray(size)
    for b in set(counts_ms) | set(counts_id):
        llr = math.log((counts_ms.get(b, 0) + ALPHA) / total_ms) - math.log(
            (counts_id.get(b, 0) + ALPHA) / total_id
        )
        table[b] = struct.pack("<b", max(-127, min(127, int(round(llr * IDMS_SCALE)))))[0]
    return table


def wordfreq(data_dir, lang):
    out = {}
    path = os.path.join(data_dir, "id-ms", f"wordfreq-{lang}.tsv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        next(f)
        for line in f:
            word, zipf = line.rstrip("\n").split("\t")
            out[unicodedata.normalize("NFC", word)] = float(zipf)
    return out


def build_idms(calib_rows, data_dir, out_dir, features):
    """The Indonesian/Malay stage, from wordfreq's lists only.

    lingua's Malay rows are not used here: about half of them are Indonesian text (its
    sentences say "karena" twice as often as "kerana"), so they would teach the wrong lesson.
    """
    wf_id, wf_ms = wordfreq(data_dir, "ind"), wordfreq(data_dir, "zsm")
    candidates = sorted(w for w in set(wf_id) | set(wf_ms) if w.isalpha())
    analysed = features.by_word(candidates, IDMS_MAX_N, IDMS_BUCKETS_LOG2, with_words=False)
    grams_of = {w: a[0][1] for w, a in zip(candidates, analysed) if is_one_word(w, a)}
    vocab = list(grams_of)
    # Word log-odds; a word missing from one list counts as just below that list's floor (3.0).
    lines = []
    for word in vocab:
        z_id, z_ms = wf_id.get(word, 2.7), wf_ms.get(word, 2.7)
        llr = max(-4.0, min(4.0, (z_ms - z_id) * math.log(10)))
        if abs(llr) >= 0.7:
            lines.append(f"{word}\t{llr:.2f}\n")
    with open(os.path.join(out_dir, "id-ms-words.tsv"), "w", encoding="utf-8") as f:
        f.write("# word\tlog-odds Malay:Indonesian (nats), from wordfreq 3.1.1 (CC-BY-SA 4.0)\n")
        f.writelines(lines)
    # Character n-gram log-odds over the word types of each list, for words in neither list.
    ms = sum_counts(grams_of[w] for w in vocab if w in wf_ms)
    ind = sum_counts(grams_of[w] for w in vocab if w in wf_id)
    grams = llr_table(ms, ind, 1 << IDMS_BUCKETS_LOG2)
    header = b"KLIM" + struct.pack("<BBBBf", 1, IDMS_BUCKETS_LOG2, IDMS_MAX_N, 0, IDMS_SCALE)
    with open(os.path.join(out_dir, "id-ms.bin"), "wb") as f:
        f.write(header + bytes(grams))
    # A look at the calibration rows (reported, not fitted: their Malay labels are unreliable).
    table = {l.split("\t")[0]: float(l.split("\t")[1]) for l in lines}
    markers = load_markers(out_dir)
    calib = [r for r in calib_rows if r["id"].startswith("lingua-") and r["lang"] in ("ind", "zsm")]
    scores = idms_scores([r["text"] for r in calib], grams, table, markers, features)
    right = sum((score > 0) == (r["lang"] == "zsm") for r, score in zip(calib, scores))
    print(f"  id-ms stage on lingua calib rows: {right}/{len(calib)}", file=sys.stderr)


def sum_counts(pairs_of_each):
    """Counter of the `[bucket, count]` pairs of several texts, buckets in first-seen order."""
    out = collections.Counter()
    for pairs in pairs_of_each:
        for b, n in pairs:
            out[b] += n
    return out


def load_markers(out_dir):
    out = {}
    with open(os.path.join(out_dir, "id-ms-markers.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            word, lang, weight = line.rstrip("\n").split("\t")
            out[word] = float(weight) if lang == "zsm" else -float(weight)
    return out


def signed(table, b):
    v = table[b]
    return v - 256 if v > 127 else v


# Weights of the evidence; mirror of `idms::IdMs::score`.
W_WORDS, W_GRAMS, W_MARKERS, GRAM_CLIP = 0.8, 0.5, 1.0, 1.5


def idms_scores(texts, grams, table, markers, features):
    """Log-odds that each text is Malay rather than Indonesian."""
    analysed = features.by_word(texts, IDMS_MAX_N, IDMS_BUCKETS_LOG2, with_words=False)
    return [idms_score(words, grams, table, markers) for words in analysed]


def idms_score(words, grams, table, markers):
    """Log-odds of one text, given its words with their character n-gram buckets."""
    z = 0.0
    for word, pairs in words:
        llr = table.get(word)
        if llr is not None:
            z += W_WORDS * llr
        elif len(word) >= 4:
            g = sum(signed(grams, b) * n for b, n in pairs)
            z += W_GRAMS * max(-GRAM_CLIP, min(GRAM_CLIP, g / IDMS_SCALE))
        z += W_MARKERS * markers.get(word, 0.0)
    return z


# The pair classifier (`id-ms-lr.bin`): logistic regression over hashed word unigrams and
# bigrams, plus the score above (wordfreq, character n-grams, markers) as one more input.
# Character n-grams in the regression were tried: better on the Mozilla tune split, worse on
# every other domain (they learn Mozilla's vocabulary rather than the languages).
LR_BUCKETS_LOG2 = 17
LR_SCALE = 40.0  # i8 steps per nat, clipped to +-127
LR_EPOCHS = 5
LR_RATE = 0.1  # AdaGrad step
LR_L2 = 1e-4
# lingua's Malay train rows are kept only when the score above does not call them Indonesian
# (about half are Indonesian text): a row must score at least this much towards Malay.
# Each of lingua's id/ms train rows counts this many times: news sentences, outnumbered about
# 40 to 1 by interface strings, would otherwise not be heard (chosen on the tune split among 1,
# 4, 10 and 20: the mean of lingua-ind, moz/gt-ind and moz/gt-zsm tune accuracy).
LINGUA_REPEAT = int(os.environ.get("KABAR_TRAIN_LINGUA_REPEAT", "10"))
LINGUA_MALAY_MIN = float(os.environ.get("KABAR_TRAIN_LINGUA_MALAY_MIN", "3.0"))


def build_idms_lr(rows, moz_paths, out_dir, features):
    """Trains the pair classifier on the parallel interface strings (train split of their
    groups) and lingua's id/ms train rows, Malay ones cleaned, each LINGUA_REPEAT times; reports
    the tune split."""
    import random

    grams = open(os.path.join(out_dir, "id-ms.bin"), "rb").read()[12:]
    table = {}
    with open(os.path.join(out_dir, "id-ms-words.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                word, llr = line.rstrip("\n").split("\t")
                table[word] = float(llr)
    markers = load_markers(out_dir)
    moz = []
    for path in moz_paths:
        with open(path, encoding="utf-8") as f:
            moz.extend(json.loads(line) for line in f)
    train, tune = [], []
    for r in moz:
        text = unicodedata.normalize("NFC", r["text"])
        source = r["id"].split("-")[0]
        (tune if moz_split(r["group"]) == "tune" else train).append((f"{source}-{r['lang']}", text, r["lang"]))
    dropped = 0
    lingua = [r for r in rows if r["id"].startswith("lingua-") and r["lang"] in ("ind", "zsm")]
    malay_train = [r["text"] for r in lingua if r["lang"] == "zsm" and split_of(r["id"]) == "train"]
    malay_scores = iter(idms_scores(malay_train, grams, table, markers, features))
    for r in lingua:
        split = split_of(r["id"])
        if split == "train":
            if r["lang"] == "zsm" and next(malay_scores) < LINGUA_MALAY_MIN:
                dropped += 1
                continue
            train.extend([("lingua", r["text"], r["lang"])] * LINGUA_REPEAT)
        elif split == "calib" and r["lang"] == "ind":
            tune.append(("lingua-ind", r["text"], "ind"))
    def prepare(data):
        # The pair classifier's inputs, as `idms::IdMs::log_odds` has them: the buckets of the
        # words and word pairs, and the score above.
        texts = list(dict.fromkeys(text for _, text, _ in data))
        buckets = [sorted((b, n) for b, n in pairs) for pairs in features.per_text(texts, LR_BUCKETS_LOG2)]
        scores = idms_scores(texts, grams, table, markers, features)
        inputs = dict(zip(texts, zip(buckets, scores)))
        return [(*inputs[text], 1.0 if lang == "zsm" else 0.0, src) for src, text, lang in data]

    train_x, tune_x = prepare(train), prepare(tune)
    size = 1 << LR_BUCKETS_LOG2
    weights, sq = [0.0] * size, [1e-8] * size
    dense, dense_sq = [0.0, 0.0], [1e-8, 1e-8]  # weight of the score above, bias

    def z(example):
        feats, prior = example[0], example[1]
        return sum(weights[b] * n for b, n in feats) + dense[0] * prior + dense[1]

    rng = random.Random(0)
    for _ in range(LR_EPOCHS):
        rng.shuffle(train_x)
        for example in train_x:
            feats, prior, label = example[0], example[1], example[2]
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z(example)))))
            g = p - label
            for b, n in feats:
                grad = g * n + LR_L2 * weights[b]
                sq[b] += grad * grad
                weights[b] -= LR_RATE * grad / math.sqrt(sq[b])
            for i, x in enumerate((prior, 1.0)):
                grad = g * x
                dense_sq[i] += grad * grad
                dense[i] -= LR_RATE * grad / math.sqrt(dense_sq[i])
    quantised = bytearray(size)
    for b, w in enumerate(weights):
        quantised[b] = struct.pack("<b", max(-127, min(127, int(round(w * LR_SCALE)))))[0]
    header = b"KLLR" + struct.pack("<BBBBfff", 1, LR_BUCKETS_LOG2, 0, 0, LR_SCALE, dense[0], dense[1])
    with open(os.path.join(out_dir, "id-ms-lr.bin"), "wb") as f:
        f.write(header + bytes(quantised))
    by_source = collections.defaultdict(lambda: [0, 0])
    for example in tune_x:
        q = sum(signed(quantised, b) * n for b, n in example[0]) / LR_SCALE + dense[0] * example[1] + dense[1]
        by_source[example[3]][0] += (q > 0) == (example[2] == 1.0)
        by_source[example[3]][1] += 1
    report = ", ".join(f"{k} {r / n:.4f} ({n})" for k, (r, n) in sorted(by_source.items()))
    print(f"  id-ms classifier: {len(train_x)} train rows ({dropped} lingua Malay rows dropped); tune: {report}", file=sys.stderr)


def main():
    repo = kabar_scripts.ROOT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=kabar_scripts.shared_data("langid"))
    parser.add_argument("--out", default=os.path.join(repo, "services", "kabar-pipeline", "data", "lang"))
    parser.add_argument(
        "--wordfreq",
        help="wordfreq-3.1.1-py3-none-any.whl (pip download --no-deps wordfreq==3.1.1); needs msgpack",
    )
    parser.add_argument(
        "--idms-train",
        nargs="+",
        help="parallel Malay/Indonesian interface strings from scripts/lang/build-idms-train.py "
        "(Mozilla) and build-idms-gettext-train.py; without them id-ms-lr.bin is left as it is",
    )
    parser.add_argument(
        "--ui-train",
        help="interface strings in many languages from scripts/lang/build-ui-train.py (train split used)",
    )
    parser.add_argument("--only-idms", action="store_true", help="rebuild the id-ms tables only")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    features = Features(kabar_scripts.build_example("lang_features"))
    rows = load(args.data_dir)
    train = [r for r in rows if split_of(r["id"]) == "train"]
    print(f"{len(rows)} rows, {len(train)} in the train split", file=sys.stderr)
    moz = []
    for path in args.idms_train or ():
        with open(path, encoding="utf-8") as f:
            moz.extend(json.loads(line) for line in f)
    if moz:
        moz = [dict(r, text=unicodedata.normalize("NFC", r["text"])) for r in moz if moz_split(r["group"]) == "train"]
    if not args.only_idms:
        # the Mozilla strings' train split also teaches the n-gram model interface Malay and
        # Indonesian (without them short interface strings went to English, Javanese, Sundanese)
        ui = []
        if args.ui_train:
            with open(args.ui_train, encoding="utf-8") as f:
                ui = [json.loads(line) for line in f]
            ui = [dict(r, text=unicodedata.normalize("NFC", r["text"])) for r in ui if moz_split(r["group"]) == "train"]
        mozilla = [r for r in moz if not r["id"].startswith("gt-")] if NGRAM_WITH_MOZ else []
        gettext = [r for r in moz if r["id"].startswith("gt-")]
        langs = build_ngram(train, args.out, args.wordfreq, features, mozilla, ui, gettext)
        print(f"  n-gram model: {len(langs)} languages", file=sys.stderr)
    calib = [r for r in rows if split_of(r["id"]) == "calib"]
    build_idms(calib, args.data_dir, args.out, features)
    if args.idms_train:
        build_idms_lr(rows, args.idms_train, args.out, features)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
