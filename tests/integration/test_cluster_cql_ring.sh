#!/usr/bin/env bash
# Our CQL client (src/cql) on the 3-node ring, nothing failing:
#   1. discovery: from ONE contact point (each node in turn) the session knows all 3 nodes, up
#   2. schema agreement: a CREATE TABLE returns only once every node has the table, also when it
#      ran on a node other than the control node (six in a row: round-robin spreads them)
#   3. token-aware routing at RF 1: every write goes to the node owning its token (the ring as
#      system.local + system.peers describe it), by the client's per-node counters and by each
#      node's own count of the writes it coordinated (system_views.coordinator_write_latency)
#   4. the same at RF 3: writes spread over the nodes by ownership, none proxied
#   5. re-prepare on real nodes: the statement is prepared on one node; the two others answer
#      UNPREPARED once each and get it re-prepared, without a failed write
#   6. the stream's per-node metrics: userpipe_cql_requests_total{host} for all 3 nodes, adding
#      up to at least the rows stored; userpipe_cql_host_up{host} 1
# Label "cluster" (make test-cluster). Ends with "N passed, M failed"; exit 0 only if all passed.
# shellcheck source=tests/integration/lib_cluster_cql.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_cluster_cql.sh"
trap 'cluster_cql_finish; exit $?' EXIT
cluster_cql_setup
ROWS=1500

# ------------------------------------------------------------------------------------ discovery
for n in 1 2 3; do
  if out="$("$IT_CQL" "$(node_addr "$n")" discover - "$NODES" 2>"$tmp/discover.err")"; then
    ok "discovery: from $(node_addr "$n") alone: $out"
  else
    echo "$out" >>"$tmp/discover.err"
    not_ok "discovery from $(node_addr "$n")" "$tmp/discover.err"
  fi
done

# ----------------------------------------------------------------------- schema agreement, RF 1
rf1="rf1_$run_id"
keyspace "$rf1" 1 >"$tmp/ks.out" 2>&1 || not_ok "CREATE KEYSPACE at RF 1" "$tmp/ks.out"
if out="$("$IT_CQL" "$(node_addr 1)" ddl "$rf1" ddl 2>"$tmp/ddl.err")"; then
  ok "schema agreement: $out"
else
  echo "$out" >>"$tmp/ddl.err"
  not_ok "schema agreement after CREATE TABLE" "$tmp/ddl.err"
fi
q "$USERPIPE_CASSANDRA" "CREATE TABLE $rf1.kv (k int PRIMARY KEY, v text)" >"$tmp/ddl1.out" 2>&1 ||
  not_ok "CREATE TABLE at RF 1" "$tmp/ddl1.out"

# route KS LABEL: $ROWS routed writes into KS.kv; prints the per-node lines.
route() {
  if "$IT_CQL" "$(node_addr 1)" route "$1" kv "$ROWS" >"$tmp/route.$2" 2>"$tmp/route.$2.err"; then
    ok "routing at $2: $(grep 'misrouted' "$tmp/route.$2")"
  else
    not_ok "routing at $2: $(grep 'misrouted' "$tmp/route.$2")" "$tmp/route.$2" "$tmp/route.$2.err"
  fi
  sed 's/^/       /' "$tmp/route.$2"
}
route "$rf1" "RF 1"
reprepares="$(awk '/^route host=/ { for (i = 1; i <= NF; i++) if ($i ~ /^reprepares=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$tmp/route.RF 1")"
if [ "$reprepares" = 2 ]; then
  ok "re-prepare: the 2 nodes that had not seen the statement answered UNPREPARED once each, re-prepared transparently"
else
  not_ok "re-prepare: $reprepares re-prepares (want 2: one per node other than the one it was prepared on)" "$tmp/route.RF 1"
fi

# -------------------------------------------------------------------------------------- RF 3
rf3="rf3_$run_id"
keyspace "$rf3" 3 >"$tmp/ks.out" 2>&1 || not_ok "CREATE KEYSPACE at RF 3" "$tmp/ks.out"
q "$USERPIPE_CASSANDRA" "CREATE TABLE $rf3.kv (k int PRIMARY KEY, v text)" >"$tmp/ddl3.out" 2>&1 ||
  not_ok "CREATE TABLE at RF 3" "$tmp/ddl3.out"
