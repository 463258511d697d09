#!/usr/bin/env python3
"""CPU seconds and resident memory of process trees, sampled from /proc.

A subject (say `userpipe stream`, or the Spark peer: python + its spark-submit JVM) is a process tree.
Every SAMPLE_S the sampler reads /proc/<pid>/stat of every process, finds each watched root's
descendants, and records per tree: CPU seconds (utime + stime of the live processes, plus what the
processes that already exited had used; a child reaped by its parent is counted through the parent's
cutime + cstime) and RSS (the sum over the live tree). The Kafka and Cassandra JVMs are watched the
same way, from the stack's pid files, so the engines' share is reported separately.

As a command, for benches written in any language:
  procmon.py --out FILE [--engines] [--watch NAME=PID]... -- CMD [ARG...]
runs CMD, waits for it, and writes {"exit", "wall_s", "cpu_s", "rss_max_mb", "engines": {...},
"machine_busy"} as JSON: "engines" also holds each --watch tree (a process already running, such as
a stream being measured while CMD offers it load), and "machine_busy" is the share of both cores'
time spent outside idle and iowait over CMD's run (/proc/stat), so a latency figure can be read
against how loaded the machine was.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

SAMPLE_S = 0.2
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def read_stats():
    """{pid: (ppid, own_cpu_s, reaped_children_cpu_s, rss_bytes)} for every process now."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
        fields = raw[raw.rindex(b")") + 2:].split()
        ppid = int(fields[1])
        own = (int(fields[11]) + int(fields[12])) / TICK
        reaped = (int(fields[13]) + int(fields[14])) / TICK
        out[int(name)] = (ppid, own, reaped, int(fields[21]) * PAGE)
    return out


def engine_pids(state_dir):
    """{'kafka': pid, 'cassandra': pid} from the stack's pid files (those that exist)."""
    pids = {}
    for eng in ("kafka", "cassandra"):
        try:
            with open(os.path.join(state_dir, eng, f"{eng}.pid"), encoding="ascii") as f:
                pids[eng] = int(f.read().split()[0])
        except (OSError, ValueError):
            pass
    return pids


class Tree:
    """CPU and RSS series of one root process and its descendants."""

    def __init__(self, root):
        self.root = root
        self.last = {}       # pid -> (own + reaped CPU, ppid) at its last sample, for live members
        self.gone_cpu = 0.0  # CPU of members that exited and were not reaped by another member
        self.series = []     # (monotonic time, cpu_s, rss_bytes)

    def update(self, t, stats):
        members = {self.root} if self.root in stats else set()
        grew = True
        while grew:
            grew = False
            for pid, st in stats.items():
                if pid not in members and st[0] in members:
                    members.add(pid)
                    grew = True
        for pid in set(self.last) - members:
            cpu, ppid = self.last.pop(pid)
            # A member reaped by a live member shows up in that parent's cutime/cstime; any other
            # exit would be lost, so keep its last sampled CPU.
            if ppid not in members:
                self.gone_cpu += cpu
        cpu, rss = self.gone_cpu, 0
        for pid in members:
            ppid, own, reaped, rss_b = stats[pid]
            self.last[pid] = (own + reaped, ppid)
            cpu += own + reaped
            rss += rss_b
        if members or not self.series:
            self.series.append((t, cpu, rss))
        return bool(members)

    def cpu_at(self, t):
        """CPU seconds used by time t (linear between samples)."""
        prev = None
        for s in self.series:
            if s[0] >= t:
                if prev is None:
                    return s[1]
                frac = (t - prev[0]) / (s[0] - prev[0]) if s[0] > prev[0] else 1.0
                return prev[1] + frac * (s[1] - prev[1])
            prev = s
        return self.series[-1][1] if self.series else 0.0

    def cpu_s(self, t0=None, t1=None):
        if not self.series:
            return 0.0
        t0 = self.series[0][0] if t0 is None else t0
        t1 = self.series[-1][0] if t1 is None else t1
        return self.cpu_at(t1) - self.cpu_at(t0)

    def rss_max_mb(self, t0=None, t1=None):
        vals = [s[2] for s in self.series
                if (t0 is None or s[0] >= t0) and (t1 is None or s[0] <= t1)]
        return max(vals, default=0) / 2**20


class Sampler:
    """Samples named process trees every SAMPLE_S in a background thread."""

    def __init__(self):
        self.trees = {}
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, name, pid):
        with self.lock:
            self.trees[name] = Tree(pid)
        self.sample()

    def watch_engines(self, state_dir):
        for eng, pid in engine_pids(state_dir).items():
            self.watch(eng, pid)

    def sample(self):
        stats = read_stats()
        t = time.monotonic()
        with self.lock:
            for tree in self.trees.values():
                tree.update(t, stats)

    def _run(self):
        while not self.stop_event.wait(SAMPLE_S):
            self.sample()

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        self.sample()

    def tree(self, name):
        return self.trees[name]


def machine_ticks():
    """(busy, total) jiffies summed over all CPUs, from the first line of /proc/stat."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def parse_watch(spec):
    name, sep, pid = spec.partition("=")
    if not sep or not name or not pid.isdigit():
        raise argparse.ArgumentTypeError(f"--watch {spec!r}: expected NAME=PID")
    return name, int(pid)


def main(argv):
    p = argparse.ArgumentParser(description="run a command and report its CPU and RSS (JSON)")
    p.add_argument("--out", required=True, help="JSON result file")
    p.add_argument("--engines", action="store_true",
                   help="also report the stack's Kafka and Cassandra JVMs over the same window")
    p.add_argument("--watch", action="append", default=[], type=parse_watch, metavar="NAME=PID",
                   help="also report this running process tree over the same window (repeatable)")
    p.add_argument("--state-dir", default=os.environ.get("USERPIPE_STATE_DIR", ".stack"))
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        p.error("no command given after --")
    sampler = Sampler()
    if args.engines:
        sampler.watch_engines(args.state_dir)
    for name, pid in args.watch:
        sampler.watch(name, pid)
    busy0, total0 = machine_ticks()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd)
    sampler.watch("cmd", proc.pid)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    sampler.stop()
    busy1, total1 = machine_ticks()
    tree = sampler.tree("cmd")
    # wait4's rusage holds the command and every descendant it reaped, sampled or not.
    cpu = max(tree.cpu_s(t0), usage.ru_utime + usage.ru_stime)
    result = {"exit": os.waitstatus_to_exitcode(status), "wall_s": round(wall, 3),
              "cpu_s": round(cpu, 3), "rss_max_mb": round(max(tree.rss_max_mb(), usage.ru_maxrss / 1024), 1),
              "engines": {name: {"cpu_s": round(t.cpu_s(t0), 3), "rss_max_mb": round(t.rss_max_mb(t0), 1)}
                          for name, t in sampler.trees.items() if name != "cmd"},
              "machine_busy": round((busy1 - busy0) / max(total1 - total0, 1), 3)}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f)
        f.write("\n")
    return result["exit"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
