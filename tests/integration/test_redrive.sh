#!/usr/bin/env bash
# userpipe redrive on the real engines (docs/dlq.md "Redrive"). A mapping that takes the key
# from value.id sends 3,000 records with an empty id (Cassandra: Key may not be empty) and one
# more from a second topic to the DLQ, beside 100 good records. Then:
# - --dry-run prints one line per record and changes and commits nothing;
# - the unfixed mapping, filtered to the second topic: the record fails again and goes back to
#   the DLQ with attempts=2, the other 3,000 are skipped;
# - the corrected mapping (key from the Kafka key), killed with SIGKILL midway, then run again
#   in the same group: the second run reads exactly what the first had not committed, every
#   row is there with the write time of its source record; a third run reads nothing;
# - --to-source puts the second topic's record back on it with its own headers, without the
#   userpipe.* ones.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
stream_setup redrive 3
TOPIC2="${TOPIC}_b"
"$KT" create "$BROKERS" "$TOPIC2" 1 1
cleanup_b() {
  local rc=$?
  "$KT" delete "$BROKERS" "$TOPIC2" >/dev/null 2>&1 || true
  (exit "$rc")
  stream_cleanup
}
trap cleanup_b EXIT

q() { "$USERPIPE_BIN" query --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s "$@"; }
cell() { q "$1" | sed -n '4p' | tr -d ' '; }
q "CREATE KEYSPACE $KS WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
q "CREATE TABLE $KS.t (id text PRIMARY KEY, v text)"
# mapping NAME EXPR: both topics into $KS.t with that mapping.
mapping() {
  printf 'topics=%s,%s\ntopic.%s.%s.t.mapping=%s\ntopic.%s.%s.t.mapping=%s\n' "$TOPIC" "$TOPIC2" \
    "$TOPIC" "$KS" "$2" "$TOPIC2" "$KS" "$2" >"$WORK/$1.properties"
}
mapping by_value "id=value.id, v=value.v"
mapping by_key "id=key, v=value.v"

python3 - <<'PY' >"$WORK/records.jsonl"
import json
for i in range(3000):
    print(json.dumps({"key": f"p{i}", "value": {"id": "", "v": f"poison {i}"}}))
    if i % 30 == 0:
        print(json.dumps({"key": f"g{i}", "value": {"id": f"g{i}", "v": f"good {i}"}}))
PY
"$KT" send "$BROKERS" "$TOPIC" <"$WORK/records.jsonl" 2>/dev/null
echo '{"key":"q-poison","value":{"id":"","v":"second"},"headers":{"trace":"t-1"}}' |
  "$KT" send "$BROKERS" "$TOPIC2" 2>/dev/null
"$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP" --dlq "$DLQ" \
  --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s --mapping "$WORK/by_value.properties" \
  --exit-when-idle 4s --progress-interval 0 >"$WORK/stream.out" 2>"$WORK/stream.log"
[ "$(summary_field "$WORK/stream.out" dead_lettered)" = 3001 ] || fail "stream: $(cat "$WORK/stream.out")"
[ "$(cell "SELECT count(*) FROM $KS.t")" = 100 ] || fail "stream: not 100 rows"

# redrive NAME [FLAGS..]: one run in the foreground; its summary in $WORK/NAME.out, exit in RC.
redrive() {
  local name="$1"
  shift
  set +e
  "$USERPIPE_BIN" redrive --brokers "$BROKERS" --dlq-topic "$DLQ" --cassandra "$CASSANDRA" \
    --cassandra-connect-timeout 30s --progress-interval 1s "$@" >"$WORK/$name.out" 2>"$WORK/$name.log"
  RC=$?
  set -e
  log "$name: exit $RC $(tail -1 "$WORK/$name.out")"
}
# expect NAME FIELD:VALUE..: the summary's fields
expect() {
  local name="$1" f
  shift
  for f in "$@"; do
    [ "$(summary_field "$WORK/$name.out" "${f%%:*}")" = "${f#*:}" ] ||
      fail "$name: ${f%%:*} != ${f#*:}: $(tail -1 "$WORK/$name.out") $(tail -2 "$WORK/$name.log")"
  done
}

redrive usage --group "$GROUP-x"
[ "$RC" = 2 ] || fail "neither --mapping nor --to-source: exit $RC, not 2"

