#!/usr/bin/env bash
# `userpipe ui` over HTTP against the real broker: the page and assets, SSE with resume from
# Last-Event-ID, the server-side filter, one shared consumer for many live browsers, a
# browser that stops reading (records dropped and counted, others unaffected), 400/404/405,
# basic auth, /metrics through `promtool check metrics`, and no topic auto-created.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/lib_ui.sh
source "$here/lib_ui.sh"

# The whole body first, then grep: `curl | grep -q` fails under pipefail when grep stops early.
has() { local body; body="$(curl -s "${@:2}")"; grep -q -- "$1" <<<"$body"; }
hasi() { local body; body="$(curl -s "${@:2}")"; grep -qi -- "$1" <<<"$body"; }

if ! command -v promtool >/dev/null; then
  echo "installing Debian's prometheus package for promtool" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } ||
    fail "cannot install prometheus (promtool)"
fi

id="uihttp_$$_$RANDOM"
T="$id"
ui_topic "$T" 1
ui_topic "$T.dlq" 1
"$KAFKA" users "$BROKERS" "$T" 10 || fail "produce"
"$KAFKA" dlq "$BROKERS" "$T.dlq" bad_uuid 3 || fail "produce dlq"
"$KAFKA" dlq "$BROKERS" "$T.dlq" malformed_json 2 || fail "produce dlq"
"$KAFKA" commit "$BROKERS" "$id-group" "$T" 0 4 || fail "commit"
UI_GROUPS+=("$id-group")

ui_start main --topic "$T" --dlq "$T.dlq" --group "$id-group"
U="$UI_URL"

# --- the page and its assets
[ "$(ui_status "$U/")" = 200 ] || fail "GET / is not 200"
has '<script src="/app.js"' "$U/" || fail "index.html does not load app.js"
hdrs="$(curl -s -D - -o /dev/null "$U/app.js")"
grep -qi '^content-type: text/javascript' <<<"$hdrs" || fail "app.js content type: $hdrs"
grep -qi "^content-security-policy: .*script-src 'self'" <<<"$hdrs" || fail "no CSP on app.js"
etag="$(sed -n 's/^[Ee][Tt][Aa][Gg]: \(.*\)\r$/\1/p' <<<"$hdrs")"
[ "$(ui_status -H "If-None-Match: $etag" "$U/app.js")" = 304 ] || fail "ETag revalidation is not 304"
ok "page, assets, CSP, ETag"

# --- errors
[ "$(ui_status "$U/nope")" = 404 ] || fail "unknown path is not 404"
[ "$(ui_status "$U/api/tail?topic=missing_$id")" = 404 ] || fail "missing topic is not 404"
[ "$(ui_status "$U/api/tail")" = 400 ] || fail "tail without topic is not 400"
[ "$(ui_status "$U/api/tail?topic=$T&from=soon")" = 400 ] || fail "bad from= is not 400"
# A name over 512 bytes used to crash the server (SIGSEGV in librdkafka, issue #34): now a
# 400 naming Kafka's rule, for that and every other name Kafka would refuse.
long="$(printf 'a%.0s' $(seq 513))"
has 'longer than 249' "$U/api/tail?topic=$long" || fail "a 513-byte topic is not refused by name"
for bad in "$long" "$(printf 'a%.0s' $(seq 250))" '..' 'a%20b' 'a%2Fb' '%00' '%C3%A9'; do
  [ "$(ui_status "$U/api/tail?topic=$bad")" = 400 ] || fail "topic '${bad:0:20}' is not 400"
done
kill -0 "$UI_PID" || fail "the dashboard died on a bad topic name"
[ "$(ui_status -X POST -d x=1 "$U/")" = 405 ] || fail "POST / is not 405"
[ "$(ui_status -X DELETE "$U/api/health")" = 405 ] || fail "DELETE is not 405"
hasi '^allow: GET, HEAD' -D - -o /dev/null -X PUT "$U/metrics" || fail "405 without Allow"
[ "$(ui_status -I "$U/api/health")" = 200 ] || fail "HEAD is not 200"
ok "404 / 400 (bad topic names too) / 405 / HEAD"

# --- SSE from the beginning, then resume from the 5th event's id
ui_sse "$UI_TMP/all.sse" 4 "$U/api/tail?topic=$T&from=beginning"
grep -q '^retry: ' "$UI_TMP/all.sse" || fail "no retry: field"
n="$(sse_field "$UI_TMP/all.sse" message data | wc -l)"
[ "$n" = 10 ] || fail "from=beginning gave $n records, want 10"
json_ok "$(sse_field "$UI_TMP/all.sse" progress data)" 'any(x["scanned"] == 10 for x in ds)' ||
  fail "no progress event with scanned = 10"
