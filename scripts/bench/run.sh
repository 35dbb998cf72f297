#!/usr/bin/env bash
# kabar's end-to-end load benchmark, one command:
#
#   scripts/bench/run.sh            # 200,000 articles, 3 repeats: about 12 minutes on 2 cores
#   scripts/bench/run.sh --quick    # 20,000 articles, a few minutes
#   scripts/bench/run.sh --articles 500000 --partitions 8 --repeats 3   # any bench.py option
#
# Builds kabar in release, installs the Python reference pipeline into a virtual environment
# ($KABAR_BENCH_VENV, default ~/.cache/kabar/bench-venv), starts its own Kafka broker on a free
# port (deploy/kafka/kafka-local.sh; stopped on exit), and runs scripts/bench/bench.py. The report
# (report.md, report.json) and every log land in target/bench/<UTC time>/ (and target/bench/latest).
# See docs/benchmarks.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/bench"
say() { printf 'bench: %s\n' "$*" >&2; }

quick=()
args=()
for arg in "$@"; do
  case $arg in
    --quick) quick=(--articles 20000 --steady-seconds 15 --burst-seconds 3 --python-articles 300 --repeats 3) ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
say "building kabar (release) in $TARGET"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET nice cargo build -q --release -p kabar \
  && CARGO_TARGET_DIR=$TARGET nice cargo build -q --release -p kabar-pipeline --example bench_corpus)

VENV=${KABAR_BENCH_VENV:-$HOME/.cache/kabar/bench-venv}
want=$(sha256sum "$HERE/requirements.txt" | cut -c1-64)
if [[ ! -f $VENV/.requirements || $(<"$VENV/.requirements") != "$want" ]]; then
  say "installing the Python reference pipeline into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$want" >"$VENV/.requirements"
fi

# A free port whose successor (the controller's) is free too.
port=$("$VENV/bin/python" - <<'PY'
import socket
for _ in range(100):
    with socket.socket() as a:
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        try:
            with socket.socket() as b:
                b.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
    print(port)
    break
PY
)
export KAFKA_PORT=$port
stop_broker() { "$ROOT/deploy/kafka/kafka-local.sh" stop >/dev/null 2>&1 || true; }
trap stop_broker EXIT
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx1g -Xms512m} "$ROOT/deploy/kafka/kafka-local.sh" start >&2

OUT="$TARGET/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
ln -sfn "$OUT" "$TARGET/bench/latest"
say "results in $OUT"
broker_pid=$(cat "${TMPDIR:-/tmp}/kabar-kafka-$port/pid" 2>/dev/null || true)
"$VENV/bin/python" "$HERE/bench.py" --brokers "127.0.0.1:$port" ${broker_pid:+--broker-pid "$broker_pid"} \
  --kabar "$TARGET/release/kabar" --corpus-bin "$TARGET/release/examples/bench_corpus" \
  --python "$VENV/bin/python" --out "$OUT" "${quick[@]}" "${args[@]}"
