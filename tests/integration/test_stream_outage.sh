#!/usr/bin/env bash
# The network to Cassandra cut for 20 s (test_stream_node_restart.sh stops a real node): the
# stream talks to the shared node through it_tcp_proxy, which the test cuts for 20 s mid-run
# (every connection reset, then connection refused) and restores.
# Expected: the stream stays up, retries with backoff while consumption is paused, resumes by
# itself, and in the end every record is stored once with the right columns.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=60000
RATE=2000 # 30 s of producing; the cut happens in the middle
stream_setup outage 6

start_proxy PROXY "$CASSANDRA"

start_producer "$N" "$RATE"

# shellcheck disable=SC2046
"$USERPIPE_BIN" stream $(stream_args "127.0.0.1:$PROXY_PORT") --exit-when-idle 8s \
  --progress-interval 1s --cassandra-timeout 2s >"$WORK/stream.out" 2>"$WORK/stream.log" &
STREAM_PID=$!
PIDS+=("$STREAM_PID")

wait_consuming stream 60
sleep 5
stored_before="$(grep -o 'stored=[0-9]*' "$WORK/stream.log" | tail -n1)"
log "cutting Cassandra for 20 s ($stored_before)"
kill -USR1 "$PROXY_PID"
sleep 20
kill -0 "$STREAM_PID" || fail "the stream exited while Cassandra was down"
stored_during="$(grep -o 'stored=[0-9]*' "$WORK/stream.log" | tail -n1)"
log "restoring Cassandra ($stored_during at the end of the outage)"
kill -USR2 "$PROXY_PID"

wait_producer
expect_outage_survived "$N"
log "PASS"
