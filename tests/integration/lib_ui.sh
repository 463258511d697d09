# shellcheck shell=bash
# lib_ui.sh: shared by the `userpipe ui` integration tests (sourced, not run): topics of their own on
# the shared broker, a dashboard on a free port, and cleanup of both on exit.
# Needs USERPIPE_BIN, USERPIPE_BUILD (for it_kafka) and a running stack.

# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

BROKERS="${USERPIPE_BROKERS:-127.0.0.1:9092}"
KAFKA="$USERPIPE_BUILD/it_kafka"
UI_TOPICS=()
UI_GROUPS=()
UI_PIDS=()
UI_KEYSPACES=() # "HOST:PORT KEYSPACE", dropped after the processes are gone
UI_TMP="$(mktemp -d)"

ui_cleanup() {
  local pid ks
  for pid in "${UI_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${UI_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ks in "${UI_KEYSPACES[@]}"; do
    "$USERPIPE_BIN" query --cassandra "${ks% *}" "DROP KEYSPACE IF EXISTS ${ks#* }" >/dev/null 2>&1 || true
  done
  if ((${#UI_GROUPS[@]})); then "$KAFKA" delete-groups "$BROKERS" "${UI_GROUPS[@]}" >/dev/null 2>&1 || true; fi
  if ((${#UI_TOPICS[@]})); then "$KAFKA" delete "$BROKERS" "${UI_TOPICS[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$UI_TMP"
}
trap ui_cleanup EXIT

# fail (lib_checks.sh) shows the dashboards' logs first.
on_fail() { show_logs "$UI_TMP" 20; }

# ui_topic NAME PARTITIONS: creates a topic that the cleanup deletes.
ui_topic() {
  "$KAFKA" create "$BROKERS" "$1" "$2" || fail "cannot create topic $1 (is the stack up? scripts/stack up)"
  UI_TOPICS+=("$1")
}

# ui_start NAME ARGS...: starts `userpipe ui` on a free loopback port; sets UI_URL and UI_PID.
ui_start() {
  local name="$1"; shift
  local log="$UI_TMP/$name.log"
  "$USERPIPE_BIN" ui --listen 127.0.0.1:0 --brokers "$BROKERS" --cassandra '' "$@" >"$log" 2>&1 &
  UI_PID=$!
  UI_PIDS+=("$UI_PID")
  local port=""
  for _ in $(seq 1 100); do
    port="$(sed -n 's/.*dashboard at http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$log" | head -1)"
    [ -n "$port" ] && break
    kill -0 "$UI_PID" 2>/dev/null || fail "userpipe ui ($name) exited: $(cat "$log")"
    sleep 0.1
  done
  [ -n "$port" ] || fail "userpipe ui ($name) did not report its port"
  # shellcheck disable=SC2034  # set here, read by the tests that source this file
  UI_URL="http://127.0.0.1:$port"
}

# ui_status URL [curl args]: prints the HTTP status.
ui_status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# ui_sse FILE SECONDS URL [curl args]: records an event stream for SECONDS.
ui_sse() {
  local out="$1" secs="$2"; shift 2
  timeout "$secs" curl -sN "$@" >"$out" 2>/dev/null || true
}

# sse_field FILE EVENT FIELD: the FIELD lines ("id", "data") of every EVENT event in FILE.
sse_field() {
  awk -v ev="$2" -v f="$3" '
    /^event: / { type = substr($0, 8); next }
    /^$/ { type = ""; next }
    type == ev && index($0, f ": ") == 1 { print substr($0, length(f) + 3) }' "$1"
}

# json_eval TEXT EXPR [ARG..]: prints the Python expression EXPR evaluated over TEXT, one JSON
# document per line: d is the last document, ds all of them, a the ARGs. Fails when a line is
# not JSON or EXPR raises, so a check built on it is a check of the parsed document, never of
# a substring ('"committed":4' would also match 40).
json_eval() {
  python3 -c 'import json, sys
ds = [json.loads(line) for line in sys.argv[1].splitlines() if line.strip()]
d = ds[-1] if ds else None
a = sys.argv[3:]
print(eval(sys.argv[2]))' "$@"
}

# json_ok TEXT EXPR [ARG..]: succeeds when EXPR (as in json_eval) is true.
json_ok() { [ "$(json_eval "$@")" = True ]; }

# ui_mapping_stream TOPIC KEYSPACE CASSANDRA GROUP: a `userpipe stream --mapping` run of
# tests/data/mapping/it_orders.properties (TOPIC into KEYSPACE.orders and KEYSPACE.totals;
# the topic, its DLQ and the keyspace are created here and removed on exit) with --metrics on
# a free port: sets MAPPING_METRICS_URL and MAPPING_PID. The records are the caller's to send.
ui_mapping_stream() {
  local topic="$1" ks="$2" cass="$3" group="$4" port
  ui_topic "$topic" 1
  ui_topic "$topic.dlq" 1
  UI_KEYSPACES+=("$cass $ks")
  UI_GROUPS+=("$group")
  ui_cql "$cass" "CREATE KEYSPACE $ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
  ui_cql "$cass" "CREATE TABLE $ks.orders (id uuid, line int, total decimal, note text, PRIMARY KEY (id, line))"
  ui_cql "$cass" "CREATE TABLE $ks.totals (id uuid PRIMARY KEY, total decimal, note text)"
  sed -e "s/@TOPIC@/$topic/g" -e "s/@KS@/$ks/g" "$USERPIPE_ROOT/tests/data/mapping/it_orders.properties" \
    >"$UI_TMP/orders.properties"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$group" --cassandra "$cass" \
    --cassandra-connect-timeout 30s --mapping "$UI_TMP/orders.properties" --progress-interval 0 \
    --metrics "127.0.0.1:$port" >"$UI_TMP/mapping-stream.out" 2>"$UI_TMP/mapping-stream.log" &
  MAPPING_PID=$!
  UI_PIDS+=("$MAPPING_PID")
  # shellcheck disable=SC2034  # set here, read by the tests that source this file
  MAPPING_METRICS_URL="http://127.0.0.1:$port/metrics"
}

# ui_cql HOST:PORT CQL: one statement through `userpipe query`; its log in $UI_TMP/cql.log.
ui_cql() {
  "$USERPIPE_BIN" query --cassandra "$1" --cassandra-connect-timeout 30s "$2" >/dev/null 2>>"$UI_TMP/cql.log" ||
    fail "CQL failed: $2: $(tail -2 "$UI_TMP/cql.log")"
}
