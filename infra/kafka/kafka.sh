#!/usr/bin/env bash
# A KRaft Apache Kafka broker on loopback (or a cluster of several, or nodes on addresses of their
# own in network namespaces of their own, for fault runs), from the broker jars on Maven
# Central. Used where no Docker engine runs (the development and CI machines of this project).
#
#   kafka.sh fetch    resolve the broker jars into the cache (once per Kafka version)
#   kafka.sh start    fetch, format storage once, start every node that is not running, wait
#                     until each accepts connections
#   kafka.sh stop     stop the nodes this checkout started (SIGTERM, then SIGKILL after a grace period)
#   kafka.sh kill N   SIGKILL node N (1-based), as a crash would; `start` brings it back
#   kafka.sh status   say whether every node runs; exit 0 when they do
#
# Every command is idempotent. Settings (environment):
#   KAFKA_NODES            how many nodes (1, or 3 for a cluster that survives one lost)  (default 1)
#   KAFKA_PORT             the first node's client port     (default 9092; node N: +2(N-1))
#   KAFKA_CONTROLLER_PORT  the first node's controller port (default 9093; node N: +2(N-1))
#   KAFKA_PORTS, KAFKA_CONTROLLER_PORTS   comma-separated ports, one per node, instead
#   KAFKA_HOSTS            comma-separated addresses, one per node, each node's listeners bind
#                          and advertise                      (default 127.0.0.1 for every node)
#   KAFKA_NETNS            comma-separated network namespaces (ip netns), one per node: each node
#                          runs in its own, for fault runs that cut the network between them
#                          (default: none, every node in this shell's namespace)
#   KAFKA_VERSION          broker version to fetch and run    (default: the pom's kafka.version)
#   KAFKA_CACHE_DIR        where fetched jars are kept        (default <repo>/.cache/kafka)
#   KAFKA_RUN_DIR          data, log and pid file             (default <repo>/.run/kafka; node N of
#                          several: its node-N folder)
#   KAFKA_START_TIMEOUT_S  how long start waits for the port  (default 90)
#   KAFKA_SECURITY         none (plaintext, anyone may do anything) or scram: SASL/SCRAM-SHA-512
#                          and the standard authorizer, with users admin (the super user),
#                          editor, billing, credit-projector, quota-service and ops, whose
#                          passwords are made once into <run dir>/scram-users (mode 600). Only
#                          admin may do anything until ACLs are added (credits kafka acls --apply).
#                          (default none)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

nodes="${KAFKA_NODES:-1}"
base_port="${KAFKA_PORT:-9092}"
base_controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
pom_version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
version="${KAFKA_VERSION:-$pom_version}"
cache_dir="${KAFKA_CACHE_DIR:-$root/.cache/kafka}"
libs="$cache_dir/$version/libs"
run_dir="${KAFKA_RUN_DIR:-$root/.run/kafka}"
start_timeout="${KAFKA_START_TIMEOUT_S:-90}"
security="${KAFKA_SECURITY:-none}"
scram_users=(admin editor billing credit-projector quota-service ops)

say() { echo "kafka: $*"; }
fail() {
  echo "kafka: error: $*" >&2
  exit 1
}

