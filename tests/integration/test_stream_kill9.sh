#!/usr/bin/env bash
# kill -9 of `userpipe stream` at three random moments under load, restarted each time, then
# SIGTERM once (must drain, commit and exit 0): afterwards no id is missing and none is
# doubled (one row per id), every column is right, and offsets are committed to the end.
# The oracle is Kafka Connect's bounce test: every acknowledged record must be in the sink.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=120000
RATE=3000 # 40 s of producing: every kill and restart below happens under load
stream_setup kill9 6

start_producer "$N" "$RATE"

run=0
for kill_no in 1 2 3; do
  run=$((run + 1))
  start_stream "run$run" --in-flight 256 --progress-interval 200ms
  wait_consuming "run$run" 60 # a restart waits for the killed member's session to expire
  pause="$(awk -v r="$RANDOM" 'BEGIN { printf "%.1f", (r % 30) / 10 }')" # 0.0-2.9 s
  sleep "$pause"
  kill -0 "$STREAM_PID" || fail "stream died before kill $kill_no"
  log "kill -9 #$kill_no, ${pause}s into consuming: $(grep -o 'consumed=[0-9]* stored=[0-9]*' "$WORK/run$run.log" | tail -n1)"
  kill -9 "$STREAM_PID"
  wait "$STREAM_PID" 2>/dev/null || true
done

run=$((run + 1))
start_stream "run$run" --progress-interval 200ms
wait_consuming "run$run" 60
sleep 1
log "SIGTERM while records are still arriving"
kill -TERM "$STREAM_PID"
wait_exit "$STREAM_PID" 60
[ "$EXIT_STATUS" = 0 ] || fail "SIGTERM: exit status $EXIT_STATUS"
[ "$(summary_field "$WORK/run$run.out" status)" = completed ] || fail "SIGTERM: not drained"

wait_producer
log "producer done; final run"
run=$((run + 1))
start_stream "run$run" --exit-when-idle 5s
wait_exit "$STREAM_PID" 300
[ "$EXIT_STATUS" = 0 ] || fail "final run exited $EXIT_STATUS"

expect_rows "$N"
expect_verified "$N"
check_committed
total=0
for i in $(seq 4 "$run"); do
  total=$((total + $(summary_field "$WORK/run$i.out" consumed)))
done
log "records consumed by the runs that ended cleanly: $total (the killed ones left no summary)"
log "PASS"
