#!/usr/bin/env python3
"""The Python cassandra-driver peer of bench/cql: the same prepared INSERT of the same
profiles.users-shaped rows as bench_cql.c, with a fixed number of requests in flight.

  peer_python.py CONTACT KEYSPACE TABLE ROWS IN_FLIGHT --mode concurrent|callbacks [--samples F]

--mode concurrent   cassandra.concurrent.execute_concurrent(concurrency=IN_FLIGHT): the driver's
                    own way to keep N requests in flight; gives rows/s and CPU.
--mode callbacks    the same window kept full by execute_async + add_callbacks (what
                    execute_concurrent does inside), timing each request from execute_async to its
                    callback; gives latency percentiles as well.

Protocol v4 (as our client speaks), the driver's default connection class (libev when its C
extension is built), one connection per host. CPU is resource.getrusage over the insert window
only (connect and prepare excluded), all threads. Prints one JSON object on stdout.
"""
import argparse
import json
import os
import resource
import sys
import threading
import time
import uuid

from cassandra import ProtocolVersion, __version__ as driver_version
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent

COLUMNS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
           "dob", "registered_date", "phone", "picture", "nat", "ingested_at"]
FIRST = ["Jennifer", "Mehmet", "Aino", "Lucas", "Sofia", "Noah"]
LAST = ["Lambert", "Yilmaz", "Korhonen", "Moreau", "Rossi", "Berg"]
NAT = ["US", "TR", "FI", "FR", "IT", "NO"]
MASK64 = (1 << 64) - 1


def row(seed, i):
    """The same values bench_cql.c binds for row i."""
    a = (seed * 0x9E3779B97F4A7C15 + i) & MASK64
    b = (i * 0xBF58476D1CE4E5B9) & MASK64
    raw = bytearray(a.to_bytes(8, "big") + b.to_bytes(8, "big"))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    f, l = i % 6, i // 6 % 6
    ts = 1735689600000 + i
    return (uuid.UUID(bytes=bytes(raw)), FIRST[f], LAST[l], "female" if i % 2 else "male",
            f"{1000 + i % 9000} Main Street, Springfield, Illinois, United States", f"{i % 100000:05d}",
            f"{FIRST[f]}.{LAST[l]}{i}@example.com", f"bluebird{i}",
            315532800000 + i * 86400000 % 946684800000,
            1262304000000 + i * 3600000 % 441504000000,
            f"(555) {i // 10000 % 1000:03d}-{i % 10000:04d}",
            f"https://randomuser.me/api/portraits/med/{'women' if i % 2 else 'men'}/{i % 100}.jpg",
            NAT[f], ts, ts * 1000)  # timestamps as ms integers: the driver's cheapest form


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def connect(contact):
    host, _, port = contact.rpartition(":")
    user = os.environ.get("USERPIPE_CASSANDRA_USER") or "cassandra"
    password = "cassandra"
    pw_file = os.environ.get("USERPIPE_CASSANDRA_PASSWORD_FILE")
    if pw_file:
        with open(pw_file, encoding="utf-8") as f:
            password = f.readline().rstrip("\r\n")
    elif os.environ.get("USERPIPE_CASSANDRA_PASSWORD"):
        password = os.environ["USERPIPE_CASSANDRA_PASSWORD"]
    cluster = Cluster([host or "127.0.0.1"], port=int(port or 9042), protocol_version=ProtocolVersion.V4,
                      auth_provider=PlainTextAuthProvider(user, password))
    return cluster, cluster.connect()


def run_concurrent(session, insert, seed, rows, depth):
    results = execute_concurrent(session, ((insert, row(seed, i)) for i in range(rows)),
                                 concurrency=depth, raise_on_first_error=False, results_generator=True)
    failed = 0
    for ok, _ in results:
        failed += not ok
    return failed, None


def run_callbacks(session, insert, seed, rows, depth):
    lat = [0.0] * rows
    lock = threading.Lock()
    done = threading.Event()
    state = {"next": 0, "done": 0, "failed": 0}

    def start():
        with lock:
            i = state["next"]
            if i >= rows:
                return
            state["next"] = i + 1
        t0 = time.perf_counter()
        fut = session.execute_async(insert, row(seed, i))
        fut.add_callbacks(finished, failed, callback_args=(i, t0), errback_args=(i, t0))

    def finished(_, i, t0):
        lat[i] = (time.perf_counter() - t0) * 1000.0
        with lock:
            state["done"] += 1
            last = state["done"] == rows
        if last:
            done.set()
        else:
            start()

    def failed(_, i, t0):
        with lock:
            state["failed"] += 1
        finished(None, i, t0)

    for _ in range(min(depth, rows)):
        start()
    done.wait()
    return state["failed"], lat


def pct(sorted_ms, p):
    return sorted_ms[int(p * (len(sorted_ms) - 1) + 0.5)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("contact")
    ap.add_argument("keyspace")
    ap.add_argument("table")
    ap.add_argument("rows", type=int)
    ap.add_argument("in_flight", type=int)
    ap.add_argument("--mode", choices=["concurrent", "callbacks"], default="concurrent")
    ap.add_argument("--samples")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    cluster, session = connect(a.contact)
    insert = session.prepare(f"INSERT INTO {a.keyspace}.{a.table} ({', '.join(COLUMNS)}) VALUES "
                             f"({', '.join('?' * len(COLUMNS))}) USING TIMESTAMP ?")
    insert.is_idempotent = True
    run = run_concurrent if a.mode == "concurrent" else run_callbacks
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    failed, lat = run(session, insert, a.seed, a.rows, a.in_flight)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    out = {"rows": a.rows - failed, "failed": failed, "in_flight": a.in_flight, "seconds": round(seconds, 3),
           "rows_per_s": round(a.rows / seconds, 1), "cpu_s": round(cpu, 3),
           "cpu_s_per_100k": round(cpu * 100000 / a.rows, 3), "mode": a.mode,
           "driver": driver_version, "connection_class": cluster.connection_class.__name__}
    if lat:
        if a.samples:
            with open(a.samples, "w", encoding="ascii") as f:
                f.writelines(f"{lat[i]:.3f}\n" for i in range(0, len(lat), 10))
        s = sorted(lat)
        out.update(latency_p50_ms=round(pct(s, 0.5), 3), latency_p99_ms=round(pct(s, 0.99), 3),
                   latency_p999_ms=round(pct(s, 0.999), 3))
    cluster.shutdown()
    print(json.dumps(out))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
