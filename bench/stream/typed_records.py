#!/usr/bin/env python3
"""bench/stream/typed_records.py N [FROM]: the 20-column typed workload of bench/stream/run, one
record a line as `key TAB value` (for kcat -K TAB): key = a uuid, value = JSON whose fields fill
every column of bench/stream/typed.properties (integers of four widths, varint, float, double,
decimal, boolean, timestamp, date, time, inet, timeuuid, a list, a set, a map and a UDT).
Deterministic: record i is the same in every run."""
import json
import sys
import uuid

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
CITIES = ["Leeds", "Lyon", "Hamburg", "Austin", "Oslo", "Tampere", "Curitiba", "Izmir"]
BASE_MS = 1_700_000_000_000


def record(i):
    key = str(uuid.UUID(int=(0x5EED << 64) | i, version=4))
    ts_100ns = (BASE_MS + i) * 10_000 + 0x01B21DD213814000  # a version-1 uuid's 60-bit time
    tuuid = uuid.UUID(fields=(ts_100ns & 0xFFFFFFFF, (ts_100ns >> 32) & 0xFFFF,
                              0x1000 | ((ts_100ns >> 48) & 0x0FFF), 0x80 | ((i >> 8) & 0x3F), i & 0xFF,
                              0x0000_5EED_0000 | (i & 0xFFFF)))
    value = {
        "seq": i,
        "name": f"{WORDS[i % 10]} {WORDS[(i // 10) % 10]} #{i}",
        "active": i % 3 == 0,
        "score": i / 7.0,
        "ratio": (i % 1000) / 8.0,
        "price": f"{i % 100000}.{i % 100:02d}",
        "qty": i % 2_000_000_000,
        "small": i % 30000,
        "tiny": i % 120,
        "big": str(10**20 + i),
        "created": BASE_MS + i * 1000,
        "day": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "at_time": f"{i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}.{i % 1000:03d}",
        "ip": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
        "event_id": str(tuuid),
        "tags": [WORDS[i % 10], WORDS[(i + 3) % 10]],
        "scores": [i % 100, (i * 7) % 100, (i * 13) % 100],
        "attrs": {"source": "bench", "shard": str(i % 16)},
        "home": {"street": f"{i % 500} Main Street", "city": CITIES[i % 8], "zip": 10000 + i % 90000},
    }
    return key, json.dumps(value, separators=(",", ":"))


def main():
    n = int(sys.argv[1])
    start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    out = sys.stdout
    for i in range(start, start + n):
        k, v = record(i)
        out.write(f"{k}\t{v}\n")


if __name__ == "__main__":
    main()
