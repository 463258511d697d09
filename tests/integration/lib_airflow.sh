# shellcheck shell=bash
# lib_airflow.sh: shared by the Airflow integration tests (sourced, not run): results, free ports, a
# `userpipe api` of the test's own, topics on the shared broker, cleanup.
# Needs ROOT set by the test; sets tmp (the test's scratch directory, kept with KEEP_TMP=1) and
# the EXIT trap that runs the on_exit cleanups.

# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

BROKERS="${USERPIPE_BROKERS:-127.0.0.1:9092}"
USERPIPE_BIN="${USERPIPE_BIN:-$ROOT/build/userpipe}"
tmp="$(mktemp -d)"
cleanups=()
trap 'run_cleanups; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
# Runs at exit, last registered first.
on_exit() { cleanups+=("$*"); }
run_cleanups() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[$i]}" >/dev/null 2>&1 || true; done
}

# airflow_test_setup NAME: the commands the test needs, a `userpipe api` of its own (API_URL), and
# a topic of its own in $topic, deleted at exit with its DLQ.
airflow_test_setup() {
  require_commands produce api
  start_api
  topic="it-airflow-$1-$(date +%s)-$$-$RANDOM"
  on_exit "delete_topic $topic; delete_topic $topic.dlq"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# `userpipe COMMAND` must exist in this build (`userpipe --help` lists the commands).
require_commands() {
  local c missing=()
  for c in "$@"; do "$USERPIPE_BIN" --help 2>/dev/null | grep -qE "^  $c " || missing+=("$c"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    not_ok "this build of userpipe has no command: ${missing[*]} (needed by this test)"
    finish
  fi
}

# Starts `userpipe api` on a free port; sets API_URL. Fails the test if it does not answer.
start_api() {
  local port pid
  port="$(free_port)"
  "$USERPIPE_BIN" api --listen "127.0.0.1:$port" >"$tmp/api.log" 2>&1 </dev/null &
  pid=$!
  on_exit "kill $pid; wait $pid"
  API_URL="http://127.0.0.1:$port/api/"
  for _ in $(seq 1 100); do
    if curl -fs -o /dev/null --max-time 2 "${API_URL}?results=1"; then
      ok "userpipe api answers at $API_URL"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  not_ok "userpipe api did not answer at $API_URL" "$tmp/api.log"
  finish
}

# Messages on a topic: the sum of its partitions' end offsets (idempotent producer, no
# transactions: one offset per message).
topic_messages() {
  timeout 60 "$ROOT/scripts/stack" kafka get-offsets --bootstrap-server "$BROKERS" --topic "$1" 2>/dev/null |
    awk -F: -v t="$1" '$1 == t { n += $3 } END { print n + 0 }'
}

# Distinct message keys (user ids) on a topic, read by a real consumer from the beginning.
topic_distinct_keys() {
  local topic="$1" n="$2"
  timeout 90 "$ROOT/scripts/stack" kafka console-consumer --bootstrap-server "$BROKERS" --topic "$topic" \
    --from-beginning --max-messages "$n" --timeout-ms 20000 --property print.key=true \
    --property 'key.separator=	' 2>/dev/null </dev/null | cut -f1 | sort -u | grep -c .
}

delete_topic() {
  timeout 60 "$ROOT/scripts/stack" kafka topics --bootstrap-server "$BROKERS" --delete --topic "$1" </dev/null
}
