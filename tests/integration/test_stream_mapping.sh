#!/usr/bin/env bash
# userpipe stream --mapping FILE on the real stack (docs/mapping.md): ten kinds of bad mapping
# refused at start (exit 2) with their message; every CQL type from JSON read back with SELECT
# JSON; one topic fanned out to two tables; a tombstone deleting from both; __ttl read back
# with TTL() and __timestamp with WRITETIME(); nullToUnset both ways; records that cannot be
# read or mapped in the DLQ with their headers while the records around them are stored.
# Files: tests/data/mapping/it_*.properties and it_*.jsonl, checks in mapping_check.py.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
stream_setup mapping 1
TOPIC2="${TOPIC}_orders"
TOPIC3="${TOPIC}_schema"
"$KT" create "$BROKERS" "$TOPIC2" 1 1
"$KT" create "$BROKERS" "$TOPIC3" 1 1
cleanup_orders() {
  local rc=$?
  "$KT" delete "$BROKERS" "$TOPIC2" "$TOPIC2.dlq" "$TOPIC3" "$TOPIC3.dlq" >/dev/null 2>&1 || true
  (exit "$rc")
  stream_cleanup
}
trap cleanup_orders EXIT
DATA="$USERPIPE_ROOT/tests/data/mapping"
CHECKER="$USERPIPE_ROOT/tests/integration/mapping_check.py"

# q CQL: userpipe query, with room for a busy node.
q() { "$USERPIPE_BIN" query --cassandra "$CASSANDRA" --cassandra-connect-timeout 30s "$@"; }
# json_row CQL: the one [json] cell a SELECT JSON returns.
json_row() { q "$1" | grep -o '{.*}' | head -1; }
# cell CQL: the one value of a one-column, one-row SELECT.
cell() { q "$1" | sed -n '4p' | tr -d ' '; }

q "CREATE KEYSPACE $KS WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
q "CREATE TYPE $KS.address (street text, zip int, tags frozen<list<text>>)"
q "CREATE TABLE $KS.alltypes (id int PRIMARY KEY, a ascii, t text, vc varchar, ti tinyint,
   si smallint, i int, bi bigint, vi varint, f float, d double, dec decimal, b boolean,
   u uuid, tu timeuuid, ts timestamp, dt date, tm time, du duration, ip inet, bl blob,
   l list<int>, s set<text>, m map<text, decimal>, tp tuple<int, text>,
   fa frozen<address>, na address, fl frozen<list<text>>, gen timeuuid, src text)"
q "CREATE TABLE $KS.orders (id uuid, line int, total decimal, note text, PRIMARY KEY (id, line))"
q "CREATE TABLE $KS.totals (id uuid PRIMARY KEY, total decimal, note text)"
q "CREATE TABLE $KS.cnt (id int PRIMARY KEY, c counter)"

# ------------------------------------------------------------------ bad mappings at start
# refused NAME EXPECTED LINES...: a file of topics= and LINES is refused: exit 2, EXPECTED said.
refused() {
  local name="$1" want="$2" rc
  shift 2
  printf '%s\n' "topics=$TOPIC" "$@" >"$WORK/$name.properties"
  set +e
  "$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP" --cassandra "$CASSANDRA" \
    --cassandra-connect-timeout 30s --mapping "$WORK/$name.properties" \
    >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "$name: exit $rc, not 2: $(tail -3 "$WORK/$name.err")"
  grep -qF -- "$want" "$WORK/$name.err" || fail "$name: '$want' not in: $(tail -3 "$WORK/$name.err")"
  log "refused $name: $(grep -F -- "$want" "$WORK/$name.err" | head -1)"
}
P="topic.$TOPIC.$KS"
refused unknown_key "unknown_key.properties:2:1: unknown setting 'batch.size'" "batch.size=5" \
  "$P.totals.mapping=id=key"
refused unsupported_key "'maxNumberOfRecordsInBatch' is not supported" \
  "maxNumberOfRecordsInBatch=32" "$P.totals.mapping=id=key"
refused no_keyspace "keyspace nope_ks does not exist" "topic.$TOPIC.nope_ks.t.mapping=id=key"
refused no_table "table $KS.nope does not exist" "$P.nope.mapping=id=key"
refused no_column ":2:$((${#P} + 25)): $KS.totals has no column 'totl'" \
  "$P.totals.mapping=id=key, totl=value.total"
refused key_unmapped "primary key column 'line' of $KS.orders is not mapped" \
  "$P.orders.mapping=id=key, total=value.total"
refused counter "column 'c': a counter column cannot be written" "$P.cnt.mapping=id=key, c=value.c"
refused now_text "now() makes a timeuuid; column 'note' is a text" \
  "$P.totals.mapping=id=key, note=now()"
