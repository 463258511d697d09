#!/usr/bin/env bash
# Our CQL client (src/cql) on the 3-node ring while nodes stop and start. One client (it_cql
# failover: idempotent writes at ONE, 50/s, RF 3) runs through all of it with ONE contact point,
# node 1, which therefore also carries its control connection:
#   1. node 1's statements are forgotten on disk (TRUNCATE system.prepared_statements), then
#      node 1 is stopped: the client marks it down at once, sends it nothing more, no write
#      waits on it (slowest write well under the 12 s request timeout), none fails
#   2. with node 1 down: a QUORUM write succeeds; a CREATE TABLE from another client returns
#      once the live nodes agree and both have the table
#   3. node 2 stopped too: a QUORUM write is refused as Unavailable (exit 1), a write at ONE
#      still succeeds; the running client still loses no write
#   4. both started again (scripts/stack up): within seconds the client sends to both again
#      with no restart, and node 1, which restarted without the statement, got it prepared
#      again once, before its first write (the client re-prepares on a node coming up)
#   5. a contact point that accepts TCP but never answers (node 3 paused): a clear error naming
#      it, exit 1, within the connect timeout
# Everything logs in as a superuser role of its own: Cassandra reads the stock superuser
# `cassandra` at QUORUM (any other role at LOCAL_ONE), so with two of three nodes down it could
# neither log in nor pass the permission checks of connections already open.
# Label "cluster" (make test-cluster). Ends with "N passed, M failed"; exit 0 only if all passed.
# shellcheck source=tests/integration/lib_cluster_cql.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_cluster_cql.sh"
finish() {
  # the cluster is left as it was found, whatever happened
  [ -n "${driver:-}" ] && { touch "$tmp/stop"; wait "$driver" 2>/dev/null; }
  "$STACK" resume cassandra 3 >/dev/null 2>&1 || true
  "$STACK" --nodes "$NODES" status cassandra >/dev/null 2>&1 ||
    "$STACK" up --nodes "$NODES" cassandra >/dev/null 2>&1 || true
  unset USERPIPE_CASSANDRA_USER USERPIPE_CASSANDRA_PASSWORD
  [ -z "${role:-}" ] || q "$USERPIPE_CASSANDRA" "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
  cluster_cql_finish
}
trap 'finish; exit $?' EXIT
cluster_cql_setup
N1="$(node_addr 1)" N2="$(node_addr 2)" N3="$(node_addr 3)"

role="ring_$run_id" secret="pw_$RANDOM$RANDOM"
if q "$N1" "CREATE ROLE $role WITH PASSWORD = '$secret' AND LOGIN = true AND SUPERUSER = true" >"$tmp/role.out" 2>&1; then
  # (`scripts/stack env` named the superuser's password file, which would come first)
  unset USERPIPE_CASSANDRA_PASSWORD_FILE
  export USERPIPE_CASSANDRA_USER="$role" USERPIPE_CASSANDRA_PASSWORD="$secret"
  # a new role may take a moment to be readable on every node
  logs_in() { q "$N1,$N2,$N3" "SELECT release_version FROM system.local" >"$tmp/login.out" 2>&1; }
  t0="$(now_ms)"
  for _ in $(seq 60); do logs_in && break; sleep 0.5; done
  if logs_in; then ok "role $role (superuser, read at LOCAL_ONE) logs in after $(( $(now_ms) - t0 )) ms"
  else not_ok "the new role cannot log in" "$tmp/login.out"; exit 1; fi
else
  not_ok "CREATE ROLE" "$tmp/role.out"; exit 1
fi
ks="nodes_$run_id"
if keyspace "$ks" 3 >"$tmp/ks.out" 2>&1 &&
   q "$N1" "CREATE TABLE $ks.kv (k int PRIMARY KEY, v text)" >>"$tmp/ks.out" 2>&1; then
  ok "keyspace $ks at RF 3, table kv"
else
  not_ok "keyspace and table" "$tmp/ks.out"; exit 1
fi

# The client's last status line: "status t= ok= failed= slowest_ms= HOST=up/requests/reprepares...".
last() { grep '^status ' "$tmp/driver.out" | tail -n 1; }
field() { last | tr ' ' '\n' | sed -n "s/^$1=//p"; }
host_up() { field "$1" | cut -d/ -f1; }
host_requests() { field "$1" | cut -d/ -f2; }
host_reprepares() { field "$1" | cut -d/ -f3; }
# wait_until SECONDS CMD...: polls CMD every 0.25 s; false on timeout.
wait_until() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  shift
  until "$@"; do [ "$(now_ms)" -lt "$deadline" ] || return 1; sleep 0.25; done
}
is_down() { [ "$(host_up "$1")" = 0 ]; }
is_up() { [ "$(host_up "$1")" = 1 ]; }
# gets_requests HOST FROM: the client has sent HOST more than FROM requests.
gets_requests() { [ "$(host_requests "$1")" -gt "$2" ]; }

"$IT_CQL" "$N1" failover "$ks" kv 600 "$tmp/stop" >"$tmp/driver.out" 2>"$tmp/driver.err" &
driver=$!
if wait_until 30 is_up "$N3" && wait_until 10 gets_requests "$N3" 20 && is_up "$N2" && is_up "$N1"; then
  ok "client: one contact point, writes going to all 3 nodes: $(last)"
else
  not_ok "client did not reach all 3 nodes" "$tmp/driver.out" "$tmp/driver.err"
fi

