#!/usr/bin/env bash
# Fuzzes kabar-pipeline with cargo-fuzz (libFuzzer): each target for SECONDS (default 600), one
# after the other, on one core, and prints each run's libFuzzer summary.
#
#   scripts/fuzz/run.sh [SECONDS]
#   FUZZ_TARGETS="lang entities" scripts/fuzz/run.sh 60     # some targets only
#
# Needs a nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz when it is
# missing. Not part of CI (.ci/run): a fresh machine may have no nightly. The seed corpora are
# generated from the repository's samples, benchmark corpus and hostile corpus
# (examples/fuzz_seeds.rs) into services/kabar-pipeline/fuzz/seeds/; what a run learns goes to
# fuzz/corpus/<target>/ and is reused by the next run; a crash goes to fuzz/artifacts/<target>/.
# Full logs: fuzz/logs/<target>.log. Exits non-zero when any target found a crash or hang.
set -euo pipefail

seconds=${1:-600}
targets=${FUZZ_TARGETS:-decode clean lang entities pipeline}
cd "$(dirname "$0")/../.."
fuzz_dir=services/kabar-pipeline/fuzz

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain; install one with: rustup toolchain install nightly" >&2
    exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
if [[ ! -d $fuzz_dir/seeds/decode ]]; then
    echo "fuzz: generating seed corpora" >&2
    cargo run -q -p kabar-pipeline --example fuzz_seeds -- "$fuzz_dir/seeds"
fi
echo "fuzz: building targets (release, debug assertions, AddressSanitizer)" >&2
cargo +nightly fuzz build --fuzz-dir "$fuzz_dir"

# Longest input per target: whole payloads and pages up to 64 KiB; the detector and the
# tagger read text, where longer inputs add time per run but no new paths.
max_len() {
    case $1 in
        lang | entities) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

mkdir -p "$fuzz_dir/logs"
failed=()
for target in $targets; do
    corpus=$fuzz_dir/corpus/$target
    log=$fuzz_dir/logs/$target.log
    mkdir -p "$corpus"
    echo "fuzz: $target for ${seconds}s (log: $log)" >&2
    status=0
    # -timeout: an input that takes 20 s is a hang (the hostile-input test's bound).
    cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" "$target" "$corpus" "$fuzz_dir/seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$(max_len "$target")" \
        -timeout=20 -print_final_stats=1 >"$log" 2>&1 || status=$?
    echo "== $target: exit $status, corpus entries $(find "$corpus" -type f | wc -l)"
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^==[0-9]+==ERROR|^SUMMARY|panicked at|Test unit written' "$log" || true
    if [[ $status -ne 0 ]]; then
        failed+=("$target")
    fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: crashes or hangs in: ${failed[*]} (inputs under $fuzz_dir/artifacts/)" >&2
    exit 1
fi
echo "fuzz: no crash"
