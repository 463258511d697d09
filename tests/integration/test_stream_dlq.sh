#!/usr/bin/env bash
# Every kind of bad record (malformed JSON, not an object, missing field, wrong type, bad
# UUID, key != id, bad date, invalid UTF-8, oversize, empty value) lands in the DLQ with its
# reason, the source topic/partition/offset headers and the original key and value; the
# good records around them are stored; the stream does not crash and commits to the end.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
stream_setup dlq 3

"$KT" produce "$BROKERS" "$TOPIC" "$TOPIC" 0 500
"$KT" produce-bad "$BROKERS" "$TOPIC" "$TOPIC" >"$WORK/bad.txt"
"$KT" produce "$BROKERS" "$TOPIC" "$TOPIC" 500 1000
nbad="$(wc -l <"$WORK/bad.txt")"
[ "$nbad" -ge 10 ] || fail "the helper produced only $nbad bad records"

mport="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
start_stream stream --exit-when-idle 4s --max-record-bytes 8KiB --metrics "127.0.0.1:$mport"
# the last scrape before the idle exit: the built-in users mapping's per-stage counts
(while kill -0 "$STREAM_PID" 2>/dev/null; do
  curl -sf "http://127.0.0.1:$mport/metrics" >"$WORK/metrics.tmp" 2>/dev/null && mv "$WORK/metrics.tmp" "$WORK/metrics.last"
  sleep 0.3
done) &
scraper=$!
wait_exit "$STREAM_PID" 300
wait "$scraper" || true
[ "$EXIT_STATUS" = 0 ] || fail "stream exited $EXIT_STATUS"
good=$((1000 + nbad + 1)) # produce-bad puts a good record before each bad one, and one after
[ "$(summary_field "$WORK/stream.out" stored)" = "$good" ] || fail "stored != $good"
[ "$(summary_field "$WORK/stream.out" dead_lettered)" = "$nbad" ] || fail "dead-lettered != $nbad"

# The dashboard's Mappings row reads these: id and dates refused at the mapping stage, the
# rest (not a users record) at the parse stage; the finer reasons stay in the DLQ headers.
python3 - "$WORK/bad.txt" "$WORK/metrics.last" "$TOPIC" <<'EOF' || fail "per-stage DLQ counts of the built-in mapping"
import re, sys
reasons = [line.split()[0] for line in open(sys.argv[1])]
want = {"mapping": sum(r in ("bad_uuid", "key_mismatch", "bad_date") for r in reasons)}
want["parse"] = len(reasons) - want["mapping"]
got = {}
for line in open(sys.argv[2]):
    m = re.match(r'userpipe_mapping_rejected_total\{topic="([^"]*)",table="([^"]*)",stage="(\w+)"\} (\S+)', line)
    if m and m.group(1) == sys.argv[3]:
        got[m.group(3)] = got.get(m.group(3), 0) + float(m.group(4))
print("per stage: want", want, "got", got)
sys.exit(0 if all(got.get(k, 0) == v for k, v in want.items()) else 1)
EOF

IT_MAX_RECORD_BYTES=8192 check_rows
grep -q "rows=$good missing=0" <<<"$ROWS_LINE" || fail "expected $good rows: $ROWS_LINE"
check_committed

"$KT" dump "$BROKERS" "$TOPIC" 2000 >"$WORK/source.jsonl"
"$KT" dump "$BROKERS" "$DLQ" 2000 >"$WORK/dlq.jsonl"
python3 - "$WORK/bad.txt" "$WORK/source.jsonl" "$WORK/dlq.jsonl" "$TOPIC" <<'EOF' || fail "DLQ content"
import json, sys
expected = [line.split() for line in open(sys.argv[1])]
source = {}
for line in open(sys.argv[2], encoding="utf-8", errors="surrogateescape"):
    m = json.loads(line)
    source[(m["partition"], m["offset"])] = m
dlq = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8", errors="surrogateescape")]
topic = sys.argv[4]
ok = True
if len(dlq) != len(expected):
    print(f"DLQ has {len(dlq)} records, expected {len(expected)}"); ok = False
seen = {}
for m in dlq:
    h = m["headers"]
    for name in ("userpipe.error.reason", "userpipe.error.detail", "userpipe.source.topic",
                 "userpipe.source.partition", "userpipe.source.offset"):
        if name not in h:
            print("missing header", name, m); ok = False
    if h.get("userpipe.source.topic") != topic:
        print("wrong source topic", h); ok = False
    src = source.get((int(h["userpipe.source.partition"]), int(h["userpipe.source.offset"])))
    if src is None or src["key"] != m["key"] or src["value"] != m["value"]:
        print("DLQ record is not the original", h); ok = False
    seen[(h["userpipe.error.reason"], m["key"])] = h["userpipe.error.detail"]
for reason, key in expected:
    key = None if key == "(null)" else key
    if (reason, key) not in seen:
        print("not in the DLQ with reason", reason, key); ok = False
    else:
        print(f"{reason:15} {seen[(reason, key)]}")
sys.exit(0 if ok else 1)
EOF
log "PASS"
