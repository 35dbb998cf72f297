#!/usr/bin/env bash
# Creates every topic listed in deploy/topics.txt (name, partitions, retention.ms, and optionally
# more topic settings as key=value pairs separated by ';'), then checks that each exists. Run
# once by the `kafka-init` service of docker-compose.yml; idempotent.
#
#   KAFKA_BOOTSTRAP     broker to talk to                      (default kafka:9092)
#   TOPICS_FILE         the topic list                         (default /etc/kabar/topics.txt)
#   KAFKA_TOPICS        Kafka's topic tool                     (default /opt/kafka/bin/kafka-topics.sh)
#   REPLICATION_FACTOR  replicas per partition                 (default 1: a single broker)
#   TOPIC_PREFIX        prepended to every name (tests only)   (default empty)
#   INIT_PARALLELISM    topic tools running at once            (default 4)
set -euo pipefail

bootstrap=${KAFKA_BOOTSTRAP:-kafka:9092}
file=${TOPICS_FILE:-/etc/kabar/topics.txt}
topics_tool=${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}
replication=${REPLICATION_FACTOR:-1}
prefix=${TOPIC_PREFIX:-}
parallel=${INIT_PARALLELISM:-4}

fail() { echo "kafka-init: $*" >&2; exit 1; }
[ -r "$file" ] || fail "cannot read $file"

names=()
pids=()
failed=0

wait_all() {
  local pid
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  pids=()
}

create() {
  local name=$1 partitions=$2 retention=$3 settings=${4:-}
  local configs=(--config "retention.ms=$retention") setting pairs
  if [ -n "$settings" ]; then
    IFS=';' read -ra pairs <<<"$settings"
    for setting in "${pairs[@]}"; do configs+=(--config "$setting"); done
  fi
  if "$topics_tool" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
      --partitions "$partitions" --replication-factor "$replication" \
      "${configs[@]}" >/dev/null; then
    echo "kafka-init: $name ($partitions partitions, retention.ms=$retention${settings:+, $settings})"
  else
    echo "kafka-init: cannot create $name" >&2
    return 1
  fi
}

line_number=0
while IFS= read -r line || [ -n "$line" ]; do
  line_number=$((line_number + 1))
  line=${line%%#*}
  read -r name partitions retention settings extra <<<"$line" || true
  [ -z "${name:-}" ] && continue
  if [ -n "${extra:-}" ] || ! [[ "${partitions:-}" =~ ^[1-9][0-9]*$ ]] \
      || ! [[ "${retention:-}" =~ ^-?[0-9]+$ ]] \
      || ! [[ "${settings:-}" =~ ^([a-z.]+=[^\;=]+(\;[a-z.]+=[^\;=]+)*)?$ ]]; then
    fail "$file:$line_number: want 'name partitions retention.ms [key=value;...]', got '$line'"
  fi
  names+=("$prefix$name")
  create "$prefix$name" "$partitions" "$retention" "${settings:-}" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$parallel" ]; then wait_all; fi
done <"$file"
wait_all
[ "$failed" -eq 0 ] || fail "some topics could not be created"
[ "${#names[@]}" -gt 0 ] || fail "$file lists no topics"

existing=$("$topics_tool" --bootstrap-server "$bootstrap" --list)
for name in "${names[@]}"; do
  grep -qxF -- "$name" <<<"$existing" || fail "$name is missing after creation"
done
echo "kafka-init: ${#names[@]} topics ready"
