#!/usr/bin/env bash
# 20,000 users from `userpipe api` through `userpipe produce` into the real broker, read
# back: every record equals the expected transform of the API's JSON, key = id, once each.
# shellcheck source=tests/integration/lib_produce.sh
source "$(dirname "$0")/lib_produce.sh"
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
topic="$(new_topic roundtrip)"
log "producing 20000 users to $topic"
"$BIN" produce --source "$API_URL" --topic "$topic" --dlq "$topic.dlq" --count 20000 \
  --batch 1000 --seed it-roundtrip --partitions 3 --timeout 20s >"$WORK/summary" 2>"$WORK/log" ||
  { rc=$?; cat "$WORK/log" >&2; fail "produce exited $rc"; }
[ "$(wc -l <"$WORK/summary")" -eq 1 ] || fail "stdout is not exactly one summary line"
for k in fetched produced delivered; do
  [ "$(json_get "$WORK/summary" $k)" = 20000 ] || fail "$k != 20000: $(cat "$WORK/summary")"
done
[ "$(json_get "$WORK/summary" failed)" = 0 ] || fail "failed deliveries"
[ "$(json_get "$WORK/summary" status)" = completed ] || fail "status"
[ "$("$KT" partitions "$BROKERS" "$topic")" = 3 ] || fail "topic not created with --partitions 3"
dump "$topic" "$WORK/dump"
python3 "$CHECK" verify --api "$API_URL" --seed it-roundtrip --batch 1000 --count 20000 \
  --dump "$WORK/dump" || fail "records on the topic differ from the expected transform"
dump "$topic.dlq" "$WORK/dlq"
[ ! -s "$WORK/dlq" ] || fail "the DLQ got messages from clean API data"
echo "PASS"
