#!/usr/bin/env bash
# deploy/docker-compose.yml run for real, as a user runs it (`make test-compose`):
#   1. scripts/compose start: Docker if one answers, else podman + runc + Compose v2 + the API
#      service + the healthcheck driver, the base image from debootstrap
#   2. `up -d --build`; every service healthy within USERPIPE_COMPOSE_HEALTH_TIMEOUT s
#   3. load_users_data triggered through Airflow's REST API; its users in Cassandra, counted
#      with cqlsh inside the cassandra container and with `userpipe query` from the host through
#      the published port, equal to the messages in users_queue
#   4. the dashboard answers on its published port and its live tail (SSE) carries messages
#   5. `kill -9` of the stream's process while a second run produces: the container restarts
#      (restart: unless-stopped) and the rows still equal the messages produced, nothing lost,
#      nothing twice (count(*) counts ids)
#   6. `down -v` leaves no container, network or volume of the project
#   7. scripts/compose stop: the API service and the driver stopped (by their PIDs)
# Host ports: USERPIPE_COMPOSE_TEST_PORT_BASE + the seed's last two digits (default 29000: Kafka
# 29092, Cassandra 29042, api 29000, metrics 29002, ui 29021, Airflow 29080), beside the host
# stack, which this test never touches. Ends with "N passed, M failed".
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tests/integration/lib_checks.sh
. "$ROOT/tests/integration/lib_checks.sh"
BIN="${USERPIPE_BIN:-$ROOT/build/userpipe}"
[ -x "$BIN" ] || { echo "no userpipe binary at $BIN (make build)" >&2; exit 1; }
PROJECT=userpipe-compose-test
HEALTH_TIMEOUT="${USERPIPE_COMPOSE_HEALTH_TIMEOUT:-600}"
RUN_TIMEOUT="${USERPIPE_COMPOSE_RUN_TIMEOUT:-600}"
base="${USERPIPE_COMPOSE_TEST_PORT_BASE:-29000}"
export USERPIPE_COMPOSE_KAFKA_PORT=$((base + 92)) USERPIPE_COMPOSE_CASSANDRA_PORT=$((base + 42))
export USERPIPE_COMPOSE_API_PORT=$((base + 0)) USERPIPE_COMPOSE_METRICS_PORT=$((base + 2))
export USERPIPE_COMPOSE_UI_PORT=$((base + 21)) USERPIPE_COMPOSE_AIRFLOW_PORT=$((base + 80))
export USERPIPE_DAG_SCHEDULE=none   # only the runs this test triggers
SERVICES=(kafka cassandra api stream ui airflow)
WORK="$(mktemp -d)"
started=0 upped=0 t_start=$SECONDS

compose() { "$ROOT/scripts/compose" run -p "$PROJECT" -f "$ROOT/deploy/docker-compose.yml" "$@"; }
engine() { "$ROOT/scripts/compose" engine "$@"; }
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ "$upped" = 1 ]; then compose down -v --remove-orphans -t 30 >"$WORK/down-trap.log" 2>&1; fi
  if [ "$started" = 1 ]; then "$ROOT/scripts/compose" stop >&2; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck disable=SC2317  # called by fail (lib_checks.sh)
on_fail() {
  compose ps -a >&2 2>&1
  compose logs --no-color --tail 40 >&2 2>&1
}

# ------------------------------------------------------------------------------ the engine, up
log "scripts/compose start"
started=1
"$ROOT/scripts/compose" start || fail "scripts/compose start"
# leftovers of an earlier run that died (the trap could not run): gone before we start
compose down -v --remove-orphans -t 10 >/dev/null 2>&1
t0=$SECONDS
upped=1
if compose up -d --build >"$WORK/up.log" 2>&1; then
  ok "up -d --build in $((SECONDS - t0)) s"
else
  not_ok "up -d --build" "$WORK/up.log"; on_fail; finish
fi

# health STATES: "service health" of every service ("" when it has no healthcheck)
health() {
  local s id
  for s in "${SERVICES[@]}"; do
    id="$(compose ps -q "$s" 2>/dev/null)"
    printf '%s %s\n' "$s" "$(engine inspect --format '{{.State.Health.Status}}' "$id" 2>/dev/null || echo missing)"
  done
}
t0=$SECONDS
while :; do
  health >"$WORK/health"
  if ! grep -qv ' healthy$' "$WORK/health"; then break; fi
  if [ $((SECONDS - t0)) -ge "$HEALTH_TIMEOUT" ]; then break; fi
  sleep 5