# ------------------------------------------------------------------ --dry-run
redrive dry --group "$GROUP-fix" --mapping "$WORK/by_key.properties" --dry-run
[ "$RC" = 0 ] || fail "dry run: exit $RC"
expect dry read:3001 matched:3001 stored:0
[ "$(grep -c '"action":"store"' "$WORK/dry.out")" = 3001 ] || fail "dry run: not 3001 store lines"
[ "$(cell "SELECT count(*) FROM $KS.t")" = 100 ] || fail "dry run: the table changed"
"$KT" committed "$BROKERS" "$GROUP-fix" "$DLQ" | awk '$2 != -1 { exit 1 }' || fail "dry run committed"

# ------------------------------------------------------------------ fails again: back in the DLQ
redrive again --group "$GROUP-unfixed" --mapping "$WORK/by_value.properties" --source-topic "$TOPIC2"
[ "$RC" = 0 ] || fail "again: exit $RC"
expect again read:3001 matched:1 failed_again:1 skipped:3000 stored:0
"$KT" dump "$BROKERS" "$DLQ" 2000 >"$WORK/dlq.jsonl"
python3 - "$WORK/dlq.jsonl" "$TOPIC2" <<'PY' || fail "the record sent back"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 3002, len(recs)
back = [r for r in recs if r["headers"].get("userpipe.error.attempts") == "2"]
assert len(back) == 1, f"{len(back)} records with attempts=2"
h = back[0]["headers"]
assert back[0]["key"] == "q-poison" and h["userpipe.source.topic"] == sys.argv[2], h
assert h["userpipe.error.stage"] == "write" and h["userpipe.error.code"] == "0x2200", h
assert "userpipe.error.redrive" in h, h
assert h.get("trace") == "t-1", "the record's own header is not in its DLQ copy"
PY

# ------------------------------------------------------------------ killed midway, resumed
"$USERPIPE_BIN" redrive --brokers "$BROKERS" --dlq-topic "$DLQ" --cassandra "$CASSANDRA" \
  --group "$GROUP-fix" --mapping "$WORK/by_key.properties" --progress-interval 200ms \
  >"$WORK/killed.out" 2>"$WORK/killed.log" &
KILLED=$!
PIDS+=("$KILLED")
deadline=$((SECONDS + 120))
until grep -q 'stored=[0-9]\{3,\}' "$WORK/killed.log"; do
  kill -0 "$KILLED" 2>/dev/null || fail "the redrive to kill ended first: $(tail -2 "$WORK/killed.log")"
  [ "$SECONDS" -lt "$deadline" ] || fail "the redrive to kill stored nothing"
  sleep 0.1
done
kill -9 "$KILLED"
wait "$KILLED" 2>/dev/null || true
committed="$("$KT" committed "$BROKERS" "$GROUP-fix" "$DLQ" | awk '$2 > 0 { n += $2 } END { print n + 0 }')"
log "killed after $(grep -o 'stored=[0-9]*' "$WORK/killed.log" | tail -1); committed $committed of 3002"
if [ "$committed" -le 0 ] || [ "$committed" -ge 3002 ]; then fail "committed $committed: not midway"; fi
redrive resumed --group "$GROUP-fix" --mapping "$WORK/by_key.properties"
[ "$RC" = 0 ] || fail "resumed: exit $RC"
expect resumed "read:$((3002 - committed))" failed_again:0
[ "$(cell "SELECT count(*) FROM $KS.t")" = 3101 ] || fail "resumed: not 3101 rows"
# the cells the stream would have written: the source record's time
ts="$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["key"] == "p1234": print(int(r["headers"]["userpipe.source.timestamp"]) * 1000)' "$WORK/dlq.jsonl")"
[ "$(cell "SELECT WRITETIME(v) FROM $KS.t WHERE id = 'p1234'")" = "$ts" ] || fail "WRITETIME is not the source's"
redrive second --group "$GROUP-fix" --mapping "$WORK/by_key.properties"
[ "$RC" = 0 ] || fail "second: exit $RC"
expect second read:0 matched:0 stored:0

# ------------------------------------------------------------------ --to-source
redrive source --group "$GROUP-source" --to-source --source-topic "$TOPIC2"
[ "$RC" = 0 ] || fail "to-source: exit $RC"
expect source matched:2 to_source:2
"$KT" dump "$BROKERS" "$TOPIC2" 2000 >"$WORK/topic2.jsonl"
python3 - "$WORK/topic2.jsonl" <<'PY' || fail "the records back on the source topic"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 3, len(recs)
for r in recs[1:]:
    assert r["key"] == "q-poison" and r["value"] == recs[0]["value"], r
    assert r["headers"] == {"trace": "t-1"}, f"not the record's own headers: {r['headers']}"
PY
log "PASS"
