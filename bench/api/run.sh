#!/usr/bin/env bash
# bench/api/run.sh — users/s `userpipe api` serves as JSON on loopback, the server
# pinned to one core (taskset -c 0, one server thread) and the client on the other.
#   bench/api/run.sh [SECONDS] [CONNECTIONS]     (defaults 10 and 2)
# Needs a release build (scripts/build release). Prints bench_api's JSON line.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${USERPIPE_BUILD:-$root/build}"
secs="${1:-10}"; conns="${2:-2}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cores=$(nproc)
server_cpu=0; client_cpu=$(( cores > 1 ? 1 : 0 ))
taskset -c "$server_cpu" "$build/userpipe" api --listen "127.0.0.1:$port" --threads 1 \
  --log-level warn &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/api/?results=1" && break
  sleep 0.1
done
taskset -c "$client_cpu" "$build/bench_api" --url "http://127.0.0.1:$port/api/" \
  --seconds "$secs" --connections "$conns" --pid "$pid"
