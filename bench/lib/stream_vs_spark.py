#!/usr/bin/env python3
"""Part `stream-vs-spark` of `make bench`: `userpipe stream` against the seed's Spark job, and
against the same job tuned (`spark-tuned`: seed_spark_stream.py --tuned, Spark at its best).

One call measures both subjects on the same Kafka and Cassandra, one after the other, with the same
records and the same oracle (reads of the table each subject writes, bench/lib/cassprobe.py). Each
subject has its own topic holding the same N records, all loaded before anything is measured, and one
process that goes through both phases:

  saturation  the subject starts on its preloaded topic from the earliest offset. startup_s = spawn ->
              first row in its table; rows_per_s = N / (first row -> all N rows stored); CPU per 100k
              over that window, the start-up CPU apart; peak RSS of the whole process tree (Spark:
              python driver + JVM) up to the end of the window. The Kafka and Cassandra JVMs' CPU over
              the same window is reported per subject under "engines".
  latency     then, the subject caught up and warm, records are offered to the same topic at a fixed
              rate (a separate producer process, kafka-python, acks=1, no linger); after a warm-up,
              every k-th record is a probe whose landing in the table is polled for; latency =
              landing - send time. p50/p99/p99.9 over the probes.

The subjects run in rotating order (BENCH_RUN_INDEX) so that none always gets the warmer stack.
Follows the part convention of docs/bench.md: env in, one JSON line out on stdout, logs on stderr.
"""
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import cassprobe  # noqa: E402
import feed  # noqa: E402
from procmon import Sampler  # noqa: E402
from seed_spark_stream import table_ddl  # noqa: E402

