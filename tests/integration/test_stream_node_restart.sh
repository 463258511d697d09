#!/usr/bin/env bash
# "Cassandra stopped for 20 s mid-run and started again", with a real node: the test starts a
# Cassandra of its own (scripts/stack up cassandra with a private state dir and free ports, so
# the shared node other tests use is never touched), runs the stream against it while records
# arrive, stops the node with scripts/stack down cassandra, waits 20 s, starts it again.
# Expected: the stream stays up, pauses, retries with backoff, resumes by itself once the node
# answers, and in the end every record is stored once with the right columns, read back from
# the restarted node; committed offsets reach the end.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
N=60000
RATE=2000 # 30 s of producing; the node is down in the middle

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
NODE_DIR="$WORK/node"
export USERPIPE_STATE_DIR="$NODE_DIR" USERPIPE_CASSANDRA_HEAP=512m
USERPIPE_CASSANDRA_PORT="$(free_port)"
USERPIPE_CASSANDRA_STORAGE_PORT="$(free_port)"
export USERPIPE_CASSANDRA_PORT USERPIPE_CASSANDRA_STORAGE_PORT
CASSANDRA="127.0.0.1:$USERPIPE_CASSANDRA_PORT"
node() { "$USERPIPE_ROOT/scripts/stack" "$1" cassandra >>"$WORK/node.log" 2>&1; }
node_cleanup() {
  local rc=$?
  node down || true
  (exit "$rc")
  stream_cleanup
}
trap node_cleanup EXIT

log "starting a private Cassandra node on $CASSANDRA (state $NODE_DIR)"
node up || fail "the private node did not start"
stream_setup noderestart 6

start_producer "$N" "$RATE"
start_stream stream --exit-when-idle 8s --progress-interval 1s --cassandra-timeout 2s
wait_consuming stream 60
sleep 5
log "stopping the node ($(grep -o 'stored=[0-9]*' "$WORK/stream.log" | tail -n1))"
node down || fail "scripts/stack down cassandra failed"
sleep 20
kill -0 "$STREAM_PID" || fail "the stream exited while Cassandra was down"
grep -q "paused" "$WORK/stream.log" || fail "consumption did not pause while the node was down"
log "starting the node again ($(grep -o 'stored=[0-9]*' "$WORK/stream.log" | tail -n1) while it was down)"
node up || fail "the node did not start again"

wait_producer
expect_outage_survived "$N"
log "PASS"