done
if grep -qv ' healthy$' "$WORK/health"; then
  not_ok "every service healthy within $HEALTH_TIMEOUT s: $(grep -v ' healthy$' "$WORK/health" | tr '\n' ' ')"
  on_fail; finish
fi
ok "every service healthy $((SECONDS - t0)) s after up ($(tr '\n' ' ' <"$WORK/health"))"

# ------------------------------------------------------------------------------- counting
# rows_cqlsh: count(*) of profiles.users with cqlsh inside the cassandra container
rows_cqlsh() {
  compose exec -T cassandra timeout 60 scripts/cqlsh -e 'SELECT count(*) FROM profiles.users' 2>/dev/null |
    awk '/^ *[0-9]+ *$/ { print $1; exit }'
}
# rows_query: the same through the published port, with the host's userpipe
rows_query() {
  USERPIPE_CASSANDRA_PASSWORD=cassandra "$BIN" query --cassandra "127.0.0.1:$USERPIPE_COMPOSE_CASSANDRA_PORT" \
    --cassandra-user cassandra --json 'SELECT count(*) FROM profiles.users' 2>"$WORK/query.err" |
    python3 -c 'import json, sys; print(list(json.loads(sys.stdin.readline()).values())[0])' 2>/dev/null
}
# messages: the sum of users_queue's end offsets (what was produced), from inside kafka
messages() {
  compose exec -T kafka timeout 60 scripts/stack kafka get-offsets --bootstrap-server kafka:9092 \
    --topic users_queue 2>/dev/null | awk -F: '$1 == "users_queue" { n += $3; seen = 1 } END { if (seen) print n }'
}
# wait_rows WANT SECONDS: until cqlsh counts WANT rows
wait_rows() {
  local want="$1" t0=$SECONDS n
  while :; do
    n="$(rows_cqlsh)"
    [ "$n" = "$want" ] && return 0
    [ $((SECONDS - t0)) -ge "$2" ] && { log "rows: ${n:-?}, expected $want"; return 1; }
    sleep 3
  done
}

# --------------------------------------------------------------------------- Airflow's DAG
AF=(python3 "$ROOT/airflow/userpipe_rest.py" --url "http://127.0.0.1:$USERPIPE_COMPOSE_AIRFLOW_PORT"
    --password-file "$WORK/passwords.json")
compose exec -T airflow cat /opt/airflow/state/passwords.json >"$WORK/passwords.json" 2>"$WORK/pw.err" ||
  fail "no Airflow password in the airflow-state volume: $(cat "$WORK/pw.err")"
"${AF[@]}" wait-ready --dag load_users_data --timeout 300 >"$WORK/ready.log" 2>&1 ||
  { not_ok "Airflow ready with load_users_data" "$WORK/ready.log"; on_fail; finish; }
FIRST=2000
t0=$SECONDS
if "${AF[@]}" trigger --dag load_users_data --conf "{\"count\": $FIRST, \"duration\": null, \"rate\": null}" \
     --wait --timeout "$RUN_TIMEOUT" >"$WORK/run1.log" 2>&1; then
  ok "load_users_data (count $FIRST) triggered through the REST API: success in $((SECONDS - t0)) s"
else
  not_ok "load_users_data run 1" "$WORK/run1.log"; on_fail; finish
fi
n_msg="$(messages)"
if [ "$n_msg" = "$FIRST" ]; then ok "users_queue holds the $FIRST messages produced"
else not_ok "users_queue holds ${n_msg:-?} messages, the run produced $FIRST"; fi
if wait_rows "$FIRST" 180; then ok "cqlsh in the cassandra container: $FIRST rows in profiles.users"
else not_ok "cqlsh in the cassandra container: $(rows_cqlsh) rows, expected $FIRST"; fi
n="$(rows_query)"
if [ "$n" = "$FIRST" ]; then ok "userpipe query from the host through port $USERPIPE_COMPOSE_CASSANDRA_PORT: $n rows"
else not_ok "userpipe query from the host: ${n:-no answer} rows, expected $FIRST" "$WORK/query.err"; fi

# ------------------------------------------------------------------------------ the dashboard
UI="http://127.0.0.1:$USERPIPE_COMPOSE_UI_PORT"
code="$(curl -s -o /dev/null -w '%{http_code}' "$UI/")"
if [ "$code" = 200 ]; then ok "the dashboard answers on port $USERPIPE_COMPOSE_UI_PORT"
else not_ok "the dashboard on port $USERPIPE_COMPOSE_UI_PORT answered ${code:-nothing}"; fi
timeout 10 curl -sN "$UI/api/tail?topic=users_queue&from=-5" >"$WORK/sse.txt" 2>/dev/null
n="$(grep -c '^event: message$' "$WORK/sse.txt")"
if [ "$n" -ge 5 ]; then ok "its live tail (SSE) shows users_queue's last messages ($n)"
else not_ok "the live tail showed $n messages, expected 5" "$WORK/sse.txt"; fi

