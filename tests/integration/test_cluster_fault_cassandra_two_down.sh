#!/usr/bin/env bash
# Cassandra: two of three nodes killed: LOCAL_QUORUM (2 of RF 3) is impossible, so the streams
# pause consumption and retry; nothing is skipped or dead-lettered, and they resume by themselves
# as soon as one node is back (the heal); the third comes back after.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
fault_begin cassandra_two_down
fault_injected
stack_node kill cassandra 2
stack_node kill cassandra 3
sleep 20
# `start` waits until every node sees every other, which cannot happen with node 3 down, and
# holds the stack's lock meanwhile: start node 2 in the background, call it healed once it
# answers CQL, then stop that wait (the node runs on its own: setsid) and start node 3.
"$STACK" start cassandra 2 >>"$WORK/stack.log" 2>&1 &
starter=$!
PIDS+=("$starter")
deadline=$((SECONDS + 180))
until timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.3/9042' 2>/dev/null; do
  [ "$SECONDS" -lt "$deadline" ] || fail "cassandra-2 did not answer within 180 s"
  sleep 0.5
done
fault_healed
kill "$starter" 2>/dev/null || true
wait "$starter" 2>/dev/null || true
wait_rows_after "$HEAL_MS" 90 # one node back: the streams resume before the third returns
log "rows stored again with two nodes up"
stack_node start cassandra 3
for s in s1 s2; do
  grep -q " paused" "$WORK/$s.log" || fail "$s never paused consumption while QUORUM was impossible"
done
fault_end
