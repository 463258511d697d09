#!/usr/bin/env bash
# `userpipe ui` end to end in a real browser: Debian's headless Chromium driven by
# playwright-core (tests/browser, pinned by its package-lock.json; the browser comes from
# apt, never from `npx playwright install`). Users are produced with it_kafka; when the
# build has `userpipe stream`, it runs too (own group and keyspace) so rows stored move.
# Leaves the screenshot in $USERPIPE_BUILD/artifacts/ui-browser.png.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=tests/integration/lib_ui.sh
source "$here/lib_ui.sh"
browser_dir="$USERPIPE_ROOT/tests/browser"

# --- tools, installed only when missing
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; } ||
    fail "cannot install chromium"
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then fail "node and npm are needed (apt-get install nodejs npm)"; fi
if [ ! -f "$browser_dir/node_modules/playwright-core/package.json" ] ||
   [ "$browser_dir/package-lock.json" -nt "$browser_dir/node_modules/.package-lock.json" ]; then
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/browser failed"
fi

id="uibrowser_$$_$RANDOM"
T="$id"
G="$id-group"
UI_GROUPS+=("$G")
ui_topic "$T" 3
ui_topic "$T.dlq" 1
"$KAFKA" dlq "$BROKERS" "$T.dlq" bad_uuid 2 || fail "produce dlq"

pwfile="$UI_TMP/cassandra.pw"
printf 'cassandra\n' >"$pwfile"
chmod 600 "$pwfile"

stream=0
stream_args=()
if "$USERPIPE_BIN" stream --help >/dev/null 2>&1; then
  stream=1
  ks="ui_browser_$$_$RANDOM"
  mport="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "$USERPIPE_BIN" stream --topic "$T" --dlq "$T.dlq" --group "$G" --keyspace "$ks" \
    --cassandra-user cassandra --cassandra-password-file "$pwfile" \
    --metrics "127.0.0.1:$mport" >"$UI_TMP/stream.log" 2>&1 &
  stream_pid=$!
  UI_PIDS+=("$stream_pid")
  drop_keyspace() { "$USERPIPE_ROOT/scripts/cqlsh" -e "DROP KEYSPACE IF EXISTS $ks;" >/dev/null 2>&1 || true; }
  trap 'ui_cleanup; drop_keyspace' EXIT
  stream_args=(--stream-metrics "http://127.0.0.1:$mport/metrics")
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$mport/metrics" >/dev/null && break
    kill -0 "$stream_pid" 2>/dev/null || fail "userpipe stream exited: $(cat "$UI_TMP/stream.log")"
    sleep 0.2
  done
else
  echo "note: this build has no 'userpipe stream'; rows stored are not checked" >&2
fi

cass="${USERPIPE_CASSANDRA:-127.0.0.1:9042}"
ui_start main --topic "$T" --dlq "$T.dlq" --group "$G" --cassandra "${cass%%,*}" \
  --cassandra-user cassandra --cassandra-password-file "$pwfile" "${stream_args[@]}"

# A second dashboard over a `userpipe stream --mapping` run (tests/data/mapping/it_orders: one
# topic into two tables, a tombstone, 1 record that does not parse, 3 that do not map), its
# records sent before the page opens: the Mappings panel must show that run's figures.
mapping_url=""
if [ "$stream" = 1 ]; then
  MT="${id}_orders"
  mks="${ks}_m"
  ui_mapping_stream "$MT" "$mks" "${cass%%,*}" "$id-mapping"
  "$KAFKA" send "$BROKERS" "$MT" <"$USERPIPE_ROOT/tests/data/mapping/it_orders.jsonl" 2>/dev/null ||
    fail "cannot send it_orders.jsonl"
  main_url="$UI_URL"
  ui_start mappings --topic "$MT" --dlq "$MT.dlq" --group "$id-mapping" \
    --stream-metrics "$MAPPING_METRICS_URL"
  mapping_url="$UI_URL"
  UI_URL="$main_url"
fi

mkdir -p "$USERPIPE_BUILD/artifacts"
shot="${UI_SCREENSHOT:-$USERPIPE_BUILD/artifacts/ui-browser.png}"
UI_URL="$UI_URL" TOPIC="$T" GROUP="$G" BROKERS="$BROKERS" KAFKA="$KAFKA" SCREENSHOT="$shot" \
  STREAM="$stream" MAPPING_UI_URL="$mapping_url" MAPPING_TOPIC="${MT:-}" MAPPING_KEYSPACE="${mks:-}" \
  node "$browser_dir/ui.test.mjs" || fail "browser test failed"
[ -s "$shot" ] || fail "no screenshot at $shot"
echo "screenshot: $shot"
