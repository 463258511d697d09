#!/usr/bin/env bash
# userpipe verify on the real Kafka and Cassandra (docs/verify.md). Users pipeline: N records
# streamed, verify exits 0 with N keys present; K rows deleted behind the stream's back are
# reported as exactly those K missing (partition, offset, key), exit 1; a newer record of a key
# that was never streamed leaves its row stale; a tombstone the users stream dead-letters is
# counted as dead-lettered; --partition narrows the report; a bad flag is exit 2. Mapping file:
# provenance columns (__topic, __partition, __offset, __record_timestamp) hold each row's
# record; tombstones deleted rows (deleted, exit 0); a row written back where its record is a
# tombstone is unexpected, exit 1.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=3000
K=5
stream_setup verify 3
TOPIC2="${TOPIC}_map"
"$KT" create "$BROKERS" "$TOPIC2" 2 1
cleanup_map() {
  local rc=$?
  "$KT" delete "$BROKERS" "$TOPIC2" "$TOPIC2.dlq" >/dev/null 2>&1 || true
  (exit "$rc")
  stream_cleanup
}
trap cleanup_map EXIT
q() { "$USERPIPE_BIN" query --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s "$@"; }

# ------------------------------------------------------------------ the users pipeline
"$KT" produce "$BROKERS" "$TOPIC" "$TOPIC" 0 "$N" 0 >"$WORK/producer.log" 2>&1 ||
  fail "producing: $(tail -n 2 "$WORK/producer.log")"
start_stream stream --exit-when-idle 3s
wait_exit "$STREAM_PID" 300
[ "$EXIT_STATUS" = 0 ] || fail "stream exited $EXIT_STATUS"
expect_verified "$N"

"$KT" dump "$BROKERS" "$TOPIC" 1500 >"$WORK/topic.jsonl"
# K records from every partition: "partition offset key" lines
python3 - "$WORK/topic.jsonl" "$K" >"$WORK/deleted.txt" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
recs.sort(key=lambda r: (r["offset"], r["partition"]))
for r in recs[: int(sys.argv[2])]:
    print(r["partition"], r["offset"], r["key"])
PY
while read -r _ _ key; do
  q "DELETE FROM \"$KS\".users WHERE id = $key"
done <"$WORK/deleted.txt"
run_verify deleted
[ "$VERIFY_STATUS" = 1 ] || fail "rows deleted: verify exited $VERIFY_STATUS"
python3 - "$WORK/deleted.json" "$WORK/deleted.txt" "$N" "$K" <<'PY' || fail "deleted rows not reported as such"
import json, sys
rep = json.load(open(sys.argv[1]))
want = {tuple(l.split()) for l in open(sys.argv[2])}
got = {(str(s["partition"]), str(s["offset"]), s["key"]) for s in rep["samples"]["missing"]}
n, k = int(sys.argv[3]), int(sys.argv[4])
t = rep["total"]
assert got == want, f"missing samples {sorted(got)} != deleted {sorted(want)}"
assert (t["missing"], t["present"], t["stale"], t["unexpected"]) == (k, n - k, 0, 0), t
assert not rep["ok"]
print(f"verify: the {k} deleted rows reported missing, partition, offset and key each")
PY
log "$(tail -n 1 "$WORK/deleted.log")"

# the text form says the same
set +e
"$USERPIPE_BIN" verify --brokers "$BROKERS" --topic "$TOPIC" --keyspace "$KS" \
  --cassandra "$CASSANDRA" --samples 2 >"$WORK/text.out" 2>"$WORK/text.log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "text report: exit $rc"
grep -q "^missing: $K (2 shown)" "$WORK/text.out" || fail "text report: $(cat "$WORK/text.out")"
grep -q "^DIFFERS" "$WORK/text.out" || fail "text report has no verdict"

# --partition: only that partition's records and keys
read -r p0 _ _ <"$WORK/deleted.txt"
in_p0="$(awk -v p="$p0" '$1 == p' "$WORK/deleted.txt" | wc -l)"
records_p0="$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["partition"] == int(sys.argv[2])))' "$WORK/topic.jsonl" "$p0")"
run_verify partition --partition "$p0"
[ "$VERIFY_STATUS" = 1 ] || fail "--partition $p0: exit $VERIFY_STATUS"
[ "$(verify_field partition total.records)" = "$records_p0" ] || fail "--partition: records"
[ "$(verify_field partition total.missing)" = "$in_p0" ] || fail "--partition: missing"

