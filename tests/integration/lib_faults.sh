# shellcheck shell=bash
# lib_faults.sh: the harness of the cluster's fault tests, tests/integration/test_cluster_fault_*.sh
# (issue #19; sourced, not run). Every test is the whole pipeline under steady load on the 3+3
# cluster (scripts/stack up --nodes 3), one fault injected mid-run and healed:
#
#   userpipe api ─► userpipe produce (idempotent, acks=all, FAULT_RATE users/s)
#     ─► topic RF 3, 6 partitions, min.insync.replicas 2 (the cluster's)
#     ─► two `userpipe stream` in one group, LOCAL_QUORUM ─► keyspace RF 3
#
#   fault_begin NAME      topic, keyspace, api, producer, both streams; returns once rows flow
#   fault_injected        the fault starts now (the stall is measured from here)
#   fault_healed          the fault is over now (heal_to_caught_up is measured from here)
#   fault_end             stops the producer FAULT_TAIL s after the heal, waits until the group
#                         has committed every partition's end, stops the streams, then checks
#                         and prints the figure line
#
# The checks, by an independent reader: the producer acknowledged D records (exit 0, nothing
# failed); the topic holds each of them exactly once and each is the user the API serves for
# that seed and page (produce_check.py, its own implementation of the record rules); the table
# read at CONSISTENCY ALL has rows = distinct ids = D, every column equal to its record
# (it_stream_check); the DLQ topic is empty. One line of figures:
#   fault=NAME records=D lost= duplicated= longest_stall_s= heal_to_caught_up_s= retries=
#   reprepares= reprepares_max=
# lost: acknowledged records missing from the topic or from the table; duplicated: records the
# topic holds more than once; longest_stall_s: the longest time from fault_injected on with no new
# row stored (the streams' progress lines every 200 ms: rows acknowledged by Cassandra);
# heal_to_caught_up_s: from fault_healed until the group's committed offsets reach the ends the
# partitions had at the heal; retries: the streams' write and DLQ retries (runs that ended).
# reprepares: PREPAREs the streams' CQL clients sent again (to a node coming up, or answering
# UNPREPARED), reprepares_max the most for one statement, node, stream run and reason.
# The test fails on anything lost or duplicated, on a stall over FAULT_MAX_STALL_S if set, and
# on a reprepares_max over FAULT_MAX_REPREPARES if set.
#
# A test adds its own figures (name=value) in FAULT_MORE_FIGURES; with USERPIPE_FAULT_FIGURES set
# (make test-cluster) the line is also appended to that file.
# Knobs (environment): FAULT_RATE (150 users/s), FAULT_BATCH (100 users a page), FAULT_LEAD
# (5 s of steady state before the fault), FAULT_TAIL (10 s of load after the heal),
# FAULT_COUNT (a fixed count of users, produced to the end instead of stopped by SIGTERM).
# A test that leaves a node down, paused or isolated gets it back at exit (faults_restore).
set -euo pipefail

STACK="$USERPIPE_ROOT/scripts/stack"
FAULT_NODES=3
# The cluster must be whole before a test starts (a failed test before may have left it not).
if ! "$STACK" --nodes "$FAULT_NODES" status >/dev/null 2>&1; then
  "$STACK" up --nodes "$FAULT_NODES" >&2 || { echo "the cluster did not come up" >&2; exit 1; }
fi
eval "$("$STACK" env --nodes "$FAULT_NODES")"
USERPIPE_TEST_BROKERS="$USERPIPE_BROKERS"
USERPIPE_TEST_CASSANDRA="$USERPIPE_CASSANDRA"
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_stream.sh"
# shellcheck source=tests/integration/lib_api.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_api.sh"
PRODUCE_CHECK="$USERPIPE_ROOT/tests/integration/produce_check.py"
# kafka_loss_evidence (lib_stream.sh) reads one broker's log: on the cluster, node 1's
KAFKA_SERVER_LOG="$USERPIPE_STATE_DIR/cluster/kafka-1/logs/server.log"

