#!/usr/bin/env bash
# Clear, bounded failures: Kafka unreachable -> exit 1 within the timeout naming the
# brokers; API unreachable -> exit 1 naming the URL; a bad -X property -> exit 2 with
# librdkafka's words; a 404 from the API -> exit 1 at once; an API that keeps answering 429 ->
# exit 1 once --max-rate-limit-wait is used up, saying what to change.
# shellcheck source=tests/integration/lib_produce.sh
source "$(dirname "$0")/lib_produce.sh"
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

log "broker unreachable"
t0=$(date +%s)
set +e
"$BIN" produce --source "$API_URL" --brokers "127.0.0.1:$port" --topic it_unreachable --count 10 \
  --kafka-timeout 3s >"$WORK/summary" 2>"$WORK/log"
rc=$?
set -e
took=$(( $(date +%s) - t0 ))
[ "$rc" = 1 ] || fail "exit $rc, expected 1"
[ "$took" -le 10 ] || fail "took ${took}s with --timeout 3s"
grep -q "Kafka at 127.0.0.1:$port" "$WORK/log" || { cat "$WORK/log" >&2; fail "error does not name the brokers"; }
[ "$(json_get "$WORK/summary" status)" = failed ] || fail "summary status"

log "API unreachable"
topic="$(new_topic errors)"
set +e
"$BIN" produce --source "http://127.0.0.1:$port/api/" --topic "$topic" --dlq "$topic.dlq" \
  --count 10 --max-retries 2 --timeout 2s >"$WORK/summary" 2>"$WORK/log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "exit $rc, expected 1"
grep -q "GET http://127.0.0.1:$port/api/?results=10" "$WORK/log" || { cat "$WORK/log" >&2; fail "error does not name the URL"; }
grep -q "after 2 retries" "$WORK/log" || fail "error does not say how often it tried"
json_get "$WORK/summary" error | grep -q "127.0.0.1:$port" || fail "summary has no error"

log "API answers 404"
set +e
"$BIN" produce --source "${API_URL%api/}api/9.9/" --topic "$topic" --dlq "$topic.dlq" \
  --count 10 --max-retries 5 >"$WORK/summary" 2>"$WORK/log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "exit $rc, expected 1"
grep -q "HTTP 404" "$WORK/log" || { cat "$WORK/log" >&2; fail "no HTTP 404 in the error"; }
[ "$(json_get "$WORK/summary" http_retries)" = 0 ] || fail "a 404 was retried"

log "API rate limits for longer than --max-rate-limit-wait"
start_api --rate-limit 10/5m
t0=$(date +%s)
set +e
"$BIN" produce --source "$API_URL" --topic "$topic" --dlq "$topic.dlq" --count 100 --batch 50 \
  --fetchers 1 --max-rate-limit-wait 2s >"$WORK/summary" 2>"$WORK/log"
rc=$?
set -e
took=$(( $(date +%s) - t0 ))
[ "$rc" = 1 ] || { cat "$WORK/log" >&2; fail "exit $rc, expected 1"; }
[ "$took" -le 15 ] || fail "took ${took}s with --max-rate-limit-wait 2s (Retry-After is minutes)"
grep -q "HTTP 429.*still rate limited after waiting 2.0 s in total" "$WORK/log" ||
  { cat "$WORK/log" >&2; fail "error does not say it gave up on the rate limit"; }
json_get "$WORK/summary" error | grep -q "max-rate-limit-wait" || fail "summary error does not name the flag"

log "bad -X property"
set +e
"$BIN" produce --source "$API_URL" -X no.such.property=1 --count 1 >/dev/null 2>"$WORK/log"
rc=$?
"$BIN" produce --source "$API_URL" -X acks=1 --count 1 >/dev/null 2>"$WORK/log2"
rc2=$?
"$BIN" produce --batch 6000 >/dev/null 2>/dev/null
rc3=$?
set -e
if [ "$rc" != 2 ] || ! grep -q "no.such.property" "$WORK/log"; then fail "unknown property: exit $rc"; fi
if [ "$rc2" != 2 ] || ! grep -q "acks" "$WORK/log2"; then fail "acks=1 against idempotence: exit $rc2"; fi
[ "$rc3" = 2 ] || fail "--batch 6000 accepted"
echo "PASS"
