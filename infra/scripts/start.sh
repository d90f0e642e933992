#!/usr/bin/env bash
# npm start: install what is missing, start a local Kafka broker unless KAFKA_BROKERS names one,
# then run the credit projector and the quota service until Ctrl-C or SIGTERM.
set -euo pipefail
# shellcheck source=infra/scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
prepare_checkout
build
# Fail on a bad variable now, with its one-line reason, before starting anything.
node dist/apps/credits-cli/src/main.js config >/dev/null

# Without API_KEYS, the quota service would answer 401 to everything: make keys once, keep them.
if [[ -z "${API_KEYS:-}" ]]; then
  keys_file="$root/.secrets/api-keys.env"
  node dist/apps/credits-cli/src/main.js keys init --file "$keys_file" >/dev/null
  API_KEYS="$(grep '^API_KEYS=' "$keys_file" | cut -d= -f2-)"
  export API_KEYS
  echo "image-credits: API keys (worker, billing, finance, ops) are in $keys_file, readable only by you"
fi

kafka="$root/infra/kafka/kafka.sh"
started_broker=0
if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  bash "$kafka" status >/dev/null 2>&1 || started_broker=1
  bash "$kafka" start
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi

pids=()
stopping=0
stop_all() {
  ((stopping)) && return 0
  stopping=1
  if ((${#pids[@]} > 0)); then
    echo "image-credits: stopping the projector and the quota service"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if ((started_broker)); then bash "$kafka" stop; fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# Each service runs in a session of its own, so a Ctrl-C in the terminal reaches only this script,
# which then stops them once, in order, and waits for them to leave their consumer groups.
# A capped old generation keeps the projector's RSS bounded (its live heap is ~100 MB), and its
# parsing thread has a heap of its own; the young generation stays at 16 MB (see
# test/harness/projector.ts for why). The same flags: docker-compose.yml and that file.
setsid node --max-old-space-size=256 --max-semi-space-size=16 dist/apps/credit-projector/src/main.js &
pids+=($!)
setsid node dist/apps/quota-service/src/main.js &
pids+=($!)
echo "image-credits: dashboard at http://${HOST:-127.0.0.1}:${PORT:-3000}/dashboard/ (sign in with the finance or ops key)"

# If either service exits (a start-up failure, say), stop the other and report its exit code.
set +e
wait -n "${pids[@]}"
code=$?
set -e
echo "image-credits: a service exited (code $code); stopping the rest" >&2
exit "$code"