route "$rf3" "RF 3"
# every node coordinates about its share of the ring (balanced tokens: a third each)
if awk '/^route host=/ { n++; for (i = 1; i <= NF; i++) if ($i ~ /^share=/) { split($i, a, "[=%]"); if (a[2] < 20) bad++ } }
        END { exit !(n == 3 && !bad) }' "$tmp/route.RF 3"; then
  ok "routing at RF 3: writes spread over the 3 nodes (each >= 20 %)"
else
  not_ok "routing at RF 3: writes not spread over the 3 nodes" "$tmp/route.RF 3"
fi

# ------------------------------------------------------------------------ the stream's metrics
KT="$BUILD/it_kafka"
topic="cluster_cql_$run_id"
printf 'cassandra\n' >"$tmp/pw" && chmod 600 "$tmp/pw"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stream_ks="stream_$run_id"
keyspaces+=("$stream_ks")
if "$KT" create "$USERPIPE_BROKERS" "$topic" 6 >"$tmp/kt.out" 2>&1 &&
   "$KT" produce "$USERPIPE_BROKERS" "$topic" "$topic" 0 2000 0 >>"$tmp/kt.out" 2>&1; then
  "$BIN" stream --brokers "$USERPIPE_BROKERS" --topic "$topic" --group "g_$run_id" --dlq "$topic.dlq" \
    --cassandra "$(node_addr 1)" --cassandra-password-file "$tmp/pw" --keyspace "$stream_ks" \
    --replication SimpleStrategy:3 --metrics "127.0.0.1:$port" --exit-when-idle 8s \
    >"$tmp/stream.out" 2>"$tmp/stream.log" &
  spid=$!
  # scrape while it runs: once every row is stored and before it leaves
  for _ in $(seq 240); do
    curl -fs "http://127.0.0.1:$port/metrics" >"$tmp/metrics.new" 2>/dev/null && mv "$tmp/metrics.new" "$tmp/metrics"
    grep -q '^userpipe_stream_records_stored_total 2000$' "$tmp/metrics" 2>/dev/null && sleep 1.5 &&
      curl -fs "http://127.0.0.1:$port/metrics" >"$tmp/metrics" && break
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.5
  done
  wait "$spid"; src=$?
  grep '^userpipe_cql_' "$tmp/metrics" 2>/dev/null | sed 's/^/       /'
  hosts="$(grep -c '^userpipe_cql_requests_total{host="127\.0\.0\.[234]:9042"} [1-9]' "$tmp/metrics" 2>/dev/null)"
  up="$(grep -c '^userpipe_cql_host_up{host="127\.0\.0\.[234]:9042"} 1$' "$tmp/metrics" 2>/dev/null)"
  sum="$(awk '/^userpipe_cql_requests_total\{/ { s += $2 } END { print s + 0 }' "$tmp/metrics" 2>/dev/null)"
  if [ "$src" = 0 ] && [ "$hosts" = 3 ] && [ "$up" = 3 ] && [ "$sum" -ge 2000 ]; then
    ok "stream metrics: userpipe_cql_requests_total for the 3 nodes ($sum requests for 2000 rows), host_up 1 each"
  else
    not_ok "stream metrics (exit $src, $hosts nodes with requests, $up up, $sum requests)" "$tmp/metrics" "$tmp/stream.log"
  fi
else
  not_ok "stream metrics: creating/producing $topic" "$tmp/kt.out"
fi
"$KT" delete "$USERPIPE_BROKERS" "$topic" "$topic.dlq" >/dev/null 2>&1 || true

# ------------------------------------------------------------------------ contact points down
t0="$(now_ms)"
q "127.0.0.2:9999,127.0.0.3:9999" "SELECT release_version FROM system.local" >"$tmp/down.out" 2>&1; rc=$?
took=$(( $(now_ms) - t0 ))
if [ "$rc" = 1 ] && grep -q '127.0.0.2:9999' "$tmp/down.out" && grep -q '127.0.0.3:9999' "$tmp/down.out" && [ "$took" -lt 10000 ]; then
  ok "contact points all down: exit 1 in $took ms, naming both: $(head -c 200 "$tmp/down.out")"
else
  not_ok "contact points all down: exit $rc in $took ms" "$tmp/down.out"
fi
