#!/usr/bin/env bash
# Cassandra: one node cut off from its peers and the clients for 30 s, then healed.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S=2
fault_begin cassandra_isolate
fault_injected
stack_node isolate cassandra 2
sleep 30
stack_node heal cassandra 2
fault_healed
fault_end
