# shellcheck shell=bash
# lib_cluster_cql.sh: shared setup of tests/integration/test_cluster_cql_*.sh (sourced, not run):
# the CQL client on the 3-node ring of `scripts/stack up --nodes 3`. The cluster must be up
# (scripts/test --cluster starts it once for all cluster tests; a test does not start it).
# Counted checks (lib_checks.sh); each test works in its own keyspaces, dropped on exit.
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN="${USERPIPE_BIN:-$ROOT/build/userpipe}"
BUILD="${USERPIPE_BUILD:-$ROOT/build}"
IT_CQL="$BUILD/it_cql"
STACK="$ROOT/scripts/stack"
NODES=3
passed=0 failed=0
# shellcheck disable=SC2034  # used by the tests that source this
run_id="$(date +%s)_$RANDOM"
tmp="$(mktemp -d)"
keyspaces=()
# the stock superuser of the local stack; the password comes from the cmd/cql_cli.h rule
unset USERPIPE_CASSANDRA_PASSWORD USERPIPE_CASSANDRA_PASSWORD_FILE USERPIPE_CASSANDRA_USER

# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

# node_addr N: node N's CQL address (node I is on 127.0.0.(I+1), docs/cluster.md).
node_addr() { echo "127.0.0.$(($1 + 1)):9042"; }
# q CONTACTS ARGS...: `userpipe query` through those contact points.
q() {
  local contacts="$1"
  shift
  timeout 60 "$BIN" query --cassandra "$contacts" "$@" </dev/null
}
# keyspace NAME RF: creates the SimpleStrategy keyspace NAME, dropped on exit.
keyspace() {
  keyspaces+=("$1")
  q "$USERPIPE_CASSANDRA" "CREATE KEYSPACE $1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': $2}"
}
# now_ms: the wall clock in milliseconds.
now_ms() { date +%s%3N; }

cluster_cql_finish() {
  local k
  for k in "${keyspaces[@]}"; do q "$USERPIPE_CASSANDRA" "DROP KEYSPACE IF EXISTS $k" >/dev/null 2>&1 || true; done
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$tmp"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}

# cluster_cql_setup: the cluster is up and the binaries are built, or the test stops here.
cluster_cql_setup() {
  if ! "$STACK" --nodes "$NODES" status >"$tmp/status.out" 2>&1; then
    not_ok "cluster: not up (scripts/stack up --nodes $NODES, or make test-cluster)" "$tmp/status.out"
    exit 1
  fi
  eval "$("$STACK" env --nodes "$NODES")"
  if [ ! -x "$BIN" ] || [ ! -x "$IT_CQL" ]; then
    not_ok "binaries $BIN and $IT_CQL (scripts/build release)"
    exit 1
  fi
}
