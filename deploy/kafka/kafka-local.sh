#!/usr/bin/env bash
# Run a real single-node Apache Kafka broker (KRaft, combined broker+controller)
# from Maven-fetched jars, without Docker.
#
#   kafka-local.sh start|stop|status|kill
#
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_DATA_DIR,
#      KAFKA_EXTRA_CONFIG, KAFKA_FORMAT_ARGS (extra storage-format arguments, e.g.
#      --add-scram SCRAM-SHA-512=[name=u,password=p]), KAFKA_HEAP_OPTS, KAFKA_LOG_LEVEL,
#      KABAR_KAFKA_CACHE, KAFKA_START_TIMEOUT (90), JAVA_HOME; for one node of a cluster
#      (kafka-cluster.sh): KAFKA_NODE_ID (1), KAFKA_QUORUM_VOTERS, KAFKA_CLUSTER_ID. See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POM="$HERE/pom.xml"
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")
CACHE=${KABAR_KAFKA_CACHE:-$HOME/.cache/kabar/kafka-$KAFKA_VERSION}
LIB="$CACHE/lib"

PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}
STATE_DIR="${TMPDIR:-/tmp}/kabar-kafka-$PORT"
START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=30
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

say() { printf 'kafka-local: %s\n' "$*"; }
die() { printf 'kafka-local: error: %s\n' "$*" >&2; exit 1; }