json_ok "$(sse_field "$UI_TMP/all.sse" stats data)" 'any("services" in x and x["mappings"]["rows"] == [] for x in ds)' ||
  fail "no stats event with services and the (empty) Mappings panel"
fifth="$(sse_field "$UI_TMP/all.sse" message id | sed -n 5p)"
[ "$fifth" = "0:5" ] || fail "5th event id is '$fifth', want 0:5"
ui_sse "$UI_TMP/resume.sse" 4 -H "Last-Event-ID: $fifth" "$U/api/tail?topic=$T&from=beginning"
offsets="$(json_eval "$(sse_field "$UI_TMP/resume.sse" message data)" '" ".join(str(x["offset"]) for x in ds)')" ||
  fail "resume from $fifth: the message events are not JSON"
[ "$offsets" = "5 6 7 8 9" ] || fail "resume from $fifth gave offsets '$offsets', want 5..9"
ok "SSE resume from Last-Event-ID $fifth: offsets $offsets"

# --- start from an offset, the last N, a time; filter on the server
ui_sse "$UI_TMP/off.sse" 3 "$U/api/tail?topic=$T&from=7"
[ "$(sse_field "$UI_TMP/off.sse" message data | wc -l)" = 3 ] || fail "from=7 did not give 3 records"
ui_sse "$UI_TMP/last.sse" 3 "$U/api/tail?topic=$T&from=-2"
[ "$(sse_field "$UI_TMP/last.sse" message data | wc -l)" = 2 ] || fail "from=-2 did not give 2 records"
ui_sse "$UI_TMP/time.sse" 3 "$U/api/tail?topic=$T&from=@2000-01-01T00:00:00Z"
[ "$(sse_field "$UI_TMP/time.sse" message data | wc -l)" = 10 ] || fail "from=@2000 did not give all"
ui_sse "$UI_TMP/future.sse" 3 "$U/api/tail?topic=$T&from=@2100-01-01T00:00:00Z"
[ "$(sse_field "$UI_TMP/future.sse" message data | wc -l)" = 0 ] || fail "from=@2100 gave records"
ui_sse "$UI_TMP/q.sse" 3 "$U/api/tail?topic=$T&from=beginning&q=USER7%40EXAMPLE"
got="$(sse_field "$UI_TMP/q.sse" message data)"
json_ok "$got" 'len(ds) == 1 and json.loads(d["value"])["email"] == "user7@example.com"' ||
  fail "filter q= gave: $got"
json_ok "$(sse_field "$UI_TMP/q.sse" progress data)" 'd["scanned"] == 10 and d["matched"] == 1' ||
  fail "filter progress: $(sse_field "$UI_TMP/q.sse" progress data | tail -1)"
ok "from offset / -N / @time, server-side filter"

# --- many live browsers share one consumer; live records arrive
live=()
for i in 1 2 3; do
  timeout 6 curl -sN "$U/api/tail?topic=$T" >"$UI_TMP/live$i.sse" 2>/dev/null &
  live+=($!)
done
sleep 1.5
"$KAFKA" users "$BROKERS" "$T" 5 || fail "produce live"
sleep 1
m="$(curl -s "$U/metrics")"
grep -q '^userpipe_ui_sse_clients 3$' <<<"$m" || fail "3 live clients not counted: $(grep sse_clients <<<"$m")"
grep -q '^userpipe_ui_tail_feeds 1$' <<<"$m" || fail "live browsers do not share one feed: $(grep tail_feeds <<<"$m")"
wait "${live[@]}" || true
for i in 1 2 3; do
  c="$(sse_field "$UI_TMP/live$i.sse" message data | wc -l)"
  [ "$c" = 5 ] || fail "live browser $i got $c of 5 new records"
done
ok "3 live browsers, one shared consumer, 5 new records each"

