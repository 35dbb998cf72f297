#!/usr/bin/env bash
# Runs every check and test of kabar, against a real Kafka broker that this script starts and
# stops. Installs what is missing (Maven fetches Kafka's jars; apt-get brings system tools).
#
#   scripts/dev/test.sh                                 # everything
#   KABAR_TEST_BROKERS=host:port scripts/dev/test.sh    # use a broker that is already running
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

log() { printf '\n==> %s\n' "$*"; }

apt_install() {
  # Installs Debian packages that are missing; needs root (CI and dev machines here run as root).
  local missing=()
  for package in "$@"; do
    # "install ok installed" only: a removed package can linger with its configuration files.
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_check_jsonschema() {
  local venv="$HOME/.cache/kabar/venv" version=0.39.0
  if ! "$venv/bin/check-jsonschema" --version 2>/dev/null | grep -qF "$version"; then
    log "installing check-jsonschema $version into $venv"
    command -v python3 >/dev/null || apt_install python3
    if ! python3 -m venv --clear "$venv" >/dev/null 2>&1; then
      apt_install python3-venv # Debian's python3 keeps venv's pip bootstrap apart
      python3 -m venv --clear "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "check-jsonschema==$version"
  fi
  export PATH="$venv/bin:$PATH"
}

ensure_promtool() {
  # The Prometheus files are checked by a promtool of the version compose runs
  # (prom/prometheus:v3.5.0): Debian's is 2.42. Built from the Go module proxy (Prometheus
  # v3.x.y is the module version v0.3xx.y) and cached. `go install pkg@version` refuses the
  # module's replace directives, so it is built inside the downloaded module.
  local version=3.5.0 module=v0.305.0 bin="$HOME/.cache/kabar/promtool-3.5.0"
  if ! "$bin/promtool" --version 2>/dev/null | grep -qF "version $version "; then
    export PATH="$PATH:/usr/local/go/bin"
    command -v go >/dev/null || apt_install golang-go
    log "building promtool $version from the Go module proxy into $bin"
    local dir
    dir=$(GOTOOLCHAIN=auto go mod download -json "github.com/prometheus/prometheus@$module" \
      | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { echo "cannot download github.com/prometheus/prometheus@$module" >&2; exit 1; }
    mkdir -p "$bin"
    (cd "$dir" && GOTOOLCHAIN=auto GOFLAGS=-mod=readonly go build -trimpath \
      -ldflags "-X github.com/prometheus/common/version.Version=$version" \
      -o "$bin/promtool" ./cmd/promtool)
  fi
  export PATH="$bin:$PATH"
}

ensure_tools() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  command -v cmake >/dev/null || apt_install cmake
  command -v cc >/dev/null || apt_install build-essential
  # librdkafka's TLS and SASL/SCRAM link OpenSSL; tests/security.rs makes its certificates with
  # the openssl command.
  apt_install libssl-dev pkg-config openssl
  # The deploy checks (services/kabar/tests/deploy.rs): a Prometheus server from Debian (the
  # live tests), promtool of compose's version (above); check-jsonschema (the Compose
  # specification's schema vendored, and ruamel.yaml) from PyPI, in a venv of its own.
  command -v prometheus >/dev/null || apt_install prometheus
  ensure_promtool
  # The live page's browser test (services/kabar/tests/page.rs): headless Chromium from Debian.
  [ -x /usr/bin/chromium ] || apt_install chromium
  ensure_check_jsonschema
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
}

broker_port=""
stop_broker() {
  if [ -n "$broker_port" ]; then
    KAFKA_PORT=$broker_port bash deploy/kafka/kafka-local.sh stop || true
  fi
}

start_broker() {
  if [ -n "${KABAR_TEST_BROKERS:-}" ]; then
    log "using the broker at $KABAR_TEST_BROKERS"
    return
  fi
  broker_port=${KABAR_TEST_KAFKA_PORT:-39092}
  log "starting Kafka on 127.0.0.1:$broker_port"
  trap stop_broker EXIT
  KAFKA_PORT=$broker_port KAFKA_CONTROLLER_PORT=$((broker_port + 1)) bash deploy/kafka/kafka-local.sh start
  export KABAR_TEST_BROKERS="127.0.0.1:$broker_port"
}

ensure_tools

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The entity trainer is behind the pipeline's `train` feature, which the lines above skip.
cargo clippy -p kabar-pipeline --all-targets --features train --locked -- -D warnings

log "building tests"
cargo test --workspace --locked --no-run

start_broker

log "cargo test (broker $KABAR_TEST_BROKERS)"
cargo test --workspace --locked
