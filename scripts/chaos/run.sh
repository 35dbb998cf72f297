#!/usr/bin/env bash
# The fault-injection suite in one command: builds kabar and the corpus tool in release, prepares
# the Python environment (confluent-kafka), and runs scripts/chaos/run.py with the given options.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --release --locked -q -p kabar
cargo build --release --locked -q -p kabar-pipeline --example bench_corpus
read -r python _ < <(bash scripts/python-env.sh | tail -1)
exec "$python" scripts/chaos/run.py "$@"
