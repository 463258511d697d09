#!/usr/bin/env bash
# Kafka: the broker leading the busiest partition cut off from its peers and from the clients
# for 30 s (scripts/stack isolate), then healed. No unclean leader election: the records it took
# alone are not acknowledged, and nothing acknowledged may be lost.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S="$FAULT_KAFKA_MAX_STALL_S"
fault_begin kafka_isolate
leader="$(busiest_leader)"
log "the busiest partition's leader is broker $leader"
fault_injected
stack_node isolate kafka "$leader"
sleep 30
stack_node heal kafka "$leader"
fault_healed
fault_end
