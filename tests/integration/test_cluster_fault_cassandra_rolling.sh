#!/usr/bin/env bash
# Cassandra: rolling restart under load, as for an upgrade: each node in turn stopped (SIGTERM:
# it announces its shutdown) and started again, the next only once every node sees every other.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S=2
FAULT_MAX_REPREPARES=1 # the INSERT, once per node restart and stream run
fault_begin cassandra_rolling
fault_injected
for n in 1 2 3; do
  stack_node stop cassandra "$n"
  stack_node start cassandra "$n"
done
fault_healed
fault_end
