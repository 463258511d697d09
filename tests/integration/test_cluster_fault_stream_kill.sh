#!/usr/bin/env bash
# One `userpipe stream` killed -9 while the other goes on: its partitions move to the survivor
# once its session expires (a cooperative rebalance: the survivor's own partitions are read on);
# restarted once the survivor took over, it joins again. At-least-once replays are idempotent
# upserts: one row per user, nothing lost. Figure: takeover_s, from the kill until the survivor
# is assigned the killed member's partitions (session.timeout.ms, 15 s, and the rebalance).
# shellcheck source=tests/integration/lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"

# took_over_ms: when s2 was first assigned partitions after the kill (epoch ms), or nothing.
took_over_ms() {
  local t
  while read -r t; do
    t="$(date -d "$t" +%s%3N)"
    [ "$t" -ge "$FAULT_MS" ] && { echo "$t"; return 0; }
  done < <(awk '/kafka consumer: assigned [1-9][0-9]* partition/ { print $1 }' "$WORK/s2.log")
  return 1
}

fault_begin stream_kill
fault_injected
log "kill -9 of s1 (pid ${SPID[s1]})"
kill -9 "${SPID[s1]}"
KILLED[s1]=1
deadline=$((SECONDS + 60))
until took="$(took_over_ms)"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "s2 was not assigned s1's partitions within 60 s of the kill"
  sleep 0.2
done
FAULT_MORE_FIGURES="takeover_s=$(awk -v a="$took" -v b="$FAULT_MS" 'BEGIN { printf "%.1f", (a - b) / 1000 }')"
log "$FAULT_MORE_FIGURES (s2 assigned s1's partitions)"
stream_start s1b
wait_consuming s1b 120
fault_healed
fault_end