# ------------------------------------------------------------------------- node 1 (control) stops
"$IT_CQL" "$N1" forget - - >"$tmp/forget.out" 2>&1 || not_ok "TRUNCATE system.prepared_statements on node 1" "$tmp/forget.out"
"$STACK" stop cassandra 1 >"$tmp/stop1.out" 2>&1 || not_ok "scripts/stack stop cassandra 1" "$tmp/stop1.out"
t_stop="$(now_ms)"
if wait_until 5 is_down "$N1"; then
  ok "node 1 stopped: the client marked it down within $(( $(now_ms) - t_stop )) ms of the process exiting"
else
  not_ok "node 1 stopped: still up in the client after 5 s" "$tmp/driver.out"
fi
frozen="$(host_requests "$N1")"
sleep 3
if [ "$(host_requests "$N1")" = "$frozen" ] && [ "$(field failed)" = 0 ] && [ "$(field slowest_ms)" -lt 3000 ] &&
   gets_requests "$N2" 0 && gets_requests "$N3" 0; then
  ok "node 1 down: nothing sent to it, no write failed, slowest write $(field slowest_ms) ms: $(last)"
else
  not_ok "node 1 down: sent=$frozen->$(host_requests "$N1") failed=$(field failed) slowest=$(field slowest_ms) ms" "$tmp/driver.out" "$tmp/driver.err"
fi
if q "$N2" -c quorum "INSERT INTO $ks.kv (k, v) VALUES (-1, 'quorum')" >"$tmp/quorum.out" 2>&1; then
  ok "node 1 down: a QUORUM write succeeds"
else
  not_ok "node 1 down: QUORUM write" "$tmp/quorum.out"
fi
if out="$("$IT_CQL" "$N2" ddl "$ks" during_outage 2>"$tmp/ddl.err")"; then
  ok "node 1 down: schema agreement among the live nodes: $out"
else
  echo "$out" >>"$tmp/ddl.err"
  not_ok "node 1 down: CREATE TABLE and agreement" "$tmp/ddl.err"
fi

# ---------------------------------------------------------------------------- node 2 stops too
"$STACK" stop cassandra 2 >"$tmp/stop2.out" 2>&1 || not_ok "scripts/stack stop cassandra 2" "$tmp/stop2.out"
seen_down() { "$STACK" nodetool 3 status 2>/dev/null | grep -q "^DN  *127.0.0.$1 "; }
wait_until 60 seen_down 3 || not_ok "node 3 never saw node 2 down"
q "$N3" -c quorum "INSERT INTO $ks.kv (k, v) VALUES (-2, 'quorum')" >"$tmp/unavailable.out" 2>&1; rc=$?
if [ "$rc" = 1 ] && grep -q 'UNAVAILABLE' "$tmp/unavailable.out"; then
  ok "nodes 1 and 2 down: a QUORUM write is refused as Unavailable: $(grep -m1 UNAVAILABLE "$tmp/unavailable.out" | cut -c1-200)"
else
  not_ok "nodes 1 and 2 down: QUORUM write exit $rc, want 1 with UNAVAILABLE" "$tmp/unavailable.out"
fi
if q "$N3" -c one "INSERT INTO $ks.kv (k, v) VALUES (-3, 'one')" >"$tmp/one.out" 2>&1 &&
   [ "$(field failed)" = 0 ] && [ "$(field slowest_ms)" -lt 3000 ]; then
  ok "nodes 1 and 2 down: a write at ONE succeeds, the running client lost no write: $(last)"
else
  not_ok "nodes 1 and 2 down: ONE write or the client" "$tmp/one.out" "$tmp/driver.out"
fi

# --------------------------------------------------------------------------------- both back
before1="$(host_requests "$N1")" before2="$(host_requests "$N2")"
if "$STACK" up --nodes "$NODES" cassandra >"$tmp/up.out" 2>&1; then
  t_up="$(now_ms)"
  ok "nodes 1 and 2 started (scripts/stack up: every node sees every other UP)"
else
  t_up="$(now_ms)"
  not_ok "scripts/stack up cassandra" "$tmp/up.out"
fi
if wait_until 20 gets_requests "$N1" "$before1" && wait_until 20 gets_requests "$N2" "$before2"; then
  ok "both back: the client sends to nodes 1 and 2 again $(( $(now_ms) - t_up )) ms after up returned, no restart"
else
  not_ok "both back: the client did not use them within 20 s" "$tmp/driver.out"
fi
sleep 2
if [ "$(host_reprepares "$N1")" = 1 ] && [ "$(field failed)" = 0 ]; then
  ok "node 1 restarted without the statement: prepared on it once as it came up, no write failed: $(last)"
else
  not_ok "re-prepare on node 1 after its restart (re-prepares $(host_reprepares "$N1"), failed $(field failed))" "$tmp/driver.out"
fi
touch "$tmp/stop"
wait "$driver"; drc=$?
driver=""
if [ "$drc" = 0 ]; then ok "client: exit 0, every write acknowledged: $(last)"
else not_ok "client exit $drc" "$tmp/driver.err"; fi

# -------------------------------------------------------------- a contact point that hangs
"$STACK" pause cassandra 3 >/dev/null 2>&1
t0="$(now_ms)"
q "$N3" --cassandra-connect-timeout 2s "SELECT release_version FROM system.local" >"$tmp/hang.out" 2>&1; rc=$?
took=$(( $(now_ms) - t0 ))
"$STACK" resume cassandra 3 >/dev/null 2>&1
if [ "$rc" = 1 ] && grep -q "$N3" "$tmp/hang.out" && [ "$took" -lt 6000 ]; then
  ok "a contact point that never answers: exit 1 in $took ms, naming it: $(head -c 200 "$tmp/hang.out")"
else
  not_ok "hung contact point: exit $rc in $took ms" "$tmp/hang.out"
fi
