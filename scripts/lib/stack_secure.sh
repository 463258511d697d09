# shellcheck shell=bash
# scripts/lib/stack_secure.sh — the secured single-node stack of `scripts/stack --secure`
# (docs/security.md): a local CA and the node's certificate, the secrets, the security sections
# of the engines' configs, and after start the Kafka users' ACLs and the Cassandra roles.
# Sourced by scripts/stack only; uses and sets its variables (STATE, K, C, HOST, JAVA, units, ...).
# shellcheck disable=SC2034,SC2154  # those variables are scripts/stack's
#
# Layout under the secured state dir (every secret mode 600, the directories 700):
#   tls/ca.crt ca.key node.p12 truststore.p12     the CA, the node's key and certificate
#   secrets/<name>.password                        one random password per store, user and role
#   clients/kafka-<user>.properties                librdkafka properties of each Kafka user
#                                                  (userpipe --kafka-config, kcat -F)
#   kafka/conf/admin.properties                    the Kafka admin's Java client settings
#                                                  (scripts/stack kafka ... --command-config)

# Who exists. Kafka (SCRAM-SHA-512 users): admin (super user: the scripts), broker (super user:
# inter-broker traffic), and one user per component. Cassandra (roles): admin (superuser: the
# scripts), one role per component; the stock superuser `cassandra` gets a random password and
# is never used after the first start.
SECURE_KAFKA_USERS=(admin broker produce stream ui)
SECURE_CASSANDRA_ROLES=(admin stream ui)
SECURE_ROLES=(admin produce stream ui)   # what `env --secure ROLE` knows
SECURE_TOPIC=users_queue
SECURE_DLQ=users_queue.dlq
SECURE_GROUP=userpipe-stream
SECURE_KEYSPACE=profiles
SECURE_TABLE=users

SECURE=0
TLS="" SECRETS="" CLIENTS=""

# secure_init: the secured stack's own state dir, address and heaps. Called before set_nodes.
secure_init() {
  SECURE=1
  STATE="$(abspath "${USERPIPE_SECURE_STATE_DIR:-$STATE/secure}")"
  K="$STATE/kafka" C="$STATE/cassandra" CL="$STATE/cluster"
  HOST="${USERPIPE_SECURE_HOST:-127.0.0.20}"
  TLS="$STATE/tls" SECRETS="$STATE/secrets" CLIENTS="$STATE/clients"
  KAFKA_HEAP="${USERPIPE_KAFKA_HEAP:-384m}" CASSANDRA_HEAP="${USERPIPE_CASSANDRA_HEAP:-512M}"
}

# ------------------------------------------------------------------------------------- secrets
secret_file() { printf '%s/%s.password' "$SECRETS" "$1"; }
# secret NAME: the password NAME, made (24 random letters and digits, one line) on first use.
secret() {
  local f
  f="$(secret_file "$1")"
  if [ ! -s "$f" ]; then
    ( umask 077; mkdir -p "$SECRETS"
      openssl rand -base64 48 | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c1-24 >"$f.new" && mv "$f.new" "$f" )
  fi
  cat "$f"
}

