# shellcheck shell=bash
# lib_produce.sh: shared helpers of the `userpipe produce` integration tests (sourced).
# Env from CTest: USERPIPE_BIN, USERPIPE_ROOT, USERPIPE_BUILD; USERPIPE_BROKERS optional.
set -euo pipefail
# shellcheck source=tests/integration/lib_checks.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_checks.sh"
BIN="${USERPIPE_BIN:?set USERPIPE_BIN to the userpipe binary}"
ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BUILD="${USERPIPE_BUILD:-$(dirname "$BIN")}"
BROKERS="${USERPIPE_BROKERS:-127.0.0.1:9092}"
KT="$BUILD/it_kafka"
# shellcheck disable=SC2034  # set here, read by the tests that source this file
CHECK="$ROOT/tests/integration/produce_check.py"
WORK="$(mktemp -d)"
TOPICS=()
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((${#TOPICS[@]})); then "$KT" delete "$BROKERS" "${TOPICS[@]}" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# new_topic NAME -> a unique topic name (and its .dlq) deleted at exit
new_topic() {
  local t
  t="it_produce_${1}_$(date +%s)_$RANDOM"
  TOPICS+=("$t" "$t.dlq")
  echo "$t"
}

# shellcheck source=tests/integration/lib_api.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_api.sh"

# json_get FILE KEY -> the value of KEY in the one-line JSON summary in FILE
json_get() {
  python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])[sys.argv[2]])' "$1" "$2"
}

# dump TOPIC FILE: every message of TOPIC as NDJSON
dump() { "$KT" dump "$BROKERS" "$1" 1500 >"$2"; }