# PID of our broker on $PORT, or nothing (cleans up stale state).
broker_pid() {
  local pid cmdline
  [[ -f $STATE_DIR/pid ]] || return 0
  pid=$(<"$STATE_DIR/pid")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 0
  [[ $cmdline == *" kafka.Kafka "* ]] && echo "$pid"
  return 0
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Real Kafka round trip: ApiVersions v0 (api_key 18), correlation id "KBAR";
# true if the broker answers with that correlation id and error_code 0.
kafka_ping() {
  local fd resp
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf '\x00\x00\x00\x0a\x00\x12\x00\x00KBAR\x00\x00' >&"$fd"
  resp=$(timeout 3 head -c 10 <&"$fd" | od -An -tx1 | tr -d ' \n') || true
  exec {fd}>&-
  [[ ${resp:8:12} == 4b4241520000 ]]
}

ensure_jars() {
  local want lock
  want=$(sha256sum "$POM" | cut -c1-64)
  [[ -f $CACHE/.complete && $(<"$CACHE/.complete") == "$want" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven) and $LIB is not populated"
  mkdir -p "$CACHE"
  exec {lock}>"$CACHE/.lock"
  flock "$lock"
  if ! [[ -f $CACHE/.complete && $(<"$CACHE/.complete") == "$want" ]]; then
    say "fetching Kafka $KAFKA_VERSION jars with Maven into $LIB"
    rm -rf "$LIB.tmp"
    if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
      -Dkabar.kafka.cache="$CACHE" -DoutputDirectory="$LIB.tmp" -Dstyle.color=never \
      >"$CACHE/mvn.log" 2>&1; then
      tail -n 30 "$CACHE/mvn.log" >&2
      die "Maven fetch failed (full log: $CACHE/mvn.log)"
    fi
    rm -rf "$LIB" "$CACHE/target"
    mv "$LIB.tmp" "$LIB"
    echo "$want" >"$CACHE/.complete"
  fi
  exec {lock}>&-
}

random_cluster_id() {
  # Kafka Uuid string: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

cmd_start() {
  local pid data own_data=0 cfg logs java_log cluster_id f
  pid=$(broker_pid)
  if [[ -n $pid ]]; then
    say "already running on 127.0.0.1:$PORT (pid $pid), log: $(<"$STATE_DIR/data_dir")/logs/server.log"
    return 0
  fi
  [[ -d $STATE_DIR ]] && cleanup_state   # stale state from a dead broker
  port_in_use "$PORT" && die "port $PORT is already in use by another process"
  port_in_use "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is already in use by another process"

  ensure_jars

  if [[ -n ${KAFKA_DATA_DIR:-} ]]; then
    data=$KAFKA_DATA_DIR
    mkdir -p "$data"
    data=$(cd "$data" && pwd)
  else
    data=$(mktemp -d "${TMPDIR:-/tmp}/kabar-kafka-data-$PORT.XXXXXX")
    own_data=1
  fi
  mkdir -p "$STATE_DIR" "$data/logs"
  echo "$data" >"$STATE_DIR/data_dir"
  echo "$own_data" >"$STATE_DIR/own_data"

  # A node of a static quorum (KAFKA_QUORUM_VOTERS) is formatted without --standalone.
  local quorum="controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT" format_mode=(--standalone)
  if [[ -n ${KAFKA_QUORUM_VOTERS:-} ]]; then
    quorum="controller.quorum.voters=$KAFKA_QUORUM_VOTERS"
    format_mode=()
  fi
  cfg="$data/server.properties"
  sed -e "s|@PORT@|$PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$data|g" -e "s|^node.id=.*|node.id=${KAFKA_NODE_ID:-1}|" \
    -e "s|^controller.quorum.bootstrap.servers=.*|$quorum|" "$HERE/server.properties" >"$cfg"
  if [[ -n ${KAFKA_EXTRA_CONFIG:-} ]]; then
    [[ -f $KAFKA_EXTRA_CONFIG ]] || die "KAFKA_EXTRA_CONFIG=$KAFKA_EXTRA_CONFIG is not a file"
    { echo; echo "# --- from $KAFKA_EXTRA_CONFIG"; cat "$KAFKA_EXTRA_CONFIG"; } >>"$cfg"
  fi

  logs="$data/logs"
  # A reused KAFKA_DATA_DIR: keep the previous run's logs aside, so the
  # readiness check below only sees this run's "Kafka Server started".
  for f in server.log kafka.out format.out; do
    if [[ -f $logs/$f ]]; then mv -f "$logs/$f" "$logs/$f.prev"; fi
  done
  java_log=(-Dlog4j2.configurationFile="$HERE/log4j2.yaml" -Dkafka.logs.dir="$logs"
    -Dkabar.kafka.log.level="${KAFKA_LOG_LEVEL:-WARN}")

  # Format the storage (what kafka-storage.sh format does), unless a reused
  # KAFKA_DATA_DIR is already formatted.
  if [[ ! -f $data/kraft-logs/meta.properties ]]; then
    cluster_id=${KAFKA_CLUSTER_ID:-$(random_cluster_id)}
    # Split on whitespace without glob expansion ("[name=...]" must stay literal).
    local -a format_args=()
    read -r -a format_args <<<"${KAFKA_FORMAT_ARGS:-}"
    if ! "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
      "${java_log[@]}" -cp "$LIB/*" kafka.tools.StorageTool format \
      --config "$cfg" --cluster-id "$cluster_id" "${format_mode[@]}" "${format_args[@]}" \
      >"$logs/format.out" 2>&1; then
      cleanup_state_only
      start_failed "storage format failed" "$logs"
    fi
  fi

  # Same JVM flags as Kafka's kafka-server-start.sh, smaller heap.
  # Own session: Ctrl-C / process-group kills of the caller don't reach it;
  # the wrapper records the PID, then execs the JVM.
  rm -f "$STATE_DIR/pid"
  # shellcheck disable=SC2016,SC2086
  setsid -w bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$STATE_DIR/pid" \
    "$JAVA" ${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m} \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    "${java_log[@]}" -cp "$LIB/*" kafka.Kafka "$cfg" \
    </dev/null >"$logs/kafka.out" 2>&1 {LOCK_FD}>&- &
  local launcher=$!
  while [[ ! -s $STATE_DIR/pid ]] && kill -0 "$launcher" 2>/dev/null; do sleep 0.05; done
  pid=$(cat "$STATE_DIR/pid" 2>/dev/null || true)
  if [[ -z $pid ]]; then
    cleanup_state_only
    start_failed "broker launch failed" "$data/logs"
  fi

  # Ready = startup finished (log line) and the port answers a real Kafka request.
  local deadline=$((SECONDS + START_TIMEOUT))
  while :; do
    if grep -q 'Kafka Server started' "$logs/server.log" 2>/dev/null && kafka_ping "$PORT"; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      cleanup_state_only
      start_failed "broker exited during startup" "$logs"
    fi
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      cleanup_state_only
      start_failed "broker not ready after ${START_TIMEOUT}s" "$logs"
    fi
    sleep 0.2
  done
  say "Kafka $KAFKA_VERSION running on 127.0.0.1:$PORT (controller $CONTROLLER_PORT), pid $pid"
  say "data: $data  log: $logs/server.log"
}

start_failed() {
  local f
  for f in "$2/format.out" "$2/server.log" "$2/kafka.out"; do
    [[ -s $f ]] && { echo "--- tail of $f" >&2; tail -n 40 "$f" >&2; }
  done
  die "$1 (logs kept in $2)"
}

# Remove state; also the data dir when start created it with mktemp.
cleanup_state() {
  local data own
  data=$(cat "$STATE_DIR/data_dir" 2>/dev/null || true)
  own=$(cat "$STATE_DIR/own_data" 2>/dev/null || echo 0)
  if [[ $own == 1 && -n $data && -d $data ]]; then
    rm -rf "$data"
  fi
  rm -rf "$STATE_DIR"
}

# On a failed start: forget the broker but keep its data dir for the post-mortem.
cleanup_state_only() { rm -rf "$STATE_DIR"; }

cmd_stop() {
  local pid i
  pid=$(broker_pid)
  if [[ -z $pid ]]; then
    [[ -d $STATE_DIR ]] && cleanup_state
    say "not running on port $PORT"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "broker did not stop within ${STOP_TIMEOUT}s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  cleanup_state
  say "stopped (port $PORT)"
}

# kill -9, as a crash would: no clean shutdown; the data dir is kept for the next start.
cmd_kill() {
  local pid
  pid=$(broker_pid)
  if [[ -z $pid ]]; then
    say "not running on port $PORT"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  cleanup_state_only
  say "killed (port $PORT, pid $pid)"
}

cmd_status() {
  local pid
  pid=$(broker_pid)
  if [[ -n $pid ]]; then
    say "running on 127.0.0.1:$PORT (pid $pid), log: $(<"$STATE_DIR/data_dir")/logs/server.log"
    return 0
  fi
  say "stopped (port $PORT)"
  return 3
}

# One start/stop at a time per port. The broker must not inherit this fd.
lock_port() {
  exec {LOCK_FD}>"${TMPDIR:-/tmp}/kabar-kafka-$PORT.lock"
  flock "$LOCK_FD"
}

case "${1:-}" in
  start) lock_port; cmd_start ;;
  stop) lock_port; cmd_stop ;;
  kill) lock_port; cmd_kill ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status|kill" >&2; exit 2 ;;
esac
