#!/usr/bin/env bash
# A three-node Apache Kafka cluster on this machine (KRaft, each node broker+controller, static
# quorum of the three), replication factor 3 and min.insync.replicas 2 on every topic including
# __consumer_offsets and __transaction_state. Each node is run by kafka-local.sh (same jars,
# same fetch), with its own ports and data dir.
#
#   kafka-cluster.sh start|stop|status     all three nodes
#   kafka-cluster.sh kill N                kill -9 node N (1-3); its data is kept
#   kafka-cluster.sh start N | stop N      one node (a killed node rejoins with its data)
#   kafka-cluster.sh bootstrap             prints the bootstrap servers
#
# Env: KAFKA_CLUSTER_PORTS (19092,19094,19096: PLAINTEXT of nodes 1-3),
#      KAFKA_CLUSTER_CONTROLLER_PORTS (each PLAINTEXT port + 1),
#      KAFKA_CLUSTER_DIR (${TMPDIR:-/tmp}/kabar-kafka-cluster-<port of node 1>: node data, kept on
#      stop), KAFKA_EXTRA_CONFIG (appended to every node's config after the cluster settings),
#      and what kafka-local.sh reads (KAFKA_HEAP_OPTS, KAFKA_START_TIMEOUT, ...).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IFS=, read -r -a PORTS <<<"${KAFKA_CLUSTER_PORTS:-19092,19094,19096}"
((${#PORTS[@]} == 3)) || { echo "kafka-cluster: error: KAFKA_CLUSTER_PORTS needs three ports" >&2; exit 2; }
if [[ -n ${KAFKA_CLUSTER_CONTROLLER_PORTS:-} ]]; then
  IFS=, read -r -a CONTROLLER_PORTS <<<"$KAFKA_CLUSTER_CONTROLLER_PORTS"
else
  CONTROLLER_PORTS=($((PORTS[0] + 1)) $((PORTS[1] + 1)) $((PORTS[2] + 1)))
fi
DIR=${KAFKA_CLUSTER_DIR:-${TMPDIR:-/tmp}/kabar-kafka-cluster-${PORTS[0]}}
VOTERS="1@127.0.0.1:${CONTROLLER_PORTS[0]},2@127.0.0.1:${CONTROLLER_PORTS[1]},3@127.0.0.1:${CONTROLLER_PORTS[2]}"

say() { printf 'kafka-cluster: %s\n' "$*"; }

prepare() {
  mkdir -p "$DIR"
  [[ -s $DIR/cluster-id ]] ||
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | sed 's/^-/A/' >"$DIR/cluster-id"
  cat >"$DIR/cluster.properties" <<'EOF'
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
unclean.leader.election.enable=false
EOF
  if [[ -n ${KAFKA_EXTRA_CONFIG:-} ]]; then cat "$KAFKA_EXTRA_CONFIG" >>"$DIR/cluster.properties"; fi
}

# Runs kafka-local.sh COMMAND for node N.
node() {
  local n=$1 command=$2
  KAFKA_PORT=${PORTS[n - 1]} KAFKA_CONTROLLER_PORT=${CONTROLLER_PORTS[n - 1]} \
    KAFKA_DATA_DIR="$DIR/node$n" KAFKA_EXTRA_CONFIG="$DIR/cluster.properties" \
    KAFKA_NODE_ID=$n KAFKA_QUORUM_VOTERS=$VOTERS KAFKA_CLUSTER_ID=$(<"$DIR/cluster-id") \
    "$HERE/kafka-local.sh" "$command"
}

# Runs COMMAND on every node at once (a node finishes starting only once a quorum is up).
all() {
  local command=$1 n failed=0 pids=()
  for n in 1 2 3; do
    node "$n" "$command" &
    pids+=($!)
  done
  for n in 0 1 2; do wait "${pids[n]}" || failed=1; done
  return "$failed"
}

check_node() { [[ $1 =~ ^[123]$ ]] || { echo "kafka-cluster: error: node is 1, 2 or 3" >&2; exit 2; }; }

case "${1:-} ${2:-}" in
  # A node that fails to start (a port taken meanwhile) must not leave the others running.
  "start ") prepare; all start || { all stop || true; exit 1; }
    say "running: $(IFS=,; echo "${PORTS[*]/#/127.0.0.1:}")" ;;
  "stop ") all stop ;;
  "status ") all status ;;
  "bootstrap ") (IFS=,; echo "${PORTS[*]/#/127.0.0.1:}") ;;
  start\ *) check_node "$2"; prepare; node "$2" start ;;
  stop\ * | kill\ * | status\ *) check_node "$2"; node "$2" "$1" ;;
  *) echo "usage: $0 start|stop|status|bootstrap | start|stop|kill|status N" >&2; exit 2 ;;
esac
