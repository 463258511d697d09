#!/usr/bin/env bash
# kill -9 of `userpipe stream` at three random moments under load, restarted each time, then
# SIGTERM once (must drain, commit and exit 0): afterwards no id is missing and none is
# doubled (one row per id), every column is right, and offsets are committed to the end.
# The oracle is Kafka Connect's bounce test: every acknowledged record must be in the sink.
source "$(dirname "$0")/lib_stream.sh"
N=60000
RATE=3000
stream_setup kill9 6

"$KT" produce "$BROKERS" "$TOPIC" "$TOPIC" 0 "$N" "$RATE" >"$WORK/producer.log" 2>&1 &
PRODUCER=$!
PIDS+=("$PRODUCER")

run=0
for kill_no in 1 2 3; do
  run=$((run + 1))
  start_stream "run$run" --in-flight 256
  pause="$(awk -v r="$RANDOM" 'BEGIN { printf "%.1f", 2 + (r % 40) / 10 }')" # 2.0-5.9 s
  sleep "$pause"
  kill -0 "$STREAM_PID" || fail "stream died before kill $kill_no"
  log "kill -9 #$kill_no after ${pause}s ($(grep -c 'consumed=' "$WORK/run$run.log" || true) progress lines)"
  kill -9 "$STREAM_PID"
  wait "$STREAM_PID" 2>/dev/null || true
done

run=$((run + 1))
start_stream "run$run"
sleep 3
log "SIGTERM while records are still arriving"
kill -TERM "$STREAM_PID"
wait_exit "$STREAM_PID" 60
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS"
[ "$(summary_field "$WORK/run$run.out" status)" = completed ] || fail "SIGTERM: not drained"

wait "$PRODUCER" || fail "the producer did not deliver everything"
log "producer done; final run"
run=$((run + 1))
start_stream "run$run" --exit-when-idle 5s
wait_exit "$STREAM_PID" 300
[ "$EXIT_STATUS" = 0 ] || fail "final run exited $EXIT_STATUS"

check_rows
grep -q "distinct=$N rows=$N missing=0 extra=0" <<<"$ROWS_LINE" || fail "rows: $ROWS_LINE"
check_committed
total=0
for i in $(seq 4 "$run"); do
  total=$((total + $(summary_field "$WORK/run$i.out" consumed)))
done
log "records consumed by the runs that ended cleanly: $total (the killed ones left no summary)"
log "PASS"
