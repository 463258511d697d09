#!/usr/bin/env bash
# Kafka: the active controller (the KRaft quorum's leader, itself a partition leader in this
# combined cluster) paused with SIGSTOP for 20 s, as in a long GC pause, then resumed.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S="$FAULT_KAFKA_MAX_STALL_S"
fault_begin kafka_pause
controller="$(kafka_controller)"
[[ "$controller" =~ ^[1-3]$ ]] || fail "no active controller found ($controller)"
log "the active controller is node $controller; it leads: $(kafka_leaders | awk -v c="$controller" '$2 == c { printf "p%s ", $1 }')"
fault_injected
stack_node pause kafka "$controller"
sleep 20
stack_node resume kafka "$controller"
fault_healed
fault_end
