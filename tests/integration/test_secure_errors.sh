#!/usr/bin/env bash
# Failures on the secured stack (docs/security.md), each a clear error within seconds, nothing
# reported delivered that was not: a wrong Kafka password and an unknown SCRAM user (produce
# and stream), a topic the user may not write, a wrong Cassandra password, a CA that did not
# sign the node's certificate, a name the certificate does not carry, an expired certificate,
# plaintext to a TLS port and TLS to a plaintext port (the shared plain stack's).
# shellcheck source=tests/integration/lib_secure.sh
source "$(dirname "$0")/lib_secure.sh"
# shellcheck source=tests/integration/lib_api.sh
source "$(dirname "$0")/lib_api.sh"
secure_setup errors
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
PLAIN_BROKERS="${USERPIPE_TEST_BROKERS:-127.0.0.1:9092}"
PLAIN_CASSANDRA="${USERPIPE_TEST_CASSANDRA:-127.0.0.1:9042}"

# kafka_config USER KEY=VALUE...: USER's librdkafka file with those properties changed.
kafka_config() {
  local f="$WORK/kafka-$1-$RANDOM.properties" kv
  cp "$SECURE_DIR/clients/kafka-$1.properties" "$f"
  shift
  for kv in "$@"; do sed -i "s|^${kv%%=*}=.*|$kv|" "$f"; done
  chmod 600 "$f"
  printf '%s' "$f"
}

# expect NAME SECONDS PATTERN CMD...: CMD exits 1 within SECONDS and its stderr matches PATTERN
# (grep -E); its stdout (a summary) is kept in $WORK/NAME.out.
expect() {
  local name="$1" secs="$2" pattern="$3" rc t0 took
  shift 3
  t0=$SECONDS
  set +e
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" </dev/null
  rc=$?
  set -e
  took=$((SECONDS - t0))
  if [ "$rc" = 1 ] && [ "$took" -le "$secs" ] && grep -qE -- "$pattern" "$WORK/$name.log"; then
    ok "$name: exit 1 in ${took}s: $(grep -oE -- "$pattern.{0,60}" "$WORK/$name.log" | head -n1 | cut -c1-150)"
  else
    not_ok "$name: exit $rc in ${took}s (want 1 within ${secs}s, stderr matching '$pattern')" "$WORK/$name.log"
  fi
}
# shellcheck disable=SC2317  # called through expect
produce() { as produce "$BIN" produce --source "$API_URL" --topic "$TOPIC" --dlq "$DLQ" --count 20 "$@"; }
# shellcheck disable=SC2317  # called through expect
stream() { as stream "$BIN" stream --topic "$TOPIC" --dlq "$DLQ" --group "$GROUP" --keyspace "$KS" --exit-when-idle 3s "$@"; }
delivered_none() {
  if grep -q '"delivered":0,' "$WORK/$1.out"; then ok "$1: nothing reported delivered"; else not_ok "$1: summary" "$WORK/$1.out"; fi
}

log "Kafka logins refused"
expect produce-wrong-password 10 "refused the login of user 'produce' \(SASL SCRAM-SHA-512" \
  produce --kafka-config "$(kafka_config produce sasl.password=wrong)"
delivered_none produce-wrong-password
expect produce-unknown-user 10 "refused the login of user 'nobody' \(SASL SCRAM-SHA-512" \
  produce --kafka-config "$(kafka_config produce sasl.username=nobody)"
expect stream-wrong-password 10 "refused the login of user 'stream' \(SASL SCRAM-SHA-512" \
  stream --kafka-config "$(kafka_config stream sasl.password=wrong)"

log "produce without WRITE on the topic"
acl add deny produce Write topic "$TOPIC"
expect produce-denied 30 "Topic authorization failed|TOPIC_AUTHORIZATION_FAILED" produce
if grep -q '"delivered":0,"dead_lettered":0,"dlq_delivered":0,"failed":20,' "$WORK/produce-denied.out"; then ok "produce-denied: the summary counts the 20 not delivered"; else not_ok "produce-denied: summary" "$WORK/produce-denied.out"; fi
acl delete deny produce Write topic "$TOPIC"

