# shellcheck shell=bash
# scripts/lib/daemon.sh — what scripts/stack, scripts/run and scripts/airflow share: messages,
# time, paths, the state lock, and background processes ("daemons") tracked by pid files.
# Sourced, never run. The sourcing script sets PROG (the prefix of its messages) first; SAY_FD
# (default 2) is where `say` writes; RUN (when set) is the directory of `pidfile`/`logfile`.
#
# A pid file holds "PID STARTTIME": the pid and the process's start time in clock ticks since boot
# (field 22 of /proc/PID/stat). The kernel never gives the same pid to two processes that started
# in the same tick, so a pid file whose pid was recycled by another process (ours died, something
# else got the number) is seen as stale — without trusting anything the process could change,
# such as its command line. Nothing that outlives a boot is read from it: after a reboot the pid
# is either gone or has another start time.

# ----------------------------------------------------------------------------------- messages
# The script's own header comment, from line 2 to the first line that is not a comment.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
say() { printf '%s\n' "${SAY_PREFIX-$PROG: }$*" >&"${SAY_FD:-2}"; }
err() { printf '%s\n' "$*" >&2; }
die() { err "$PROG: error: $*"; exit 1; }

# ---------------------------------------------------------------------------------- time, paths
now() { local t=$EPOCHREALTIME; printf '%s' "${t/,/.}"; }   # seconds.micros, whatever the locale
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
abspath() { case "$1" in /*) printf '%s' "${1%/}" ;; *) printf '%s/%s' "$PWD" "${1%/}" ;; esac; }

# hold_lock FILE SECONDS: take an exclusive lock on FILE (fd 9) for the rest of the script, or
# die after SECONDS. Daemons are started with fd 9 closed, so the lock never outlives us.
hold_lock() {
  mkdir -p "$(dirname "$1")"
  exec 9>"$1"
  flock -w "$2" 9 || die "another $PROG command holds $1"
}

# Can we open a TCP connection to ${2:-127.0.0.1}:$1 right now?
# shellcheck disable=SC2016  # $0/$1 belong to the inner bash
port_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${2:-127.0.0.1}" "$1" 2>/dev/null; }

# ----------------------------------------------------------------------------------- processes
# Start time of PID in clock ticks since boot (empty when there is no such process).
proc_start_time() {
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  s="${s##*) }"                            # past "PID (COMM) ": COMM may hold spaces and ')'
  awk '{ print $20 }' <<<"$s"
}

# Is PID the process that started at tick START (and not a zombie)? With a third argument
# "or-zombie", a zombie counts too: it is dead, but its parent (init, for a daemon) has not
# reaped it yet, and until then ps and /proc still show it.
proc_is() {
  local s st
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  s="${s##*) }"
  read -r st _ <<<"$s"
  { [ "${3:-}" = or-zombie ] || { [ "$st" != Z ] && [ "$st" != X ]; }; } &&
    [ "$(awk '{ print $20 }' <<<"$s")" = "$2" ]
}

# Every descendant of PID, one pid a line.
proc_descendants() {
  ps -e -o pid=,ppid= | awk -v r="$1" '
    { parent[$1] = $2; pids[NR] = $1 }
    END { for (i = 1; i <= NR; i++) { p = pids[i]; q = p
            while (q in parent && q != 1 && q != 0) { q = parent[q]; if (q == r) { print p; break } } } }'
}

# RSS of PID and all its descendants, in kB.
tree_rss_kb() {
  local p r total=0
  for p in "$1" $(proc_descendants "$1"); do
    r="$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)"
    total=$(( total + ${r:-0} ))
  done
  echo "$total"
}

# Where run and airflow keep a daemon's pid file and log: $RUN/NAME.pid, $RUN/NAME.log.
pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }
logfile() { printf '%s/%s.log' "$RUN" "$1"; }

# pid_of NAME: the pid of run's or airflow's daemon NAME when it runs (see daemon_pid).
pid_of() { daemon_pid "$(pidfile "$1")"; }

# daemon_pid PIDFILE: print the pid when PIDFILE names a live process that we started.
daemon_pid() {
  local pid st
  [ -s "$1" ] || return 1
  read -r pid st <"$1" 2>/dev/null || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -n "$st" ] && proc_is "$pid" "$st" || return 1
  printf '%s' "$pid"
}

# daemon_start [-C DIR] [-g CGROUP] NAME PIDFILE LOG CMD...: start CMD in a session of its own
# (so that stopping it reaches its whole process group), detached from our stdio, its output
# appended to LOG, working directory DIR, inside the cgroup (v2) directory CGROUP when given.
# The daemon's first act writes PIDFILE ("PID STARTTIME"), after joining the cgroup and before
# exec, so the pid file names the very process that becomes CMD. Fails when CMD is gone at once.
# shellcheck disable=SC2016  # $0/$1/$$ belong to the inner bash
daemon_start() {
  local dir=. cg="" name pf log i
  while :; do
    case "$1" in
      -C) dir="$2"; shift 2 ;;
      -g) cg="$2"; shift 2 ;;
      *) break ;;
    esac
  done
  name="$1" pf="$2" log="$3"
  shift 3
  rm -f "$pf"
  mkdir -p "$(dirname "$pf")" "$(dirname "$log")"
  printf '\n--- %s: %s starting\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  # fd 9 (our lock) must not leak into the daemon, or the lock would live as long as it does.
  ( cd "$dir" && exec setsid bash -c '
      [ -z "$1" ] || echo $$ >"$1/cgroup.procs"
      s="$(cat /proc/$$/stat)"; s="${s##*) }"; read -ra f <<<"$s"
      echo "$$ ${f[19]}" >"$0.new" && mv "$0.new" "$0"
      shift; exec "$@"' "$pf" "$cg" "$@" </dev/null >>"$log" 2>&1 9>&- ) &
  for (( i = 0; i < 50; i++ )); do [ -s "$pf" ] && break; sleep 0.1; done
  daemon_pid "$pf" >/dev/null && return 0
  err "$name: exited at once (no live process after 5 s); last lines of $log:"
  tail -n 20 "$log" >&2
  rm -f "$pf"
  return 1
}

# daemon_wait_until PIDFILE DEADLINE CMD...: run CMD every half second until it succeeds (0), the
# daemon is gone (1) or the clock passes DEADLINE, in seconds since the epoch (2). CMD runs in this
# shell, so it may set variables for the caller.
daemon_wait_until() {
  local pf="$1" deadline="$2"
  shift 2
  while :; do
    daemon_pid "$pf" >/dev/null || return 1
    "$@" && return 0
    [ "$(date +%s)" -lt "$deadline" ] || return 2
    sleep 0.5
  done
}

# daemon_stop NAME PIDFILE TIMEOUT: SIGTERM to the daemon's process group and to each of its
# descendants (some leave the group: Airflow's task runs in a session of its own), SIGCONT too (a
# paused daemon must see the TERM); SIGKILL after TIMEOUT s to the group and to every descendant
# that is still the process we saw before; then wait (5 s at most) until all of them are reaped,
# so that nothing of the daemon shows in /proc when we return. Removes the pid file.
daemon_stop() {
  local name="$1" pf="$2" timeout="$3" pid st kids=() k t0 i
  if ! pid="$(daemon_pid "$pf")"; then
    if [ -f "$pf" ]; then rm -f "$pf"; say "$name: not running (removed a stale pid file)"; fi
    return 0
  fi
  read -r _ st <"$pf"
  t0="$(now)"
  while read -r k; do [ -n "$k" ] && kids+=("$k $(proc_start_time "$k")"); done < <(proc_descendants "$pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  kill -CONT -- "-$pid" 2>/dev/null || kill -CONT "$pid" 2>/dev/null || true
  for k in "${kids[@]}"; do kill -TERM "${k%% *}" 2>/dev/null || true; done
  for (( i = 0; i < timeout * 5; i++ )); do proc_is "$pid" "$st" || break; sleep 0.2; done
  if proc_is "$pid" "$st"; then
    err "$name: still running $timeout s after SIGTERM; sending SIGKILL to pid $pid"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  for k in "${kids[@]}"; do
    if proc_is "${k%% *}" "${k#* }"; then kill -KILL "${k%% *}" 2>/dev/null || true; fi
  done
  for (( i = 0; i < 50; i++ )); do
    daemon_gone "$pid $st" "${kids[@]}" && break
    sleep 0.1
  done
  rm -f "$pf"
  say "$name: stopped (pid $pid) in $(secs_since "$t0") s"
}

# daemon_gone "PID START"...: none of these processes exists any more, not even as a zombie.
daemon_gone() {
  local k
  for k in "$@"; do if proc_is "${k%% *}" "${k#* }" or-zombie; then return 1; fi; done
}

# daemon_signal NAME PIDFILE SIGNAL: send SIGNAL to the daemon itself; fails when it is not running.
daemon_signal() {
  local pid
  pid="$(daemon_pid "$2")" || { err "$1 is not running"; return 1; }
  kill "-$3" "$pid"
  printf '%s' "$pid"
}
