# shellcheck shell=bash
# lib_stream.sh: shared setup for tests/integration/test_stream_*.sh (sourced, not run).
# Every test gets its own topic, DLQ topic, consumer group and keyspace (name + time +
# random suffix) on the shared stack, and removes them on exit, whatever happened.
# Helpers: it_kafka (topics, records, committed offsets, dumps), it_stream_check (reads
# Cassandra back with our CQL client), it_tcp_proxy (start_proxy in lib_checks.sh: cuts a TCP
# path).
set -euo pipefail
# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

: "${USERPIPE_BIN:?USERPIPE_BIN must name the userpipe binary}"
: "${USERPIPE_ROOT:?USERPIPE_ROOT must name the repository}"
: "${USERPIPE_BUILD:?USERPIPE_BUILD must name the build directory}"

BROKERS="${USERPIPE_TEST_BROKERS:-127.0.0.1:9092}"
CASSANDRA="${USERPIPE_TEST_CASSANDRA:-127.0.0.1:9042}"
KT="$USERPIPE_BUILD/it_kafka"
CHECK="$USERPIPE_BUILD/it_stream_check"
# The shared broker's log, named before a test points USERPIPE_STATE_DIR at a private node.
KAFKA_SERVER_LOG="${USERPIPE_STATE_DIR:-$USERPIPE_ROOT/.stack}/kafka/logs/server.log"
WORK="$(mktemp -d)"
PIDS=()


# stream_setup NAME [PARTITIONS [RF]]: names for this test, the topic (RF 1 unless given), a
# password file.
stream_setup() {
  local suffix
  suffix="$(date +%s)_$RANDOM"
  TOPIC="it_$1_$suffix"
  DLQ="$TOPIC.dlq"
  GROUP="it-$1-$suffix"
  KS="it_$1_$suffix"
  KAFKA_LOG_LINES="$(wc -l <"$KAFKA_SERVER_LOG" 2>/dev/null || echo 0)"
  printf 'cassandra\n' >"$WORK/pw"
  chmod 600 "$WORK/pw"
  "$KT" create "$BROKERS" "$TOPIC" "${2:-6}" "${3:-1}"
  log "topic $TOPIC, group $GROUP, keyspace $KS"
}

stream_cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ -n "${TOPIC:-}" ]; then
    "$KT" delete "$BROKERS" "$TOPIC" "$DLQ" >/dev/null 2>&1 || true
    "$CHECK" exec "$CASSANDRA" "DROP KEYSPACE IF EXISTS \"$KS\"" >/dev/null 2>&1 || true
  fi
  if [ "$rc" != 0 ] && [ -d "$WORK" ]; then show_logs "$WORK" 25; fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
  exit "$rc"
}
trap stream_cleanup EXIT

# start_producer N RATE: the test's N records at RATE/s in the background (PRODUCER), with
# librdkafka's idempotence, topic and metadata events in $WORK/producer.log, so a topic that
# ends short can be traced to the client or the broker (see kafka_loss_evidence).
start_producer() {
  IT_KAFKA_DEBUG="${IT_KAFKA_DEBUG:-eos,topic,metadata}" \
    "$KT" produce "$BROKERS" "$TOPIC" "$TOPIC" 0 "$1" "$2" >"$WORK/producer.log" 2>&1 &
  PRODUCER=$!
  PIDS+=("$PRODUCER")
}

# wait_producer: the background producer of start_producer exits 0: every record it sent was
# acknowledged with an offset; otherwise the failure carries the evidence line.
wait_producer() {
  wait "$PRODUCER" || fail "the producer did not have every record acknowledged: $(kafka_loss_evidence)"
}

