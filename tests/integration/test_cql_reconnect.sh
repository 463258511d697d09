#!/usr/bin/env bash
# "The node restarted mid-run": the shared node cannot be restarted (other engineers use it),
# so our client reaches it through it_tcp_proxy, which this test cuts (listening stops, every
# connection is reset: what a dying node looks like) and restores 3 s later. 12000 idempotent
# prepared inserts run across the cut: all must succeed, the session must have lost and
# re-established its connection, and every row must be in the table.
# shellcheck source=tests/integration/lib_cql.sh
source "$(dirname "$0")/lib_cql.sh"
cql_setup reconnect

start_proxy NODE "$CASSANDRA"
q "SELECT key FROM system.local" >/dev/null
"$IT_CQL" "127.0.0.1:$NODE_PORT" soak "$KS" 12000 >"$WORK/soak.out" 2>"$WORK/soak.log" &
SOAK=$!
PIDS+=("$SOAK")
for _ in $(seq 300); do
  grep -qE 'progress ([2-9][0-9]{3}|[0-9]{5})' "$WORK/soak.out" && break
  sleep 0.1
done
grep -qE 'progress ([2-9][0-9]{3}|[0-9]{5})' "$WORK/soak.out" || fail "the load did not get going"
log "cutting the node off"
kill -USR1 "$NODE_PID"
sleep 0.5
expect_fail 1 'could not connect.*(refused|reset)' "$USERPIPE_BIN" query --cassandra "127.0.0.1:$NODE_PORT" "SELECT key FROM system.local"
sleep 2.5
log "node back"
kill -USR2 "$NODE_PID"
rc=0
wait "$SOAK" || rc=$?
log "$(tail -1 "$WORK/soak.out")"
[ "$rc" = 0 ] || fail "writes failed across the cut (exit $rc)"
grep -q 'failed=0 ' "$WORK/soak.out" || fail "some writes failed"
grep -qE 'connections_lost=[1-9]' "$WORK/soak.out" || fail "the cut was not noticed"
grep -qE 'reconnects=[1-9]' "$WORK/soak.out" || fail "no reconnection"
grep -q 'reconnected to' "$WORK/soak.log" || fail "no reconnection logged"
count="$(q --csv "SELECT count(*) FROM $KS.soak" | tail -1)"
[ "$count" = 12000 ] || fail "rows in the table: $count"
"$USERPIPE_BIN" query --cassandra "127.0.0.1:$NODE_PORT" --json "SELECT key FROM system.local" | grep -qx '{"key":"local"}' || fail "query through the restored proxy"
log "ok"
