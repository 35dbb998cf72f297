#!/usr/bin/env bash
# The fault-injection suite in one command: builds kabar and the corpus tool in release, prepares
# the Python environment (confluent-kafka), and runs scripts/chaos/run.py with the given options.
# Honours CARGO_TARGET_DIR (binaries and the Python environment live there).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --release --locked -q -p kabar
cargo build --release --locked -q -p kabar-pipeline --example bench_corpus
read -r python _ < <(KABAR_PY_DIR=${KABAR_PY_DIR:-$CARGO_TARGET_DIR/python} bash scripts/dev/python-env.sh | tail -1)
exec "$python" scripts/chaos/run.py "$@"
