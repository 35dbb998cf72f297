#!/usr/bin/env bash
# The entity stage against a base commit (by default the main this branch started from), in one
# command: the criterion bench of both (`cargo bench -p kabar-pipeline --bench entities`, the
# seed article cut to 3 KB, tagged and linked, on one core), back to back, then the resident
# memory and start-up time of `kabar enrich` of both on the same articles.
#
#   scripts/bench/entities-vs-main.sh [BASE_COMMIT]
#
# The base is checked out in a temporary git worktree and built into this repository's target
# directory (shared dependencies are built once). Prints the medians, articles a second and the
# ratio; criterion's reports stay in target/criterion/entities/ (baselines "base" and "branch").
# Takes 15 to 30 minutes on 2 busy cores (two release builds of kabar, three rounds of benches;
# ROUNDS=n for more).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE=${1:-382f53bcf3949a547d226bb86936a9b18fa9a842}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
say() { printf 'entities-vs-main: %s\n' "$*" >&2; }

WORK=$(mktemp -d)
cleanup() {
  git -C "$ROOT" worktree remove --force "$WORK/base" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
git -C "$ROOT" worktree add --detach -q "$WORK/base" "$BASE"

bench() { # DIR BASELINE
  (cd "$1" && CARGO_TARGET_DIR=$TARGET nice cargo bench -q -p kabar-pipeline --bench entities \
    -- --save-baseline "$2" --noplot 'entities/tag_3kb_article' >&2)
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' \
    "$TARGET/criterion/entities/tag_3kb_article/$2/estimates.json" >>"$WORK/medians-$2"
}
# Rounds alternate base and branch, so that a busy spell of a shared machine hits both.
for round in $(seq "${ROUNDS:-3}"); do
  say "round $round: bench of the base $BASE"
  bench "$WORK/base" base
  say "round $round: bench of this tree"
  bench "$ROOT" branch
done

say "building kabar of both (release)"
(cd "$WORK/base" && CARGO_TARGET_DIR=$TARGET nice cargo build -q --release -p kabar &&
  cp "$TARGET/release/kabar" "$WORK/kabar-base")
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET nice cargo build -q --release -p kabar &&
  cp "$TARGET/release/kabar" "$WORK/kabar-branch" &&
  CARGO_TARGET_DIR=$TARGET nice cargo build -q --release -p kabar-pipeline --example bench_corpus)
"$TARGET/release/examples/bench_corpus" --count 2000 >"$WORK/corpus.jsonl"

python3 - "$TARGET/criterion/entities/tag_3kb_article" "$WORK" <<'PY'
import os, statistics, subprocess, sys, time
work = sys.argv[2]
rounds = {b: [float(x) for x in open(os.path.join(work, f"medians-{b}")).read().split()]
          for b in ("base", "branch")}
median = {b: statistics.median(v) for b, v in rounds.items()}
print(f"criterion entities/tag_3kb_article (one core), median time per 3 KB article, "
      f"median of {len(rounds['base'])} alternating rounds:")
for b in ("base", "branch"):
    each = ", ".join(f"{v / 1000:.1f}" for v in rounds[b])
    print(f"  {b:7} {median[b] / 1000:8.1f} us  = {1e9 / median[b]:8.0f} articles/s   (rounds: {each} us)")
ratios = [n / o for o, n in zip(rounds["base"], rounds["branch"])]
print(f"  ratio branch/base time {median['branch'] / median['base']:.3f} "
      f"(per round: {', '.join(f'{r:.3f}' for r in ratios)})")

def run(binary, stdin_path):
    """Peak resident set (KiB) and wall seconds of `kabar enrich` over a file."""
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "enrich", "--stages",
                               "clean,lang,entities,route"], stdin=stdin,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
        return int(done.stderr.decode().strip().splitlines()[-1]), time.perf_counter() - start

empty = os.path.join(work, "empty.jsonl")
open(empty, "w").close()
print("kabar enrich, median of 5 runs each:")
rows = {}
for b in ("base", "branch"):
    binary = os.path.join(work, f"kabar-{b}")
    start = [run(binary, empty) for _ in range(5)]
    full = [run(binary, os.path.join(work, "corpus.jsonl")) for _ in range(5)]
    rows[b] = (statistics.median(s[1] for s in start), statistics.median(f[0] for f in full))
    print(f"  {b:7} start-up (build the pipeline, no article) {rows[b][0]:.3f} s; "
          f"peak RSS over 2,000 articles {rows[b][1] / 1024:.1f} MiB")
print(f"  difference: start-up +{rows['branch'][0] - rows['base'][0]:.3f} s, "
      f"RSS +{(rows['branch'][1] - rows['base'][1]) / 1024:.1f} MiB")
PY