refused bad_expression "a value must be key, value" "$P.totals.mapping=id=key, total=valu.total"
refused bad_unit "a time unit expected" "$P.totals.mapping=id=key" "$P.totals.ttlTimeUnit=WEEKS"
set +e
"$USERPIPE_BIN" stream --mapping "$WORK/absent.properties" 2>"$WORK/absent.err"
rc=$?
set -e
{ [ "$rc" = 2 ] && grep -q "absent.properties: cannot read the mapping file" "$WORK/absent.err"; } ||
  fail "an unreadable file: exit $rc, $(cat "$WORK/absent.err")"

# run_mapping NAME TEMPLATE TOPIC [PORT]: one stream run over the template (names filled in)
# until idle; with PORT, its last --metrics scrape in $WORK/NAME.metrics.
run_mapping() {
  local port="${4:-}" metrics=()
  [ -z "$port" ] || metrics=(--metrics "127.0.0.1:$port")
  sed -e "s/@TOPIC@/$3/g" -e "s/@TOPIC2@/$TOPIC2/g" -e "s/@KS@/$KS/g" "$2" >"$WORK/$1.properties"
  "$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP-$1" --cassandra "$CASSANDRA" \
    --cassandra-connect-timeout 30s --mapping "$WORK/$1.properties" --exit-when-idle 4s \
    --progress-interval 0 "${metrics[@]}" >"$WORK/$1.out" 2>"$WORK/$1.log" &
  local pid=$!
  PIDS+=("$pid")
  while [ -n "$port" ] && kill -0 "$pid" 2>/dev/null; do
    curl -fs "http://127.0.0.1:$port/metrics" >"$WORK/$1.scrape" 2>/dev/null &&
      mv "$WORK/$1.scrape" "$WORK/$1.metrics"
    sleep 0.3
  done
  wait_exit "$pid" 300
  [ "$EXIT_STATUS" = 0 ] || fail "$1: stream exited $EXIT_STATUS: $(tail -3 "$WORK/$1.log")"
  log "$1: $(tail -1 "$WORK/$1.out")"
}

# ------------------------------------------------------------------ every type
"$KT" send "$BROKERS" "$TOPIC" <"$DATA/it_types.jsonl" 2>/dev/null
run_mapping types "$DATA/it_types.properties" "$TOPIC"
[ "$(summary_field "$WORK/types.out" stored)" = 2 ] || fail "types: stored != 2"
json_row "SELECT JSON * FROM $KS.alltypes WHERE id = 1" >"$WORK/types1.json"
json_row "SELECT JSON * FROM $KS.alltypes WHERE id = 2" >"$WORK/types2.json"
python3 "$CHECKER" types "$WORK/types1.json" "$WORK/types2.json" || fail "types read back differ"
[ "$(cell "SELECT d FROM $KS.alltypes WHERE id = 2")" = -Infinity ] || fail "types: d of id 2"

# ------------------------------------------------------------------ fan-out, deletes, DLQ
"$KT" send "$BROKERS" "$TOPIC2" <"$DATA/it_orders.jsonl" 2>/dev/null
run_mapping orders "$DATA/it_orders.properties" "$TOPIC2" $((20000 + RANDOM % 20000))
[ "$(summary_field "$WORK/orders.out" stored)" = 6 ] || fail "orders: stored != 6"
[ "$(summary_field "$WORK/orders.out" dead_lettered)" = 4 ] || fail "orders: dead-lettered != 4"
ID=aaaaaaaa-0000-4000-8000-00000000000
[ "$(cell "SELECT count(*) FROM $KS.orders")" = 3 ] || fail "orders: not 3 rows (1, 4, 7)"
[ "$(cell "SELECT count(*) FROM $KS.totals")" = 3 ] || fail "totals: not 3 rows (1, 4, 7)"
for t in orders totals; do
  [ "$(cell "SELECT count(*) FROM $KS.$t WHERE id = ${ID}2")" = 0 ] ||
    fail "$t: the tombstone did not delete ${ID}2"
  [ "$(cell "SELECT total FROM $KS.$t WHERE id = ${ID}1")" = 11.00 ] ||
    fail "$t: total of ${ID}1 is not the second record's"
  [ "$(cell "SELECT WRITETIME(total) FROM $KS.$t WHERE id = ${ID}1")" = 1700000001000000 ] ||
    fail "$t: WRITETIME(total) is not __timestamp in microseconds"
done
# nullToUnset=true (orders): a null note leaves the first record's; false (totals) writes it
[ "$(cell "SELECT note FROM $KS.orders WHERE id = ${ID}1")" = first ] ||
  fail "orders: nullToUnset=true did not keep the note"
[ "$(cell "SELECT note FROM $KS.totals WHERE id = ${ID}1")" = null ] ||
  fail "totals: nullToUnset=false did not write the null"
