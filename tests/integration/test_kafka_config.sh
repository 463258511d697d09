#!/usr/bin/env bash
# --kafka-config FILE on the real broker: produce and stream take their bootstrap servers and
# client.id from the file (the broker sees the stream's client.id), -X wins over the file, an
# unknown or invalid property is a usage error (exit 2) naming file:line and the property for
# produce, stream and ui (also through USERPIPE_KAFKA_CONFIG), a file with a password that
# others may read is refused, and the password never reaches stdout or stderr, even with
# librdkafka's debug on.
# shellcheck source=tests/integration/lib_stream.sh
source "$(dirname "$0")/lib_stream.sh"
# shellcheck source=tests/integration/lib_api.sh
source "$(dirname "$0")/lib_api.sh"
stream_setup kcfg 3
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
secret="pw-$RANDOM-$RANDOM-not-for-logs"
client_id="it-kcfg-client-$RANDOM"
dead="127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cfg="$WORK/kafka.properties"
cat >"$cfg" <<PROPS
# what a user would keep out of argv
bootstrap.servers = $BROKERS
client.id = $client_id
sasl.username = alice
sasl.password = $secret
PROPS
chmod 600 "$cfg"

no_secret() { # FILE...: the password is in none of them
  if grep -l -- "$secret" "$@"; then fail "the password is in the file(s) above"; fi
}

log "produce: the file's bootstrap.servers beats --brokers (a dead port)"
"$USERPIPE_BIN" produce --source "$API_URL" --brokers "$dead" --kafka-config "$cfg" \
  --topic "$TOPIC" --dlq "$DLQ" --count 300 --batch 100 --kafka-timeout 20s \
  -X debug=conf --log-level debug >"$WORK/produce.out" 2>"$WORK/produce.log" ||
  fail "produce with --kafka-config exited $?"
[ "$(summary_field "$WORK/produce.out" delivered)" = 300 ] || fail "delivered != 300"
grep -q "client.id = $client_id" "$WORK/produce.log" || fail "librdkafka's config has no client.id from the file"
grep -q "sasl.password = \[redacted\]" "$WORK/produce.log" || fail "no redacted password in the config dump"
no_secret "$WORK/produce.out" "$WORK/produce.log"

log "produce: -X bootstrap.servers beats the file"
set +e
"$USERPIPE_BIN" produce --source "$API_URL" --kafka-config "$cfg" -X "bootstrap.servers=$dead" \
  --topic "$TOPIC" --dlq "$DLQ" --count 10 --kafka-timeout 3s >"$WORK/x.out" 2>"$WORK/x.log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "produce with -X to a dead broker exited $rc, expected 1"
grep -q "$dead" "$WORK/x.log" || fail "the error does not name the -X broker"
no_secret "$WORK/x.out" "$WORK/x.log"

log "stream: the broker sees the file's client.id"
start_stream stream --brokers "$dead" --kafka-config "$cfg" --exit-when-idle 5s -X debug=conf \
  --log-level debug
members=""
for _ in $(seq 150); do
  members="$("$KT" members "$BROKERS" "$GROUP" 2>/dev/null || true)"
  grep -qx "$client_id" <<<"$members" && break
  sleep 0.2
done
grep -qx "$client_id" <<<"$members" || fail "group members: '${members}', expected $client_id"
wait_exit "$STREAM_PID" 120
[ "$EXIT_STATUS" = 0 ] || fail "stream exited $EXIT_STATUS"
[ "$(summary_field "$WORK/stream.out" stored)" = 300 ] || fail "stored != 300"
no_secret "$WORK/stream.out" "$WORK/stream.log"

# refused CONTENT MODE NEEDLE...: every command exits 2 naming each NEEDLE, without the secret
refused() {
  local content="$1" mode="$2" c out
  shift 2
  printf '%s\n' "$content" >"$WORK/bad.properties"
  chmod "$mode" "$WORK/bad.properties"
  for c in produce stream ui; do
    set +e
    out="$("$USERPIPE_BIN" "$c" --kafka-config "$WORK/bad.properties" 2>&1)"
    rc=$?
    set -e
    [ "$rc" = 2 ] || fail "$c: exit $rc, expected 2: $out"
    for n in "$@"; do grep -qF -- "$n" <<<"$out" || fail "$c: '$out' lacks '$n'"; done
    if grep -qF -- "$secret" <<<"$out"; then fail "$c printed the password"; fi
  done
}
log "usage errors"
refused "client.id=x
no.such.property=1" 600 "bad.properties:2:" "no.such.property"
refused "security.protocol=bogus" 600 "bad.properties:1:" "security.protocol" "bogus"
refused "sasl.password=$secret" 644 "bad.properties:1 holds sasl.password" "chmod 600"
refused "$secret" 600 "bad.properties:1: expected key=value"
refused "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"$secret\";" \
  600 "sasl.jaas.config" "sasl.username and sasl.password"

log "USERPIPE_KAFKA_CONFIG"
set +e
out="$(USERPIPE_KAFKA_CONFIG="$WORK/bad.properties" "$USERPIPE_BIN" ui 2>&1)"
rc=$?
set -e
[ "$rc" = 2 ] || fail "env: exit $rc, expected 2: $out"
grep -q "bad.properties:1" <<<"$out" || fail "env: '$out' does not name the file"
log "ok"
