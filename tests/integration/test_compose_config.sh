#!/usr/bin/env bash
# deploy/docker-compose.yml and deploy/Dockerfile, checked without a container engine, in
# `make test` (`make test-compose` runs the stack for real: tests/compose/test_compose_stack.sh):
#   1. Debian's docker-compose (1.29, a real Compose parser and schema validator) accepts the file;
#      the same parser rejects a copy with a broken reference, so the check can fail
#   2. the resolved configuration: the six services, every image built from deploy/Dockerfile,
#      healthchecks, depends_on conditions, service names instead of localhost, Kafka's listener
#      for the host, host ports on loopback only, the DAG mounted, volumes declared
#   3. the Dockerfile: one base (BASE_IMAGE, default debian:bookworm-slim) and no other image;
#      every path it copies exists and is let through by the root .dockerignore; the Airflow
#      start script parses
# Installs docker-compose with apt-get when it is missing (idempotent). Ends with "N passed, M failed".
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
COMPOSE="$ROOT/deploy/docker-compose.yml"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
not_ok() {
  echo "FAIL - $1"; shift
  for f in "$@"; do [ -s "$f" ] && sed 's/^/       | /' "$f"; done
  failed=$((failed + 1))
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# ------------------------------------------------------------------------ the parser, installed
if ! dpkg-query -W -f='${Status}' docker-compose 2>/dev/null | grep -q 'install ok installed'; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing Debian's docker-compose (the parser only; no engine is started)"
  if ! { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends docker-compose; } \
       >"$tmp/apt.log" 2>&1; then
    not_ok "install docker-compose with apt-get" "$tmp/apt.log"
    finish
  fi
fi

# ------------------------------------------------------------------------------- 1. validation
if (cd "$ROOT" && docker-compose -p userpipe -f "$COMPOSE" config) >"$tmp/resolved.yml" 2>"$tmp/config.err"; then
  ok "docker-compose $(docker-compose version --short 2>/dev/null) config accepts deploy/docker-compose.yml"
else
  not_ok "docker-compose config rejects deploy/docker-compose.yml" "$tmp/config.err"
  finish
fi

# The same parser must refuse a broken copy (a depends_on on a service that does not exist).
mkdir -p "$tmp/deploy"
sed 's/^      api:$/      apii:/' "$COMPOSE" >"$tmp/deploy/docker-compose.yml"
if ! grep -q '^      apii:$' "$tmp/deploy/docker-compose.yml"; then
  not_ok "could not make the broken copy (the airflow service no longer depends on api?)"
elif docker-compose -p userpipe -f "$tmp/deploy/docker-compose.yml" config -q >"$tmp/broken.out" 2>&1; then
  not_ok "docker-compose config accepted a depends_on on an undefined service" "$tmp/broken.out"
else
  ok "the parser rejects a broken copy ($(head -n1 "$tmp/broken.out"))"
fi

# ------------------------------------------------------------------- 2. the resolved configuration
/usr/bin/python3 - "$tmp/resolved.yml" "$ROOT" >"$tmp/checks.out" 2>&1 <<'PY'
import base64
import os
import re
import sys

import yaml

cfg = yaml.safe_load(open(sys.argv[1]))
root = sys.argv[2]
services = cfg.get("services", {})


def check(name, cond, detail=""):
    print(("ok   - " if cond else "FAIL - ") + name + ("" if cond or not detail else f": {detail}"))


check("services: kafka cassandra api stream ui airflow",
      set(services) == {"kafka", "cassandra", "api", "stream", "ui", "airflow"}, sorted(services))
k, c, a = services.get("kafka", {}), services.get("cassandra", {}), services.get("airflow", {})
targets = {"kafka": "engine", "cassandra": "engine", "api": "userpipe", "stream": "userpipe",
           "ui": "userpipe", "airflow": "airflow"}
for name, target in targets.items():
    s = services.get(name, {})
    b = s.get("build", {})
    check(f"{name}: built by the project from deploy/Dockerfile, target {target}, image *:local",
          b.get("dockerfile") == "deploy/Dockerfile" and b.get("target") == target
          and str(s.get("image", "")).endswith(":local")
          and (b.get("args") or {}).get("BASE_IMAGE") == "debian:bookworm-slim", f"{s.get('image')} {b}")
for name in ("api", "stream", "ui"):
    check(f"{name}: runs `userpipe {name}`", services.get(name, {}).get("command") == [name])
for name in ("kafka", "cassandra"):
    s = services.get(name, {})
    check(f"{name}: the engine image with ENGINE={name}, `scripts/stack run {name}`, hostname {name}",
          s.get("build", {}).get("args", {}).get("ENGINE") == name
          and s.get("command") == ["scripts/stack", "run", name] and s.get("hostname") == name,
          f"{s.get('build')} {s.get('command')}")
for name, s in services.items():
    hc = s.get("healthcheck", {})
    check(f"{name}: has a healthcheck", bool(hc.get("test")), hc)
    check(f"{name}: restarts unless stopped", s.get("restart") == "unless-stopped", s.get("restart"))
for name, needs in {"stream": {"kafka", "cassandra"}, "ui": {"kafka", "cassandra"}, "airflow": {"kafka", "api"}}.items():
    dep = services.get(name, {}).get("depends_on", {})
    check(f"{name}: waits for {' and '.join(sorted(needs))} to be healthy",
          isinstance(dep, dict) and all(dep.get(n, {}).get("condition") == "service_healthy" for n in needs), dep)

# Containers reach each other by service name: no loopback address in what the clients use.
for name, s in services.items():
    env = s.get("environment", {}) or {}
    for key, val in env.items():
        if key in ("USERPIPE_BROKERS", "USERPIPE_CASSANDRA", "USERPIPE_SOURCE"):
            check(f"{name}: {key} uses a service name, not localhost",
                  not re.search(r"localhost|127\.0\.0\.1", str(val)), val)
ke = k.get("environment", {})
def port_spec(p):
    """(host_ip, published, target) of a ports entry, long or short syntax."""
    if isinstance(p, dict):
        return p.get("host_ip", ""), str(p.get("published")), str(p.get("target"))
    parts = str(p).split("/")[0].split(":")
    parts = [""] * (3 - len(parts)) + parts
    return parts[0], parts[1], parts[2]


kports = [port_spec(p) for p in k.get("ports", [])]
hl = str(ke.get("USERPIPE_KAFKA_HOST_LISTENER", ""))
check("kafka: the host's port goes to the listener for the host (9094), advertised as localhost:<that port>",
      len(kports) == 1 and kports[0][2] == "9094" and hl == f"9094=localhost:{kports[0][1]}", f"{kports} {hl}")
for name, s in services.items():
    pub = [p for p in s.get("ports", [])]
    check(f"{name}: ports published on the host's loopback only",
          bool(pub) and all(port_spec(p)[0] == "127.0.0.1" for p in pub), pub)
ue = services.get("ui", {}).get("environment", {})
check("ui: reads the stream's metrics by service name", ue.get("USERPIPE_STREAM_METRICS") == "http://stream:9102/metrics", ue)
be = services.get("stream", {}).get("environment", {})
check("stream: brokers kafka:9092, cassandra cassandra:9042, user cassandra",
      be.get("USERPIPE_BROKERS") == "kafka:9092" and be.get("USERPIPE_CASSANDRA") == "cassandra:9042"
      and be.get("USERPIPE_CASSANDRA_USER") == "cassandra", be)
ae = a.get("environment", {})
check("airflow: DAG task sees the api, kafka and the binary by container names",
      ae.get("USERPIPE_SOURCE") == "http://api:8000/api/" and ae.get("USERPIPE_BROKERS") == "kafka:9092"
      and ae.get("USERPIPE_BIN") == "/usr/local/bin/userpipe", ae)
check("airflow: examples off, DAGs unpaused, SimpleAuthManager, one API worker",
      ae.get("AIRFLOW__CORE__LOAD_EXAMPLES") == "False" and ae.get("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION") == "False"
      and ae.get("AIRFLOW__CORE__AUTH_MANAGER", "").endswith("SimpleAuthManager") and str(ae.get("AIRFLOW__API__WORKERS")) == "1")
mounts = [v for v in a.get("volumes", []) if isinstance(v, str)]
dag_mount = [v for v in mounts if v.endswith(":/opt/airflow/dags:ro")]
check("airflow: the repository's DAG folder is mounted read-only",
      len(dag_mount) == 1 and os.path.isfile(os.path.join(dag_mount[0].split(":")[0], "load_users_data.py")), mounts)
named = set(cfg.get("volumes", {}) or {})
used = set()
for s in services.values():
    for v in s.get("volumes", []):
        src = v.split(":")[0] if isinstance(v, str) else v.get("source")
        if src and not src.startswith("/"):
            used.add(src)
check("data volumes declared (kafka, cassandra, airflow)",
      {"kafka-data", "cassandra-data", "airflow-state"} <= named and used <= named, f"{sorted(named)} used {sorted(used)}")
for name, s in services.items():
    b = s.get("build")
    if b:
        check(f"{name}: build context is the repository and the Dockerfile exists",
              os.path.realpath(b["context"]) == os.path.realpath(root)
              and os.path.isfile(os.path.join(b["context"], b["dockerfile"])), b)
PY
py_status=$?
while IFS= read -r line; do
  case "$line" in
    "ok   - "*) echo "$line"; passed=$((passed + 1)) ;;
    "FAIL - "*) echo "$line"; failed=$((failed + 1)) ;;
    *) echo "       | $line" ;;
  esac