# ------------------------------------------------------------------ kill -9 of the stream
# A second run at a bounded rate, so that the stream is killed while it has work to do.
SECOND=3000
run2="$("${AF[@]}" trigger --dag load_users_data --conf "{\"count\": $SECOND, \"duration\": null, \"rate\": 150}" 2>"$WORK/run2.log")" ||
  { not_ok "load_users_data run 2 triggered" "$WORK/run2.log"; on_fail; finish; }
t0=$SECONDS
while n="$(rows_cqlsh)"; [ "${n:-0}" -lt $((FIRST + 300)) ] && [ $((SECONDS - t0)) -lt "$RUN_TIMEOUT" ]; do sleep 2; done
sid="$(compose ps -q stream)"
pid="$(engine inspect --format '{{.State.Pid}}' "$sid")"
restarts="$(engine inspect --format '{{.RestartCount}}' "$sid")"
log "rows ${n:-?}: kill -9 of the stream's process (host pid $pid)"
kill -9 "$pid" || fail "kill -9 $pid"
t0=$SECONDS
while :; do
  now_pid="$(engine inspect --format '{{.State.Pid}}' "$sid" 2>/dev/null)"
  state="$(engine inspect --format '{{.State.Status}}' "$sid" 2>/dev/null)"
  [ "$state" = running ] && [ -n "$now_pid" ] && [ "$now_pid" != 0 ] && [ "$now_pid" != "$pid" ] && break
  [ $((SECONDS - t0)) -ge 120 ] && break
  sleep 1
done
if [ "$state" = running ] && [ "$now_pid" != "$pid" ]; then
  ok "the stream container restarted after kill -9 ($((SECONDS - t0)) s; restarts $restarts -> $(engine inspect --format '{{.RestartCount}}' "$sid"))"
else
  not_ok "the stream container did not come back after kill -9 (state ${state:-?})"
fi
t0=$SECONDS
while st="$("${AF[@]}" run-state --dag load_users_data --run-id "$run2" 2>/dev/null)"; \
      [ "$st" != success ] && [ "$st" != failed ] && [ $((SECONDS - t0)) -lt "$RUN_TIMEOUT" ]; do sleep 3; done
if [ "$st" = success ]; then ok "run 2 (count $SECOND, 150/s) succeeded"
else not_ok "run 2 ended ${st:-unknown}"; fi
total=$((FIRST + SECOND))
n_msg="$(messages)"
if [ "$n_msg" = "$total" ]; then ok "users_queue holds the $total messages produced by both runs"
else not_ok "users_queue holds ${n_msg:-?} messages, the runs produced $total"; fi
if wait_rows "${n_msg:-$total}" 300; then
  ok "after the restart: rows = messages = ${n_msg:-$total} (nothing lost, no id twice)"
else
  not_ok "after the restart: $(rows_cqlsh) rows for ${n_msg:-?} messages"
fi
n="$(rows_query)"
if [ "$n" = "${n_msg:-$total}" ]; then ok "userpipe query from the host agrees: $n rows"
else not_ok "userpipe query from the host: ${n:-no answer} rows, expected ${n_msg:-$total}" "$WORK/query.err"; fi

# ------------------------------------------------------------------------------- down -v
if compose down -v -t 30 >"$WORK/down.log" 2>&1; then upped=0; fi
label="label=com.docker.compose.project=$PROJECT"
left="$(engine ps -a -q --filter "$label"; engine network ls -q --filter "$label"; engine volume ls -q --filter "$label")"
if [ "$upped" = 0 ] && [ -z "$left" ]; then ok "down -v leaves no container, network or volume"
else not_ok "down -v left: $(echo "$left" | tr '\n' ' ')" "$WORK/down.log"; fi

# ----------------------------------------------------------------------- the engine, stopped
started=0
"$ROOT/scripts/compose" stop >&2
if "$ROOT/scripts/compose" status >"$WORK/status" 2>&1; then
  not_ok "scripts/compose stop left the service or the driver running" "$WORK/status"
else
  ok "scripts/compose stop: $(tr '\n' ';' <"$WORK/status")"
fi
log "test-compose: $((SECONDS - t_start)) s in all"
finish
