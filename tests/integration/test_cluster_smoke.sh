#!/usr/bin/env bash
# Smoke test of the local cluster (scripts/stack up --nodes 3): 3 Kafka + 3 Cassandra nodes.
#   1. the cluster is up (started here if it is not; left running either way)
#   2. kafka: a topic with 6 partitions at RF 3 has 3 in-sync replicas on every partition;
#      messages produced with acks=all are all read back
#   3. cassandra: a keyspace at SimpleStrategy RF 3; our client (userpipe query) writes and reads
#      at QUORUM
#   4. one node of each engine killed (SIGKILL): once the others see it gone, Kafka still takes
#      acks=all writes (min ISR 2) and loses none, Cassandra still writes and reads at QUORUM,
#      and refuses ALL (only 2 replicas alive)
#   5. both restarted: every node sees every other UP, every partition has 3 in-sync replicas
#      again, a read at ALL answers
#   6. node 3 of each engine isolated (scripts/stack isolate: iptables on lo): status says so,
#      nothing connects to it, its peers see it gone (Cassandra DN, Kafka metadata without it),
#      acks=all and QUORUM still work; healed: all UP again, 3 in-sync replicas again
# Registered with the label "cluster", not "integration": `make test-cluster` runs it.
# Ends with "N passed, M failed"; exit 0 only if everything passed. Needs no stdin.
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN="${USERPIPE_BIN:-$ROOT/build/userpipe}"
STACK="$ROOT/scripts/stack"
NODES=3
VICTIM=2        # the node of each engine that is killed and restarted
CUT=3           # the node of each engine that is isolated and healed

passed=0 failed=0
run_id="$(date +%s)-$$"
topic="cluster-smoke-$run_id"
ks="cluster_smoke_${run_id//-/_}"
tmp="$(mktemp -d)"

# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"
finish() {
  # the victims come back whatever happened, so the cluster is left as it was found
  for eng in kafka cassandra; do
    "$STACK" --nodes "$NODES" heal "$eng" "$CUT" >/dev/null 2>&1 || true
    "$STACK" --nodes "$NODES" status "$eng" 2>/dev/null | grep -q "^$eng-$VICTIM .* up " ||
      "$STACK" --nodes "$NODES" start "$eng" "$VICTIM" >/dev/null 2>&1 || true
  done
  kt --delete --topic "$topic" >/dev/null 2>&1 || true
  q "DROP KEYSPACE IF EXISTS $ks" >/dev/null 2>&1 || true
  rm -rf "$tmp"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
trap 'finish; exit $?' EXIT

kt() { timeout 120 "$STACK" kafka topics --bootstrap-server "$USERPIPE_BROKERS" "$@" </dev/null; }
q() { timeout 60 "$BIN" query --cassandra "$USERPIPE_CASSANDRA" "$@" </dev/null; }

# retry N CMD...: up to N tries, 1 s apart (schema agreement after DDL, leader elections).
retry() {
  local n="$1" i
  shift
  for (( i = 1; i <= n; i++ )); do "$@" && return 0; sleep 1; done
  return 1
}

# Partitions of $topic whose ISR has $1 replicas (describe prints "... Isr: 1,2,3 ...").
isr_count() {
  kt --describe --topic "$topic" 2>/dev/null |
    awk -v want="$1" '{ for (i = 1; i <= NF; i++) if ($i == "Isr:") { if (split($(i + 1), r, ",") == want) n++ } } END { print n + 0 }'
}
isr_all() { [ "$(isr_count "$1")" = 6 ]; }

# produce FROM TO: messages FROM..TO (key kN, value vN) with acks=all; exit status of the producer.
produce() {
  seq "$1" "$2" | awk '{ printf "k%d\tv%d\n", $1, $1 }' |
    timeout 120 "$STACK" kafka console-producer --bootstrap-server "$USERPIPE_BROKERS" --topic "$topic" \
      --producer-property acks=all --producer-property enable.idempotence=true \
      --producer-property delivery.timeout.ms=90000 \
      --property parse.key=true --property 'key.separator=	' >"$tmp/produce.out" 2>&1
}
# consumed_ok N: reading the topic from the start gives exactly the messages 1..N, each once.
consumed_ok() {
  timeout 120 "$STACK" kafka console-consumer --bootstrap-server "$USERPIPE_BROKERS" --topic "$topic" \
    --from-beginning --timeout-ms 15000 --max-messages "$1" --property print.key=true \
    --property 'key.separator=	' </dev/null 2>"$tmp/consume.err" | sort >"$tmp/got"
  seq 1 "$1" | awk '{ printf "k%d\tv%d\n", $1, $1 }' | sort >"$tmp/want"
  cmp -s "$tmp/got" "$tmp/want"
}

# ----------------------------------------------------------------------------------- the cluster
if "$STACK" --nodes "$NODES" status >/dev/null 2>&1; then
  log "cluster already up"
else
  log "starting the cluster (scripts/stack up --nodes $NODES)"
  "$STACK" up --nodes "$NODES" >"$tmp/up.out" 2>&1 || { not_ok "cluster: scripts/stack up --nodes $NODES" "$tmp/up.out"; exit 1; }
fi
eval "$("$STACK" env --nodes "$NODES")"
[ -x "$BIN" ] || { not_ok "userpipe binary $BIN (scripts/build release)"; exit 1; }
ok "cluster: up, brokers $USERPIPE_BROKERS, contact points $USERPIPE_CASSANDRA"

# ------------------------------------------------------------------------------ replication
if kt --create --topic "$topic" --partitions 6 --replication-factor 3 >"$tmp/create.out" 2>&1 &&
   retry 30 isr_all 3; then
  ok "kafka: topic $topic, 6 partitions, 3 in-sync replicas each"
else
  kt --describe --topic "$topic" >"$tmp/describe.out" 2>&1
  not_ok "kafka: 6 partitions at RF 3 with 3 in-sync replicas" "$tmp/create.out" "$tmp/describe.out"
fi
if produce 1 100 && consumed_ok 100; then
  ok "kafka: 100 messages with acks=all, all read back"
else
  not_ok "kafka: produce/consume 100 messages" "$tmp/produce.out" "$tmp/consume.err"
fi

if q "CREATE KEYSPACE $ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}" >"$tmp/ddl.out" 2>&1 &&
   q "CREATE TABLE $ks.kv (k int PRIMARY KEY, v text)" >>"$tmp/ddl.out" 2>&1 &&
   retry 20 q -c quorum "INSERT INTO $ks.kv (k, v) VALUES (1, 'one')" >>"$tmp/ddl.out" 2>&1 &&
   [ "$(q -c quorum --csv "SELECT v FROM $ks.kv WHERE k = 1" 2>>"$tmp/ddl.out" | tail -n1)" = one ]; then
  ok "cassandra: keyspace $ks at RF 3, write and read at QUORUM"
else
  not_ok "cassandra: RF 3 keyspace, QUORUM write/read" "$tmp/ddl.out"
fi

# ------------------------------------------------------------------------- one node of each down
"$STACK" kill kafka "$VICTIM" && "$STACK" kill cassandra "$VICTIM"
victim_addr="127.0.0.$((VICTIM + 1))"
# the others must have noticed, or the checks below would not run against a degraded cluster
seen_down() { "$STACK" nodetool 1 status 2>/dev/null | grep -q "^DN  *$1 "; }
if retry 60 seen_down "$victim_addr"; then ok "cassandra: node 1 sees node $VICTIM ($victim_addr) DOWN"
else "$STACK" nodetool 1 status >"$tmp/nodetool.out" 2>&1; not_ok "cassandra: node $VICTIM never seen DOWN" "$tmp/nodetool.out"; fi
if retry 60 isr_all 2; then ok "kafka: broker $VICTIM out of every ISR (2 in-sync replicas each)"
else kt --describe --topic "$topic" >"$tmp/describe.out" 2>&1; not_ok "kafka: ISR did not shrink to 2" "$tmp/describe.out"; fi

if produce 101 200 && consumed_ok 200; then
  ok "kafka: with broker $VICTIM down, 100 more messages with acks=all; all 200 read back"
else
  not_ok "kafka: acks=all with one broker down" "$tmp/produce.out" "$tmp/consume.err"
fi
if q -c quorum "INSERT INTO $ks.kv (k, v) VALUES (2, 'two')" >"$tmp/q.out" 2>&1 &&
   [ "$(q -c quorum --csv "SELECT v FROM $ks.kv WHERE k = 2" 2>>"$tmp/q.out" | tail -n1)" = two ]; then
  ok "cassandra: with node $VICTIM down, write and read at QUORUM"
else
  not_ok "cassandra: QUORUM with one node down" "$tmp/q.out"
fi
if q -c all "SELECT v FROM $ks.kv WHERE k = 2" >"$tmp/all.out" 2>&1; then
  not_ok "cassandra: a read at ALL succeeded with node $VICTIM down" "$tmp/all.out"
elif grep -qi 'unavailable' "$tmp/all.out"; then
  ok "cassandra: a read at ALL is refused as Unavailable"
else
  not_ok "cassandra: a read at ALL failed, but not as Unavailable" "$tmp/all.out"
fi

# ---------------------------------------------------------------------------------- back again
if "$STACK" start kafka "$VICTIM" >"$tmp/start.out" 2>&1 && "$STACK" start cassandra "$VICTIM" >>"$tmp/start.out" 2>&1; then
  ok "restart: kafka-$VICTIM and cassandra-$VICTIM answer, every node sees every other UP"
else
  not_ok "restart of node $VICTIM" "$tmp/start.out"
fi
if retry 90 isr_all 3; then ok "kafka: every partition back to 3 in-sync replicas"
else kt --describe --topic "$topic" >"$tmp/describe.out" 2>&1; not_ok "kafka: ISR not back to 3" "$tmp/describe.out"; fi
if retry 30 q -c all "SELECT v FROM $ks.kv WHERE k = 2" >"$tmp/all.out" 2>&1 && grep -q two "$tmp/all.out"; then
  ok "cassandra: a read at ALL answers again, with the row written while node $VICTIM was down"
else
  not_ok "cassandra: read at ALL after the restart" "$tmp/all.out"
fi

# ------------------------------------------------------------------------ one node of each cut off
cut_addr="127.0.0.$((CUT + 1))"
# shellcheck disable=SC2016  # $0/$1 belong to the inner bash
reachable() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$cut_addr" "$1" 2>/dev/null; }
# brokers in the metadata, as broker 1 tells it
brokers() {
  timeout 60 "$STACK" kafka broker-api-versions --bootstrap-server 127.0.0.2:9092 </dev/null 2>/dev/null |
    grep -c ' (id: [0-9]* rack: '
}
brokers_are() { [ "$(brokers)" = "$1" ]; }
if "$STACK" isolate kafka "$CUT" >"$tmp/iso.out" 2>&1 && "$STACK" isolate cassandra "$CUT" >>"$tmp/iso.out" 2>&1 &&
   [ "$("$STACK" status --nodes "$NODES" | grep -c "^[a-z]*-$CUT  *isolated ")" = 2 ] &&
   ! reachable 9092 && ! reachable 9042; then
  ok "isolate: kafka-$CUT and cassandra-$CUT shown isolated, $cut_addr:9092 and :9042 unreachable"
else
  "$STACK" status --nodes "$NODES" >>"$tmp/iso.out" 2>&1
  not_ok "isolate node $CUT" "$tmp/iso.out"
fi
if retry 60 seen_down "$cut_addr" && retry 60 brokers_are 2; then
  ok "isolate: node 1 sees cassandra-$CUT DOWN, the Kafka metadata lists 2 brokers"
else
  "$STACK" nodetool 1 status >"$tmp/nodetool.out" 2>&1
  not_ok "isolate: peers did not notice (brokers: $(brokers))" "$tmp/nodetool.out"
fi
if produce 201 250 && consumed_ok 250 &&
   q -c quorum "INSERT INTO $ks.kv (k, v) VALUES (3, 'three')" >"$tmp/q.out" 2>&1 &&
   [ "$(q -c quorum --csv "SELECT v FROM $ks.kv WHERE k = 3" 2>>"$tmp/q.out" | tail -n1)" = three ]; then
  ok "isolate: acks=all (250 messages read back) and QUORUM write/read still work"
else
  not_ok "isolate: the cluster stopped serving" "$tmp/produce.out" "$tmp/consume.err" "$tmp/q.out"
fi
# heal; `up` on a running cluster waits until every node sees every other again
if "$STACK" heal kafka "$CUT" >"$tmp/heal.out" 2>&1 && "$STACK" heal cassandra "$CUT" >>"$tmp/heal.out" 2>&1 &&
   ! iptables -S OUTPUT 2>/dev/null | grep -q "userpipe-stack:.*-$CUT" &&
   "$STACK" up --nodes "$NODES" >>"$tmp/heal.out" 2>&1 && retry 90 isr_all 3; then
  ok "heal: rules gone, every node sees every other UP, 3 in-sync replicas again"
else
  kt --describe --topic "$topic" >>"$tmp/heal.out" 2>&1
  not_ok "heal node $CUT" "$tmp/heal.out"
fi
