#!/usr/bin/env bash
# userpipe query against the real node: keyspace and table creation, every CQL type written
# two ways (CQL literals through the CLI, bound values through the library) and read back as a
# table byte-for-byte identical to cqlsh's, as NDJSON and as CSV; server errors, usage errors,
# the password rules (wrong password, group-readable file, env), and TLS through a proxy.
# shellcheck source=tests/integration/lib_cql.sh
source "$(dirname "$0")/lib_cql.sh"
cql_setup query

q "CREATE TABLE $KS.all_types (k int PRIMARY KEY, a ascii, bi bigint, bl blob, bo boolean,
   da date, de decimal, db double, fl float, ine inet, i int, sm smallint, te text, ti time,
   ts timestamp, tu timeuuid, ty tinyint, u uuid, vc varchar, vi varint, li list<text>,
   se set<int>, ma map<text, int>, tup tuple<int, text>)"
q "INSERT INTO $KS.all_types (k, a, bi, bl, bo, da, de, db, fl, ine, i, sm, te, ti, ts, tu, ty,
   u, vc, vi, li, se, ma, tup) VALUES (1, 'ascii', 9223372036854775807, 0xcafe, false,
   '1969-07-20', -0.001, 3.141592653589793, 2.71828, '::1', 2147483647, -32768,
   'it''s, \"quoted\"', '23:59:59.999999999', '1999-12-31T23:59:59.999Z',
   50554d6e-29bb-11e5-b345-feff819cdc9f, 127, 123e4567-e89b-12d3-a456-426614174000, '',
   123456789012345678901234567890, ['a', 'b''c'], {3, 1}, {'x': 1, 'y': -2}, (1, 'one'))"
q "INSERT INTO $KS.all_types (k, db, fl) VALUES (4, 1234567.891, 0.000012345)"
"$IT_CQL" "$CASSANDRA" types "$KS" >"$WORK/types.log" || fail "binding every type: $(cat "$WORK/types.log")"

log "table output equals cqlsh's"
q "SELECT * FROM $KS.all_types" >"$WORK/ours.txt"
"$USERPIPE_ROOT/scripts/cqlsh" -e "SELECT * FROM $KS.all_types" >"$WORK/cqlsh.txt"
diff -u "$WORK/cqlsh.txt" "$WORK/ours.txt" >"$WORK/diff.log" || fail "table differs from cqlsh: $(cat "$WORK/diff.log")"
grep -q '^(4 rows)$' "$WORK/ours.txt" || fail "no (4 rows) footer"

log "JSON: one object per row, types mapped"
q --json "SELECT * FROM $KS.all_types WHERE k = 2" >"$WORK/row2.json"
want='{"k":2,"a":"plain ascii","bi":-9223372036854775808,"bl":"0x00ff10","bo":true,"da":"2024-05-01","db":3.25,"de":123.45,"fl":-1.5,"i":-42,"ine":"192.168.1.2","li":["x","y"],"ma":{"k":7},"se":[1,2],"sm":32767,"te":"héllo 世界","ti":"12:34:56.789000000","ts":"2024-05-01T12:00:00.123Z","tu":"5a0d6f4e-1d7b-11ef-9262-0242ac120002","tup":[5,"abc"],"ty":-7,"u":"0b5d2e2a-9c4e-4c1b-8e0a-1f2d3c4b5a69","vc":"varchar","vi":1234567890123}'
[ "$(cat "$WORK/row2.json")" = "$want" ] || fail "row 2 as JSON: $(cat "$WORK/row2.json")"
q --json "SELECT * FROM $KS.all_types" >"$WORK/all.json"
[ "$(wc -l <"$WORK/all.json")" = 4 ] || fail "want 4 JSON lines"
python3 - "$WORK/all.json" <<'PY' || fail "JSON output is not valid NDJSON with the right values"
import json, sys
rows = {r["k"]: r for r in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
assert rows[1]["te"] == 'it\'s, "quoted"' and rows[1]["vi"] == 123456789012345678901234567890
assert rows[1]["se"] == [1, 3] and rows[1]["ma"] == {"x": 1, "y": -2} and rows[1]["bo"] is False
assert rows[3]["te"] is None and rows[3]["li"] is None
assert abs(rows[4]["db"] - 1234567.891) < 1e-9 and abs(rows[4]["fl"] - 1.2345e-05) < 1e-12
PY

log "CSV: header, RFC 4180 quoting, empty nulls"
q --csv "SELECT k, te, li, ma, vc FROM $KS.all_types WHERE k IN (1, 3)" >"$WORK/out.csv"
printf '%s\n' 'k,te,li,ma,vc' '1,"it'"'"'s, ""quoted""","['"'"'a'"'"', '"'"'b'"'"''"'"'c'"'"']","{'"'"'x'"'"': 1, '"'"'y'"'"': -2}",' '3,,,,' >"$WORK/want.csv"
diff -u "$WORK/want.csv" "$WORK/out.csv" >"$WORK/diff.log" || fail "CSV: $(cat "$WORK/diff.log")"
python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); assert rows[1][1]=="it'"'"'s, \"quoted\"", rows' "$WORK/out.csv" || fail "python's csv module disagrees"

