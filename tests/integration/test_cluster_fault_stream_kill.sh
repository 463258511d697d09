#!/usr/bin/env bash
# One `userpipe stream` killed -9 while the other goes on: its partitions move to the survivor
# once its session expires (rebalance); restarted 15 s later, it joins again. At-least-once
# replays are idempotent upserts: one row per user, nothing lost.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
fault_begin stream_kill
fault_injected
log "kill -9 of s1 (pid ${SPID[s1]})"
kill -9 "${SPID[s1]}"
KILLED[s1]=1
sleep 15
stream_start s1b
wait_consuming s1b 120
fault_healed
fault_end
