#!/usr/bin/env bash
# 50,000 records through `userpipe api` -> `userpipe produce` -> Kafka -> `userpipe stream`
# -> Cassandra: one row per distinct id, every column equal to the record, read back with
# our CQL client (it_stream_check, which also checks ingested_at and WRITETIME = the
# record's Kafka timestamp) and once more with scripts/cqlsh (COUNT and COPY TO STDOUT).
# Offsets are committed to the end; the summary counts add up; a second run is a no-op.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=50000
stream_setup e2e 6

"$USERPIPE_BIN" api --listen 127.0.0.1:0 >"$WORK/api.out" 2>"$WORK/api.log" &
PIDS+=($!)
for _ in $(seq 50); do
  port="$(grep -o '(port [0-9]*)' "$WORK/api.log" | grep -o '[0-9]*' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "userpipe api did not start"

log "producing $N users from userpipe api"
"$USERPIPE_BIN" produce --source "http://127.0.0.1:$port/api/" --topic "$TOPIC" --dlq "$DLQ" \
  --count "$N" --batch 5000 --seed "$TOPIC" >"$WORK/produce.out" 2>"$WORK/produce.log" ||
  fail "produce failed"

log "streaming"
start_stream stream --exit-when-idle 5s --in-flight 512
wait_exit "$STREAM_PID" 600
[ "$EXIT_STATUS" = 0 ] || fail "stream exited $EXIT_STATUS"
[ "$(summary_field "$WORK/stream.out" status)" = completed ] || fail "status not completed"
[ "$(summary_field "$WORK/stream.out" consumed)" = "$N" ] || fail "consumed != $N"
[ "$(summary_field "$WORK/stream.out" stored)" = "$N" ] || fail "stored != $N"
[ "$(summary_field "$WORK/stream.out" dead_lettered)" = 0 ] || fail "dead-lettered records"
log "stream: $(tail -n1 "$WORK/stream.out")"

check_rows
grep -q "distinct=$N rows=$N missing=0" <<<"$ROWS_LINE" || fail "expected $N rows: $ROWS_LINE"
expect_verified "$N"
check_committed

log "reading back with cqlsh"
count="$("$USERPIPE_ROOT/scripts/cqlsh" -e "SELECT COUNT(*) FROM \"$KS\".users" 2>&1 |
  awk '/^ *[0-9]+ *$/ { print $1 }')"
[ "$count" = "$N" ] || fail "cqlsh COUNT(*) says '$count'"
"$USERPIPE_ROOT/scripts/cqlsh" -e "COPY \"$KS\".users (id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, picture, nat) TO STDOUT WITH HEADER = false" \
  >"$WORK/cqlsh.csv" 2>"$WORK/cqlsh.log" || fail "cqlsh COPY failed"
"$KT" dump "$BROKERS" "$TOPIC" 2000 >"$WORK/topic.jsonl"
python3 - "$WORK/topic.jsonl" "$WORK/cqlsh.csv" <<'EOF' || fail "cqlsh rows differ from the records"
import csv, json, sys, datetime as dt
fields = ["id", "first_name", "last_name", "gender", "address", "post_code", "email",
          "username", "dob", "registered_date", "phone", "picture", "nat"]
def instant(s):
    # record: 2024-05-01T12:00:00.000Z; cqlsh: 2024-05-01 12:00:00.000000+0000
    s = s.replace("T", " ").replace("Z", "+0000")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise ValueError(s)
want = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = json.loads(line)
    rec = json.loads(m["value"])
    want[rec["id"]] = rec
got = 0
bad = 0
with open(sys.argv[2], encoding="utf-8", newline="") as f:
    for row in csv.reader(f):
        if not row:
            continue
        got += 1
        rec = want.get(row[0])
        if rec is None:
            print("extra row", row[0]); bad += 1; continue
        for name, value in zip(fields, row):
            expect = rec[name]
            same = instant(value) == instant(expect) if name in ("dob", "registered_date") else value == expect
            if not same:
                bad += 1
                if bad < 5:
                    print("differs", rec["id"], name, repr(value), repr(expect))
print(f"cqlsh: {got} rows, {len(want)} records, {bad} differences")
sys.exit(0 if got == len(want) and bad == 0 else 1)
EOF

log "a second run finds nothing new to do"
start_stream again --exit-when-idle 3s
wait_exit "$STREAM_PID" 120
[ "$EXIT_STATUS" = 0 ] || fail "second stream run exited $EXIT_STATUS"
[ "$(summary_field "$WORK/again.out" consumed)" = 0 ] || fail "second run consumed records"
log "PASS"