# kafka_loss_evidence: one line on where records the producer had sent went missing: per
# partition, acknowledged count and last offset against the partition's end; the producer's
# warnings (a report without an offset is one) and librdkafka's idempotence events
# other than getting its first PID (epoch bumps, drains, duplicate sequences, partitions
# removed); the shared broker's warnings, fencing and truncation lines since stream_setup.
kafka_loss_evidence() {
  local acked="" ends="" events="" broker=""
  if [ -f "$WORK/producer.log" ]; then
    acked="$(sed -n 's/.*partition \([0-9]*\): \([0-9]*\) acknowledged, last offset \(-\?[0-9]*\), \([0-9]*\) at an offset acknowledged before/p\1 acked=\2 last=\3 offset_again=\4/p' "$WORK/producer.log" | tr '\n' ';')" || true
    # from one second after the first PID to the start of the teardown: the rest is routine
    events="$(awk '{ split(substr($1, 12, 12), t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3] }
                   /-> Assigned/ && !t0 { t0 = s } /Terminating instance/ { exit }
                   / (warn|error) |without an offset/ || (t0 && s > t0 + 1)' "$WORK/producer.log" |
      grep -E ' (warn|error) |without an offset|librdkafka (DRAIN|BUMP|EPOCH|DUPSEQ|IMPLICITACK|PARTCNT|TOPPARREMOVE|RESETSEQ|ERRSEQ): ' |
      cut -c1-200 | head -n 12 | tr '\n' ';')" || true
  fi
  ends="$("$KT" committed "$BROKERS" "$GROUP" "$TOPIC" 2>/dev/null | awk '{ printf "p%s end=%s;", $1, $3 }')" || true
  if [ -f "$KAFKA_SERVER_LOG" ]; then
    broker="$(tail -n "+$((${KAFKA_LOG_LINES:-0} + 1))" "$KAFKA_SERVER_LOG" |
      grep -E "WARN|ERROR|fenced|[Tt]runcat" | grep -v -i -E "replayed|unfenced" |
      tail -n 8 | cut -c1-220 | tr '\n' ';')" || true
  fi
  printf 'producer: %s ends: %s librdkafka: %s broker: %s' "${acked:-none logged}" "${ends:-?}" \
    "${events:-nothing unusual}" "${broker:-nothing}"
}

# stream_args CASSANDRA: the flags every test passes to `userpipe stream`.
stream_args() {
  echo --brokers "$BROKERS" --topic "$TOPIC" --group "$GROUP" --dlq "$DLQ" \
    --cassandra "$1" --cassandra-user cassandra --cassandra-password-file "$WORK/pw" \
    --keyspace "$KS" --progress-interval 2s
}

# start_stream LOGNAME [FLAGS..]: runs `userpipe stream` in the background; sets STREAM_PID.
# stdout (the summary) goes to $WORK/LOGNAME.out, stderr to $WORK/LOGNAME.log.
start_stream() {
  local name="$1"
  shift
  # shellcheck disable=SC2046
  "$USERPIPE_BIN" stream $(stream_args "$CASSANDRA") "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  STREAM_PID=$!
  PIDS+=("$STREAM_PID")
}

# wait_exit PID SECONDS: waits for PID to exit; its status in EXIT_STATUS; fails on timeout.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "process $pid still running after $2 s"
    sleep 0.2
  done
  set +e
  wait "$pid"
  EXIT_STATUS=$?
  set -e
}

# wait_consuming LOGNAME SECONDS: waits until that run's progress line shows consumed > 0.
wait_consuming() {
  local deadline=$((SECONDS + $2))
  until grep -q 'consumed=[1-9]' "$WORK/$1.log" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$1 consumed nothing within $2 s"
    sleep 0.2
  done
}

# summary_field FILE NAME: a number from the stream's JSON summary line.
summary_field() {
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])[sys.argv[2]])' "$1" "$2"
}

# check_rows: every valid record of the topic is one row, column for column (our client).
check_rows() {
  local out
  out="$("$CHECK" rows "$BROKERS" "$TOPIC" "$CASSANDRA" "$KS" users)" || fail "rows differ: $out"
  log "check: $out"
  ROWS_LINE="$out"
}

