#!/usr/bin/env bash
# Cassandra: one node paused (SIGSTOP) for 20 s: its sockets stay open and silent. Writes it
# coordinates or waits on time out and are retried (idempotent upserts); nothing lost.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_MAX_STALL_S=2
fault_begin cassandra_pause
fault_injected
stack_node pause cassandra 2
sleep 20
stack_node resume cassandra 2
fault_healed
fault_end