done <"$tmp/checks.out"
[ "$py_status" = 0 ] || not_ok "the configuration checks stopped with an error (exit $py_status, above)"

# ---------------------------------------------------------------------------- 3. the Dockerfile
DF="$ROOT/deploy/Dockerfile"
for stage in base build userpipe engine airflow; do
  if grep -qE "^FROM .* AS $stage\$" "$DF"; then ok "Dockerfile: stage $stage"; else not_ok "Dockerfile: no stage $stage"; fi
done
# One base: the first FROM is the BASE_IMAGE argument (default debian:bookworm-slim), every
# other FROM names a stage of this file.
stages="$(awk '/^FROM / && / AS / { print $NF }' "$DF" | tr '\n' ' ')"
others="$(awk -v st=" $stages" 'NR > 0 && /^FROM / && $2 != "${BASE_IMAGE}" && index(st, " " $2 " ") == 0 { print $2 }' "$DF")"
if grep -qE '^ARG BASE_IMAGE=debian:bookworm-slim$' "$DF" && grep -qE '^FROM \$\{BASE_IMAGE\} AS base$' "$DF" &&
   [ "$(grep -c '^FROM [$]{BASE_IMAGE}' "$DF")" = 1 ] && [ -z "$others" ]; then
  ok "Dockerfile: every image from one base, BASE_IMAGE (default debian:bookworm-slim)"
