#!/usr/bin/env bash
# Kafka hard bounce (Kafka's replication_test "hard bounce"): SIGKILL of the broker leading the
# busiest partition, restarted after 10 s, three times in one run, under load. Nothing the
# producer had acknowledged may be lost or doubled (RF 3, min.insync 2, no unclean election).
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S="$FAULT_KAFKA_MAX_STALL_S"
fault_begin kafka_hard_bounce
fault_injected
for round in 1 2 3; do
  leader="$(busiest_leader)"
  log "round $round: the busiest partition's leader is broker $leader"
  stack_node kill kafka "$leader"
  sleep 10
  stack_node start kafka "$leader"
done
fault_healed
fault_end
