# shellcheck shell=bash
# lib_secure.sh: shared setup for tests/integration/test_secure_*.sh (sourced, not run), which
# run on the secured stack (scripts/stack up --secure, docs/security.md): Kafka SASL_SSL with
# SCRAM-SHA-512 and ACLs, Cassandra TLS-only with roles. The stack is started when it is not
# up (then stopped at exit); every test gets its own topic, DLQ and group under the prefix
# it_secure_ (ACLs for the produce and stream users on that prefix, removed at exit) and its
# own keyspace and table (stack/cassandra/secure-schema.cql) with MODIFY and SELECT for the
# stream role (dropped at exit).
# Clients run as the stack's roles: as ROLE CMD... runs CMD with `scripts/stack env --secure
# ROLE` (files only: the passwords never reach a command line).
#   kt ARGS...        it_kafka as the Kafka admin     cql 'CQL'   one statement as admin
set -euo pipefail
# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

: "${USERPIPE_BIN:?USERPIPE_BIN must name the userpipe binary}"
: "${USERPIPE_ROOT:?USERPIPE_ROOT must name the repository}"
: "${USERPIPE_BUILD:?USERPIPE_BUILD must name the build directory}"
BIN="$USERPIPE_BIN"
STACK="$USERPIPE_ROOT/scripts/stack"
KT="$USERPIPE_BUILD/it_kafka"
CHECK="$USERPIPE_BUILD/it_stream_check"
WORK="$(mktemp -d)"
PIDS=()
SECURE_STARTED=0
PREFIX=it_secure_

secure_up() {
  if "$STACK" status --secure >/dev/null 2>&1; then return 0; fi
  log "starting the secured stack (scripts/stack up --secure)"
  SECURE_STARTED=1
  "$STACK" up --secure >"$WORK/stack-up.log" 2>&1 || { cat "$WORK/stack-up.log" >&2; fail "scripts/stack up --secure failed"; }
}

# as ROLE CMD...: CMD with ROLE's settings in its environment, in the foreground (in the
# background it is a subshell whose pid is not CMD's: use env with the vars file, as stream_start).
as() {
  local vars
  mapfile -t vars <"$WORK/vars-$1"
  shift
  env "${vars[@]}" "$@"
}
kt() { IT_KAFKA_CONFIG="$SECURE_DIR/clients/kafka-admin.properties" "$KT" "$1" "$BROKERS" "${@:2}"; }
cql() {
  USERPIPE_CASSANDRA_USER=admin USERPIPE_CASSANDRA_PASSWORD="$(cat "$SECURE_DIR/secrets/cassandra-admin.password")" \
    USERPIPE_CASSANDRA_TLS_CA_FILE="$CA" "$CHECK" exec "$CASSANDRA" "$1" >/dev/null
}
# acl add|delete allow|deny USER OPERATION RESOURCE NAME (it_kafka acl, as the admin)
acl() { kt acl "$1" "$2" "User:$3" "$4" "$5" "$6"; }

# The ACLs the tests' users get on the prefix (and take back at exit).
prefix_acls() {
  local verb="$1" op
  for op in Write Describe; do acl "$verb" allow produce "$op" topic-prefix "$PREFIX"; done
  for op in Read Write Describe; do acl "$verb" allow stream "$op" topic-prefix "$PREFIX"; done
  acl "$verb" allow stream Read group-prefix "$PREFIX"
  for op in Read Describe; do acl "$verb" allow ui "$op" topic-prefix "$PREFIX"; done
  acl "$verb" allow ui Describe group-prefix "$PREFIX"
}

# secure_setup NAME: names, topics (made by the admin: the users may not create topics), the
# ACLs, a keyspace the stream role may create its table in and write.
secure_setup() {
  local suffix
  suffix="$(date +%s)_$RANDOM"
  TOPIC="$PREFIX$1_$suffix"
  DLQ="$TOPIC.dlq"
  GROUP="$TOPIC"
  KS="$TOPIC"
  prefix_acls add
  kt create "$TOPIC" 3 1 >/dev/null
  kt create "$DLQ" 1 1 >/dev/null
  cql "CREATE KEYSPACE \"$KS\" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
  cql "$(sed -e '/^--/d' -e "s/@KEYSPACE@/$KS/" -e "s/@TABLE@/users/" "$USERPIPE_ROOT/stack/cassandra/secure-schema.cql")"
  for p in MODIFY SELECT; do cql "GRANT $p ON KEYSPACE \"$KS\" TO stream"; done
  cql "GRANT SELECT ON KEYSPACE \"$KS\" TO ui"
  log "topic $TOPIC, group $GROUP, keyspace $KS"
}