log "a wrong Cassandra password"
printf 'wrong\n' >"$WORK/wrong.pw"
chmod 600 "$WORK/wrong.pw"
expect cassandra-wrong-password 10 "Provided username stream and/or password are incorrect" \
  stream --cassandra-password-file "$WORK/wrong.pw"

log "a CA that did not sign the nodes' certificate"
expect kafka-unknown-ca 10 "TLS with Kafka failed.*signed by a CA that ssl.ca.location does not hold" \
  produce --kafka-config "$(kafka_config produce ssl.ca.location=/etc/ssl/certs/ca-certificates.crt)"
expect cassandra-unknown-ca 10 "certificate verification failed" \
  as stream "$BIN" query --cassandra-tls-ca-file /etc/ssl/certs/ca-certificates.crt "SELECT id FROM \"$KS\".users LIMIT 1"

log "a name the certificate does not carry (127.0.0.1, through a TCP proxy)"
start_proxy KPROXY "$BROKERS"
expect kafka-hostname 10 "TLS with Kafka failed.*the IP address is not in the certificate" produce --brokers "127.0.0.1:$KPROXY_PORT"
start_proxy CPROXY "$CASSANDRA"
expect cassandra-hostname 10 "IP address mismatch" \
  as stream "$BIN" query --cassandra "127.0.0.1:$CPROXY_PORT" "SELECT id FROM \"$KS\".users LIMIT 1"

log "an expired certificate (signed by the stack's CA, served by openssl s_server)"
(
  cd "$WORK"
  openssl req -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj /CN=expired 2>/dev/null
  mkdir -p ca/new && : >ca/index.txt && echo 01 >ca/serial
  printf '[ca]\ndefault_ca=d\n[d]\ndir=ca\nnew_certs_dir=ca/new\ndatabase=ca/index.txt\nserial=ca/serial\npolicy=p\ndefault_md=sha256\ncopy_extensions=none\nx509_extensions=e\n[p]\ncommonName=supplied\n[e]\nsubjectAltName=IP:127.0.0.1\n' >ca.conf
  openssl ca -batch -config ca.conf -cert "$SECURE_DIR/tls/ca.crt" -keyfile "$SECURE_DIR/tls/ca.key" \
    -startdate 20200101000000Z -enddate 20200102000000Z -in old.csr -out old.crt 2>/dev/null
) || fail "could not make the expired certificate"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$WORK/old.crt" -key "$WORK/old.key" >/dev/null 2>&1 &
PIDS+=("$!")
# shellcheck disable=SC2016  # $0 belongs to the inner bash
wait_for 10 "openssl s_server up" bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$port"
expect kafka-expired 10 "TLS with Kafka failed.*the certificate has expired" produce --brokers "127.0.0.1:$port"
expect cassandra-expired 10 "certificate has expired" \
  as stream "$BIN" query --cassandra "127.0.0.1:$port" "SELECT id FROM \"$KS\".users LIMIT 1"

log "plaintext to the TLS ports"
expect kafka-plaintext-to-tls 15 "no answer .* security.protocol" \
  as produce env -u USERPIPE_KAFKA_CONFIG "$BIN" produce --source "$API_URL" --topic "$TOPIC" --count 1 --kafka-timeout 5s
expect cassandra-plaintext-to-tls 10 "does the node require TLS" \
  "$BIN" query --cassandra "$CASSANDRA" \
  --cassandra-user stream --cassandra-password-file "$SECURE_DIR/secrets/cassandra-stream.password" "SELECT now() FROM system.local"

log "TLS to the plain stack's ports"
expect kafka-tls-to-plaintext 10 "TLS with Kafka failed.*PLAINTEXT" produce --brokers "$PLAIN_BROKERS"
expect cassandra-tls-to-plaintext 10 "TLS handshake failed" \
  as stream "$BIN" query --cassandra "$PLAIN_CASSANDRA" "SELECT now() FROM system.local"

if secrets_absent "$WORK"/*.log "$WORK"/*.out; then ok "no password in any log or summary"
else not_ok "a password in a log or summary (files above)"; fi
finish