FAULT_RATE="${FAULT_RATE:-150}"
FAULT_BATCH="${FAULT_BATCH:-100}"
FAULT_LEAD="${FAULT_LEAD:-5}"
FAULT_TAIL="${FAULT_TAIL:-10}"
FAULT_MAX_STALL_S="${FAULT_MAX_STALL_S:-}"
# The bound of the faults that silence a Kafka broker: it is fenced after the cluster's
# broker.session.timeout.ms (6 s) and the pipeline resumes about 2 s later (docs/cluster.md,
# "Kafka failover"); a group that lost its session and rejoined took 12-49 s. 15 s fails
# that, not the noise of a loaded machine.
# shellcheck disable=SC2034 # read by the tests that source this file
FAULT_KAFKA_MAX_STALL_S=15
FAULT_MAX_REPREPARES="${FAULT_MAX_REPREPARES:-}"
STREAMS=()        # log names of every stream run, in order
declare -A SPID   # log name -> pid
declare -A KILLED # log names of the runs a test killed on purpose

now_ms() { date +%s%3N; }

# faults_restore: every node of both engines back: rules removed, SIGCONT, started if down.
faults_restore() {
  local e n
  for e in kafka cassandra; do
    for (( n = 1; n <= FAULT_NODES; n++ )); do
      "$STACK" heal "$e" "$n" >/dev/null 2>&1 || true
      "$STACK" resume "$e" "$n" >/dev/null 2>&1 || true
    done
  done
  "$STACK" --nodes "$FAULT_NODES" status >/dev/null 2>&1 || "$STACK" up --nodes "$FAULT_NODES" >&2 || true
}
faults_cleanup() {
  local rc=$?
  set +e # a failing step here must not skip stream_cleanup, which stops our processes
  faults_restore
  (exit "$rc") # stream_cleanup reads the test's status from $?
  stream_cleanup
}
trap faults_cleanup EXIT

# stack_node VERB ENGINE N: scripts/stack's per-node verb, logged.
stack_node() {
  log "scripts/stack $*"
  "$STACK" "$@" >>"$WORK/stack.log" 2>&1 || fail "scripts/stack $* failed: $(tail -n 3 "$WORK/stack.log" | tr '\n' ';')"
}

# kafka_leaders: "<partition> <leader> <isr> <end>" per partition of the topic.
kafka_leaders() { "$KT" leaders "$BROKERS" "$TOPIC"; }
# busiest_leader: the broker (= node number) leading the partition with the most records (asked
# again while a leader is being elected).
busiest_leader() {
  local i l=""
  for (( i = 0; i < 30; i++ )); do
    l="$(kafka_leaders 2>/dev/null | sort -k4,4n | awk '$2 > 0 { l = $2 } END { print l }')" || l=""
    [[ "$l" =~ ^[1-9]$ ]] && break
    sleep 1
  done
  [[ "$l" =~ ^[1-9]$ ]] || fail "no partition leader found: $(kafka_leaders 2>&1 | tr '\n' ';')"
  echo "$l"
}
# kafka_controller: the active controller (the KRaft quorum's leader).
kafka_controller() {
  "$STACK" kafka org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$BROKERS" \
    describe --status </dev/null 2>/dev/null | awk -F'\t| *: *' '/^LeaderId/ { print $2 }' || true
}
# group_coordinator: the node coordinating the streams' group (Kafka's group command).
group_coordinator() {
  "$STACK" kafka org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$BROKERS" \
    --describe --state --group "$GROUP" </dev/null 2>/dev/null |
    awk -v g="$GROUP" '$1 == g { gsub(/[()]/, "", $3); print $3 }' || true
}
# topic_ends: the sum of the partitions' end offsets (asked again while the metadata fails).
topic_ends() {
  local i out
  for (( i = 0; i < 30; i++ )); do
    out="$(kafka_leaders 2>/dev/null)" && [ "$(wc -l <<<"$out")" = 6 ] && break
    sleep 1
  done
  awk '{ s += $4 } END { print s + 0 }' <<<"$out"
}

