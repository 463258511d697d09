#!/usr/bin/env bash
# Kafka: the broker that coordinates the streams' consumer group paused with SIGSTOP for 20 s,
# then resumed. The hardest pause for a consumer: its heartbeats, commits and any rejoin all go
# to the silent broker until the controller fences it and another broker loads the group. With
# the classic protocol the members keep their session only if the group moves before
# session.timeout.ms runs out (docs/cluster.md, "Kafka failover").
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S="$FAULT_KAFKA_MAX_STALL_S"
fault_begin kafka_coord_pause
coordinator="$(group_coordinator)"
[[ "$coordinator" =~ ^[1-3]$ ]] || fail "no coordinator found for group $GROUP ($coordinator)"
log "group $GROUP is coordinated by node $coordinator (the active controller is node $(kafka_controller))"
fault_injected
stack_node pause kafka "$coordinator"
sleep 20
stack_node resume kafka "$coordinator"
fault_healed
fault_end
