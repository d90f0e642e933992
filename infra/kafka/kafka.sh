#!/usr/bin/env bash
# A single-node KRaft Apache Kafka broker on loopback, from the broker jars on Maven Central.
# Used where no Docker engine runs (the development and CI machines of this project).
#
#   kafka.sh fetch    resolve the broker jars into the cache (once per Kafka version)
#   kafka.sh start    fetch, format storage once, start, wait until the broker accepts connections
#   kafka.sh stop     stop the broker this checkout started (SIGTERM, then SIGKILL after a grace period)
#   kafka.sh status   say whether it runs; exit 0 when it does
#
# Every command is idempotent. Settings (environment):
#   KAFKA_PORT             client port                       (default 9092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port              (default 9093)
#   KAFKA_VERSION          broker version to fetch and run    (default: the pom's kafka.version)
#   KAFKA_CACHE_DIR        where fetched jars are kept        (default <repo>/.cache/kafka)
#   KAFKA_RUN_DIR          data, log and pid file             (default <repo>/.run/kafka)
#   KAFKA_START_TIMEOUT_S  how long start waits for the port  (default 90)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
pom_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
version="${KAFKA_VERSION:-$pom_version}"
cache_dir="${KAFKA_CACHE_DIR:-$root/.cache/kafka}"
libs="$cache_dir/$version/libs"
run_dir="${KAFKA_RUN_DIR:-$root/.run/kafka}"
data_dir="$run_dir/data-$version"
pid_file="$run_dir/broker.pid"
log_file="$run_dir/broker.log"
start_timeout="${KAFKA_START_TIMEOUT_S:-90}"

say() { echo "kafka: $*"; }
fail() {
  echo "kafka: error: $*" >&2
  exit 1
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }
valid_port "$port" || fail "KAFKA_PORT='$port' is not a port number (1-65535): set it to a free port such as 9092"
valid_port "$controller_port" || fail "KAFKA_CONTROLLER_PORT='$controller_port' is not a port number (1-65535): set it to a free port such as 9093"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "KAFKA_VERSION='$version' is not a Kafka version such as 3.9.1"

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

broker_pid() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

require_java() {
  command -v java >/dev/null 2>&1 ||
    fail "Java is not installed, and the local Kafka broker needs Java 17 or newer: install a JDK (apt-get install -y openjdk-17-jre-headless) or set KAFKA_BROKERS to a running broker"
  local major
  major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1)"
  [[ -n "$major" && "$major" -ge 17 ]] ||
    fail "Java ${major:-of unknown version} is too old for the Kafka broker, which needs 17 or newer: install a newer JDK or point JAVA_HOME/PATH at one"
}

fetch() {
  if [[ -f "$libs/.complete" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    fail "Maven is not installed and the Kafka $version jars are not cached yet: install Maven (apt-get install -y maven) or set KAFKA_BROKERS to a running broker"
  say "fetching Apache Kafka $version broker jars from Maven Central (once; cached in $libs)"
  rm -rf "$libs"
  mkdir -p "$libs"
  if ! mvn -B -q -f "$here/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >"$cache_dir/fetch-$version.log" 2>&1; then
    tail -n 20 "$cache_dir/fetch-$version.log" >&2
    fail "could not fetch the Kafka $version jars (Maven log: $cache_dir/fetch-$version.log): check the network to Maven Central, then run 'npm run kafka -- fetch' again"
  fi
  touch "$libs/.complete"
}

java_args=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true
  -cp "$libs/*")
kafka_java() { java "${java_args[@]}" "$@"; }

write_config() {
  mkdir -p "$run_dir"
  sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" -e "s|@DATA_DIR@|$data_dir|g" \
    "$here/server.properties" >"$run_dir/server.properties"
}

format_storage() {
  [[ -f "$data_dir/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [[ -n "$cluster_id" ]] || fail "the Kafka storage tool could not make a cluster id: see 'java -cp \"$libs/*\" kafka.tools.StorageTool random-uuid'"
  kafka_java kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$run_dir/server.properties" \
    >"$run_dir/format.log" 2>&1 || {
    cat "$run_dir/format.log" >&2
    fail "could not format the broker's storage in $data_dir: remove $run_dir and try again"
  }
}

start() {
  local pid
  if pid="$(broker_pid)"; then
    if port_answers "$port"; then
      say "already running (pid $pid) on 127.0.0.1:$port"
      return 0
    fi
  else
    for p in "$port" "$controller_port"; do
      if port_answers "$p"; then
        fail "port $p on 127.0.0.1 is taken by another process: stop it, or choose free ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT (or set KAFKA_BROKERS to use a running broker)"
      fi
    done
    require_java
    fetch
    write_config
    format_storage
    say "starting Apache Kafka $version (KRaft, single node) on 127.0.0.1:$port; log: $log_file"
    # setsid: the broker must outlive the shell that started it, and not get its Ctrl-C.
    setsid bash -c 'exec "$@"' _ java "${java_args[@]}" kafka.Kafka "$run_dir/server.properties" \
      >"$log_file" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pid_file"
  fi

  local waited=0
  until port_answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log_file" >&2 || true
      rm -f "$pid_file"
      fail "the broker exited during start-up (log above, whole log: $log_file)"
    fi
    if ((waited >= start_timeout * 5)); then
      fail "the broker did not accept connections on 127.0.0.1:$port within ${start_timeout}s (log: $log_file)"
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  say "ready on 127.0.0.1:$port"
}

stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$pid_file"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 150)); then
      say "no clean stop after 30s: killing"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$pid_file"
  say "stopped"
}

status() {
  local pid
  if pid="$(broker_pid)" && port_answers "$port"; then
    say "running (pid $pid) on 127.0.0.1:$port"
  else
    say "not running"
    return 1
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $(basename "$0") fetch|start|stop|status" >&2
    exit 2
    ;;
esac
