#!/usr/bin/env bash
# Runs the near-duplicate criterion benchmark (services/kabar-pipeline/benches/dedup.rs) and
# prints the whole pipeline's throughput with detection on over off, from criterion's estimates
# of the same run (medians).
#
#   scripts/dedup/bench-ratio.sh            # about two minutes
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo bench -p kabar-pipeline --bench dedup "$@"
target=${CARGO_TARGET_DIR:-target}
python3 - "$target/criterion/dedup" <<'PY'
import json, os, sys
folder = sys.argv[1]
def median_ns(name):
    with open(os.path.join(folder, name, "new", "estimates.json")) as handle:
        return json.load(handle)["median"]["point_estimate"]
articles = 400
off, on = median_ns("pipeline_off"), median_ns("pipeline_on")
print(f"pipeline, detection off: {articles / off * 1e9:,.0f} articles/s (median)")
print(f"pipeline, detection on:  {articles / on * 1e9:,.0f} articles/s (median)")
print(f"on / off throughput: {off / on:.3f} (target >= 0.90)")
for name, label in (("fingerprint", "fingerprint alone"), ("decide_1M", "decision, index of 1M")):
    path = os.path.join(folder, name)
    if os.path.isdir(path):
        print(f"{label}: {median_ns(name) / 1000:,.0f} us per {articles} articles")
PY
