#!/usr/bin/env bash
# Airflow as `make run` starts it (scripts/airflow up), in a throw-away AIRFLOW_HOME on a free port:
#   1. up: api-server + scheduler + dag-processor answer, load_users_data registered and unpaused;
#      the login is the generated admin password; without a token the API refuses
#   2. an Airflow Variable (userpipe_topic, set over the REST API) sends the run to our own topic;
#      the DAG is triggered over the REST API and the run succeeds; the summary is the XCom;
#      the task log, read through the API server, shows produce's progress; the messages are there
#   3. a trigger with an invalid param is refused by the API (HTTP 400)
#   4. down stops every process up started (none left)
# Ends with "N passed, M failed".
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=tests/integration/lib_airflow.sh
. "$ROOT/tests/integration/lib_airflow.sh"
airflow_test_setup rest
port=8080
if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then port="$(free_port)"; fi
export USERPIPE_AIRFLOW_HOME="$tmp/airflow" USERPIPE_AIRFLOW_PORT="$port" USERPIPE_DAG_SCHEDULE=none
export USERPIPE_BIN USERPIPE_SOURCE="$API_URL" USERPIPE_BROKERS="$BROKERS" USERPIPE_DLQ="$topic.dlq"
AF="$ROOT/scripts/airflow"
on_exit "$AF down"

# ----------------------------------------------------------------------------------------- 1. up
t0=$SECONDS
if timeout 400 "$AF" up >"$tmp/up.out" 2>"$tmp/up.err" </dev/null; then
  ok "scripts/airflow up on 127.0.0.1:$port ($((SECONDS - t0)) s)"
else
  not_ok "scripts/airflow up" "$tmp/up.err" "$tmp/up.out"; finish
fi
password="$("$AF" password)"
if grep -q "login: admin / $password" "$tmp/up.out" && [ "$(stat -c %a "$USERPIPE_AIRFLOW_HOME/passwords.json")" = 600 ]; then
  ok "up prints the login (admin / the generated password, file mode 600)"
else
  not_ok "the login is not printed as expected" "$tmp/up.out"
fi
if "$AF" status >"$tmp/status.out"; then ok "status: all components up"; else not_ok "status" "$tmp/status.out"; fi
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v2/dags/load_users_data")"
if [ "$code" = 401 ] || [ "$code" = 403 ]; then ok "the API refuses a request without a token ($code)"; else not_ok "no-token request got HTTP $code"; fi
token="$("$AF" rest token 2>"$tmp/token.err")"
paused="$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v2/dags/load_users_data" |
          python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["is_paused"], d["dag_id"])' 2>&1)"
if [ "$paused" = "False load_users_data" ]; then ok "load_users_data is registered and unpaused"; else not_ok "DAG state: $paused" "$tmp/token.err"; fi

# --------------------------------------------------------------- 2. Variable, trigger, success
if "$AF" rest set-variable userpipe_topic "$topic" 2>"$tmp/var.err"; then
  ok "Airflow Variable userpipe_topic set over the REST API"
else
  not_ok "setting the Variable" "$tmp/var.err"
fi
t0=$SECONDS
if timeout 400 "$AF" trigger --conf '{"count": 60, "batch": 20, "duration": "120s"}' --wait --timeout 360 \
     >"$tmp/trigger.out" 2>"$tmp/trigger.err" </dev/null; then
  ok "DAG run triggered over the REST API succeeded ($((SECONDS - t0)) s)"
else
  not_ok "the triggered run did not succeed" "$tmp/trigger.err" "$tmp/trigger.out"
  "$AF" logs scheduler -n 40 >"$tmp/sched.log" 2>&1; not_ok "(scheduler log)" "$tmp/sched.log"
  finish
fi
run_id="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$tmp/trigger.out" 2>/dev/null)"
summary="$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])).get("summary"); print(json.dumps(s) if isinstance(s, dict) else "")' "$tmp/trigger.out" 2>/dev/null)"
if [ -n "$summary" ]; then ok "the task's XCom is produce's summary: $summary"; else not_ok "no summary object in XCom" "$tmp/trigger.out"; fi
if "$AF" rest task-log --dag load_users_data --run-id "$run_id" >"$tmp/task.log" 2>&1 &&
   grep -q "load_users_data: .* produce .*topic=$topic .*count=60" "$tmp/task.log"; then
  ok "the task log (through the API server) shows the produce settings, topic from the Variable"
else
  not_ok "task log lacks the settings line with topic=$topic" "$tmp/task.log"
fi
n="$(topic_messages "$topic")"
if [ "$n" = 60 ]; then ok "60 messages on $topic"; else not_ok "expected 60 messages on $topic, found $n"; fi

# ----------------------------------------------------------------------------- 3. bad params
# shellcheck disable=SC2016  # "$(id)" is the payload: it must reach Airflow unexpanded
code="$(curl -s -o "$tmp/bad.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' -d '{"logical_date": null, "conf": {"seed": "$(id)"}}' \
        "http://127.0.0.1:$port/api/v2/dags/load_users_data/dagRuns")"
if [ "$code" = 400 ]; then ok "a trigger with an invalid seed is refused (HTTP 400)"; else not_ok "invalid seed: HTTP $code" "$tmp/bad.out"; fi

# ---------------------------------------------------------------------------------------- 4. down
# Every process of the components' trees (LocalExecutor workers included), before down.
roots="$(cat "$USERPIPE_AIRFLOW_HOME"/run/*.pid 2>/dev/null | awk '{ print $1 }' | tr '\n' ' ')"
pids="$(ps -e -o pid=,ppid= | awk -v roots="$roots" '
  BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) root[r[i]] = 1 }
  { parent[$1] = $2 }
  END { for (p in parent) { q = p; while (q != "" && q > 1) { if (q in root) { print p; break }; q = parent[q] } } }')"
[ -n "$pids" ] || not_ok "no Airflow processes found before down"
if "$AF" down >"$tmp/down.out" 2>&1; then ok "scripts/airflow down"; else not_ok "scripts/airflow down" "$tmp/down.out"; fi
left=""
for p in $pids; do [ -d "/proc/$p" ] && left="$left $p"; done
if [ -z "${left// /}" ] && ! "$AF" status >/dev/null 2>&1; then
  ok "none of the $(wc -w <<<"$pids") Airflow processes left; status reports down"
else
  not_ok "processes left after down:$left"
fi
finish