# stream_start NAME: one group member at LOCAL_QUORUM on the RF 3 keyspace, progress every 200 ms
# (FAULT_STREAM_FLAGS: more flags, e.g. "-X debug=cgrp --log-level debug" to trace the group).
stream_start() {
  # shellcheck disable=SC2086 # FAULT_STREAM_FLAGS is a list of flags
  start_stream "$1" --consistency local_quorum --replication SimpleStrategy:3 --progress-interval 200ms ${FAULT_STREAM_FLAGS:-}
  SPID[$1]="$STREAM_PID"
  STREAMS+=("$1")
}

# produce_start NAME COUNT [SEED]: `userpipe produce` from the API into the topic, in the
# background (PRODUCER, its output in $WORK/NAME.out and .log); fault_end checks the last one.
# (FAULT_PRODUCE_FLAGS: more flags, e.g. "-X debug=broker,topic,metadata" to time a failover.)
produce_start() {
  SEED="${3:-fault-$FAULT-$RANDOM}"
  PRODUCE_NAME="$1"
  # shellcheck disable=SC2086 # FAULT_PRODUCE_FLAGS is a list of flags
  "$USERPIPE_BIN" produce --source "$API_URL" --topic "$TOPIC" --dlq "$DLQ" --count "$2" \
    --rate "$FAULT_RATE" --batch "$FAULT_BATCH" --seed "$SEED" --brokers "$BROKERS" \
    --partitions 6 --replication-factor 3 ${FAULT_PRODUCE_FLAGS:-} >"$WORK/$1.out" 2>"$WORK/$1.log" &
  PRODUCER=$!
  PIDS+=("$PRODUCER")
}

# fault_begin NAME: everything up and rows flowing (see the top).
fault_begin() {
  FAULT="$1"
  stream_setup "fault_$1" 6 3
  local i isr=""
  for (( i = 0; i < 60; i++ )); do
    isr="$(kafka_leaders 2>/dev/null | awk '$3 == 3 { n++ } END { print n + 0 }')" || isr=0
    [ "$isr" = 6 ] && break
    sleep 0.5
  done
  [ "$isr" = 6 ] || fail "topic $TOPIC: not 6 partitions with 3 in-sync replicas: $(kafka_leaders | tr '\n' ';')"
  # shellcheck disable=SC2119  # no flags needed here
  start_api
  # without FAULT_COUNT an upper bound: fault_end stops the producer with SIGTERM
  produce_start produce "${FAULT_COUNT:-$((FAULT_RATE * 3600))}"
  stream_start s1
  wait_consuming s1 120 # the first creates keyspace and table; the second finds them
  stream_start s2
  wait_consuming s2 120
  sleep "$FAULT_LEAD"
  log "steady state: $(grep -o 'consumed=[0-9]* stored=[0-9]*' "$WORK/s1.log" | tail -n1) (s1), $(grep -o 'consumed=[0-9]* stored=[0-9]*' "$WORK/s2.log" | tail -n1) (s2)"
}

fault_injected() {
  FAULT_MS="$(now_ms)"
  log "fault $FAULT: injected"
}

# caught_up_after TARGET: background; once the group's committed offsets add up to TARGET,
# writes the seconds since the heal to $WORK/caught_up.
caught_up_after() {
  local target="$1" sum
  while :; do
    sum="$("$KT" committed "$BROKERS" "$GROUP" "$TOPIC" 2>/dev/null | awk '$2 > 0 { s += $2 } END { print s + 0 }')" || sum=0
    if [ "$sum" -ge "$target" ]; then
      echo "$(( $(now_ms) - HEAL_MS ))" >"$WORK/caught_up"
      return 0
    fi
    sleep 0.5
  done
}