valid_port() { [[ "$1" =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }
[[ "$nodes" =~ ^[1-9]$ ]] || fail "KAFKA_NODES='$nodes' is not a number of nodes from 1 to 9: use 1, or 3 for a cluster"
valid_port "$base_port" || fail "KAFKA_PORT='$base_port' is not a port number (1-65535): set it to a free port such as 9092"
valid_port "$base_controller_port" || fail "KAFKA_CONTROLLER_PORT='$base_controller_port' is not a port number (1-65535): set it to a free port such as 9093"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "KAFKA_VERSION='$version' is not a Kafka version such as 3.9.1"
[[ "$security" == none || "$security" == scram ]] || fail "KAFKA_SECURITY='$security' is neither none nor scram"

# One value per node into `found`: the comma-separated list when given (it must name one for each
# node), else what `default_for i` (0-based) says. No subshell, so a failure stops the script.
per_node() { # name list default_for
  local name="$1" list="$2" default_for="$3" i
  if [[ -n "$list" ]]; then
    IFS=, read -r -a found <<<"$list"
    ((${#found[@]} == nodes)) || fail "$name='$list' names ${#found[@]} values for $nodes nodes"
  else
    found=()
    for ((i = 0; i < nodes; i++)); do found+=("$("$default_for" "$i")"); done
  fi
}
# Without a list, ports count up from the base in steps of two, and every node is on loopback in
# this shell's network namespace.
default_client_port() { echo $((base_port + 2 * $1)); }
default_controller_port() { echo $((base_controller_port + 2 * $1)); }
default_host() { echo 127.0.0.1; }
no_namespace() { echo -; }
per_node KAFKA_PORTS "${KAFKA_PORTS:-}" default_client_port
client_ports=("${found[@]}")
per_node KAFKA_CONTROLLER_PORTS "${KAFKA_CONTROLLER_PORTS:-}" default_controller_port
controller_ports=("${found[@]}")
for p in "${client_ports[@]}"; do
  valid_port "$p" || fail "KAFKA_PORTS (or KAFKA_PORT): '$p' is not a port number (1-65535)"
done
for p in "${controller_ports[@]}"; do
  valid_port "$p" || fail "KAFKA_CONTROLLER_PORTS (or KAFKA_CONTROLLER_PORT): '$p' is not a port number (1-65535)"
done
per_node KAFKA_HOSTS "${KAFKA_HOSTS:-}" default_host
hosts=("${found[@]}")
for h in "${hosts[@]}"; do
  [[ "$h" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "KAFKA_HOSTS: '$h' is not an IPv4 address"
done
per_node KAFKA_NETNS "${KAFKA_NETNS:-}" no_namespace
namespaces=("${found[@]}")
for ns in "${namespaces[@]}"; do
  [[ "$ns" == - || (-n "$ns" && -e "/run/netns/$ns") ]] || fail "KAFKA_NETNS: there is no network namespace '$ns' (ip netns list)"
done

# A single node keeps its files in the run directory itself (as before clusters existed); each
# node of several has a folder of its own.
node_dir() { if ((nodes == 1)); then echo "$run_dir"; else echo "$run_dir/node-$1"; fi; }
# Each security mode has its own data: SCRAM users are written into the storage when it is formatted.
data_dir() { if [[ "$security" == scram ]]; then echo "$(node_dir "$1")/data-$version-scram"; else echo "$(node_dir "$1")/data-$version"; fi; }
users_file() { echo "$run_dir/scram-users"; }
pid_file() { echo "$(node_dir "$1")/broker.pid"; }
log_file() { echo "$(node_dir "$1")/broker.log"; }
client_port() { echo "${client_ports[$(($1 - 1))]}"; }
controller_port() { echo "${controller_ports[$(($1 - 1))]}"; }
host() { echo "${hosts[$(($1 - 1))]}"; }
# The namespace of node N, or - for this shell's.
namespace() { echo "${namespaces[$(($1 - 1))]}"; }
bootstrap() {
  local i list=()
  for ((i = 1; i <= nodes; i++)); do list+=("$(host "$i"):$(client_port "$i")"); done
  (IFS=,; echo "${list[*]}")
}

# A second at most: an address whose packets are dropped (a fault run's cut) never refuses.
port_answers() { timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; } # host port

broker_pid() { # node
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
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

# A password per SCRAM user, made once: `name password` lines, readable by this user only.
ensure_scram_users() {
  local file user
  file="$(users_file)"
  [[ -s "$file" ]] && return 0
  mkdir -p "$run_dir"
  (
    umask 077
    for user in "${scram_users[@]}"; do
      echo "$user $(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
    done >"$file"
  )
}
scram_password() { awk -v user="$1" '$1 == user { print $2 }' "$(users_file)"; }

write_config() { # node
  local node="$1" voters=() i replication min_isr
  for ((i = 1; i <= nodes; i++)); do voters+=("$i@$(host "$i"):$(controller_port "$i")"); done
  replication=$((nodes < 3 ? nodes : 3))
  min_isr=$((replication >= 3 ? 2 : 1))
  mkdir -p "$(node_dir "$node")"
  sed -e "s|@PORT@|$(client_port "$node")|g" -e "s|@CONTROLLER_PORT@|$(controller_port "$node")|g" \
    -e "s|@HOST@|$(host "$node")|g" -e "s|@DATA_DIR@|$(data_dir "$node")|g" -e "s|@NODE_ID@|$node|g" \
    -e "s|@VOTERS@|$(IFS=,; echo "${voters[*]}")|g" \
    -e "s|@REPLICATION@|$replication|g" -e "s|@MIN_ISR@|$min_isr|g" \
    "$here/server.properties" >"$(node_dir "$node")/server.properties"
  if [[ "$security" == scram ]]; then
    sed -e "s|@PORT@|$(client_port "$node")|g" -e "s|@CONTROLLER_PORT@|$(controller_port "$node")|g" \
      -e "s|@HOST@|$(host "$node")|g" -e "s|@ADMIN_PASSWORD@|$(scram_password admin)|g" \
      "$here/server-scram.properties" >>"$(node_dir "$node")/server.properties"
    chmod 600 "$(node_dir "$node")/server.properties"
  fi
}

# Every node of a cluster is formatted with one cluster id, kept in the run directory.
format_storage() { # node
  local node="$1" dir cluster_id_file="$run_dir/cluster.id" cluster_id
  dir="$(node_dir "$node")"
  [[ -f "$(data_dir "$node")/meta.properties" ]] && return 0
  if [[ ! -s "$cluster_id_file" ]]; then
    mkdir -p "$run_dir"
    kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$cluster_id_file"
  fi
  cluster_id="$(cat "$cluster_id_file")"
  [[ -n "$cluster_id" ]] || fail "the Kafka storage tool could not make a cluster id: see 'java -cp \"$libs/*\" kafka.tools.StorageTool random-uuid'"
  local scram=() user
  if [[ "$security" == scram ]]; then
    for user in "${scram_users[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(scram_password "$user")]")
    done
  fi
  kafka_java kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$dir/server.properties" \
    "${scram[@]}" >"$dir/format.log" 2>&1 || {
    cat "$dir/format.log" >&2
    fail "could not format the storage of node $node in $(data_dir "$node"): remove $run_dir and try again"
  }
}

start_node() { # node
  local node="$1" port controller prefix=()
  port="$(client_port "$node")"
  controller="$(controller_port "$node")"
  broker_pid "$node" >/dev/null && return 0
  for p in "$port" "$controller"; do
    if port_answers "$(host "$node")" "$p"; then
      fail "port $p on $(host "$node") is taken by another process: stop it, or choose free ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT (or set KAFKA_BROKERS to use a running broker)"
    fi
  done
  [[ "$security" == scram ]] && ensure_scram_users
  write_config "$node"
  format_storage "$node"
  [[ "$(namespace "$node")" == - ]] || prefix=(ip netns exec "$(namespace "$node")")
  # setsid: the broker must outlive the shell that started it, and not get its Ctrl-C. ip netns
  # exec execs the broker, so the pid kept is the broker's.
  setsid bash -c 'exec "$@"' _ "${prefix[@]}" java "${java_args[@]}" kafka.Kafka "$(node_dir "$node")/server.properties" \
    >"$(log_file "$node")" 2>&1 </dev/null &
  echo "$!" >"$(pid_file "$node")"
}

wait_for_node() { # node
  local node="$1" waited=0 pid port
  port="$(client_port "$node")"
  pid="$(cat "$(pid_file "$node")")"
  until port_answers "$(host "$node")" "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$(log_file "$node")" >&2 || true
      rm -f "$(pid_file "$node")"
      fail "node $node exited during start-up (log above, whole log: $(log_file "$node"))"
    fi
    if ((waited >= start_timeout * 5)); then
      fail "node $node did not accept connections on $(host "$node"):$port within ${start_timeout}s (log: $(log_file "$node"))"
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

start() {
  local node running=0
  for ((node = 1; node <= nodes; node++)); do
    broker_pid "$node" >/dev/null && port_answers "$(host "$node")" "$(client_port "$node")" && running=$((running + 1))
  done
  if ((running == nodes)); then
    say "already running on $(bootstrap)"
    return 0
  fi
  require_java
  fetch
  [[ "$security" == scram ]] && say "SASL/SCRAM-SHA-512 with ACLs; users and passwords: $(users_file)"
  if ((nodes == 1)); then
    say "starting Apache Kafka $version (KRaft, single node) on $(bootstrap); log: $(log_file 1)"
  else
    say "starting Apache Kafka $version (KRaft, $nodes nodes) on $(bootstrap); logs: $run_dir/node-*/broker.log"
  fi
  # All nodes at once: a controller quorum of several forms only once a majority is up.
  for ((node = 1; node <= nodes; node++)); do start_node "$node"; done
  for ((node = 1; node <= nodes; node++)); do wait_for_node "$node"; done
  say "ready on $(bootstrap)"
}

stop_node() { # node
  local node="$1" pid waited=0
  pid="$(broker_pid "$node")" || {
    rm -f "$(pid_file "$node")"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 150)); then
      say "node $node did not stop cleanly within 30s: killing"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$(pid_file "$node")"
}

stop() {
  local node any=0
  for ((node = 1; node <= nodes; node++)); do broker_pid "$node" >/dev/null && any=1; done
  if ((any == 0)); then
    for ((node = 1; node <= nodes; node++)); do rm -f "$(pid_file "$node")"; done
    say "not running"
    return 0
  fi
  say "stopping"
  # In parallel: a node waiting for its peers to take over its partitions should not wait on them.
  for ((node = 1; node <= nodes; node++)); do stop_node "$node" & done
  wait
  say "stopped"
}

kill_node() { # node
  local node="${1:-}" pid
  [[ "$node" =~ ^[0-9]+$ ]] && ((node >= 1 && node <= nodes)) || fail "kill needs a node from 1 to $nodes"
  if ! pid="$(broker_pid "$node")"; then
    say "node $node is not running"
    return 0
  fi
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$(pid_file "$node")"
  say "killed node $node (pid $pid)"
}

status() {
  local node down=0 pid
  for ((node = 1; node <= nodes; node++)); do
    if pid="$(broker_pid "$node")" && port_answers "$(host "$node")" "$(client_port "$node")"; then
      ((nodes == 1)) || say "node $node running (pid $pid) on $(host "$node"):$(client_port "$node")"
    else
      ((nodes == 1)) || say "node $node not running"
      down=1
    fi
  done
  if ((down)); then
    say "not running"
    return 1
  fi
  say "running on $(bootstrap)"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) kill_node "${2:-}" ;;
  *)
    echo "usage: $(basename "$0") fetch|start|stop|kill N|status" >&2
    exit 2
    ;;
esac
