#!/usr/bin/env bash
# tests/stress/ui_soak.sh (make soak-ui): `userpipe ui` from the ASan + UBSan build against the
# shared single-node stack, for USERPIPE_SOAK_SECONDS (default 180), under the load of
# tests/stress/ui_soak.py: concurrent SSE clients that read, stall and vanish, random /api/
# requests (the fuzz corpus, over-long and illegal topic names, raw garbage), and topics
# created and deleted underneath, its own --topic and --dlq among them. The shared broker is
# never restarted (other work runs on it); a broker restart is not part of this soak.
#
# Env: USERPIPE_SOAK_SECONDS (180), USERPIPE_SOAK_SSE (SSE clients at once, 40),
# USERPIPE_SOAK_WORKERS (request threads, 8), USERPIPE_BIN (default build-asan/userpipe),
# USERPIPE_BUILD (it_kafka's build, default the binary's), USERPIPE_TEST_BROKERS.
# Last line:
#   soak-ui: seconds=S requests=N answered=A sse_clients=C stalled=T reset=R topics_created=K
#            topics_deleted=D crashes=X asan_reports=Y exit=E
# Exit 0 only when the dashboard lived through it, answered every probe and left no sanitizer
# report (leaks included); 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${USERPIPE_BIN:-$root/build-asan/userpipe}"
BUILD="${USERPIPE_BUILD:-$(dirname "$BIN")}"
BROKERS="${USERPIPE_TEST_BROKERS:-127.0.0.1:9092}"
SECONDS_WANTED="${USERPIPE_SOAK_SECONDS:-180}"
KT="$BUILD/it_kafka"
[ -x "$BIN" ] || { echo "ui_soak: no $BIN (scripts/build asan)" >&2; exit 1; }
[ -x "$KT" ] || { echo "ui_soak: no $KT" >&2; exit 1; }

work="$(mktemp -d)"
id="soakui_$$_$RANDOM"
topic="${id}_main" dlq="${id}_main.dlq"
ui_pid=""
cleanup() {
  if [ -n "$ui_pid" ]; then kill -9 "$ui_pid" 2>/dev/null || true; fi
  local left
  left="$(python3 -c 'import json,sys; print(" ".join(json.loads(open(sys.argv[1]).read().splitlines()[-1])["topics_left"]))' "$work/load.json" 2>/dev/null || true)"
  # shellcheck disable=SC2086  # a list of topic names
  "$KT" delete "$BROKERS" "$topic" "$dlq" $left >/dev/null 2>&1 || true
  "$KT" delete-groups "$BROKERS" "$id-group" >/dev/null 2>&1 || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

"$KT" create "$BROKERS" "$topic" 2 >/dev/null
"$KT" create "$BROKERS" "$dlq" 1 >/dev/null
printf 'soak:soakpw\n' >"$work/auth"
chmod 600 "$work/auth"

# Every sanitizer report goes to a file of its own: one file = one failure.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:log_path=$work/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$work/ubsan"
"$BIN" ui --listen 127.0.0.1:0 --brokers "$BROKERS" --cassandra '' --auth-file "$work/auth" \
  --topic "$topic" --dlq "$dlq" --group "$id-group" >"$work/ui.log" 2>&1 &
ui_pid=$!
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*dashboard at http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$work/ui.log" | head -1)"
  [ -n "$port" ] && break
  kill -0 "$ui_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/ui.log" >&2; echo "ui_soak: userpipe ui did not start" >&2; exit 1; }
echo "ui_soak: userpipe ui ($BIN) on port $port for ${SECONDS_WANTED}s" >&2

python3 "$root/tests/stress/ui_soak.py" --port "$port" --seconds "$SECONDS_WANTED" \
  --sse "${USERPIPE_SOAK_SSE:-40}" --workers "${USERPIPE_SOAK_WORKERS:-8}" --brokers "$BROKERS" \
  --it-kafka "$KT" --topic "$topic" --dlq "$dlq" --prefix "$id" --root "$root" \
  --auth soak:soakpw >"$work/load.json"

# The end: SIGTERM, as a user stops it; a crash shows as a signal or a sanitizer report.
crashes=0
if kill -TERM "$ui_pid" 2>/dev/null; then
  for _ in $(seq 1 600); do kill -0 "$ui_pid" 2>/dev/null || break; sleep 0.1; done
fi
set +e
wait "$ui_pid"
ui_exit=$?
set -e
ui_pid=""
[ "$ui_exit" -eq 0 ] || crashes=1
reports=0
for f in "$work"/asan.* "$work"/ubsan.*; do
  [ -e "$f" ] || continue
  reports=$((reports + 1))
  echo "---- $f" >&2
  head -60 "$f" >&2
done
if [ "$ui_exit" -ne 0 ]; then echo "---- tail of the dashboard's log" >&2; tail -30 "$work/ui.log" >&2; fi
python3 - "$work/load.json" "$SECONDS_WANTED" "$crashes" "$reports" "$ui_exit" <<'EOF'
import json, sys
c = json.loads(open(sys.argv[1]).read().splitlines()[-1])
crashes = int(sys.argv[3]) + (1 if c["dead"] else 0)
print("ui_soak: statuses " + " ".join(f"{k}:{v}" for k, v in sorted(c["status"].items())),
      file=sys.stderr)
print(f"soak-ui: seconds={sys.argv[2]} requests={c['requests']} answered={c['answered']} "
      f"sse_clients={c['sse_clients']} sse_events={c['sse_events']} stalled={c['stalled']} "
      f"reset={c['reset']} topics_created={c['topics_created']} "
      f"topics_deleted={c['topics_deleted']} crashes={crashes} asan_reports={sys.argv[4]} "
      f"exit={sys.argv[5]}")
EOF
[ "$crashes" -eq 0 ] && [ "$reports" -eq 0 ] && ! grep -q '"dead": true' "$work/load.json"
