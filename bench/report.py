#!/usr/bin/env python3
"""Turns one `bench/run` into bench/results/<name>.{md,json} and its PNG plots.

Input: the scratch directory of the run, one folder per part call (<part>-<run>/ with stdout, stderr,
exit and the part's sample files). Each part's last stdout line is its JSON result (docs/bench.md).
Output:
  <name>.json              every part call's result (samples included), machine and versions
  <name>.md                machine, versions, settings, exact commands, tables (min/median/max over the
                           runs; ratios taken within each run, then min/median/max of those)
  <name>-throughput.png    rates per part and subject (bar = median, whisker = min..max)
  <name>-cpu.png, -rss.png CPU s per 100k records and peak RSS, the same way (log scale)
  <name>-latency-cdf.png   end-to-end latency CDF of every subject with samples (all runs pooled)
  README.md (same folder)  the newest full run's headline table and plots (a quick run only until
                           there is a full one; never a --parts run), for the project README to link to
"""
import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

HIGHER_IS_BETTER = ("_per_s",)
LATENCY_TITLES = {
    "stream-vs-spark": "stream-vs-spark: produce → row readable, fixed offered rate",
    "cql": "cql: one INSERT, request → response",
}


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    cpu = ""
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="ascii") as f:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    debian = sh("cat", "/etc/debian_version")
    return {"host": socket.gethostname(), "cpu": cpu, "cores": os.cpu_count(),
            "memory_gib": round(mem_kb / 2**20, 1), "kernel": platform.release(),
            "os": f"Debian {debian}" if debian else platform.platform()}


def versions():
    # `userpipe --version`: "userpipe 0.1.0", then "librdkafka 2.0.2 (builtin.features ...)", ...
    libs = [" ".join(line.split()[:2]) for line in
            sh(os.environ.get("USERPIPE_BIN", "build/userpipe"), "--version").splitlines() if line.strip()]
    v = {"userpipe": "; ".join(libs).removeprefix("userpipe "),
         "git": sh("git", "describe", "--always", "--dirty"),
         "python": platform.python_version()}
    java = subprocess.run([os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "java"), "-version"],
                          capture_output=True, text=True).stderr.splitlines()
    v["java"] = java[0] if java else ""
    for line in sh("scripts/stack", "status").splitlines():
        m = re.match(r"(\w+)\s+\S+.*version (\S+)", line)
        if m:
            v[m.group(1)] = m.group(2)
    for pkg in ("pyspark", "kafka", "cassandra", "matplotlib"):
        try:
            v[{"kafka": "kafka-python", "cassandra": "cassandra-driver"}.get(pkg, pkg)] = \
                __import__(pkg).__version__
        except ImportError:
            pass
    return v


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


CDF_POINTS = 2000


def read_float_lines(path):
    """The samples, sorted; more than CDF_POINTS are thinned to that many evenly spaced quantiles
    (enough for the CDF plot; the tables use the parts' own percentiles over all samples)."""
    with open(path, encoding="utf-8") as f:
        vals = sorted(float(x) for x in f if x.strip())
    if len(vals) <= CDF_POINTS:
        return vals
    step = (len(vals) - 1) / (CDF_POINTS - 1)
    return [vals[round(i * step)] for i in range(CDF_POINTS)]


def collect(scratch):
    """[{part, run, exit, result, error, samples}] for every part call in the scratch directory."""
    calls = []
    for d in sorted(os.listdir(scratch)):
        m = re.match(r"(.+)-(\d+)$", d)
        path = os.path.join(scratch, d)
        if not m or not os.path.isdir(path):
            continue
        read = lambda name: open(os.path.join(path, name), encoding="utf-8", errors="replace").read() \
            if os.path.exists(os.path.join(path, name)) else ""  # noqa: E731
        rc = int(read("exit").strip() or "1")
        result = last_json_line(read("stdout"))
        call = {"part": m.group(1), "run": int(m.group(2)), "exit": rc, "result": result, "samples": {}}
        if result is None:
            tail = read("stderr").strip().splitlines()[-8:]
            call["error"] = f"exit {rc}, no JSON result line; stderr ends:\n" + "\n".join(tail)
        else:
            for subject, name in (result.get("samples") or {}).items():
                f = os.path.join(path, name)
                if os.path.exists(f):
                    call["samples"][subject] = read_float_lines(f)
        calls.append(call)
    return calls


