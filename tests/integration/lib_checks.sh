# shellcheck shell=bash
# lib_checks.sh: what the integration tests' shell code shares (sourced, not run; the other
# lib_*.sh source it): log lines, a failure that ends the test, and the self-counting checks.
#   log MSG            a timestamped line on stderr
#   fail MSG           the test fails here (exit 1); a library's on_fail, when defined, runs
#                      first (to show its logs)
#   ok NAME            counts a pass; not_ok NAME [FILE...] counts a failure and shows the tail
#                      of each FILE; finish prints "N passed, M failed" and exits 0 only if none
#                      failed
#   show_logs DIR N    the last N lines of every DIR/*.log on stderr
#   start_proxy NAME TARGET [ARGS...]
#                      it_tcp_proxy to TARGET (HOST:PORT) in the background, its pid in PIDS
#                      (the sourcing library's list of what to stop at exit), its output in
#                      $WORK; sets NAME_PORT and NAME_PID
passed="${passed:-0}" failed="${failed:-0}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
  log "FAIL: $*"
  if declare -F on_fail >/dev/null; then on_fail; fi
  exit 1
}

ok() { echo "ok   - $1"; passed=$((passed + 1)); }
not_ok() {
  local f
  echo "FAIL - $1"
  shift
  for f in "$@"; do [ -s "$f" ] && tail -n 40 "$f" | cut -c1-300 | sed 's/^/       | /'; done
  failed=$((failed + 1))
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

start_proxy() {
  local name="$1" target="$2" pid
  shift 2
  "$USERPIPE_BUILD/it_tcp_proxy" "$target" "$@" >"$WORK/$name.port" 2>"$WORK/$name.log" &
  pid=$!
  PIDS+=("$pid")
  for _ in $(seq 50); do
    grep -q ready "$WORK/$name.port" 2>/dev/null && break
    sleep 0.1
  done
  grep -q ready "$WORK/$name.port" || fail "the proxy $name did not start"
  printf -v "${name}_PORT" '%s' "$(awk '/ready/ { print $2 }' "$WORK/$name.port")"
  printf -v "${name}_PID" '%s' "$pid"
}

show_logs() {
  local f
  for f in "$1"/*.log; do
    [ -f "$f" ] || continue
    echo "---- tail of $f" >&2
    tail -n "$2" "$f" >&2
  done
}
