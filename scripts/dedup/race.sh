#!/usr/bin/env bash
# The race window of the group's shared near-duplicate index (scripts/dedup/race.py), on a broker
# of its own: builds kabar in release, prepares the Python environment of the example consumer,
# starts Kafka on --port (default 44092; kabar's HTTP ports are 10 above), runs, stops Kafka.
#
#   scripts/dedup/race.sh [--port 44092] [--stories 2000] [--rate 200] [--pairs 40]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
port=44092
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --port) port=$2; args+=(--port "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cargo build -q --release -p kabar
read -r python _ < <(scripts/dev/python-env.sh)
export KAFKA_PORT=$port KAFKA_CONTROLLER_PORT=$((port + 1))
trap 'deploy/kafka/kafka-local.sh stop >/dev/null 2>&1 || true' EXIT
deploy/kafka/kafka-local.sh start >&2
"$python" scripts/dedup/race.py --brokers "127.0.0.1:$port" "${args[@]}"
