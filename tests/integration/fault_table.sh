#!/usr/bin/env bash
# fault_table.sh FILE: the fault suite's figures as a table, each stall beside the one measured
# before the failover work (issues #30 and #32), so a run shows what changed. FILE holds the
# `fault=...` lines the tests of one run appended (lib_faults.sh, USERPIPE_FAULT_FIGURES).
set -euo pipefail
[ -s "${1:-}" ] || { echo "fault table: no figures (no fault test ran)"; exit 0; }
# The longest stall before, in seconds, from docs/cluster.md: the full run of 2026-12-05
# (librdkafka 2.0.2, Kafka's 9 s broker session, a 10 s group session) and, for the two rows
# the issue quotes from other runs, those (kafka_pause 30.8, stream_kill's takeover 12.1: the
# time until the survivor took the killed member's partitions, a 10 s group session then).
awk '
BEGIN {
  split("kafka_hard_bounce=20.2 kafka_clean_bounce=0.2 kafka_pause=30.8 kafka_isolate=17.5 " \
        "cassandra_kill=0.3 cassandra_two_down=32.1 cassandra_pause=0.2 cassandra_isolate=15.5 " \
        "cassandra_rolling=14.6 stream_kill=0.3 produce_kill=2.0", kv, " ")
  for (i in kv) { split(kv[i], p, "="); before[p[1]] = p[2] }
  printf "%-20s %8s %5s %10s %16s %16s %8s  %s\n", "fault", "records", "lost", "duplicated", "longest stall s", "before (12-05) s", "retries", "takeover s (before)"
}
{
  delete f
  for (i = 1; i <= NF; i++) { split($i, p, "="); f[p[1]] = p[2] }
  b = (f["fault"] in before) ? before[f["fault"]] : "-"
  t = ("takeover_s" in f) ? f["takeover_s"] " (12.1)" : ""
  printf "%-20s %8s %5s %10s %16s %16s %8s  %s\n", f["fault"], f["records"], f["lost"], f["duplicated"], f["longest_stall_s"], b, f["retries"], t
}' "$1"