# --- a browser that stops reading: its records are dropped and counted, others go on
python3 - "$U" "$T" >"$UI_TMP/stuck.log" 2>&1 <<'EOF' &
import socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(f"GET /api/tail?topic={sys.argv[2]} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
time.sleep(150)  # never reads (killed once the reader is done)
EOF
stuck=$!
sleep 1
# The reader reads until it has every record (or 120 s): on a busy machine 20,000 events
# take longer than the 2 s of producing, and a fixed short cut-off would fail a reader that
# is only slow. What is checked is that it gets all of them while the other is stuck.
timeout 120 curl -sN "$U/api/tail?topic=$T" >"$UI_TMP/reader.sse" 2>/dev/null &
reader=$!
sleep 1
"$KAFKA" users "$BROKERS" "$T" 20000 10000 || fail "produce 20,000 at 10,000/s"
sleep 3
dropped="$(curl -s "$U/metrics" | sed -n 's/^userpipe_ui_sse_dropped_events_total \(.*\)/\1/p')"
[ "${dropped%.*}" -gt 0 ] || fail "nothing dropped for a browser that does not read"
[ "$(ui_status --max-time 2 "$U/api/health")" = 200 ] || fail "server blocked by a stuck browser"
for _ in $(seq 1 100); do
  [ "$(sse_field "$UI_TMP/reader.sse" message data | wc -l)" -ge 20000 ] && break
  kill -0 "$reader" 2>/dev/null || break
  sleep 1
done
kill "$reader" 2>/dev/null || true
wait "$reader" || true
kill "$stuck" 2>/dev/null || true
got="$(sse_field "$UI_TMP/reader.sse" message data | wc -l)"
[ "$got" = 20000 ] || fail "a reading browser got $got of 20000 while another was stuck"
ok "stuck browser: $dropped events dropped for it; the reading one got $got of 20000"

# --- health: lag from committed offsets, DLQ counted by reason header
sleep 1
h="$(curl -s "$U/api/health")"
json_ok "$h" '[p["committed"] for p in d["partitions"]] == [4]' || fail "committed offset not shown: $h"
d="$(curl -s "$U/api/dlq")"
json_ok "$d" 'd["by_reason"] == {"bad_uuid": 3, "malformed_json": 2}' || fail "DLQ by reason: $d"
tp="$(curl -s "$U/api/topics")"
json_ok "$tp" '[t["partitions"] for t in d["topics"] if t["name"] == a[0]] == [1]' "$T" ||
  fail "topic not listed: $tp"
json_ok "$tp" '[t["retention_ms"] for t in d["topics"] if t["name"] == a[0]] == [604800000]' "$T" ||
  fail "retention not read: $tp"
ok "lag, DLQ by reason, topics with retention"

# --- every broker and Cassandra node with its state: a configured address nobody answers on is
# listed down, the live broker up and the active controller (the KRaft quorum's leader); two
# stream metrics URLs are summed, and none counted while one does not answer
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dead="$(free_port)"
cass="${USERPIPE_CASSANDRA:-127.0.0.1:9042}"
cass="${cass%%,*}"
printf 'cassandra\n' >"$UI_TMP/cassandra.pw"
chmod 600 "$UI_TMP/cassandra.pw"
mkdir -p "$UI_TMP/m1" "$UI_TMP/m2"
printf 'userpipe_stream_records_stored_total{table="users"} 5\n' >"$UI_TMP/m1/metrics"
printf 'userpipe_stream_records_stored_total{table="users"} 7\n' >"$UI_TMP/m2/metrics"
m1="$(free_port)"; m2="$(free_port)"
python3 -m http.server --bind 127.0.0.1 --directory "$UI_TMP/m1" "$m1" >/dev/null 2>&1 &
UI_PIDS+=($!)
python3 -m http.server --bind 127.0.0.1 --directory "$UI_TMP/m2" "$m2" >/dev/null 2>&1 &
m2_pid=$!
UI_PIDS+=("$m2_pid")
ui_start cluster --topic "$T" --dlq '' --group "$id-group" --brokers "$BROKERS,127.0.0.1:$dead" \
  --cassandra "$cass,127.0.0.1:$dead" --cassandra-user cassandra --cassandra-password-file "$UI_TMP/cassandra.pw" \
  --stream-metrics "http://127.0.0.1:$m1/metrics,http://127.0.0.1:$m2/metrics"
ready='(d["kafka"] or {}).get("controller_id") is not None and any(n["up"] for n in (d["cassandra"] or {"nodes": []})["nodes"])'
for _ in $(seq 1 60); do
  c="$(curl -s "$UI_URL/api/cluster")"
  json_ok "$c" "$ready" && break
  sleep 0.5
done
json_ok "$c" "$ready" || fail "no controller or no Cassandra node up after 30 s: $c"
k='d["kafka"]["brokers"]'
json_ok "$c" "len($k) == 2" || fail "want the live broker and the dead address: $c"
json_ok "$c" "[(b['address'], b['up'], b['controller'], b['bootstrap']) for b in $k if b['id'] is not None] == [(a[0], True, True, True)]" "${BROKERS%%,*}" ||
  fail "the live broker is not up and controller: $c"
json_ok "$c" "[(b['address'], b['up'], b['controller']) for b in $k if b['id'] is None] == [(a[0], False, False)]" "127.0.0.1:$dead" ||
  fail "the dead bootstrap address is not down: $c"
json_ok "$c" 'd["kafka"]["controller_source"].startswith("KRaft quorum leader")' || fail "controller source: $c"
n='d["cassandra"]["nodes"]'
json_ok "$c" "sorted((x['address'], x['up']) for x in $n) == sorted([(a[0], True), (a[1], False)])" "$cass" "127.0.0.1:$dead" ||
  fail "Cassandra nodes: $c"
json_ok "$c" "[x['dc'] for x in $n if x['up']] == ['datacenter1'] and d['cassandra']['up'] == 1 and d['cassandra']['known'] == 2" ||
  fail "Cassandra node details: $c"
h="$(curl -s "$UI_URL/api/health")"
json_ok "$h" 'd["cluster"]["kafka"]["controller_id"] is not None and d["rows_stored"] == 12 and d["services"]["stream"]["up"] is True' ||
  fail "health: cluster member or the two streams' sum: $h"
json_ok "$h" 'd["mappings"]["available"] is False and d["mappings"]["rows"] == []' ||
  fail "streams without userpipe_mapping_* series: the Mappings panel is not empty: $h"
kill "$m2_pid"
wait "$m2_pid" 2>/dev/null || true
sleep 2.5
json_ok "$(curl -s "$UI_URL/api/health")" 'd["rows_stored"] is None and d["services"]["stream"]["up"] is False and "1 of 2" in d["services"]["stream"]["detail"]' ||
  fail "one stream of two gone: $(curl -s "$UI_URL/api/health")"
ok "cluster view: broker up + controller, dead address down, Cassandra nodes up/down, 2 streams summed"

# --- the Mappings panel: a real `userpipe stream --mapping` run (tests/data/mapping/it_orders:
# one topic into two tables, a tombstone, 1 record that does not parse and 3 that do not map)
# beside a fixed page standing for a second stream process; the ui sums the two per topic ->
# table, and its rates move while records arrive.
MT="${id}_orders"
ks="uihttp_$$_$RANDOM"
ui_mapping_stream "$MT" "$ks" "$cass" "$id-mapping"
mkdir -p "$UI_TMP/m3"
printf '%s\n' 'userpipe_stream_records_stored_total 0' \
  "userpipe_mapping_rows_total{topic=\"$MT\",table=\"$ks.orders\",op=\"delete\"} 2" >"$UI_TMP/m3/metrics"
m3="$(free_port)"
python3 -m http.server --bind 127.0.0.1 --directory "$UI_TMP/m3" "$m3" >/dev/null 2>&1 &
UI_PIDS+=($!)
ui_start mappings --topic "$MT" --dlq "$MT.dlq" --group "$id-mapping" \
  --stream-metrics "$MAPPING_METRICS_URL,http://127.0.0.1:$m3/metrics"
# the panel lists the mapping's two tables of the one topic, by name
rows='[(r["topic"], r["table"]) for r in d["mappings"]["rows"]] == [(a[0], a[1] + ".orders"), (a[0], a[1] + ".totals")]'
for _ in $(seq 1 120); do
  h="$(curl -s "$UI_URL/api/health")"
  json_ok "$h" "$rows" "$MT" "$ks" 2>/dev/null && break # the first snapshot is {}
  kill -0 "$MAPPING_PID" 2>/dev/null || fail "the mapping stream exited: $(tail -3 "$UI_TMP/mapping-stream.log")"
  sleep 0.5
done
json_ok "$h" "$rows and all(r['records'] == 0 for r in d['mappings']['rows'])" "$MT" "$ks" ||
  fail "the Mappings panel does not list the mapping's two tables before any record: $h"
"$KAFKA" send "$BROKERS" "$MT" <"$USERPIPE_ROOT/tests/data/mapping/it_orders.jsonl" 2>/dev/null ||
  fail "cannot send it_orders.jsonl"
# Every figure the stream counts, summed with the fixed page's 2 deletes; the topic's records
# and parse rejects are on both rows. Records/s is above 0 in a snapshot while they arrive.
o='d["mappings"]["rows"][0]'
t='d["mappings"]["rows"][1]'
want="${o}['records'] == 10 and ${o}['inserts'] == 5 and ${o}['deletes'] == 3"
want+=" and ${o}['dlq'] == {'parse': 1, 'mapping': 3, 'write': 0}"
want+=" and ${o}['e2e_observations'] == 6 and ${o}['e2e_p99_seconds'] > 0"
want+=" and ${t}['records'] == 10 and ${t}['deletes'] == 1 and ${t}['dlq']['parse'] == 1"
want+=" and ${t}['e2e_observations'] == 6 and not d['mappings']['stale']"
moving=0
for _ in $(seq 1 240); do
  h="$(curl -s "$UI_URL/api/health")"
  json_ok "$h" "(${o}['records_per_second'] or 0) > 0 and (${o}['rows_per_second'] or 0) > 0" 2>/dev/null &&
    moving=1
  json_ok "$h" "$want" 2>/dev/null && break
  sleep 0.25
done
json_ok "$h" "$want" || fail "the Mappings panel's figures: $(json_eval "$h" 'd["mappings"]')"
[ "$moving" = 1 ] || fail "records/s and rows/s never above 0 while the records arrived"
ok "Mappings panel: 2 tables, records 10, deletes 1+2 summed over 2 pages, DLQ parse 1 / mapping 3, p99 $(json_eval "$h" "${o}['e2e_p99_seconds']") s"

# --- /metrics is valid Prometheus text
curl -s "$U/metrics" >"$UI_TMP/metrics.txt"
grep -q '^userpipe_ui_consumergroup_lag{group=' "$UI_TMP/metrics.txt" || fail "no lag metric"
promtool check metrics <"$UI_TMP/metrics.txt" || fail "promtool check metrics failed"
ok "/metrics passes promtool check metrics"

# --- a DLQ that does not exist is reported, not created
ui_start nodlq --topic "$T" --dlq "$id.nodlq" --group "$id-group"
sleep 2
json_ok "$(curl -s "$UI_URL/api/dlq")" '"does not exist" in (d["error"] or "")' ||
  fail "missing DLQ not reported: $(curl -s "$UI_URL/api/dlq")"
curl -s "$U/api/topics" >/dev/null
sleep 5.5 # the topic list refreshes every 5 s
json_ok "$(curl -s "$U/api/topics")" 'a[0] not in [t["name"] for t in d["topics"]]' "$id.nodlq" ||
  fail "the dashboard created the DLQ topic"
ok "missing DLQ reported, not auto-created"

# --- basic auth, and refusing to serve the network without it
printf 'alice:s3cret\n' >"$UI_TMP/auth"
chmod 644 "$UI_TMP/auth"
if "$USERPIPE_BIN" ui --listen 127.0.0.1:0 --auth-file "$UI_TMP/auth" >"$UI_TMP/loose.log" 2>&1; then
  fail "a group-readable auth file was accepted"
fi
grep -q 'chmod 600' "$UI_TMP/loose.log" || fail "loose auth file message: $(cat "$UI_TMP/loose.log")"
chmod 600 "$UI_TMP/auth"
ui_start auth --topic "$T" --auth-file "$UI_TMP/auth" --dlq ''
[ "$(ui_status "$UI_URL/api/health")" = 401 ] || fail "no credentials is not 401"
[ "$(ui_status -u alice:wrong "$UI_URL/api/health")" = 401 ] || fail "wrong password is not 401"
[ "$(ui_status -u alice:s3cret "$UI_URL/api/health")" = 200 ] || fail "right password is not 200"
hasi '^www-authenticate: basic' -D - -o /dev/null "$UI_URL/" || fail "no WWW-Authenticate"
set +e
"$USERPIPE_BIN" ui --listen 0.0.0.0:0 --cassandra '' >"$UI_TMP/open.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "an open --listen without --auth-file exited $rc, want 2"
grep -q -- '--auth-file' "$UI_TMP/open.log" || fail "open listen message: $(cat "$UI_TMP/open.log")"
ok "basic auth; loose auth file and open listen refused"

# --- graceful stop
kill -TERM "$UI_PID"
wait "$UI_PID" || fail "userpipe ui did not exit 0 on SIGTERM"
ok "SIGTERM exits 0"
echo "test_ui_http: all passed"
