# shellcheck shell=bash
# lib_cql.sh: shared setup for tests/integration/test_cql_*.sh (sourced, not run).
# Each test works in its own keyspace (cqlit_<test>_<time>_<random>) on the shared node and
# drops it on exit, whatever happened. Helpers: it_cql (library calls the CLI cannot make)
# and it_tcp_proxy (start_proxy in lib_checks.sh: a proxy this test owns, cut it to "stop the
# node" for our client only).
set -euo pipefail
# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

: "${USERPIPE_BIN:?USERPIPE_BIN must name the userpipe binary}"
: "${USERPIPE_ROOT:?USERPIPE_ROOT must name the repository}"
: "${USERPIPE_BUILD:?USERPIPE_BUILD must name the build directory}"

CASSANDRA="${USERPIPE_TEST_CASSANDRA:-127.0.0.1:9042}"
# shellcheck disable=SC2034  # set here, read by the tests that source this file
IT_CQL="$USERPIPE_BUILD/it_cql"
WORK="$(mktemp -d)"
PIDS=()
# the stock superuser of the local stack; the password comes from the cmd/cql_cli.h rule
unset USERPIPE_CASSANDRA_PASSWORD USERPIPE_CASSANDRA_PASSWORD_FILE USERPIPE_CASSANDRA_USER


# q ARGS...: userpipe query against the test node.
q() { "$USERPIPE_BIN" query --cassandra "$CASSANDRA" "$@"; }

# cql_setup NAME: a fresh keyspace in $KS.
cql_setup() {
  KS="cqlit_$1_$(date +%s)_$RANDOM"
  trap cql_cleanup EXIT
  q "CREATE KEYSPACE $KS WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
  log "keyspace $KS"
}

cql_cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ -n "${KS:-}" ]; then
    q "DROP KEYSPACE IF EXISTS $KS" >/dev/null 2>&1 || true
  fi
  if [ "$rc" != 0 ]; then show_logs "$WORK" 30; fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
  exit "$rc"
}

# expect_fail STATUS PATTERN CMD...: CMD exits with STATUS and its stderr matches PATTERN.
expect_fail() {
  local want="$1" pattern="$2" rc=0
  shift 2
  "$@" >"$WORK/out.log" 2>"$WORK/err.log" || rc=$?
  [ "$rc" = "$want" ] || fail "exit $rc (want $want) from: $* -- $(cat "$WORK/err.log")"
  grep -Eq "$pattern" "$WORK/err.log" || fail "stderr of '$*' lacks /$pattern/: $(cat "$WORK/err.log")"
}
