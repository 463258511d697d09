#!/usr/bin/env bash
# Two `userpipe stream` processes in one consumer group share the partitions (each stores a
# part) and together store every record exactly once: the second member joins while the
# first is busy, the first finishes and commits the revoked partitions before releasing
# them, so the second starts at offsets with nothing unfinished below them.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=40000
stream_setup group 6

start_producer "$N" 4000

start_stream a --exit-when-idle 6s --progress-interval 500ms
A=$STREAM_PID
wait_consuming a 60
log "second member joins while the first is consuming"
start_stream b --exit-when-idle 6s --progress-interval 500ms
B=$STREAM_PID

wait_producer
expect_topic "$N"
wait_exit "$A" 300
[ "$EXIT_STATUS" = 0 ] || fail "member a exited $EXIT_STATUS"
wait_exit "$B" 300
[ "$EXIT_STATUS" = 0 ] || fail "member b exited $EXIT_STATUS"

sa="$(summary_field "$WORK/a.out" stored)"
sb="$(summary_field "$WORK/b.out" stored)"
log "member a stored $sa, member b stored $sb"
if ! { [ "$sa" -gt 0 ] && [ "$sb" -gt 0 ]; }; then fail "the partitions were not shared"; fi
[ $((sa + sb)) = "$N" ] || fail "together they stored $((sa + sb)) writes for $N records"
grep -q "revoking" "$WORK/a.log" || fail "member a was never asked to give partitions up"
[ "$(summary_field "$WORK/a.out" abandoned)" = 0 ] || fail "member a abandoned records"

expect_stored "$N"
expect_verified "$N"
check_committed
log "PASS"
