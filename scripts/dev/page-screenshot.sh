#!/usr/bin/env bash
# Makes the screenshot of kabar's live page that the README shows (docs/page.png): a local
# broker, kabar on it with its default topics, the sample articles fed at a steady rate while
# headless Chromium watches the page, then the capture. Stops everything it started.
#
#   scripts/dev/page-screenshot.sh [OUTPUT.png]        # docs/page.png by default
#   KABAR_SCREENSHOT_SECONDS=120 scripts/dev/page-screenshot.sh
#
# Needs what scripts/dev/test.sh installs (Java and Maven for the broker, Debian's chromium).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${1:-docs/page.png}
port=${KABAR_SCREENSHOT_KAFKA_PORT:-43292}
http=${KABAR_SCREENSHOT_HTTP:-127.0.0.1:43298}
seconds=${KABAR_SCREENSHOT_SECONDS:-90}
target=${CARGO_TARGET_DIR:-$root/target}

cargo build -q -p kabar --example page_screenshot
cargo build -q -p kabar
kabar="$target/debug/kabar"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  KAFKA_PORT=$port bash deploy/kafka/kafka-local.sh stop >/dev/null || true
}
trap cleanup EXIT
KAFKA_PORT=$port KAFKA_CONTROLLER_PORT=$((port + 1)) bash deploy/kafka/kafka-local.sh start
export KABAR_KAFKA_BROKERS=127.0.0.1:$port KABAR_LOG_LEVEL=warn

# Topics first (auto-created by the local broker on the first write), then kabar and a feeder.
"$kabar" produce news.raw deploy/samples >/dev/null
"$kabar" run --http-addr "$http" &
pids+=($!)
"$kabar" produce news.raw deploy/samples --rate 6 --repeat 0 >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 120); do
  curl -fsS "http://$http/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
sleep 10 # the articles produced before kabar started are through: the chart shows the steady rate
"$target/debug/examples/page_screenshot" "http://$http/?interval=1000" "$out" "$seconds"
