#!/usr/bin/env bash
# Smoke test of the running local stack (scripts/stack up), with the engines' own tools:
#   1. kafka:     create a topic, produce one keyed message with the console producer,
#                 read it back with the console consumer, compare key and value
#   2. cassandra: CREATE KEYSPACE/TABLE, INSERT, SELECT through scripts/cqlsh (as the superuser),
#                 compare the value
#   3. engine arguments: `status kafka` / `status cassandra` name one engine each; an unknown
#                 engine is a usage error (exit 2) that names it
# Honours USERPIPE_BROKERS and USERPIPE_CASSANDRA (defaults 127.0.0.1:9092 / 127.0.0.1:9042).
# Ends with "N passed, M failed"; exit 0 only if everything passed. Needs no stdin.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK="$ROOT/scripts/stack"
CQLSH="$ROOT/scripts/cqlsh"
BROKERS="${USERPIPE_BROKERS:-127.0.0.1:9092}"
export USERPIPE_CASSANDRA="${USERPIPE_CASSANDRA:-127.0.0.1:9042}"

passed=0 failed=0
run_id="$(date +%s)-$$-$RANDOM"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"

# host:port (first of a comma list) accepts TCP connections?
reachable() {
  local hp="${1%%,*}"
  # shellcheck disable=SC2016  # $0/$1 belong to the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${hp%:*}" "${hp##*:}" 2>/dev/null
}

# ---------------------------------------------------------------------------------------- kafka
kafka_roundtrip() {
  local topic="stack-smoke-$run_id" key="k-$run_id" value="héllo wörld $run_id" got
  if ! reachable "$BROKERS"; then
    not_ok "kafka: nothing listens on $BROKERS (start the stack: scripts/stack up)"; return
  fi
  if ! timeout 60 "$STACK" kafka topics --bootstrap-server "$BROKERS" --create --if-not-exists \
       --topic "$topic" --partitions 1 --replication-factor 1 >"$tmp/k.create" 2>&1 </dev/null; then
    not_ok "kafka: create topic $topic on $BROKERS" "$tmp/k.create"; return
  fi
  if ! printf '%s\t%s\n' "$key" "$value" |
       timeout 60 "$STACK" kafka console-producer --bootstrap-server "$BROKERS" --topic "$topic" \
         --producer-property acks=all --property parse.key=true --property 'key.separator=	' \
         >"$tmp/k.produce" 2>&1; then
    not_ok "kafka: produce one message to $topic" "$tmp/k.produce"; return
  fi
  if ! timeout 60 "$STACK" kafka console-consumer --bootstrap-server "$BROKERS" --topic "$topic" \
       --from-beginning --max-messages 1 --timeout-ms 30000 --group "stack-smoke-$run_id" \
       --property print.key=true --property 'key.separator=	' \
       >"$tmp/k.out" 2>"$tmp/k.err" </dev/null; then
    not_ok "kafka: consume the message from $topic" "$tmp/k.out" "$tmp/k.err"; return
  fi
  got="$(head -n1 "$tmp/k.out")"
  if [ "$got" = "$key	$value" ]; then
    ok "kafka: produced and consumed one message on $BROKERS (topic $topic)"
  else
    printf 'expected: %s\ngot:      %s\n' "$key	$value" "$got" >"$tmp/k.diff"
    not_ok "kafka: consumed message differs" "$tmp/k.diff" "$tmp/k.err"
  fi
  # tidy up; not part of the verdict
  timeout 60 "$STACK" kafka topics --bootstrap-server "$BROKERS" --delete --topic "$topic" \
    >/dev/null 2>&1 </dev/null || true
}

# ------------------------------------------------------------------------------------ cassandra
cassandra_roundtrip() {
  local k="k-$run_id" v="value $run_id ünïcode"
  if ! reachable "$USERPIPE_CASSANDRA"; then
    not_ok "cassandra: nothing listens on $USERPIPE_CASSANDRA (start the stack: scripts/stack up)"; return
  fi
  if ! timeout 120 "$CQLSH" --request-timeout=30 -e "
      CREATE KEYSPACE IF NOT EXISTS smoke
        WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
      CREATE TABLE IF NOT EXISTS smoke.kv (k text PRIMARY KEY, v text, at timestamp);
      INSERT INTO smoke.kv (k, v, at) VALUES ('$k', '$v', toTimestamp(now()));
      SELECT v FROM smoke.kv WHERE k = '$k';" >"$tmp/c.out" 2>"$tmp/c.err" </dev/null; then
    not_ok "cassandra: CREATE/INSERT/SELECT via scripts/cqlsh on $USERPIPE_CASSANDRA" "$tmp/c.out" "$tmp/c.err"
    return
  fi
  if grep -qF "$v" "$tmp/c.out"; then
    ok "cassandra: wrote and read back a row on $USERPIPE_CASSANDRA (smoke.kv)"
  else
    not_ok "cassandra: SELECT did not return '$v'" "$tmp/c.out" "$tmp/c.err"
  fi
  timeout 60 "$CQLSH" -e "DELETE FROM smoke.kv WHERE k = '$k';" >/dev/null 2>&1 </dev/null || true
}

# ------------------------------------------------------------------------------ engine arguments
engine_arguments() {
  local eng out rc
  for eng in kafka cassandra; do
    out="$("$STACK" status "$eng" 2>&1)"; rc=$?
    if [ "$rc" = 0 ] && [ "$(wc -l <<<"$out")" = 1 ] && [[ "$out" == "$eng "*" up "* ]]; then
      ok "status $eng: one line, up"
    else
      echo "$out" >"$tmp/status.out"; not_ok "status $eng (exit $rc)" "$tmp/status.out"
    fi
  done
  out="$("$STACK" down nosuch 2>&1)"; rc=$?
  if [ "$rc" = 2 ] && grep -q 'unknown engine nosuch' <<<"$out"; then
    ok "down nosuch: usage error naming the engine"
  else
    echo "$out" >"$tmp/nosuch.out"; not_ok "down nosuch (exit $rc)" "$tmp/nosuch.out"
  fi
}

echo "stack smoke test: kafka $BROKERS, cassandra $USERPIPE_CASSANDRA"
kafka_roundtrip
cassandra_roundtrip
engine_arguments
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