log "server errors: code and message, exit 1"
expect_fail 1 "SYNTAX_ERROR \\(server code 0x2000\\) from ${CASSANDRA//./\\.}: line 1:0" q "SELEC * FROM x"
expect_fail 1 'INVALID \(server code 0x2200\).*(unconfigured table|does not exist)' q "SELECT * FROM $KS.nope"
expect_fail 1 'ALREADY_EXISTS \(server code 0x2400\)' q "CREATE TABLE $KS.all_types (k int PRIMARY KEY)"

log "usage errors: exit 2"
expect_fail 2 'exclude each other' q --json --csv "SELECT * FROM system.local"
expect_fail 2 'empty' q " ; "
expect_fail 2 'consistency' q --consistency most "SELECT * FROM system.local"

log "consistency and keyspace flags"
q --consistency quorum --keyspace "$KS" --json "SELECT k FROM all_types WHERE k = 4" | grep -qx '{"k":4}' || fail "--keyspace/--consistency"
expect_fail 1 'UNAVAILABLE|consistency' q --consistency three "SELECT k FROM $KS.all_types"

log "credentials"
expect_fail 1 'BAD_CREDENTIALS \(server code 0x0100\).*(incorrect|password)' env USERPIPE_CASSANDRA_PASSWORD=wrong-password "$USERPIPE_BIN" query --cassandra "$CASSANDRA" "SELECT * FROM system.local"
printf 'cassandra\n' >"$WORK/pw"
chmod 640 "$WORK/pw"
expect_fail 2 'chmod 600' q --cassandra-password-file "$WORK/pw" "SELECT * FROM system.local"
chmod 600 "$WORK/pw"
q --cassandra-password-file "$WORK/pw" --json "SELECT key FROM system.local" | grep -qx '{"key":"local"}' || fail "password file"
USERPIPE_CASSANDRA_PASSWORD=cassandra q --json "SELECT key FROM system.local" | grep -qx '{"key":"local"}' || fail "password env"
expect_fail 1 'give the password with --cassandra-password-file' q --cassandra-user someone "SELECT * FROM system.local"
! grep -rq 'wrong-password' "$WORK"/err.log || fail "a password was echoed"

log "TLS through a terminating proxy"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
  -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null
start_proxy TLS "$CASSANDRA" --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
"$USERPIPE_BIN" query --cassandra "127.0.0.1:$TLS_PORT" --cassandra-tls-ca-file "$WORK/cert.pem" \
  --cassandra-compression --json "SELECT key FROM system.local" | grep -qx '{"key":"local"}' || fail "TLS + LZ4 query"
"$USERPIPE_BIN" query --cassandra "localhost:$TLS_PORT" --cassandra-tls-ca-file "$WORK/cert.pem" \
  --json "SELECT key FROM system.local" | grep -qx '{"key":"local"}' || fail "TLS by host name"
expect_fail 1 'certificate verification failed' "$USERPIPE_BIN" query --cassandra "127.0.0.1:$TLS_PORT" --cassandra-tls "SELECT 1 FROM system.local"
expect_fail 1 'require TLS' "$USERPIPE_BIN" query --cassandra "127.0.0.1:$TLS_PORT" "SELECT 1 FROM system.local"
log "ok"
