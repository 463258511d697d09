#!/usr/bin/env bash
# `airflow dags test load_users_data` against the real broker and a `userpipe api` of our own:
#   1. a run with count=120 (batch 40) succeeds; its log shows produce's settings, progress and
#      summary JSON; 120 messages with 120 distinct user ids arrive on a unique topic
#   2. a second run given the first run's seed (the seed a retry of the first run derives from
#      its run id) re-sends the same users: 240 messages, still 120 distinct ids
#   3. a bad param value fails the run before anything is produced
# Topic, DLQ and AIRFLOW_HOME are the test's own; the shared stack is only used.
# Ends with "N passed, M failed".
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=tests/integration/lib_airflow.sh
. "$ROOT/tests/integration/lib_airflow.sh"
airflow_test_setup dagstest
export USERPIPE_AIRFLOW_HOME="$tmp/airflow" USERPIPE_DAG_SCHEDULE=none
export USERPIPE_BIN USERPIPE_SOURCE="$API_URL" USERPIPE_BROKERS="$BROKERS" USERPIPE_TOPIC="$topic"
export USERPIPE_DLQ="$topic.dlq"

if "$ROOT/scripts/airflow" cli db migrate >"$tmp/migrate.log" 2>&1 </dev/null; then
  ok "airflow db migrate in a fresh AIRFLOW_HOME"
else
  not_ok "airflow db migrate" "$tmp/migrate.log"; finish
fi

dags_test() {  # dags_test LOG CONF
  timeout 600 "$ROOT/scripts/airflow" cli dags test load_users_data -c "$2" >"$1" 2>&1 </dev/null
}

# ------------------------------------------------------------------------------------- 1. a run
t0=$SECONDS
if dags_test "$tmp/run1.log" '{"count": 120, "batch": 40, "duration": "120s"}'; then
  ok "airflow dags test load_users_data succeeded ($((SECONDS - t0)) s)"
else
  not_ok "airflow dags test load_users_data failed" "$tmp/run1.log"; finish
fi
if grep -qE 'load_users_data: .* produce .*count=120 .*seed=airflow-manual' "$tmp/run1.log"; then
  ok "the task log shows the produce settings and the run-derived seed"
else
  not_ok "no settings line with count=120 and seed=airflow-manual... in the log" "$tmp/run1.log"
fi
if grep -qE '\{"status":"completed".*"delivered":120,.*"failed":0' "$tmp/run1.log" && grep -q 'Pushing xcom' "$tmp/run1.log"; then
  ok "the task log shows produce's summary JSON (120 delivered, 0 failed), pushed to XCom"
else
  not_ok "no summary JSON with 120 delivered / XCom push in the task log" "$tmp/run1.log"
fi
seed="$(grep -oE '"seed":"airflow-manual[^"]*"' "$tmp/run1.log" | head -n1 | cut -d'"' -f4)"
n="$(topic_messages "$topic")"
if [ "$n" = 120 ]; then ok "120 messages arrived on $topic"; else not_ok "expected 120 messages on $topic, found $n"; fi
d="$(topic_distinct_keys "$topic" "$n")"
if [ "$d" = 120 ]; then ok "120 distinct user ids (message keys)"; else not_ok "expected 120 distinct keys, found $d"; fi

# ------------------------------------------------------------------ 2. same seed, same users
if [ -n "$seed" ] && dags_test "$tmp/run2.log" "{\"count\": 120, \"batch\": 40, \"seed\": \"$seed\"}" &&
   grep -q "seed=$seed" "$tmp/run2.log"; then
  ok "a second run with the first run's seed ($seed) succeeded"
else
  not_ok "the second run with seed '$seed' failed" "$tmp/run2.log"
fi
n="$(topic_messages "$topic")"
d="$(topic_distinct_keys "$topic" "$n")"
if [ "$n" = 240 ] && [ "$d" = 120 ]; then
  ok "same seed, same users: 240 messages, 120 distinct ids"
else
  not_ok "after the re-run: $n messages, $d distinct ids (want 240 and 120)"
fi

# ------------------------------------------------------------------------------ 3. bad param
if dags_test "$tmp/bad.log" '{"count": 0}'; then
  not_ok "a run with count=0 succeeded (the param schema should refuse it)" "$tmp/bad.log"
else
  n2="$(topic_messages "$topic")"
  if [ "$n2" = "$n" ]; then ok "count=0 is refused before anything is produced"; else not_ok "count=0: $((n2 - n)) messages produced"; fi
fi
finish
