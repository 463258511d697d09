#!/usr/bin/env bash
# Cassandra: one node killed -9 under load, restarted after 10 s. LOCAL_QUORUM writes (RF 3) go
# on with two replicas: no stored-row stall over 2 s, nothing in the DLQ, nothing lost.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S=2
FAULT_MAX_REPREPARES=1 # the INSERT, once per node restart and stream run
fault_begin cassandra_kill
fault_injected
stack_node kill cassandra 2
sleep 10
stack_node start cassandra 2
fault_healed
fault_end