fault_healed() {
  HEAL_MS="$(now_ms)"
  local ends
  ends="$(topic_ends)"
  log "fault $FAULT: healed; partition ends add up to $ends"
  caught_up_after "$ends" &
  CATCHUP=$!
  PIDS+=("$CATCHUP")
}

# stream_stop NAME: SIGTERM, drained and exit 0.
stream_stop() {
  kill -TERM "${SPID[$1]}"
  wait_exit "${SPID[$1]}" 120
  [ "$EXIT_STATUS" = 0 ] || fail "stream $1 exited $EXIT_STATUS after SIGTERM"
}

# all_committed: the group's committed offset is the end of every partition.
all_committed() {
  "$KT" committed "$BROKERS" "$GROUP" "$TOPIC" 2>/dev/null |
    awk '{ n++ } $2 != $3 { bad = 1 } END { exit bad || n == 0 }'
}

# store_times: the times (epoch ms, sorted) at which a stream run's progress line showed more rows
# stored than its previous line ("<ISO time> INFO ...: consumed=.. stored=N ..." every 200 ms:
# rows acknowledged by Cassandra), over every stream run so far.
store_times() {
  local s logs=()
  for s in "${STREAMS[@]}"; do logs+=("$WORK/$s.log"); done
  python3 - "${logs[@]}" <<'EOF'
import datetime, re, sys
times = []
for path in sys.argv[1:]:
    prev = 0
    for line in open(path, errors="replace"):
        m = re.match(r"(\S+) .* stored=(\d+) ", line)
        if not m:
            continue
        n = int(m.group(2))
        if n > prev:
            times.append(datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp())
        prev = n
for t in sorted(times):
    print(int(t * 1000))
EOF
}

# reprepare_counts: "<count> <run> <node> <why>" per stream run, node, statement and reason: the
# PREPAREs its CQL client sent again (came-up: to a node coming up, before its traffic;
# unprepared: to a node that answered UNPREPARED, e.g. the first write a node sees), from the
# lines `cql: re-preparing on NODE (WHY): "STATEMENT"` (one per PREPARE sent).
reprepare_counts() {
  local s
  for s in "${STREAMS[@]}"; do
    sed -n 's/.*cql: re-preparing on \([^ ]*\) (\([^)]*\)): \(.*\)$/\1|\2|\3/p' "$WORK/$s.log" |
      sort | uniq -c | awk -v run="$s" '{ split(substr($0, index($0, $2)), f, "|")
        print $1, run, f[1], (f[2] ~ /came up/ ? "came-up" : "unprepared") }'
  done
}

# longest_stall MS_FROM: the longest time (s) from MS_FROM on with no new row stored.
longest_stall() {
  store_times | awk -v t="$1" '$1 >= t { if ($1 - t > m) m = $1 - t; t = $1 } END { printf "%.1f", m / 1000 }'
}

