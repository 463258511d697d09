#!/usr/bin/env bash
# `userpipe produce` killed -9 mid-run and run again with the same seed, batch and count: the
# same ids, so still one row per user. The re-run's records are each on the topic exactly once
# (those stamped since it started); the killed run's are expected users, each at most once.
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"
FAULT_COUNT=$((FAULT_RATE * 45))
fault_begin produce_kill
fault_injected
log "kill -9 of produce (pid $PRODUCER)"
kill -9 "$PRODUCER"
wait "$PRODUCER" 2>/dev/null || true
sleep 2
PRODUCE_SINCE_MS="$(now_ms)"
produce_start produce2 "$FAULT_COUNT" "$SEED"
fault_healed
fault_end
