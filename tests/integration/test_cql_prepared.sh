#!/usr/bin/env bash
# Prepared statements on the real node: a prepared SELECT invalidated by ALTER TABLE and by
# DROP/CREATE TABLE is re-prepared transparently (the node answers UNPREPARED 0x2500), and
# the Murmur3 tokens we route with equal the node's token().
# shellcheck source=tests/integration/lib_cql.sh
source "$(dirname "$0")/lib_cql.sh"
cql_setup prepared

"$IT_CQL" "$CASSANDRA" reprepare "$KS" >"$WORK/rp.log" 2>&1 || fail "re-prepare: $(cat "$WORK/rp.log")"
log "$(cat "$WORK/rp.log")"
grep -q 'columns_after_recreate=4 ' "$WORK/rp.log" || fail "the re-prepared statement did not see the new table"
grep -q 'reprepares_after_recreate=[1-9]' "$WORK/rp.log" || fail "no re-prepare after DROP/CREATE"

"$IT_CQL" "$CASSANDRA" tokens "$KS" >"$WORK/tok.log" 2>&1 || fail "tokens: $(cat "$WORK/tok.log")"
log "$(cat "$WORK/tok.log")"
log "ok"
