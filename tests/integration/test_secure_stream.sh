#!/usr/bin/env bash
# The pipeline on the secured stack (docs/security.md): `userpipe produce` as the Kafka user
# produce and `userpipe stream` as the user and role stream, through TLS + SCRAM-SHA-512 +
# ACLs + Cassandra roles; every row right. Then the stream loses an ACL it needs, and then a
# Cassandra permission: each time it pauses with an error naming what is missing, and resumes
# when it is granted again, skipping nothing. No password in any process's command line or in
# any log line of the run. The dashboard, as the user and role ui, sees both engines over TLS
# and the group's committed offsets through its ACLs.
# shellcheck source=tests/integration/lib_secure.sh
source "$(dirname "$0")/lib_secure.sh"
# shellcheck source=tests/integration/lib_api.sh
source "$(dirname "$0")/lib_api.sh"
secure_setup stream
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api

log "produce 300 users as produce, stream them as stream"
as produce "$BIN" produce --source "$API_URL" --topic "$TOPIC" --dlq "$DLQ" --count 300 \
  >"$WORK/produce.out" 2>"$WORK/produce.log" || fail "produce exited $?"
if grep -q '"delivered":300' "$WORK/produce.out"; then ok "produce: 300 delivered over SASL_SSL"
else not_ok "produce: 300 delivered" "$WORK/produce.out" "$WORK/produce.log"; fi
# the oversize record of produce-bad is 16 KiB
export IT_MAX_RECORD_BYTES=8192
stream_start stream --max-record-bytes 8KiB
wait_for 60 "300 rows stored" rows_check
ok "stream: 300 rows in Cassandra over TLS as role stream"
cmdline="$(tr '\0' ' ' <"/proc/$STREAM_PID/cmdline")"
[[ "$cmdline" == *"userpipe stream "* ]] || fail "pid $STREAM_PID is not the stream: $cmdline"
if secrets_absent "/proc/$STREAM_PID/cmdline"; then
  ok "no password on the stream's command line"
else
  not_ok "a password on the stream's command line: $cmdline"
fi

log "the dashboard as the user and role ui"
# env directly, not `as`: a function in the background is a subshell, and killing it at exit
# would leave the dashboard running
mapfile -t ui_vars <"$WORK/vars-ui"
env "${ui_vars[@]}" "$BIN" ui --listen 127.0.0.1:0 --topic "$TOPIC" --dlq "$DLQ" --group "$GROUP" --keyspace "$KS" \
  --airflow-url '' >"$WORK/ui.log" 2>&1 &
PIDS+=("$!")
wait_for 30 "the dashboard's port" grep -q "dashboard at http://127.0.0.1:" "$WORK/ui.log"
UI_URL="$(sed -n 's|.*dashboard at \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$WORK/ui.log" | head -n1)"
# both engines up, and the committed offsets of the group (all 300 records) read over SASL_SSL:
# the group lookup needs the ui's DESCRIBE on the group
# shellcheck disable=SC2317  # called through wait_for
ui_sees_all() {
  curl -s "$UI_URL/api/health" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["services"]
ok = s["kafka"]["up"] and s["cassandra"]["up"] and "Cassandra" in s["cassandra"]["detail"]
sys.exit(0 if ok and sum(max(p["committed"], 0) for p in d["partitions"]) == 300 else 1)'
}
wait_for 60 "the dashboard sees Kafka, Cassandra and the group's 300 committed offsets" ui_sees_all
ok "ui: Kafka and Cassandra up over TLS as ui, the group's offsets (300) read"

log "the stream loses WRITE on the DLQ"
acl add deny stream Write topic "$DLQ"
kt produce-bad "$TOPIC" badtag >"$WORK/bad.txt"
bad="$(wc -l <"$WORK/bad.txt")"
wait_for 30 "the DLQ refusal logged" grep -q "lacks the ACL WRITE on topic '$DLQ'" "$WORK/stream.log"
ok "the refused DLQ send names the user and the ACL: $(grep -o "DLQ[^;]*lacks the ACL[^;]*" "$WORK/stream.log" | head -n1 | cut -c1-160)"
sleep 3
dumped="$(kt dump "$DLQ" 1000 | wc -l)"
if [ "$dumped" = 0 ]; then ok "nothing reached the DLQ while denied"; else not_ok "$dumped records in the DLQ while denied"; fi
if kill -0 "$STREAM_PID" 2>/dev/null; then ok "the stream pauses, it does not exit"; else not_ok "the stream exited" "$WORK/stream.log"; fi
acl delete deny stream Write topic "$DLQ"
# shellcheck disable=SC2317  # called through wait_for
dlq_holds_all() { [ "$(kt dump "$DLQ" 1000 | wc -l)" -ge "$bad" ]; }
wait_for 60 "the $bad bad records in the DLQ after the grant" dlq_holds_all
wait_for 60 "every good record stored after the grant" rows_check
ok "granted again: $bad records dead-lettered, every good one stored"

log "the stream role loses MODIFY on its keyspace"
cql "REVOKE MODIFY ON KEYSPACE \"$KS\" FROM stream"
sleep 3 # Cassandra caches permissions for permissions_validity (2 s)
kt produce "$TOPIC" more 0 100 >/dev/null
wait_for 30 "the refused write logged" grep -q "has no MODIFY permission" "$WORK/stream.log"
ok "the refused write names the permission: $(grep -o "User stream has no MODIFY permission[^;]*" "$WORK/stream.log" | head -n1 | cut -c1-120)"
sleep 3
if kill -0 "$STREAM_PID" 2>/dev/null; then ok "the stream pauses, it does not exit"; else not_ok "the stream exited" "$WORK/stream.log"; fi
cql "GRANT MODIFY ON KEYSPACE \"$KS\" TO stream"
wait_for 90 "every record stored after the grant" rows_check
ok "granted again: every record stored, none skipped ($(rows_check | head -n1))"

log "stop: offsets committed to the end"
kill -TERM "$STREAM_PID"
if wait "$STREAM_PID"; then ok "stream exits 0 on SIGTERM"; else not_ok "stream exit status $?" "$WORK/stream.log"; fi
committed_all() { kt committed "$GROUP" "$TOPIC" | awk '$2 != $3 { bad = 1 } END { exit bad }'; }
if committed_all; then ok "the group's offsets are at the end of every partition"; else not_ok "offsets behind"; fi

if secrets_absent "$WORK"/*.log "$WORK"/*.out; then ok "no password in any log or summary of the run"
else not_ok "a password in a log or summary (files above)"; fi
finish
