#!/usr/bin/env bash
# tests/stress/kafka_delivery.sh: does every record the producer was told is delivered sit in
# the log exactly once? The conditions of the integration tests that lost or doubled records
# (docs/kafka-delivery.md), made dense: fresh topics produced to at once, several producers at a
# time, consumer-group members joining and leaving, other topics created and deleted, and the
# machine's cores kept busy. Every topic is read back to its end and audited (it_kafka
# audit): missing and duplicated records, and the reports librdkafka gave without an offset.
#
#   tests/stress/kafka_delivery.sh [--records N] [--per-topic M] [--rate R] [--parallel P]
#                                  [--partitions K] [--props "k=v ..."] [--no-churn]
#                                  [--capture FILE] [--keep DIR]
#     --records N     records in all (default 1000000), in topics of M (default 50000)
#     --rate R        records/s per producer (default 0: as fast as it can)
#     --parallel P    producers at once, each on its own fresh topic (default 2)
#     --partitions K  partitions per topic (default 6)
#     --props "k=v"   librdkafka properties on top of userpipe's producer defaults
#     --no-churn      no group members, topic churn or busy loops beside the producers
#     --capture FILE  the broker port's traffic into a pcap (dumpcap; read it with tshark -d
#                     tcp.port==PORT,kafka)
#     --keep DIR      keep every producer's librdkafka log (debug=eos,msg,broker) there
# Needs a running broker (scripts/stack up; USERPIPE_TEST_BROKERS, default 127.0.0.1:9092) and
# the release build (USERPIPE_BUILD, default build/). Last line:
#   stress: topics=T records=N acknowledged=A without_offset=W in_log=L missing=M duplicated=D
# Exit 0 only when every record is in the log once, 1 otherwise, 2 on a usage error.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="${USERPIPE_BUILD:-$root/build}"
BROKERS="${USERPIPE_TEST_BROKERS:-127.0.0.1:9092}"
KT="$BUILD/it_kafka"

records=1000000 per_topic=50000 rate=0 parallel=2 partitions=6 props="" churn=1 capture="" keep=""
usage() { sed -n '9,21p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --per-topic) per_topic="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --parallel) parallel="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --props) props="$2"; shift 2 ;;
    --no-churn) churn=0; shift ;;
    --capture) capture="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "kafka_delivery: unknown argument '$1'" >&2; usage ;;
  esac
done
for n in "$records" "$per_topic" "$parallel"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "kafka_delivery: '$n' is not a positive number" >&2; exit 2; }
done
[ -x "$KT" ] || { echo "kafka_delivery: $KT is missing: run scripts/build release" >&2; exit 2; }
if [ -n "$capture" ] && ! command -v dumpcap >/dev/null; then
  echo "kafka_delivery: --capture needs dumpcap (apt-get install tshark)" >&2; exit 2
fi

WORK="$(mktemp -d)"
RUN="stress_$(date +%s)_$RANDOM"
BG=()
cleanup() {
  local rc=$?
  for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$KT" delete "$BROKERS" "$RUN.churn" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------- the churn
# A busy loop per core, a group whose members come and go on a topic that is being written,
# and other topics created and deleted, all until the run ends.
start_churn() {
  local cores i
  cores="$(nproc)"
  for ((i = 0; i < cores; i++)); do
    bash -c 'while :; do :; done' &
    BG+=($!)
  done
  "$KT" create "$BROKERS" "$RUN.churn" 6 >/dev/null
  (while :; do "$KT" produce "$BROKERS" "$RUN.churn" churn 0 2000 2000 >/dev/null 2>&1 || true; done) &
  BG+=($!)
  (while :; do
     "$KT" join "$BROKERS" "$RUN-group" "$RUN.churn" 3000 >/dev/null 2>&1 &
     "$KT" join "$BROKERS" "$RUN-group" "$RUN.churn" 1500 >/dev/null 2>&1 || true
     wait
   done) &
  BG+=($!)
  (i=0; while :; do
     i=$((i + 1))
     "$KT" create "$BROKERS" "$RUN.other$i" 3 >/dev/null 2>&1 || true
     sleep 0.5
     "$KT" delete "$BROKERS" "$RUN.other$i" >/dev/null 2>&1 || true
   done) &
  BG+=($!)
}

# ------------------------------------------------------------------------------ one topic
# produce_and_audit N: a fresh topic, M records produced at once, read back; one result line
# "N acknowledged without_offset in_log missing duplicated" in $WORK/N.result.
produce_and_audit() {
  local n="$1" topic="$RUN.t$1" log="$WORK/$1.log" acked without audit
  "$KT" create "$BROKERS" "$topic" "$partitions" >/dev/null
  IT_KAFKA_DEBUG="eos,msg,broker" IT_KAFKA_PROPS="$props" \
    "$KT" produce "$BROKERS" "$topic" "$RUN" 0 "$per_topic" "$rate" >"$log" 2>&1 || true
  acked="$(sed -n 's/.*partition [0-9]*: \([0-9]*\) acknowledged.*/\1/p' "$log" | paste -sd+ | bc)"
  without="$(sed -n 's/.*: \([0-9]*\) reported delivered without an offset.*/\1/p' "$log")"
  audit="$("$KT" audit "$BROKERS" "$topic" "$RUN" 0 "$per_topic" 2>>"$log" || true)"
  echo "$n ${acked:-0} ${without:-0} $(sed -E 's/.*distinct=([0-9]+) missing=([0-9]+) duplicated=([0-9]+).*/\1 \2 \3/' <<<"$audit")" \
    >"$WORK/$n.result"
  [ -z "$keep" ] || cp "$log" "$keep/$topic.log"
  "$KT" delete "$BROKERS" "$topic" >/dev/null 2>&1 || true
}

[ -z "$keep" ] || mkdir -p "$keep"
if [ -n "$capture" ]; then
  dumpcap -q -i lo -f "tcp port ${BROKERS##*:}" -w "$capture" >/dev/null 2>&1 &
  BG+=($!)
  sleep 2
fi
topics=$(((records + per_topic - 1) / per_topic))
say "run $RUN: $topics topics of $per_topic records in $partitions partitions, $parallel at a time, rate ${rate}/s, churn $churn, props '${props:-defaults}'"
[ "$churn" = 0 ] || start_churn
t0=$SECONDS
for ((t = 1; t <= topics; t += parallel)); do
  wave=()
  for ((k = t; k < t + parallel && k <= topics; k++)); do
    produce_and_audit "$k" &
    wave+=($!)
  done
  wait "${wave[@]}"
  for ((k = t; k < t + parallel && k <= topics; k++)); do
    read -r _ a w d m x <"$WORK/$k.result"
    say "topic $k: acknowledged=$a without_offset=$w in_log=$d missing=$m duplicated=$x"
    if [ "$m" != 0 ] || [ "$x" != 0 ] || [ "$w" != 0 ]; then
      grep -E 'IMPLICITACK|DUPSEQ|without an offset|audit:' "$WORK/$k.log" | head -n 8 >&2 || true
    fi
  done
done
cat "$WORK"/*.result | awk -v t="$topics" -v r=$((topics * per_topic)) -v s=$((SECONDS - t0)) '
  { a += $2; w += $3; d += $4; m += $5; x += $6 }
  END { printf "stress: topics=%d records=%d acknowledged=%d without_offset=%d in_log=%d missing=%d duplicated=%d seconds=%d\n",
               t, r, a, w, d, m, x, s
        exit (m || x || d != r) ? 1 : 0 }'