ROOT = os.environ.get("USERPIPE_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
QUICK = os.environ.get("BENCH_QUICK", "0") == "1"
RUN_ID = os.environ.get("BENCH_RUN_ID") or f"svs{os.getpid()}"
RUN_INDEX = int(os.environ.get("BENCH_RUN_INDEX", "0"))
OUT = os.environ.get("BENCH_OUT") or os.path.join(ROOT, "bench", "results", "tmp", RUN_ID)
BROKERS = os.environ.get("BENCH_BROKERS", "127.0.0.1:9092")
CASSANDRA = os.environ.get("BENCH_CASSANDRA", "127.0.0.1:9042")
PARTITIONS = int(os.environ.get("BENCH_PARTITIONS", "2"))

SETTINGS = {
    "records": 40_000 if QUICK else 200_000,       # saturation backlog (userpipe needs ~1 s per 25k)
    "rate": 500 if QUICK else 1000,                 # latency: offered records/s
    "warmup_s": 10 if QUICK else 15,               # at the offered rate, before the first probe
    "measure_s": 15 if QUICK else 60,
    "probe_every": 25 if QUICK else 50,             # 1 probe per k records
    "partitions": PARTITIONS,
    "saturation_timeout_s": 240 if QUICK else 600,
    "startup_timeout_s": 180,
}
KEYSPACE = f"bench_{RUN_ID}"


def log(msg):
    print(f"stream-vs-spark: {msg}", file=sys.stderr, flush=True)


class Subject:
    """How to start one stream subject on a topic and table."""

    def __init__(self, name):
        self.name = name
        self.groups = []

    def argv(self, topic, table, tag):
        user = os.environ.get("USERPIPE_CASSANDRA_USER", "cassandra")
        pw = os.environ.get("USERPIPE_CASSANDRA_PASSWORD_FILE", "")
        if self.name == "userpipe":
            group = f"bench_{RUN_ID}_{tag}"
            self.groups.append(group)
            return [os.environ.get("USERPIPE_BIN", os.path.join(ROOT, "build", "userpipe")), "stream",
                    "--brokers", BROKERS, "--topic", topic, "--group", group, "--dlq", f"{topic}.dlq",
                    "--cassandra", CASSANDRA, "--keyspace", KEYSPACE, "--table", table,
                    "--cassandra-user", user] + (["--cassandra-password-file", pw] if pw else [])
        return [os.environ.get("BENCH_PYTHON", sys.executable),
                os.path.join(ROOT, "bench", "peers", "seed_spark_stream.py"),
                "--brokers", BROKERS, "--topic", topic, "--cassandra", CASSANDRA,
                "--keyspace", KEYSPACE, "--table", table, "--cassandra-user", user,
                "--checkpoint", os.path.join(OUT, f"checkpoint-{tag}")] + \
            (["--cassandra-password-file", pw] if pw else []) + \
            (["--tuned"] if self.name == "spark-tuned" else [])


def spawn(subject, topic, table, tag):
    argv = subject.argv(topic, table, tag)
    logf = open(os.path.join(OUT, f"{tag}.log"), "w", encoding="utf-8")
    proc = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    return proc, argv, logf


def stop(proc, logf, timeout=60):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    logf.close()
    return proc.returncode


def log_tail(tag, n=15):
    try:
        with open(os.path.join(OUT, f"{tag}.log"), encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def run_subject(subject, session, topic, sentinels, n, seed):
    """Starts the subject on its preloaded topic, measures saturation, then (same process, warm)
    latency at a fixed offered rate on the same topic; returns (metrics, engines, argv, samples)."""
    tag = subject.name.replace("-", "_")
    table = f"{KEYSPACE}.{tag}"
    sampler = Sampler()
    sampler.watch_engines(os.environ.get("USERPIPE_STATE_DIR", os.path.join(ROOT, ".stack")))
    t_spawn = time.monotonic()
    proc, argv, logf = spawn(subject, topic, tag, tag)
    sampler.watch(subject.name, proc.pid)
    sampler.start()
    alive = lambda: proc.poll() is None  # noqa: E731
    try:
        t_first = cassprobe.first_row(session, table, t_spawn + SETTINGS["startup_timeout_s"], alive=alive)
        if t_first is None or not alive():
            raise RuntimeError(f"{subject.name} stored no row (exit status {proc.poll()}); "
                               f"its log ends:\n{log_tail(tag)}")
        t_done = cassprobe.wait_all(session, table, sentinels, n, t_first + SETTINGS["saturation_timeout_s"],
                                    alive=alive)
        if t_done is None:
            raise RuntimeError(f"{subject.name} did not store all {n} rows in {SETTINGS['saturation_timeout_s']} s "
                               f"(exit status {proc.poll()}); its log ends:\n{log_tail(tag)}")
        metrics = saturation_metrics(sampler, subject.name, n, t_spawn, t_first, t_done)
        engines = engine_metrics(sampler, n, t_spawn, t_first, t_done)
        log(f"{subject.name}: saturation {metrics}")
        latencies, lost, reads = offer_at_rate(session, table, topic, seed, alive)
    finally:
        rc = stop(proc, logf)
        sampler.stop()
    if not latencies:
        raise RuntimeError(f"{subject.name}: no probe landed; its log ends:\n{log_tail(tag)}")
    samples = f"latency-{subject.name}.txt"
    with open(os.path.join(OUT, samples), "w", encoding="utf-8") as f:
        f.writelines(f"{v:.3f}\n" for v in latencies)

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2)

    lat = {"latency_p50_ms": pct(50), "latency_p99_ms": pct(99), "latency_p999_ms": pct(99.9),
           "latency_probes": len(latencies), "latency_probes_lost": lost, "probe_reads": reads}
    log(f"{subject.name}: latency {lat} (exit {rc})")
    metrics.update(lat)
    return metrics, engines, argv, samples


def saturation_metrics(sampler, name, n, t_spawn, t_first, t_done):
    tree = sampler.tree(name)
    return {
        "rows_per_s": round(n / max(t_done - t_first, 1e-6), 1),
        "startup_s": round(t_first - t_spawn, 3),
        "cpu_s_per_100k": round(tree.cpu_s(t_first, t_done) * 100_000 / n, 3),
        "startup_cpu_s": round(tree.cpu_s(t_spawn, t_first), 3),
        "rss_max_mb": round(tree.rss_max_mb(t_spawn, t_done), 1),
        "records": n,
    }


def engine_metrics(sampler, n, t_spawn, t_first, t_done):
    return {eng: {"cpu_s_per_100k": round(sampler.tree(eng).cpu_s(t_first, t_done) * 100_000 / n, 3),
                  "rss_max_mb": round(sampler.tree(eng).rss_max_mb(t_spawn, t_done), 1)}
            for eng in ("kafka", "cassandra") if eng in sampler.trees}


def paced_producer(topic, seed, rate, warmup_n, measure_n, probe_every, queue):
    """Child process: offers warmup_n + measure_n records at `rate`; every probe_every-th measured
    record goes to the queue as (id, send time)."""
    feeder = feed.Feeder(BROKERS)
    recs = feed.records(seed, warmup_n + measure_n)

    def on_sent(rec, t_send, _index=[0]):
        i = _index[0]
        _index[0] += 1
        if i >= warmup_n and (i - warmup_n) % probe_every == 0:
            queue.put((rec["id"], t_send))

    feeder.paced(topic, recs, rate, on_sent)
    feeder.close()
    queue.put(None)


def offer_at_rate(session, table, topic, seed, alive):
    """Offers records at SETTINGS["rate"] from a separate process and times the probes' landing;
    returns (sorted latencies in ms, probes never seen, probe reads)."""
    rate = SETTINGS["rate"]
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    producer = ctx.Process(target=paced_producer,
                           args=(topic, seed, rate, rate * SETTINGS["warmup_s"], rate * SETTINGS["measure_s"],
                                 SETTINGS["probe_every"], queue))
    probe = cassprobe.LatencyProbe(session, table).start()
    producer.start()
    try:
        while True:
            item = queue.get(timeout=SETTINGS["warmup_s"] + SETTINGS["measure_s"] + 120)
            if item is None:
                break
            probe.add(*item)
        producer.join(60)
        drain_deadline = time.monotonic() + 60
        while probe.outstanding() and time.monotonic() < drain_deadline and alive():
            time.sleep(0.1)
    finally:
        if producer.is_alive():
            producer.kill()
        probe.stop()
    return sorted(probe.latencies), probe.outstanding(), probe.reads


def versions():
    import pyspark

    return {"pyspark": pyspark.__version__, "spark-sql-kafka": "3.5.7 (_2.12)",
            "spark-cassandra-connector": "3.5.1 (_2.12)", "kafka-python (feeder)": feed.kafka_version()}


def main():
    os.makedirs(OUT, exist_ok=True)
    subjects = [Subject("userpipe"), Subject("seed-spark"), Subject("spark-tuned")]
    shift = RUN_INDEX % len(subjects)
    subjects = subjects[shift:] + subjects[:shift]
    topics = feed.Topics(ROOT, BROKERS)
    cluster, session = cassprobe.connect(CASSANDRA)
    result = {"bench": "stream-vs-spark", "baseline": "seed-spark", "peers": ["spark-tuned"],
              "subjects": {}, "engines": {}, "commands": {}, "samples": {}, "errors": {}, "settings": dict(SETTINGS), "versions": versions()}
    try:
        # The tables exist before any subject starts (both would create them IF NOT EXISTS): schema
        # changes are not part of what is timed, and a table created a moment ago can still answer
        # "Unknown CF" to the probes, which would delay the first-row time.
        for s in subjects:
            for stmt in table_ddl(KEYSPACE, s.name.replace("-", "_"), 1):
                session.execute(stmt, timeout=60)
        for s in subjects:
            cassprobe.prepare(session, f"SELECT id FROM {KEYSPACE}.{s.name.replace('-', '_')} LIMIT 1")
        # Every subject gets its own topic with the same records, all loaded before anything is
        # measured (a subject later adds its latency records to its own topic only).
        n = SETTINGS["records"]
        recs = feed.records(1000 + RUN_INDEX, n)
        loaded = {}
        feeder = feed.Feeder(BROKERS)
        for s in subjects:
            topic = f"bench_{RUN_ID}_{s.name.replace('-', '_')}"
            topics.create(topic, PARTITIONS)
            t0 = time.monotonic()
            loaded[s.name] = (topic, feeder.load(topic, recs))
            log(f"loaded {n} records into {topic} in {time.monotonic() - t0:.1f} s")
        feeder.close()
        for i, s in enumerate(subjects):
            topic, sentinels = loaded[s.name]
            measure(result, s, lambda s=s, topic=topic, sentinels=sentinels, i=i:
                    run_subject(s, session, topic, sentinels, n, 2000 + 10 * RUN_INDEX + i))
    finally:
        cleanup(topics, session, subjects)
        cluster.shutdown()
    print(json.dumps(result), flush=True)
    return 1 if result["errors"] else 0


def measure(result, subject, fn):
    """Runs one subject; a failure is recorded under "errors" and the run goes on."""
    try:
        metrics, engines, argv, samples = fn()
    except Exception as exc:
        log(f"{subject.name}: failed: {exc}")
        result["errors"][subject.name] = str(exc)
        return
    result["subjects"][subject.name] = metrics
    result["engines"][subject.name] = engines
    result["commands"][subject.name] = " ".join(argv).replace(ROOT + "/", "")
    result["samples"][subject.name] = samples


def cleanup(topics, session, subjects):
    for what, fn in (("keyspace", lambda: session.execute(f"DROP KEYSPACE IF EXISTS {KEYSPACE}", timeout=60)),
                     ("topics", lambda: topics.delete_matching(f"bench_{RUN_ID}_.*")),
                     ("groups", lambda: topics.delete_groups([g for s in subjects for g in s.groups]))):
        try:
            fn()
        except Exception as exc:  # report, keep cleaning
            log(f"cleanup of {what} failed: {exc}")
    for d in os.listdir(OUT):
        if d.startswith("checkpoint-"):
            shutil.rmtree(os.path.join(OUT, d), ignore_errors=True)


def on_terminate(signum, _frame):
    """bench/run's timeout (SIGTERM): unwind, so the finally blocks stop the subjects (they run in
    their own sessions and would outlive us) and clean up."""
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_terminate)
    try:
        sys.exit(main())
    except Exception as exc:
        log(f"failed: {exc}")
        sys.exit(1)