# wait_rows_after MS SECONDS: waits until a row is stored after MS (epoch ms); fails after SECONDS.
wait_rows_after() {
  local deadline=$((SECONDS + $2))
  until [ "$(store_times | awk -v t="$1" '$1 > t { n++ } END { print n + 0 }')" -gt 0 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no row stored within $2 s after $(date -d "@$(($1 / 1000))" +%T)"
    sleep 1
  done
}

# fault_end: stop the load, wait until caught up, stop the streams, check, print the figures.
fault_end() {
  local wait_s
  wait_s=$(( (HEAL_MS + FAULT_TAIL * 1000 - $(now_ms)) / 1000 ))
  [ "$wait_s" -gt 0 ] && sleep "$wait_s"
  if [ -z "${FAULT_COUNT:-}" ] && kill -0 "$PRODUCER" 2>/dev/null; then kill -TERM "$PRODUCER"; fi
  produce_finish "$PRODUCE_NAME" "$(( ${FAULT_COUNT:-0} > 0 ? 600 : 120 ))"
  produce_verify "$PRODUCE_NAME" "${PRODUCE_SINCE_MS:-}"
  local deadline=$((SECONDS + 180))
  until all_committed; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the group did not commit every partition's end within 180 s: $("$KT" committed "$BROKERS" "$GROUP" "$TOPIC" | tr '\n' ';')"
    sleep 0.5
  done
  deadline=$((SECONDS + 60))
  while [ ! -s "$WORK/caught_up" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  local s
  for s in "${STREAMS[@]}"; do
    [ -n "${KILLED[$s]:-}" ] && continue
    kill -0 "${SPID[$s]}" 2>/dev/null || fail "stream $s died: $(tail -n 3 "$WORK/$s.log" | tr '\n' ';')"
    stream_stop "$s"
  done
  fault_check
}

# produce_finish NAME SECONDS: the producer exited 0 with every record it was given acknowledged.
produce_finish() {
  wait_exit "$PRODUCER" "$2"
  [ "$EXIT_STATUS" = 0 ] || fail "produce exited $EXIT_STATUS: $(tail -n 3 "$WORK/$1.log" | tr '\n' ';') $(cat "$WORK/$1.out")"
  log "produce: $(cat "$WORK/$1.out")"
  local f
  for f in failed unconfirmed dead_lettered; do
    [ "$(summary_field "$WORK/$1.out" "$f")" = 0 ] || fail "produce: $f = $(summary_field "$WORK/$1.out" "$f")"
  done
  ACKED="$(summary_field "$WORK/$1.out" delivered)"
  [ "$ACKED" = "$(summary_field "$WORK/$1.out" produced)" ] || fail "produce: produced != delivered"
}

# produce_verify NAME [SINCE_MS]: the topic against the API's users (produce_check.py): TOPIC_LOST
# acknowledged records not on the topic, TOPIC_DUP records on it more than once; with SINCE_MS
# (a re-run of a killed producer), records stamped before it are the killed run's.
produce_verify() {
  local pages count msgs=() since=()
  pages="$(summary_field "$WORK/$1.out" pages)"
  if [ "$(summary_field "$WORK/$1.out" status)" = completed ]; then
    count="$ACKED"
  else # interrupted: the users of the pages fetched so far, plus those in the fetch queue
    count=$(( (pages + 8) * FAULT_BATCH ))
    msgs=(--messages "$ACKED")
  fi
  [ -n "${2:-}" ] && since=(--since-ms "$2")
  "$KT" dump "$BROKERS" "$TOPIC" 3000 >"$WORK/topic.dump" || fail "cannot read the topic back"
  set +e
  python3 "$PRODUCE_CHECK" verify --api "$API_URL" --seed "$SEED" --batch "$FAULT_BATCH" \
    --count "$count" --dump "$WORK/topic.dump" "${msgs[@]}" "${since[@]}" >"$WORK/topic.check" 2>"$WORK/topic.err"
  TOPIC_OK=$?
  set -e
  local distinct
  distinct="$(sed -n 's/^counts: .* distinct=\([0-9]*\) .*/\1/p' "$WORK/topic.check")"
  TOPIC_DUP="$(sed -n 's/^counts: .* duplicated=\([0-9]*\) .*/\1/p' "$WORK/topic.check")"
  [ -n "$distinct" ] || fail "produce_check gave no counts: $(tr '\n' ';' <"$WORK/topic.err")"
  TOPIC_LOST=$(( ACKED > distinct ? ACKED - distinct : 0 ))
  log "topic: $(head -n1 "$WORK/topic.check") (acknowledged $ACKED)"
}

# fault_check: the table at ALL, the DLQ, the figures; fails on loss, duplication, a long stall.
fault_check() {
  local rows_line missing rows distinct extra mismatched dlq stall caught retries=0 s prep prep_total prep_max
  set +e
  rows_line="$(IT_CONSISTENCY=all "$CHECK" rows "$BROKERS" "$TOPIC" "$CASSANDRA" "$KS" users 2>"$WORK/rows.err")"
  set -e
  log "table at ALL: $rows_line"
  missing="$(sed -n 's/.* missing=\([0-9]*\) .*/\1/p' <<<"$rows_line")"
  rows="$(sed -n 's/.* rows=\([0-9]*\) .*/\1/p' <<<"$rows_line")"
  distinct="$(sed -n 's/.* distinct=\([0-9]*\) .*/\1/p' <<<"$rows_line")"
  extra="$(sed -n 's/.* extra=\([0-9]*\) .*/\1/p' <<<"$rows_line")"
  mismatched="$(sed -n 's/.* mismatched=\([0-9]*\).*/\1/p' <<<"$rows_line")"
  [ -n "$missing" ] || fail "the table could not be read at ALL: $(tr '\n' ';' <"$WORK/rows.err")"
  dlq="$("$KT" dump "$BROKERS" "$DLQ" 1000 2>/dev/null | wc -l)" || dlq=0
  stall="$(longest_stall "$FAULT_MS")"
  caught="$(awk '{ printf "%.1f", $1 / 1000 }' "$WORK/caught_up" 2>/dev/null)"
  for s in "${STREAMS[@]}"; do
    [ -s "$WORK/$s.out" ] || continue
    retries=$((retries + $(summary_field "$WORK/$s.out" write_retries) + $(summary_field "$WORK/$s.out" dlq_retries)))
  done
  LOST=$((TOPIC_LOST + missing))
  prep="$(reprepare_counts)"
  prep_total="$(awk '{ n += $1 } END { print n + 0 }' <<<"$prep")"
  prep_max="$(awk '$1 > m { m = $1 } END { print m + 0 }' <<<"$prep")"
  [ -z "$prep" ] || log "re-prepares (count, stream run, node, why): $(tr '\n' ';' <<<"$prep")"
  local figures="fault=$FAULT records=$ACKED lost=$LOST duplicated=$TOPIC_DUP longest_stall_s=$stall heal_to_caught_up_s=${caught:-none} retries=$retries reprepares=$prep_total reprepares_max=$prep_max${FAULT_MORE_FIGURES:+ $FAULT_MORE_FIGURES}"
  echo "$figures"
  # make test-cluster prints every test's line as one table at the end (fault_table.sh)
  [ -z "${USERPIPE_FAULT_FIGURES:-}" ] || echo "$figures" >>"$USERPIPE_FAULT_FIGURES"
  [ "$LOST" = 0 ] || fail "$LOST acknowledged records lost: $(tr '\n' ';' <"$WORK/topic.err") $(tr '\n' ';' <"$WORK/rows.err")"
  [ "$TOPIC_DUP" = 0 ] || fail "$TOPIC_DUP records duplicated in the topic: $(tr '\n' ';' <"$WORK/topic.err")"
  [ "$TOPIC_OK" = 0 ] || fail "the topic is not the acknowledged users: $(tr '\n' ';' <"$WORK/topic.err")"
  { [ "$rows" = "$ACKED" ] && [ "$distinct" = "$ACKED" ]; } ||
    fail "rows=$rows distinct ids=$distinct, acknowledged $ACKED"
  { [ "$extra" = 0 ] && [ "$mismatched" = 0 ]; } || fail "table: $rows_line $(tr '\n' ';' <"$WORK/rows.err")"
  [ "$dlq" = 0 ] || fail "$dlq records in the DLQ $DLQ"
  [ -s "$WORK/caught_up" ] || fail "never caught up with the ends at the heal"
  if [ -n "$FAULT_MAX_STALL_S" ]; then
    awk -v s="$stall" -v m="$FAULT_MAX_STALL_S" 'BEGIN { exit !(s <= m) }' ||
      fail "longest stall ${stall}s > ${FAULT_MAX_STALL_S}s"
  fi
  if [ -n "$FAULT_MAX_REPREPARES" ] && [ "$prep_max" -gt "$FAULT_MAX_REPREPARES" ]; then
    fail "$prep_max PREPAREs of one statement sent again to one node for one reason by one stream run (at most $FAULT_MAX_REPREPARES)"
  fi
  log "PASS"
}
