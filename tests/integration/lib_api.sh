# shellcheck shell=bash
# lib_api.sh: `userpipe api` for integration tests (sourced, not run; shared by lib_produce.sh
# and lib_faults.sh). Needs BIN or USERPIPE_BIN, WORK, a PIDS array killed at exit, and fail.

# start_api [flags...] -> sets API_URL (a call without flags is fine: SC2119 there is noise); the
# server is stopped at exit
start_api() {
  local log="$WORK/api.$RANDOM.log"
  "${BIN:-$USERPIPE_BIN}" api --listen 127.0.0.1:0 "$@" 2>"$log" &
  PIDS+=("$!")
  local port=""
  for _ in $(seq 100); do
    port="$(grep -o '(port [0-9]*)' "$log" | grep -o '[0-9]*' || true)"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; fail "userpipe api did not start"; }
  # shellcheck disable=SC2034  # set here, read by the tests that source this file
  API_URL="http://127.0.0.1:$port/api/"
}
