#!/usr/bin/env python3
"""Checks for tests/integration/test_stream_mapping.sh: what Cassandra holds after a mapping
run, read back with SELECT JSON (Cassandra's own rendering of each value), and what the DLQ
holds. Exit 1 with one line per difference.

  mapping_check.py types ROW1.json ROW2.json
  mapping_check.py dlq DLQ.jsonl TOPIC KS
"""
import json
import sys

WANT_TYPES_1 = {
    "a": "plain", "t": "h\u00e9 'q'", "vc": '{"nested":[1,2]}', "ti": -128, "si": 32767,
    "i": 2147483647, "bi": -9223372036854775808, "vi": -123456789012345678901234567890,
    "f": 1.5, "d": 0.1, "b": True,
    "u": "8f3a0b1c-2d4e-4f60-8a7b-9c0d1e2f3a4b", "tu": "5c3b2a10-1d2e-11ef-9f1a-0242ac120002",
    # codec.timeZone=+02:00: a local 12:00 is 10:00 UTC
    "ts": "2024-05-01 10:00:00.000Z", "dt": "2024-02-29", "tm": "13:45:07.123456789",
    "du": "1y2mo25d5h6m7s8ms9us10ns", "ip": "2001:db8:0:0:0:0:0:1", "bl": "0xdeadbeef",
    "l": [3, 1, 2], "s": ["a", "b"], "m": {"eur": 12.5, "usd": 13.75}, "tp": [7, "x"],
    "fa": {"street": "Main St", "zip": 1234, "tags": ["home"]},
    "na": {"street": "Main St", "zip": 1234, "tags": ["home"]}, "fl": ["p", "q"], "src": "it",
}
# numbers in codec.unit (MILLISECONDS); absent fields left unset; an empty map is no map.
# (d, -Infinity, is checked with a plain SELECT: Cassandra's JSON writes it as null.)
WANT_TYPES_2 = {"ts": "2024-05-01 12:00:00.000Z", "dt": "1970-01-02",
                "tm": "01:00:00.000000000", "i": 7, "m": None, "a": None, "src": None}


def load(path):
    # Cassandra writes decimals as bare numbers: keep their digits
    return json.loads(open(path).read(), parse_float=str)


def check_types(row1, row2):
    r1, r2 = load(row1), load(row2)
    bad = []
    for want, got, name in ((WANT_TYPES_1, r1, "id 1"), (WANT_TYPES_2, r2, "id 2")):
        for k, v in want.items():
            g = got.get(k)
            if isinstance(v, float) or (isinstance(g, str) and isinstance(v, (int, float))):
                g = float(g) if g is not None else None
            if k == "m" and isinstance(g, dict):
                g = {mk: float(mv) for mk, mv in g.items()}
            if g != v:
                bad.append(f"{name} column {k}: {got.get(k)!r}, want {v!r}")
    if str(r1.get("dec")) != "12345678901234567890.123456789":
        bad.append(f"id 1 column dec: {r1.get('dec')!r}")
    gen = r1.get("gen") or ""
    if len(gen) != 36 or gen[14] != "1":
        bad.append(f"id 1 column gen is not a timeuuid: {gen!r}")
    return bad


def check_dlq(path, topic, ks):
    want = {  # source offset -> (stage, reason, target)
        4: ("parse", "malformed_json", None),
        6: ("mapping", "conversion", f"{ks}.orders"),
        7: ("mapping", "missing_key", f"{ks}.orders"),
        8: ("mapping", "conversion", f"{ks}.orders"),
    }
    bad = []
    seen = set()
    for line in open(path):
        h = json.loads(line)["headers"]
        off = int(h.get("userpipe.source.offset", -1))
        seen.add(off)
        if off not in want:
            bad.append(f"unexpected DLQ record {h}")
            continue
        stage, reason, target = want[off]
        got = (h.get("userpipe.error.stage"), h.get("userpipe.error.reason"),
               h.get("userpipe.target.table"))
        if got != (stage, reason, target) or h.get("userpipe.source.topic") != topic or \
                "userpipe.source.timestamp" not in h or not h.get("userpipe.error.detail"):
            bad.append(f"offset {off}: headers {h}")
        print(f"offset {off}: {got[0]:8} {got[1]:15} {h.get('userpipe.error.detail')}")
    for off in sorted(set(want) - seen):
        bad.append(f"offset {off} is not in the DLQ")
    return bad


def main():
    if sys.argv[1] == "types":
        bad = check_types(sys.argv[2], sys.argv[3])
    else:
        bad = check_dlq(sys.argv[2], sys.argv[3], sys.argv[4])
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


main()