# __ttl=600 s on the first record's note; the table setting ttl=3600 on totals
ttl="$(cell "SELECT TTL(note) FROM $KS.orders WHERE id = ${ID}1")"
if [ "$ttl" -le 0 ] || [ "$ttl" -gt 600 ]; then fail "orders: TTL(note) $ttl not from __ttl=600"; fi
ttl="$(cell "SELECT TTL(total) FROM $KS.totals WHERE id = ${ID}1")"
if [ "$ttl" -le 3000 ] || [ "$ttl" -gt 3600 ]; then fail "totals: TTL(total) $ttl not from ttl=3600"; fi
# per topic -> table metrics: 5 inserts and 1 delete in each table, 1 parse and 3 mapping rejects
for want in "userpipe_mapping_records_total{topic=\"$TOPIC2\"} 10" \
  "userpipe_mapping_rows_total{topic=\"$TOPIC2\",table=\"$KS.orders\",op=\"insert\"} 5" \
  "userpipe_mapping_rows_total{topic=\"$TOPIC2\",table=\"$KS.totals\",op=\"delete\"} 1" \
  "userpipe_mapping_e2e_latency_seconds_count{topic=\"$TOPIC2\",table=\"$KS.totals\"} 6" \
  "userpipe_mapping_rejected_total{topic=\"$TOPIC2\",table=\"\",stage=\"parse\"} 1" \
  "userpipe_mapping_rejected_total{topic=\"$TOPIC2\",table=\"$KS.orders\",stage=\"mapping\"} 3"; do
  grep -qxF "$want" "$WORK/orders.metrics" || fail "metrics: no '$want' in: $(grep mapping_ "$WORK/orders.metrics")"
done
# the CQL client's families, as the users sink exposes them (stream/cql_client.h)
for family in userpipe_cql_requests_total userpipe_cql_errors_total userpipe_cql_host_up \
  userpipe_cql_reprepares_total userpipe_cql_host_suspect; do
  grep -q "^$family{host=\"" "$WORK/orders.metrics" || fail "metrics: no $family{host=...}"
done
grep -q '^userpipe_cql_failover_total{event="speculative_sent"} ' "$WORK/orders.metrics" ||
  fail "metrics: no userpipe_cql_failover_total{event=\"speculative_sent\"}"
"$KT" dump "$BROKERS" "$TOPIC2.dlq" 2000 >"$WORK/dlq.jsonl"
python3 "$CHECKER" dlq "$WORK/dlq.jsonl" "$TOPIC2" "$KS" || fail "DLQ content"

# ------------------------------------------------------------------ both topics, one process
# A new group reads both topics again: the same rows (replays write the same cells), the same
# four records to the DLQ, which defaults to the first topic's <topic>.dlq.
run_mapping both "$DATA/it_both.properties" "$TOPIC"
for f in consumed:12 stored:8 dead_lettered:4; do
  [ "$(summary_field "$WORK/both.out" "${f%%:*}")" = "${f#*:}" ] || fail "both topics: ${f%%:*} != ${f#*:}"
done
[ "$(cell "SELECT count(*) FROM $KS.orders")" = 3 ] || fail "both topics: orders not 3 rows"
[ "$(cell "SELECT total FROM $KS.totals WHERE id = ${ID}1")" = 11.00 ] || fail "both topics: totals"
"$KT" dump "$BROKERS" "$DLQ" 2000 >"$WORK/dlq_both.jsonl"
python3 "$CHECKER" dlq "$WORK/dlq_both.jsonl" "$TOPIC2" "$KS" || fail "both topics: DLQ content"
# ------------------------------------------------------------------ a schema change while running
# An empty topic (nothing to write, so nothing waits on a broken table): adding a column keeps
# the mapping fitting, dropping a mapped one is reported with the file's line and column.
q "CREATE TABLE $KS.sc (id text PRIMARY KEY, a text, b text)"
printf 'topics=%s\ntopic.%s.%s.sc.mapping=id=key, a=value.a, b=value.b\n' "$TOPIC3" "$TOPIC3" "$KS" \
  >"$WORK/sc.properties"
"$USERPIPE_BIN" stream --brokers "$BROKERS" --group "$GROUP-sc" --cassandra "$CASSANDRA" \
  --cassandra-connect-timeout 30s --mapping "$WORK/sc.properties" --exit-when-idle 30s \
  --progress-interval 0 >"$WORK/sc.out" 2>"$WORK/sc.log" &
SC_PID=$!
PIDS+=("$SC_PID")
# wait_log PATTERN SECONDS: until the schema run's log has PATTERN.
wait_log() {
  local deadline=$((SECONDS + $2))
  until grep -q "$1" "$WORK/sc.log"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no '$1' in the log: $(tail -3 "$WORK/sc.log")"
    sleep 0.3
  done
}
wait_log "consuming $TOPIC3" 60
q "ALTER TABLE $KS.sc ADD c text"
wait_log "the mapping still fits the schema after a schema change" 60
q "ALTER TABLE $KS.sc DROP b"
wait_log "sc.properties:2:$((${#TOPIC3} + ${#KS} + 39)): $KS.sc has no column 'b'" 60
kill -TERM "$SC_PID"
wait_exit "$SC_PID" 60
[ "$EXIT_STATUS" = 0 ] || fail "the schema run exited $EXIT_STATUS"
log "PASS"
