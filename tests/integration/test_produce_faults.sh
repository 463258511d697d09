#!/usr/bin/env bash
# An API that rate-limits (429 + Retry-After) and fails on purpose (500, 503 with HTML, 200
# with HTML, slow answers): every user still arrives exactly once, retries are counted.
# shellcheck source=tests/integration/lib_produce.sh
source "$(dirname "$0")/lib_produce.sh"
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api; clean="$API_URL"
start_api --rate-limit 2500/1s --fail-rate 0.25 --slow-delay 3s; faulty="$API_URL"
topic="$(new_topic faults)"
"$BIN" produce --source "$faulty" --topic "$topic" --dlq "$topic.dlq" --count 12000 --batch 250 \
  --seed it-faults --timeout 1s --max-retries 20 >"$WORK/summary" 2>"$WORK/log" ||
  { rc=$?; tail -20 "$WORK/log" >&2; fail "produce exited $rc"; }
cat "$WORK/summary" >&2
[ "$(json_get "$WORK/summary" delivered)" = 12000 ] || fail "delivered"
[ "$(json_get "$WORK/summary" failed)" = 0 ] || fail "failed"
retries="$(json_get "$WORK/summary" http_retries)"
[ "$retries" -gt 0 ] || fail "no retries counted against a failing API"
grep -q "HTTP 429" "$WORK/log" || fail "never rate limited (check --rate-limit)"
grep -qE "HTTP 50[03]|not JSON|no complete answer" "$WORK/log" || fail "no injected failure seen"
dump "$topic" "$WORK/dump"
python3 "$CHECK" verify --api "$clean" --seed it-faults --batch 250 --count 12000 --dump "$WORK/dump" ||
  fail "users lost, duplicated or altered"
echo "PASS ($retries retries)"
