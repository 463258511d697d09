#!/usr/bin/env bash
# SIGTERM in the middle of a run (as Airflow sends on timeout): fetching stops, what was
# produced is flushed, exit 0, and the summary's "delivered" is exactly what the topic holds.
# shellcheck source=tests/integration/lib_produce.sh
source "$(dirname "$0")/lib_produce.sh"
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
topic="$(new_topic sigterm)"
"$BIN" produce --source "$API_URL" --topic "$topic" --dlq "$topic.dlq" --count 1000000 --batch 1000 \
  --rate 5000 --seed it-sigterm >"$WORK/summary" 2>"$WORK/log" &
pid=$!
sleep 4
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
cat "$WORK/summary" >&2
[ "$rc" = 0 ] || { tail "$WORK/log" >&2; fail "exit $rc after SIGTERM"; }
[ "$(json_get "$WORK/summary" status)" = interrupted ] || fail "status"
delivered="$(json_get "$WORK/summary" delivered)"
produced="$(json_get "$WORK/summary" produced)"
pages="$(json_get "$WORK/summary" pages)"
[ "$delivered" -gt 1000 ] || fail "too little delivered before the signal: $delivered"
[ "$delivered" = "$produced" ] || fail "produced $produced but delivered $delivered"
[ "$(json_get "$WORK/summary" failed)" = 0 ] || fail "failed deliveries"
dump "$topic" "$WORK/dump"
# Every message is one of the users of the pages fetched so far (plus those in flight).
python3 "$CHECK" verify --api "$API_URL" --seed it-sigterm --batch 1000 \
  --count $(( (pages + 8) * 1000 )) --messages "$delivered" --dump "$WORK/dump" ||
  fail "the topic does not hold exactly the $delivered acknowledged users"
echo "PASS ($delivered delivered before SIGTERM)"
