#!/usr/bin/env bash
# Kafka clean bounce (Kafka's replication_test "clean bounce"): SIGTERM of the broker leading the
# busiest partition (controlled shutdown: leadership moves first), restarted after 10 s.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
fault_begin kafka_clean_bounce
leader="$(busiest_leader)"
log "the busiest partition's leader is broker $leader"
fault_injected
stack_node stop kafka "$leader"
sleep 10
stack_node start kafka "$leader"
fault_healed
fault_end