def spread(values):
    """'median (min–max)' or just the value for one run."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt(med)
    return f"{fmt(med)} ({fmt(min(values))}–{fmt(max(values))})"


def fmt(v):
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float) and abs(v) < 10:
        return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}"
    if isinstance(v, (int, float)):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"
    return str(v)


def ratio_word(metric, r):
    """Reads a userpipe/peer ratio: '3.1× more' for a rate, '38× less' for a cost or a time."""
    if r <= 0:
        return "n/a"
    k = r if r >= 1 else 1 / r
    times = f"{k:,.0f}×" if k >= 10 else f"{k:.1f}×"
    return f"{times} more" if r >= 1 else f"{times} less"


def readable_command(cmd):
    """A command as a reader would type it: bench/run's private copy of the build shows as build/,
    and paths are relative to the repository."""
    build = os.environ.get("USERPIPE_BUILD")
    if build and os.path.abspath(build) != os.path.join(ROOT, "build"):
        cmd = cmd.replace(os.path.abspath(build) + "/", "build/").replace(
            os.path.relpath(os.path.abspath(build), ROOT) + "/", "build/")
    return cmd.replace(ROOT + "/", "")


def part_section(part, calls):
    ok = [c for c in calls if c["result"]]
    lines = [f"## {part}", ""]
    if not ok:
        lines += ["**Failed in every run.**", ""] + [f"```\n{c.get('error', '')}\n```" for c in calls[:1]]
        return lines, {}
    first = ok[0]["result"]
    baseline = first.get("baseline")
    subjects = list(dict.fromkeys(s for c in ok for s in c["result"].get("subjects", {})))
    metrics = list(dict.fromkeys(m for c in ok for s in c["result"]["subjects"].values() for m in s))
    lines.append(f"Runs: {len(ok)} of {len(calls)} succeeded. Settings: "
                 + ", ".join(f"{k}={v}" for k, v in (first.get("settings") or {}).items()) + ".")
    lines.append("")
    # Ratios against the baseline and against every subject the part lists in "peers" (the Rust and
    # Java pipelines, the other drivers, Kafka's own producer): each taken inside one run.
    # A peer is a subject name (ratio userpipe / it) or a pair [ours, theirs] (e.g. produce's Kafka
    # stage alone against ProducerPerformance).
    pairs = [tuple(p) if isinstance(p, list) else ("userpipe", p) for c in ok for p in c["result"].get("peers", [])]
    targets = ([("userpipe", baseline)] if baseline else []) + [
        t for t in dict.fromkeys(pairs) if t != ("userpipe", baseline) and t[0] in subjects and t[1] in subjects]
    head = "| metric | " + " | ".join(subjects) + "".join(f" | ratio {a} / {b}" for a, b in targets) + " |"
    lines += [head, "|" + "---|" * (len(subjects) + 1 + len(targets))]
    ratios = {}
    for m in metrics:
        row = [spread([c["result"]["subjects"].get(s, {}).get(m) for c in ok]) for s in subjects]
        cells = []
        for ours, t in targets:
            cell = ""
            if m != "records" and not m.startswith(("latency_probes", "probe_")):
                per_run = []
                for c in ok:
                    subj = c["result"]["subjects"]
                    a, b = subj.get(ours, {}).get(m), subj.get(t, {}).get(m)
                    if a is not None and b:
                        per_run.append(a / b)
                if per_run:
                    ratios[(ours, t, m)] = (per_run, [c["result"]["subjects"].get(ours, {}).get(m) for c in ok],
                                            [c["result"]["subjects"].get(t, {}).get(m) for c in ok])
                    cell = f"{spread(per_run)} ({ratio_word(m, statistics.median(per_run))})"
            cells.append(cell)
        lines.append(f"| {m} | " + " | ".join(row) + "".join(f" | {x}" for x in cells) + " |")
    engines = [(s, e, c["result"]["engines"][s][e]) for c in ok for s in (c["result"].get("engines") or {})
               for e in c["result"]["engines"][s]]
    if engines:
        lines += ["", "Engines over each subject's measuring window (Kafka and Cassandra JVMs, from /proc):", "",
                  "| subject | engine | CPU s per 100k | peak RSS MB |", "|---|---|---|---|"]
        for s in subjects:
            for e in ("kafka", "cassandra"):
                vals = [v for (ss, ee, v) in engines if ss == s and ee == e]
                if vals:
                    lines.append(f"| {s} | {e} | {spread([v.get('cpu_s_per_100k') for v in vals])} | "
                                 f"{spread([v.get('rss_max_mb') for v in vals])} |")
    for key, what in (("latency_load", "the fixed rate was offered"),
                      ("floor_load", "the floor was measured (the same rate, no pipeline)"),
                      ("latency_load_quarter", "a quarter of saturation was offered"),
                      ("floor_load_quarter", "the floor was measured at a quarter of saturation")):
        loads = [c["result"][key] for c in ok if c["result"].get(key)]
        if not loads:
            continue
        who = list(dict.fromkeys(k for l in loads for k in l["cores"]))
        lines += ["", f"The machine while {what} (cores used; 2.0 = both cores):", "",
                  "| machine busy | " + " | ".join(who) + " |", "|---|" + "---|" * len(who),
                  f"| {spread([round(100 * l['machine_busy'], 1) for l in loads])} % | "
                  + " | ".join(spread([l["cores"].get(k) for l in loads]) for k in who) + " |"]
    lines += ["", "Commands (run 1):", "", "```"]
    lines += [f"# {s}\n{readable_command(cmd)}" for s, cmd in (first.get("commands") or {}).items()]
    lines += ["```", ""]
    if first.get("versions"):
        lines += ["Versions: " + ", ".join(f"{k} {v}" for k, v in first["versions"].items()) + ".", ""]
    for c in calls:
        errs = {"": c["error"]} if c.get("error") else (c["result"] or {}).get("errors") or {}
        for subject, err in errs.items():
            lines += [f"Run {c['run']} failed" + (f" for {subject}" if subject else "") + ":", "", "```",
                      str(err)[:2000].rstrip(), "```", ""]
    return lines, ratios


# The bar figures: file suffix, which metrics, title, log scale (CPU and RSS span three orders of
# magnitude between userpipe and the JVM/Python peers; on a linear axis the fast ones vanish).
BAR_FIGURES = (
    ("throughput", lambda m: m.endswith("_per_s"), "Throughput", False),
    ("cpu", lambda m: m == "cpu_s_per_100k", "CPU seconds per 100k records (log scale)", True),
    ("rss", lambda m: m == "rss_max_mb", "Peak RSS, MB (log scale)", True),
)
UNITS = {"cpu_s_per_100k": "CPU s / 100k", "rss_max_mb": "MB"}


def bar_figure(plt, calls, png, wanted, title, log):
    """One panel per (part, metric) with a bar per subject: median, whisker = min–max over runs."""
    values = {}  # (part, metric) -> subject -> [values]
    for c in calls:
        if not c["result"] or not c["result"].get("baseline"):
            continue  # a part without a peer has nothing to put side by side
        for s, ms in c["result"]["subjects"].items():
            for m, v in ms.items():
                if wanted(m) and v is not None:
                    values.setdefault((c["part"], m), {}).setdefault(s, []).append(v)
    if not values:
        return None
    panels = sorted(values.items())
    widths = [max(3, len(subj)) for _, subj in panels]  # a panel's width follows its bar count
    fig, axes = plt.subplots(1, len(panels), figsize=(max(6.0, 1.1 * sum(widths) + 1), 4.6),
                             squeeze=False, gridspec_kw={"width_ratios": widths})
    for ax, ((part, metric), subj) in zip(axes[0], panels):
        names = list(subj)
        crowded = len(names) > 3
        meds = [statistics.median(subj[n]) for n in names]
        lo = [m - min(subj[n]) for m, n in zip(meds, names)]
        hi = [max(subj[n]) - m for m, n in zip(meds, names)]
        colors = ["#2b6cb0" if n.startswith("userpipe") else "#c05621" for n in names]
        ax.bar(range(len(names)), meds, yerr=[lo, hi], capsize=4, color=colors)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, fontsize=8, rotation=40 if crowded else 0,
                           ha="right" if crowded else "center", rotation_mode="anchor")
        ax.set_title(f"{part}: {metric}", fontsize=10)
        ax.set_ylabel(UNITS.get(metric, metric.replace("_per_s", "/s")))
        if log:
            import matplotlib.ticker

            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: f"{y:g}"))
            ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.margins(y=0.3)
        else:
            ax.margins(y=0.18)  # room for the value labels above the whiskers
        for i, (m, h) in enumerate(zip(meds, hi)):
            ax.annotate(f"{m:,.0f}" if m >= 100 else f"{m:.3g}", (i, m + h), ha="center", va="bottom",
                        fontsize=7, rotation=90 if crowded else 0, xytext=(0, 3), textcoords="offset points")
    fig.suptitle(f"{title}: bar = median, whisker = min–max over runs", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


def plots(calls, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker  # noqa: F401 (used as matplotlib.ticker)

    made = []
    for suffix, wanted, title, log in BAR_FIGURES:
        png = bar_figure(plt, calls, f"{out}-{suffix}.png", wanted, title, log)
        if png:
            made.append(png)
    samples = {}  # part -> subject -> latencies (all runs pooled)
    for c in calls:
        for s, vals in c["samples"].items():
            samples.setdefault(c["part"], {}).setdefault(s, []).extend(vals)
    if samples:
        fig, axes = plt.subplots(1, len(samples), figsize=(max(7.0, 5.5 * len(samples)), 4.4), squeeze=False)
        for ax, (part, subj) in zip(axes[0], sorted(samples.items())):
            for s, vals in sorted(subj.items()):
                vals = sorted(vals)
                ys = [(i + 1) / len(vals) for i in range(len(vals))]
                ax.step(vals, ys, where="post", label=f"{s} ({len(vals)})",
                        linewidth=2.0 if s == "userpipe" else 1.2)
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:g}"))
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.tick_params(axis="x", which="both", labelsize=7)
            ax.set_xlabel("latency, ms (log scale)")
            ax.set_ylabel("fraction of samples")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7, loc="lower right")
            ax.set_title(LATENCY_TITLES.get(part, part), fontsize=10)
        fig.suptitle("Latency CDF, all runs pooled (legend: subject (points))", fontsize=10)
        fig.tight_layout()
        fig.savefig(f"{out}-latency-cdf.png", dpi=110)
        plt.close(fig)
        made.append(f"{out}-latency-cdf.png")
    return made


HEADLINE_METRICS = ("users_per_s", "rows_per_s", "latency_p99_ms", "rss_max_mb", "cpu_s_per_100k")


def markdown(calls, meta, pngs):
    """The report, and its headline table (the rows) for bench/results/README.md."""
    quick = meta["quick"]
    lines = [f"# userpipe benchmark: {meta['date']} on {meta['machine']['host']}" + (" (quick)" if quick else ""),
             ""]
    if quick:
        lines += ["**Quick mode**: one short run per part. A check that everything works, not a result.", ""]
    m = meta["machine"]
    lines += [f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}, "
              f"Linux {m['kernel']}. Kafka, Cassandra, the subjects and the bench all share it.",
              "- Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v) + ".",
              f"- Command: `{meta['command']}` ({meta['runs']} run(s) per part, {meta['seconds']} s in all).",
              f"- Load average (1, 5, 15 min) before / after: {meta['loadavg_start']} / {meta['loadavg_end']}; "
              "above ~1 something else was using the 2 cores and every figure is skewed.",
              "- How to read this: docs/bench.md. Each cell is the median over the runs with (min–max); a ratio "
              "is taken inside each run (same stack, same records) and then summarised the same way.", ""]
    parts = list(dict.fromkeys(c["part"] for c in calls))
    sections, headline = [], []
    for p in parts:
        sec, ratios = part_section(p, [c for c in calls if c["part"] == p])
        sections += sec
        for (who, base, metric), (per_run, ours, theirs) in ratios.items():
            if metric in HEADLINE_METRICS:
                headline.append(f"| {p}: {who} vs {base} | {metric} | {spread(ours)} | {spread(theirs)} | "
                                f"{spread(per_run)} ({ratio_word(metric, statistics.median(per_run))}) |")
    if headline:
        headline = ["| comparison | metric | userpipe | peer | ratio userpipe / peer |",
                    "|---|---|---|---|---|"] + headline
        lines += ["## Headline ratios", ""] + headline + [""]
    for png in pngs:
        lines += [f"![{os.path.basename(png)}]({os.path.basename(png)})", ""]
    lines += sections
    return "\n".join(lines) + "\n", headline


def write_latest(out, meta, headline, pngs):
    """bench/results/README.md: the newest report's headline and plots. A quick run replaces it only
    while no full run has been recorded there."""
    readme = os.path.join(os.path.dirname(os.path.abspath(out)), "README.md")
    if meta["partial"]:
        return  # a --parts run: its report stands alone; the index keeps the last run of every part
    if meta["quick"] and os.path.exists(readme) and "<!-- mode: full -->" in open(readme, encoding="utf-8").read():
        return
    name = os.path.basename(out)
    lines = [f"<!-- mode: {'quick' if meta['quick'] else 'full'} -->",
             "# Latest benchmark", "",
             f"[{name}.md]({name}.md): {meta['date']}, {meta['machine']['cpu']}, {meta['machine']['cores']} cores, "
             f"`{meta['command']}`" + (" (quick mode: a check, not a result)" if meta["quick"] else "") +
             f", load average before / after {meta['loadavg_start']} / {meta['loadavg_end']}.",
             "Method and how to read it: [docs/bench.md](../../docs/bench.md).", ""]
    lines += headline + [""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in pngs]
    with open(readme, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scratch", required=True, help="the run's scratch directory (bench/results/tmp/<stamp>)")
    p.add_argument("--out", required=True, help="output path without extension, e.g. bench/results/2026-11-24-vm")
    args = p.parse_args(argv)
    calls = collect(args.scratch)
    if not calls:
        print(f"report: no part results in {args.scratch}", file=sys.stderr)
        return 1
    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(),
            "versions": versions(), "command": os.environ.get("BENCH_COMMAND", "bench/run"),
            "runs": int(os.environ.get("BENCH_RUNS", "1")), "seconds": os.environ.get("BENCH_SECONDS", "?"),
            "quick": os.environ.get("BENCH_QUICK", "0") == "1",
            "partial": os.environ.get("BENCH_PARTIAL", "0") == "1",
            "loadavg_start": os.environ.get("BENCH_LOADAVG_START", "?"),
            "loadavg_end": " ".join(open("/proc/loadavg", encoding="ascii").read().split()[:3])}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    pngs = plots(calls, args.out)
    text, headline = markdown(calls, meta, pngs)
    with open(f"{args.out}.md", "w", encoding="utf-8") as f:
        f.write(text)
    write_latest(args.out, meta, headline, pngs)
    with open(f"{args.out}.json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "calls": calls}, f, indent=1)
        f.write("\n")
    print(f"{args.out}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