secure_cleanup() {
  local rc=$? p
  for p in "${PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ -n "${TOPIC:-}" ]; then
    kt delete "$TOPIC" "$DLQ" >/dev/null 2>&1 || true
    cql "DROP KEYSPACE IF EXISTS \"$KS\"" 2>/dev/null || true
    prefix_acls delete 2>/dev/null || true
  fi
  if [ "$SECURE_STARTED" = 1 ]; then "$STACK" down --secure >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ] && [ -d "$WORK" ]; then show_logs "$WORK" 25; fi
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
  exit "$rc"
}
trap secure_cleanup EXIT
# SCRAM with Kafka 4 needs librdkafka >= 2.6.1: older ones send a nonce the broker refuses
# (librdkafka #4895), and every login here would fail for that reason instead of the tested one.
rdkafka_version="$("$BIN" --version | awk '/^librdkafka/ { print $2 }')"
if [ "$(printf '%s\n2.6.1\n' "$rdkafka_version" | sort -V | head -n1)" != 2.6.1 ]; then
  fail "userpipe is built with librdkafka $rdkafka_version: SCRAM logins to Kafka 4 need >= 2.6.1 (scripts/librdkafka)"
fi
secure_up
# each role's settings as NAME=VALUE lines (for env: no subshell between the test and the client)
for role in admin produce stream ui; do
  "$STACK" env --secure "$role" >"$WORK/env-$role"
  # shellcheck disable=SC1090
  ( . "$WORK/env-$role"; env | grep -E '^USERPIPE_' ) >"$WORK/vars-$role"
done
# shellcheck disable=SC1091
BROKERS="$(. "$WORK/env-admin"; echo "$USERPIPE_BROKERS")"
# shellcheck disable=SC1091
CASSANDRA="$(. "$WORK/env-admin"; echo "$USERPIPE_CASSANDRA")"
# shellcheck disable=SC1091
SECURE_DIR="$(. "$WORK/env-admin"; echo "$USERPIPE_SECURE_STATE_DIR")"
CA="$SECURE_DIR/tls/ca.crt"

# stream_start LOGNAME [FLAGS..]: `userpipe stream` as the stream role on the test's names, in
# the background (STREAM_PID); summary in $WORK/LOGNAME.out, log in $WORK/LOGNAME.log.
stream_start() {
  local name="$1" vars
  shift
  mapfile -t vars <"$WORK/vars-stream"
  env "${vars[@]}" "$BIN" stream --topic "$TOPIC" --dlq "$DLQ" --group "$GROUP" --keyspace "$KS" \
    --progress-interval 5s "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  STREAM_PID=$!
  PIDS+=("$STREAM_PID")
}

# rows_check: it_stream_check rows: the keyspace holds one row per valid record of the topic,
# every column right (as the admin on both engines).
rows_check() {
  USERPIPE_CASSANDRA_USER=admin USERPIPE_CASSANDRA_PASSWORD="$(cat "$SECURE_DIR/secrets/cassandra-admin.password")" \
    USERPIPE_CASSANDRA_TLS_CA_FILE="$CA" IT_KAFKA_CONFIG="$SECURE_DIR/clients/kafka-admin.properties" \
    "$CHECK" rows "$BROKERS" "$TOPIC" "$CASSANDRA" "$KS" users
}

# wait_for SECONDS WHAT CMD...: until CMD succeeds; fails the test after SECONDS.
wait_for() {
  local deadline=$((SECONDS + $1)) what="$2" secs="$1"
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within ${secs}s"
    sleep 0.5
  done
}

# secrets_absent FILE...: no password of the secured stack in any of the files.
secrets_absent() {
  local pw f
  for f in "$SECURE_DIR"/secrets/*.password; do
    pw="$(cat "$f")"
    if grep -lF -- "$pw" "$@" 2>/dev/null; then return 1; fi
  done
  return 0
}