# expect_topic N: the topic holds each of the N records the producer was told are delivered
# exactly once (it_kafka audit reads every partition back). A record missing or held
# twice is Kafka's or the producer's doing, not the stream's (a stream cannot add or remove
# records): the failure says so, with the partition ends against the acknowledged offsets.
expect_topic() {
  local out
  if out="$("$KT" audit "$BROKERS" "$TOPIC" "$TOPIC" 0 "$1" 2>"$WORK/audit.err")"; then
    log "topic: $out"
    return 0
  fi
  fail "the topic does not hold each of the $1 records produced exactly once: $out $(tr '\n' ';' <"$WORK/audit.err"); $(kafka_loss_evidence)"
}

# expect_stored N: every one of the N records is one row, column for column (check_rows).
expect_stored() {
  check_rows
  grep -q "distinct=$1 rows=$1 missing=0 extra=0" <<<"$ROWS_LINE" || fail "rows: $ROWS_LINE"
}

# run_verify NAME [FLAGS..]: `userpipe verify --json` of the test's topic (VERIFY_TOPIC when
# set) against its keyspace (the users table unless FLAGS say otherwise, e.g. --mapping FILE):
# the report in
# $WORK/NAME.json, the log in $WORK/NAME.log, the exit status in VERIFY_STATUS.
run_verify() {
  local name="$1"
  shift
  set +e
  "$USERPIPE_BIN" verify --brokers "$BROKERS" --topic "${VERIFY_TOPIC:-$TOPIC}" --keyspace "$KS" \
    --cassandra "$CASSANDRA" --cassandra-user cassandra --cassandra-password-file "$WORK/pw" \
    --cassandra-connect-timeout 30s --progress-interval 2s --json "$@" \
    >"$WORK/$name.json" 2>"$WORK/$name.log"
  VERIFY_STATUS=$?
  set -e
}

# verify_field NAME PATH: a value of that report, PATH dotted ("total.missing"); a list's
# length for "samples.<kind>".
verify_field() {
  python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for p in sys.argv[2].split("."):
    v = v[p]
print(len(v) if isinstance(v, list) else v)' "$WORK/$1.json" "$2"
}

# expect_verified N [FLAGS..]: the per-key oracle. userpipe verify reads the topic back and
# finds each of the N keys' rows, none missing, stale or unexpected, and exits 0 (a count of
# rows could hide one missing row behind one extra; this cannot).
expect_verified() {
  local n="$1"
  shift
  run_verify verify "$@"
  local total
  total="$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["total"]))' \
    "$WORK/verify.json" 2>/dev/null)" || total="(no report: $(tail -n 3 "$WORK/verify.log" | tr '\n' ';'))"
  [ "$VERIFY_STATUS" = 0 ] || fail "verify exited $VERIFY_STATUS: $total"
  [ "$(verify_field verify total.keys)" = "$n" ] || fail "verify: not $n keys: $total"
  [ "$(verify_field verify total.present)" = "$n" ] || fail "verify: not $n rows present: $total"
  log "verify: $total"
}

# expect_rows N: the topic holds the N records once each, and each is one row.
expect_rows() {
  expect_topic "$1"
  expect_stored "$1"
}

# check_committed: the group's committed offset is at the end of every partition.
check_committed() {
  local out
  out="$("$KT" committed "$BROKERS" "$GROUP" "$TOPIC")"
  if ! awk '$2 != $3 { bad = 1 } END { exit bad }' <<<"$out"; then
    fail "committed offsets are not at the end: $(tr '\n' ';' <<<"$out")"
  fi
}

# expect_outage_survived N: after a Cassandra outage the stream exits 0 when idle, having paused,
# retried and logged its recovery, and every one of the N records is one row; offsets at the end.
expect_outage_survived() {
  wait_exit "$STREAM_PID" 300
  [ "$EXIT_STATUS" = 0 ] || fail "stream exited $EXIT_STATUS"
  grep -q "paused" "$WORK/stream.log" || fail "consumption never paused during the outage"
  grep -q "succeeded again" "$WORK/stream.log" || fail "no recovery logged"
  local retries
  retries="$(summary_field "$WORK/stream.out" write_retries)"
  [ "$retries" -gt 0 ] || fail "no write was retried"
  log "stream: $(tail -n1 "$WORK/stream.out")"
  expect_rows "$1"
  expect_verified "$1"
  check_committed
}