# ---------------------------------------------------------------------------------- certificates
# make_pki: the CA (10 years) and the node's certificate (2 years; SAN = the node's address and
# localhost), made once; the node's key and chain as PKCS12 for both engines, the CA as a
# PKCS12 truststore (keytool: Java wants a trusted-certificate entry).
make_pki() {
  local keytool
  [ -s "$TLS/node.p12" ] && [ -s "$TLS/truststore.p12" ] && return 0
  secret store >/dev/null
  keytool="${JAVA%/java}/keytool"
  ( umask 077; mkdir -p "$TLS" )
  (
    set -e
    cd "$TLS"
    umask 077
    if [ ! -s ca.crt ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
        -subj "/CN=userpipe local CA $(date -u +%Y%m%d%H%M%S)" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    fi
    openssl req -newkey rsa:2048 -nodes -keyout node.key -out node.csr -subj /CN=userpipe-node 2>/dev/null
    printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' \
      "$HOST" >node.ext
    openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 730 -extfile node.ext \
      -out node.crt 2>/dev/null
    openssl pkcs12 -export -in node.crt -inkey node.key -certfile ca.crt -name node \
      -passout "file:$(secret_file store)" -out node.p12
    rm -f truststore.p12
    "$keytool" -importcert -noprompt -alias userpipe-ca -file ca.crt -storetype PKCS12 \
      -keystore truststore.p12 -storepass:file "$(secret_file store)" >/dev/null 2>&1
    rm -f node.csr node.ext
    chmod 644 ca.crt node.crt
  ) || die "making the stack's certificates in $TLS failed (openssl, keytool)"
  say "secure: CA and node certificate made in $TLS (SAN IP:$HOST, DNS:localhost)"
}

# ------------------------------------------------------------------------------------ configs
# secure_kafka_conf DIR: the security section of server.properties, the admin's client settings
# (and the probe's, which are the same plus short timeouts), one librdkafka file per user.
secure_kafka_conf() {
  local d="$1" u
  make_pki
  ( umask 077
    render kafka/secure.properties "$d/conf/secure.properties" TLS="$TLS" \
      STORE_PASSWORD="$(secret store)" BROKER_PASSWORD="$(secret kafka-broker)"
    cat "$d/conf/secure.properties" >>"$d/conf/server.properties"
    rm -f "$d/conf/secure.properties"
    java_client_login admin >"$d/conf/admin.properties"
    java_client_login admin >>"$d/conf/probe.properties"
    mkdir -p "$CLIENTS"
    for u in "${SECURE_KAFKA_USERS[@]}"; do
      [ "$u" = broker ] && continue
      librdkafka_login "$u" >"$CLIENTS/kafka-$u.properties"
    done )
  chmod 600 "$d/conf/server.properties"
}

# The settings a Java client (Kafka's tools) needs to log in as USER.
java_client_login() {
  printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$1\" password=\"$(secret "kafka-$1")\";" \
    "ssl.truststore.type=PEM" "ssl.truststore.location=$TLS/ca.crt"
}

# The librdkafka properties of USER (userpipe --kafka-config FILE, kcat -F FILE).
librdkafka_login() {
  printf '%s\n' "# Kafka user $1 of the secured stack ($STATE): librdkafka properties" \
    "security.protocol=SASL_SSL" "sasl.mechanisms=SCRAM-SHA-512" "sasl.username=$1" \
    "sasl.password=$(secret "kafka-$1")" "ssl.ca.location=$TLS/ca.crt"
}

# kafka_scram_argfile FILE: the storage tool's --add-scram arguments, one per user, in a Java
# argument file (mode 600), so that no password is on a command line.
kafka_scram_argfile() {
  local u
  ( umask 077
    for u in "${SECURE_KAFKA_USERS[@]}"; do
      printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$u" "$(secret "kafka-$u")"
    done >"$1" )
}

secure_cassandra_conf() {
  local d="$1"
  make_pki
  ( umask 077
    render cassandra/secure.yaml "$d/conf/secure.yaml" TLS="$TLS" STORE_PASSWORD="$(secret store)"
    cat "$d/conf/secure.yaml" >>"$d/conf/cassandra.yaml"
    rm -f "$d/conf/secure.yaml" )
  chmod 600 "$d/conf/cassandra.yaml"
}

# ------------------------------------------------------------------------------------ cqlsh
# secure_cqlsh ROLE ARGS...: scripts/cqlsh over TLS (the stack's CA, certificate validated) as
# ROLE, its password from its file (never on a command line).
secure_cqlsh() {
  local role="$1" pwf
  shift
  if [ "$role" = cassandra-initial ]; then
    pwf="$STATE/cassandra/initial.password"
    ( umask 077; printf 'cassandra' >"$pwf" )
    role=cassandra
  else
    pwf="$(secret_file "cassandra-$role")"
  fi
  bounded env -u CQLSH_HOST -u CQLSH_PORT USERPIPE_CASSANDRA_TLS_CA_FILE="$TLS/ca.crt" \
    USERPIPE_CASSANDRA_USER="$role" USERPIPE_CASSANDRA_PASSWORD_FILE="$pwf" \
    "$REPO/scripts/cqlsh" --connect-timeout=5 --request-timeout=20 --no-color "$@" "$HOST" "$CASSANDRA_PORT"
}

# The role the probe and the scripts log in with: admin once the roles exist, else the stock one.
cassandra_login_role() { if [ -f "$C/.roles" ]; then echo admin; else echo cassandra-initial; fi; }

probe_cassandra_secure() {
  tool_timeout=30 secure_cqlsh "$(cassandra_login_role)" -e "SELECT release_version FROM system.local" </dev/null 2>/dev/null |
    awk '/^ *[0-9]+\.[0-9]+/ { gsub(/ /, ""); print; exit }' | grep .
}

# ------------------------------------------------------------------------------ after start
# cassandra_roles: once per data dir, as the stock superuser: the admin role; then as admin: the
# stock superuser's password changed, the component roles, the keyspace and table (so that the
# stream role needs no CREATE) and the grants. The statements go through a file (mode 600),
# never a command line.
cassandra_roles() {
  local f="$C/roles.cql" out="$C/logs/roles.out" r
  [ -f "$C/.roles" ] && return 0
  ( umask 077
    printf "CREATE ROLE IF NOT EXISTS admin WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = '%s';\n" \
      "$(secret cassandra-admin)" >"$f" )
  secure_cqlsh cassandra-initial -f "$f" </dev/null >"$out" 2>&1 ||
    { rm -f "$f"; err "$(tail -n 5 "$out")"; die "cassandra: creating the admin role failed (log $out)"; }
  ( umask 077
    {
      printf "ALTER ROLE cassandra WITH PASSWORD = '%s';\n" "$(secret cassandra-superuser)"
      for r in "${SECURE_CASSANDRA_ROLES[@]}"; do
        [ "$r" = admin ] && continue
        printf "CREATE ROLE IF NOT EXISTS %s WITH LOGIN = true AND PASSWORD = '%s';\n" "$r" "$(secret "cassandra-$r")"
      done
      printf "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};\n" \
        "$SECURE_KEYSPACE"
      sed -e '/^--/d' -e "s/@KEYSPACE@/$SECURE_KEYSPACE/" -e "s/@TABLE@/$SECURE_TABLE/" "$REPO/stack/cassandra/secure-schema.cql"
      cat <<EOF
GRANT SELECT ON TABLE $SECURE_KEYSPACE.$SECURE_TABLE TO stream;
GRANT MODIFY ON TABLE $SECURE_KEYSPACE.$SECURE_TABLE TO stream;
GRANT SELECT ON KEYSPACE $SECURE_KEYSPACE TO ui;
EOF
    } >"$f" )
  secure_cqlsh admin -f "$f" </dev/null >"$out" 2>&1 ||
    { rm -f "$f"; err "$(tail -n 5 "$out")"; die "cassandra: creating the roles failed (log $out)"; }
  rm -f "$f" "$C/initial.password"
  touch "$C/.roles"
  say "cassandra: roles ${SECURE_CASSANDRA_ROLES[*]}, table $SECURE_KEYSPACE.$SECURE_TABLE and grants made; the stock superuser's password changed"
}

# kafka_acls: once per data dir, as admin: the topics and each user's ACLs.
kafka_acls() {
  local out="$K/logs/acls.out" conf="$K/conf/admin.properties" bs="$HOST:$KAFKA_PORT"
  [ -f "$K/.acls" ] && return 0
  acl() { kafka_tool org.apache.kafka.tools.AclCommand --bootstrap-server "$bs" --command-config "$conf" --add "$@"; }
  {
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --command-config "$conf" \
      --create --if-not-exists --topic "$SECURE_TOPIC" --partitions 6 --replication-factor 1 &&
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --command-config "$conf" \
      --create --if-not-exists --topic "$SECURE_DLQ" --partitions 1 --replication-factor 1 &&
    acl --allow-principal User:produce --operation Write --operation Describe --topic "$SECURE_TOPIC" --topic "$SECURE_DLQ" &&
    acl --allow-principal User:stream --operation Read --operation Describe --topic "$SECURE_TOPIC" --group "$SECURE_GROUP" &&
    acl --allow-principal User:stream --operation Write --operation Describe --topic "$SECURE_DLQ" &&
    acl --allow-principal User:ui --operation Read --operation Describe --topic "$SECURE_TOPIC" --topic "$SECURE_DLQ" &&
    acl --allow-principal User:ui --operation Describe --group "$SECURE_GROUP" --cluster
  } </dev/null >"$out" 2>&1 || { err "$(tail -n 5 "$out")"; die "kafka: creating the topics and ACLs failed (log $out)"; }
  touch "$K/.acls"
  say "kafka: topics $SECURE_TOPIC, $SECURE_DLQ and the ACLs of produce, stream, ui made"
}

# secure_setup: what `up --secure` does once both engines answer.
secure_setup() {
  local pids=() p rc=0
  [[ " ${units[*]} " == *" kafka "* ]] && { kafka_acls & pids+=($!); }
  [[ " ${units[*]} " == *" cassandra "* ]] && { cassandra_roles & pids+=($!); }
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return "$rc"
}

# ------------------------------------------------------------------------------------- env
# secure_env ROLE: the exports a shell needs to act as ROLE (admin, produce, stream, ui): files,
# never the secrets themselves.
secure_env() {
  local role="${1:-admin}"
  [[ " ${SECURE_ROLES[*]} " == *" $role "* ]] || die "env --secure: unknown role $role (${SECURE_ROLES[*]})"
  [ -f "$CLIENTS/kafka-$role.properties" ] || die "the secured stack was never started here ($STATE): scripts/stack up --secure"
  printf 'export USERPIPE_SECURE_STATE_DIR=%q\n' "$STATE"
  printf 'export USERPIPE_BROKERS=%q\n' "$HOST:$KAFKA_PORT"
  printf 'export USERPIPE_KAFKA_CONFIG=%q\n' "$CLIENTS/kafka-$role.properties"
  if [ "$role" != produce ]; then     # produce never talks to Cassandra
    printf 'export USERPIPE_CASSANDRA=%q\n' "$HOST:$CASSANDRA_PORT"
    printf 'export USERPIPE_CASSANDRA_TLS=true\n'
    printf 'export USERPIPE_CASSANDRA_TLS_CA_FILE=%q\n' "$TLS/ca.crt"
    printf 'export USERPIPE_CASSANDRA_USER=%q\n' "$role"
    printf 'export USERPIPE_CASSANDRA_PASSWORD_FILE=%q\n' "$(secret_file "cassandra-$role")"
  fi
  printf 'export USERPIPE_KAFKA_LIBS=%q\n' "$K/libs"
  printf 'export USERPIPE_KAFKA_ADMIN_CONFIG=%q\n' "$K/conf/admin.properties"
}
