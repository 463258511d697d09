#!/usr/bin/env python3
"""Oracle for the `userpipe produce` integration tests (Python standard library only).

It re-fetches the pages the producer was asked to fetch (same seed, batch and count,
the plan of src/source/fetcher.h) from a RandomUser API, computes the expected record of
every user with an implementation of the record table of docs/design.md written independently of
the C transform, and compares it with what the topic holds (an NDJSON dump written by
it_kafka dump).

  produce_check.py verify --api URL --seed S --batch B --count N --dump FILE [--messages M]
      every message is an expected user, keyed by its id, seen once; exactly N messages
      (or M, when only a part was acknowledged, as after a SIGTERM)
      --since-ms T: only the messages stamped at or after T (ms) must be the N users once
      each; earlier ones (a run killed before, same seed) must be expected users, each at
      most once more
      Always prints one line "counts: messages= distinct= missing= duplicated= unexpected="
      (missing: expected users not on the topic, given only when all N were acknowledged)
  produce_check.py ids --dump FILE      the keys, sorted, one a line
"""
import argparse
import datetime
import json
import sys
import urllib.request

FIELDS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email",
          "username", "dob", "registered_date", "phone", "picture", "nat"]


def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        raise ValueError("boolean where text was expected")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return v


def get(obj, path):
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def iso_ms(s):
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def expected_record(u):
    loc = u.get("location") or {}
    street = loc.get("street")
    if isinstance(street, dict):
        street_text = " ".join(p for p in (text(street.get("number")).strip(),
                                           text(street.get("name")).strip()) if p)
    else:
        street_text = text(street).strip()
    address = ", ".join(p for p in (street_text, text(loc.get("city")).strip(),
                                    text(loc.get("state")).strip(),
                                    text(loc.get("country")).strip()) if p)
    return {
        "id": get(u, "login.uuid").lower(),
        "first_name": text(get(u, "name.first")),
        "last_name": text(get(u, "name.last")),
        "gender": text(u.get("gender")),
        "address": address,
        "post_code": text(loc.get("postcode")),
        "email": text(u.get("email")),
        "username": text(get(u, "login.username")),
        "dob": iso_ms(get(u, "dob.date")),
        "registered_date": iso_ms(get(u, "registered.date")),
        "phone": text(u.get("phone")),
        "picture": text(get(u, "picture.medium")),
        "nat": text(u.get("nat")),
    }


def plan(seed, batch, count):
    """(seed, page, results) of every request, as src/source/fetcher.h plans them."""
    index = 0
    while index * batch < count:
        rnd, page = divmod(index, 10000)
        yield (seed if rnd == 0 else "%s-%d" % (seed, rnd), page + 1,
               min(batch, count - index * batch))
        index += 1


def fetch_expected(api, seed, batch, count):
    want = {}
    sep = "&" if "?" in api else "?"
    for s, page, n in plan(seed, batch, count):
        url = "%s%sresults=%d&seed=%s&page=%d" % (api, sep, n, urllib.request.quote(s), page)
        with urllib.request.urlopen(url, timeout=60) as r:
            body = json.load(r)
        for u in body["results"][:n]:
            rec = expected_record(u)
            want[rec["id"]] = rec
    return want


def load_dump(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def tally(msgs, want, problems, where=""):
    """Checks every message against the expected users; returns (keys seen, duplicated,
    unexpected) and adds what is wrong to problems."""
    seen = set()
    duplicated = unexpected = 0
    for m in msgs:
        key = m["key"]
        if key in seen:
            duplicated += 1
            problems.append("duplicate key %s%s" % (key, where))
        seen.add(key)
        value = json.loads(m["value"])
        if list(value.keys()) != FIELDS:
            problems.append("%s: fields %s, expected %s" % (key, list(value.keys()), FIELDS))
        if value.get("id") != key:
            problems.append("key %s but id %s" % (key, value.get("id")))
        exp = want.get(key)
        if exp is None:
            unexpected += 1
            problems.append("%s: not a user of this seed's pages%s" % (key, where))
        elif value != exp:
            diff = {k: (value.get(k), exp[k]) for k in FIELDS if value.get(k) != exp[k]}
            problems.append("%s: differs (got, expected): %s" % (key, diff))
    return seen, duplicated, unexpected


def verify(args):
    want = fetch_expected(args.api, args.seed, args.batch, args.count)
    msgs = load_dump(args.dump)
    earlier = []
    if args.since_ms is not None:
        earlier = [m for m in msgs if m["timestamp"] < args.since_ms]
        msgs = [m for m in msgs if m["timestamp"] >= args.since_ms]
    problems = []
    seen, duplicated, unexpected = tally(msgs, want, problems)
    seen_earlier, dup_earlier, unexp_earlier = tally(earlier, want, problems, " before --since-ms")
    duplicated += dup_earlier
    unexpected += unexp_earlier
    n_expected = args.messages if args.messages is not None else args.count
    if len(msgs) != n_expected:
        problems.append("%d messages on the topic, expected %d" % (len(msgs), n_expected))
    if len(want) != args.count:
        problems.append("the API gave %d distinct users for count %d" % (len(want), args.count))
    missing = "" if args.messages is not None else str(sum(1 for k in want if k not in seen))
    print("counts: messages=%d distinct=%d missing=%s duplicated=%d unexpected=%d"
          % (len(msgs) + len(earlier), len(seen | seen_earlier), missing, duplicated, unexpected))
    for p in problems[:10]:
        print("produce_check:", p, file=sys.stderr)
    if problems:
        print("produce_check: %d problems" % len(problems), file=sys.stderr)
        return 1
    print("produce_check: %d messages, all expected records, keys = ids, no duplicates" % len(msgs))
    return 0


def ids(args):
    for k in sorted(m["key"] for m in load_dump(args.dump)):
        print(k)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify")
    v.add_argument("--api", required=True)
    v.add_argument("--seed", required=True)
    v.add_argument("--batch", type=int, required=True)
    v.add_argument("--count", type=int, required=True)
    v.add_argument("--dump", required=True)
    v.add_argument("--messages", type=int)
    v.add_argument("--since-ms", type=int)
    i = sub.add_parser("ids")
    i.add_argument("--dump", required=True)
    args = ap.parse_args()
    return verify(args) if args.cmd == "verify" else ids(args)


if __name__ == "__main__":
    sys.exit(main())