# a newer record of a key that the stream never sees: its row is older than its record. A
# tombstone of another key: the users stream dead-letters it (empty_value), the row stays.
python3 - "$WORK/topic.jsonl" "$WORK/deleted.txt" >"$WORK/newer.jsonl" <<'PY'
import json, sys
deleted = {l.split()[2] for l in open(sys.argv[2])}
recs = [json.loads(l) for l in open(sys.argv[1])]
keep = [r for r in recs if r["key"] not in deleted]
print(json.dumps({"key": keep[0]["key"], "value": keep[0]["value"]}))
print(json.dumps({"key": keep[1]["key"], "value": None}))
PY
stale_key="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["key"])' "$WORK/newer.jsonl")"
sleep 0.01 # a later Kafka timestamp than the streamed record's, to the millisecond
"$KT" send "$BROKERS" "$TOPIC" <"$WORK/newer.jsonl" 2>/dev/null
run_verify stale
[ "$VERIFY_STATUS" = 1 ] || fail "stale: verify exited $VERIFY_STATUS"
python3 - "$WORK/stale.json" "$stale_key" "$N" "$K" <<'PY' || fail "stale row not reported"
import json, sys
rep = json.load(open(sys.argv[1]))
t = rep["total"]
n, k = int(sys.argv[3]), int(sys.argv[4])
assert (t["records"], t["dead_lettered"], t["keys"]) == (n + 2, 1, n), t
assert (t["stale"], t["missing"], t["present"]) == (1, k, n - k - 1), t
s = rep["samples"]["stale"][0]
assert s["key"] == sys.argv[2] and 0 <= s["row_write_time_us"] < s["record_write_time_us"], s
assert rep["samples"]["dead_lettered"][0]["detail"] == "empty_value", rep["samples"]
print(f"verify: stale {s['key']} at offset {s['offset']}, the tombstone dead-lettered")
PY

set +e
"$USERPIPE_BIN" verify --topic "$TOPIC" --since yesterday >/dev/null 2>"$WORK/usage.log"
rc=$?
set -e
[ "$rc" = 2 ] || fail "--since yesterday: exit $rc, not 2"

# ------------------------------------------------------------------ a mapping with provenance
q "CREATE TABLE \"$KS\".events (id text PRIMARY KEY, name text, src_topic text,
   src_partition int, src_offset bigint, src_ts timestamp)"
cat >"$WORK/events.properties" <<PROPS
topics=$TOPIC2
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
topic.$TOPIC2.$KS.events.mapping=id=key, name=value.name, src_topic=__topic, \\
    src_partition=__partition, src_offset=__offset, src_ts=__record_timestamp
PROPS
{
  for i in $(seq 0 39); do printf '{"key":"k%d","value":{"name":"n%d"}}\n' "$i" "$i"; done
  printf '{"key":"bad","value":"not json"}\n{"key":"k3","value":null}\n{"key":"k7","value":null}\n'
} >"$WORK/events.jsonl"
"$KT" send "$BROKERS" "$TOPIC2" <"$WORK/events.jsonl" 2>/dev/null
"$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP-map" --cassandra "$CASSANDRA" \
  --mapping "$WORK/events.properties" --dlq "$TOPIC2.dlq" --exit-when-idle 3s \
  >"$WORK/map.out" 2>"$WORK/map.log" || fail "mapping stream failed"
VERIFY_TOPIC="$TOPIC2" run_verify mapped --mapping "$WORK/events.properties"
[ "$VERIFY_STATUS" = 0 ] || fail "mapping: verify exited $VERIFY_STATUS"
for f in keys:40 present:38 absent:2 dead_lettered:1 records:43; do
  [ "$(verify_field mapped "total.${f%%:*}")" = "${f##*:}" ] || fail "mapping: ${f%%:*} is not ${f##*:}"
done

"$KT" dump "$BROKERS" "$TOPIC2" 1500 >"$WORK/topic2.jsonl"
q --json "SELECT id, src_topic, src_partition, src_offset, src_ts FROM \"$KS\".events" >"$WORK/events.rows"
python3 - "$WORK/topic2.jsonl" "$WORK/events.rows" "$TOPIC2" <<'PY' || fail "provenance columns differ"
import json, sys, datetime as dt
recs = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    recs[r["key"]] = r
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == 38, len(rows)
for row in rows:
    r = recs[row["id"]]
    ts = dt.datetime.fromisoformat(row["src_ts"].replace("Z", "+00:00")).timestamp() * 1000
    got = (row["src_topic"], row["src_partition"], row["src_offset"], round(ts))
    assert got == (sys.argv[3], r["partition"], r["offset"], r["timestamp"]), (got, r)
print("provenance: 38 rows name their record's topic, partition, offset and timestamp")
PY

q "INSERT INTO \"$KS\".events (id, name) VALUES ('k3', 'back')"
VERIFY_TOPIC="$TOPIC2" run_verify unexpected --mapping "$WORK/events.properties"
[ "$VERIFY_STATUS" = 1 ] || fail "unexpected row: verify exited $VERIFY_STATUS"
python3 - "$WORK/unexpected.json" "$WORK/topic2.jsonl" <<'PY' || fail "unexpected row not reported"
import json, sys
rep = json.load(open(sys.argv[1]))
tomb = [json.loads(l) for l in open(sys.argv[2])]
tomb = [r for r in tomb if r["key"] == "k3" and r["value"] is None][0]
s = rep["samples"]["unexpected"]
assert rep["total"]["unexpected"] == 1 and len(s) == 1, rep["total"]
assert (s[0]["key"], s[0]["partition"], s[0]["offset"]) == ("k3", tomb["partition"], tomb["offset"]), s
print("verify: k3's row is back although its record is a tombstone")
PY
log "PASS"
