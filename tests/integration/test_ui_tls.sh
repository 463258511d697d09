#!/usr/bin/env bash
# `userpipe ui --tls-cert FILE --tls-key FILE` serves HTTPS itself: the page, the API and a
# live tail over TLS verified against the certificate, basic auth over it; plain HTTP to the
# port gets no answer; a key others may read, a key of another certificate, a certificate
# that is not PEM, or one flag without the other is a usage error (exit 2) that says which.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/lib_ui.sh
source "$here/lib_ui.sh"

tls="$UI_TMP/tls"
mkdir -p "$tls"
cert_for() { # NAME: a self-signed certificate for 127.0.0.1 and its key, NAME.pem NAME.key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$tls/$1.key" -out "$tls/$1.pem" 2>/dev/null || fail "openssl req"
  chmod 600 "$tls/$1.key"
}
cert_for a
cert_for b

T="uitls_$$_$RANDOM"
ui_topic "$T" 1
"$KAFKA" users "$BROKERS" "$T" 5 || fail "produce"
printf 'alice:wonderland\n' >"$UI_TMP/auth"
chmod 600 "$UI_TMP/auth"

log="$UI_TMP/tls.log"
"$USERPIPE_BIN" ui --listen 127.0.0.1:0 --brokers "$BROKERS" --cassandra '' --topic "$T" \
  --dlq '' --auth-file "$UI_TMP/auth" --tls-cert "$tls/a.pem" --tls-key "$tls/a.key" >"$log" 2>&1 &
UI_PIDS+=("$!")
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/.*dashboard at https:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "no https:// dashboard line: $(cat "$log")"
U="https://127.0.0.1:$port"
tcurl() { curl -s --cacert "$tls/a.pem" -u alice:wonderland "$@"; }

[ "$(tcurl -o /dev/null -w '%{http_code}' "$U/")" = 200 ] || fail "GET / over TLS"
tcurl "$U/api/config" | grep -q "\"topic\":\"$T\"" || fail "/api/config over TLS"
[ "$(curl -s --cacert "$tls/a.pem" -o /dev/null -w '%{http_code}' "$U/api/config")" = 401 ] ||
  fail "no 401 without credentials over TLS"
timeout 4 curl -sN --cacert "$tls/a.pem" -u alice:wonderland \
  "$U/api/tail?topic=$T&from=beginning" >"$UI_TMP/tail.sse" 2>/dev/null || true
n="$(sse_field "$UI_TMP/tail.sse" message data | wc -l)"
[ "$n" = 5 ] || fail "the tail over TLS gave $n records, want 5"
# Another certificate is not trusted for it; plain HTTP gets no HTTP answer.
if curl -s --cacert "$tls/b.pem" -o /dev/null "$U/"; then fail "a wrong CA was accepted"; fi
code="$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)"
[ "$code" = 000 ] || fail "plain HTTP got $code"
ok "HTTPS: page, API, basic auth, live tail; wrong CA and plain HTTP refused"

refused() { # WANT ARGS...: userpipe ui exits 2 and says WANT
  local want="$1" out rc
  shift
  set +e
  out="$("$USERPIPE_BIN" ui --listen 127.0.0.1:0 --brokers "$BROKERS" --cassandra '' "$@" 2>&1)"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "exit $rc, expected 2, for $*: $out"
  grep -qF -- "$want" <<<"$out" || fail "'$out' lacks '$want'"
}
refused "--tls-cert and --tls-key go together" --tls-cert "$tls/a.pem"
refused "is not the key of --tls-cert" --tls-cert "$tls/a.pem" --tls-key "$tls/b.key"
refused "no PEM certificate" --tls-cert "$tls/a.key" --tls-key "$tls/a.key"
chmod 644 "$tls/b.key"
refused "chmod 600" --tls-cert "$tls/b.pem" --tls-key "$tls/b.key"
ok "bad TLS flags are usage errors"
finish
