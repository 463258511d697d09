#!/usr/bin/env bash
# Write-time rejections on the real Cassandra (docs/dlq.md), through a --mapping stream:
# - data: one record whose key Cassandra refuses ("Key may not be empty", which the mapping
#   lets through: an empty text is a text) among 10,000 good ones: 10,000 rows, the poison
#   record in the DLQ once with every header (stage write, code 0x2200, the message, source
#   topic/partition/offset/timestamp, target table, attempts 1), and the stream never paused;
# - operator: the table dropped while the stream runs: the stream pauses with one error line
#   that says to create the table, sends nothing to the DLQ, and once the table is created
#   again it resumes by itself and stores every record produced meanwhile.
# (transient: test_stream_outage and test_stream_node_restart; each class's unit test is
# test_stream_write_class.)
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
stream_setup reject 3

q() { "$USERPIPE_BIN" query --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s "$@"; }
cell() { q "$1" | sed -n '4p' | tr -d ' '; }

q "CREATE KEYSPACE $KS WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
q "CREATE TABLE $KS.t (id text PRIMARY KEY, v text)"
printf 'topics=%s\ntopic.%s.%s.t.mapping=id=value.id, v=value.v\n' "$TOPIC" "$TOPIC" "$KS" \
  >"$WORK/by_value.properties"

# records FROM TO [POISON_AT]: good records k<FROM>..k<TO-1> (key = value.id), with the poison
# record (key k-poison, value.id "") after k<POISON_AT>.
records() {
  python3 - "$@" <<'PY'
import json, sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
poison = int(sys.argv[3]) if len(sys.argv) > 3 else -1
for i in range(lo, hi):
    print(json.dumps({"key": f"k{i}", "value": {"id": f"k{i}", "v": f"value {i}"}}))
    if i == poison:
        print(json.dumps({"key": "k-poison", "value": {"id": "", "v": "poison"}}))
PY
}

# ------------------------------------------------------------------ data: one poison record
records 0 10000 4321 | "$KT" send "$BROKERS" "$TOPIC" 2>/dev/null
"$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP" --dlq "$DLQ" \
  --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s --mapping "$WORK/by_value.properties" \
  --exit-when-idle 4s --progress-interval 1s >"$WORK/data.out" 2>"$WORK/data.log" &
DATA_PID=$!
PIDS+=("$DATA_PID")
wait_exit "$DATA_PID" 300
[ "$EXIT_STATUS" = 0 ] || fail "the stream exited $EXIT_STATUS: $(tail -3 "$WORK/data.log")"
log "data: $(tail -1 "$WORK/data.out")"
for f in consumed:10001 stored:10000 dead_lettered:1 write_retries:0; do
  [ "$(summary_field "$WORK/data.out" "${f%%:*}")" = "${f#*:}" ] || fail "data: ${f%%:*} != ${f#*:}"
done
! grep -q " paused\|refused until" "$WORK/data.log" || fail "data: the stream paused for a poison record"
[ "$(cell "SELECT count(*) FROM $KS.t")" = 10000 ] || fail "data: not 10000 rows"
check_committed
"$KT" dump "$BROKERS" "$DLQ" 2000 >"$WORK/dlq.jsonl"
"$KT" dump "$BROKERS" "$TOPIC" 2000 >"$WORK/source.jsonl"
python3 - "$WORK/dlq.jsonl" "$WORK/source.jsonl" "$TOPIC" "$KS.t" <<'PY' || fail "DLQ content"
import json, sys
dlq = [json.loads(l) for l in open(sys.argv[1])]
source = {(m["partition"], m["offset"]): m for m in map(json.loads, open(sys.argv[2]))}
topic, table = sys.argv[3], sys.argv[4]
assert len(dlq) == 1, f"{len(dlq)} DLQ records, not 1"
m = dlq[0]
h = m["headers"]
print("DLQ headers:", json.dumps(h))
want = {"userpipe.error.stage": "write", "userpipe.error.code": "0x2200",
        "userpipe.error.reason": "rejected_data", "userpipe.error.attempts": "1",
        "userpipe.source.topic": topic, "userpipe.target.table": table}
for k, v in want.items():
    assert h.get(k) == v, f"{k} = {h.get(k)!r}, not {v!r}"
assert "Key may not be empty" in h["userpipe.error.detail"], h["userpipe.error.detail"]
src = source[(int(h["userpipe.source.partition"]), int(h["userpipe.source.offset"]))]
assert src["key"] == m["key"] == "k-poison" and src["value"] == m["value"], "not the original record"
assert int(h["userpipe.source.timestamp"]) == src["timestamp"], "source timestamp"
PY

# ------------------------------------------------------------------ operator: the table dropped
GROUP2="$GROUP-operator"
"$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP2" --dlq "$DLQ" \
  --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s --mapping "$WORK/by_value.properties" \
  --progress-interval 1s >"$WORK/operator.out" 2>"$WORK/operator.log" &
OP_PID=$!
PIDS+=("$OP_PID")
# the second group reads the same 10,001 records again first (replays write the same cells)
deadline=$((SECONDS + 120))
until grep -q "consumed=10001 stored=10000 dead_lettered=1 in_flight=0" "$WORK/operator.log"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "operator: the replay did not finish: $(tail -2 "$WORK/operator.log")"
  sleep 0.3
done
q "DROP TABLE $KS.t"
records 20000 20500 | "$KT" send "$BROKERS" "$TOPIC" 2>/dev/null
deadline=$((SECONDS + 120))
until grep -q "refused until an operator acts" "$WORK/operator.log"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "operator: no error line: $(tail -3 "$WORK/operator.log")"
  sleep 0.3
done
line="$(grep -m1 "refused until an operator acts" "$WORK/operator.log")"
log "operator: $line"
grep -q "create the table" <<<"$line" || fail "operator: the line does not say what to fix"
sleep 3 # paused, retrying: still nothing stored, nothing dead-lettered
kill -0 "$OP_PID" || fail "operator: the stream exited while the table was missing"
q "CREATE TABLE $KS.t (id text PRIMARY KEY, v text)"
# No --exit-when-idle here: under load the DROP alone took longer than any idle limit, and the
# stream left before the records meant to meet the missing table arrived. It is stopped once
# the 500 rows are in (SIGTERM drains and exits 0).
deadline=$((SECONDS + 120))
until [ "$(cell "SELECT count(*) FROM $KS.t")" = 500 ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "operator: the 500 rows were not stored: $(tail -3 "$WORK/operator.log")"
  sleep 0.5
done
kill -TERM "$OP_PID"
wait_exit "$OP_PID" 300
[ "$EXIT_STATUS" = 0 ] || fail "operator: the stream exited $EXIT_STATUS: $(tail -3 "$WORK/operator.log")"
log "operator: $(tail -1 "$WORK/operator.out")"
[ "$(summary_field "$WORK/operator.out" dead_lettered)" = 1 ] ||
  fail "operator: records went to the DLQ while the table was missing"
grep -q "succeeded again" "$WORK/operator.log" || fail "operator: no recovery logged"
[ "$(cell "SELECT count(*) FROM $KS.t")" = 500 ] || fail "operator: not the 500 rows produced meanwhile"
[ "$(wc -l <"$WORK/dlq.jsonl")" = 1 ] || fail "operator: DLQ"
log "PASS"