else
  not_ok "Dockerfile: a stage starts from another image than the base or a stage: ${others:-(check ARG BASE_IMAGE)}"
fi
# Every COPY from the context must exist in the repository and pass the .dockerignore ("*",
# then "!PATH" for what goes in): the path itself or a folder above it is let through.
let_through() {
  local p="$1"
  while :; do
    grep -qxF "!$p" "$ignore" || grep -qxF "!$p/" "$ignore" && return 0
    [ "${p%/*}" = "$p" ] && return 1
    p="${p%/*}"
  done
}
ignore="$ROOT/.dockerignore"
while read -r src; do
  src="${src%/}"
  if [ ! -e "$ROOT/$src" ]; then
    not_ok "Dockerfile: COPY $src: no such path in the repository"
  elif ! let_through "$src"; then
    not_ok "Dockerfile: COPY $src is excluded by .dockerignore"
  else
    ok "Dockerfile: COPY $src exists and is in the build context"
  fi
done < <(awk '/^COPY / && !/--from=/ {   # ${ENGINE}: the engine stage, built for each engine
  for (i = 2; i < NF; i++) {
    if ($i !~ /\$\{ENGINE\}/) { print $i; continue }
    k = $i; c = $i; gsub(/\$\{ENGINE\}/, "kafka", k); gsub(/\$\{ENGINE\}/, "cassandra", c); print k; print c
  } }' "$DF")
if bash -n "$ROOT/deploy/airflow-start.sh" 2>"$tmp/sh.err"; then ok "deploy/airflow-start.sh parses"; else not_ok "deploy/airflow-start.sh" "$tmp/sh.err"; fi
finish
