#!/usr/bin/env python3
"""The seed's producer (airscholar/e2e-data-engineering dags/kafka_stream.py), rewritten by us for
`make bench`: the same libraries (kafka-python + requests) and the same loop shape, one GET per user
by default as the seed does, but producing the record `userpipe produce` produces (docs/design.md "The
record on the topic": key = id = login.uuid, post_code always a string, dates in UTC with ms, nat),
so both subjects put identical bytes on the topic.

What we fixed so the comparison is of speed, not of bugs: the id is the user's login.uuid (the seed
made a random uuid4 it could not even serialise), the message has a key, delivery is awaited (every
send's future is checked and the producer flushed), and HTTP has a timeout. Everything else is the
seed's: kafka-python's defaults (acks=1, no compression, linger 0), requests.get in a loop.

  seed_producer.py --source URL --brokers HOST:PORT --topic T --count N [--batch 1] [--seed S]

--batch 1 is the seed (results=1 per request); --batch 500 asks for pages like userpipe does, which
shows what Python gets when only the HTTP pattern is fixed. Prints one JSON line: delivered, failed,
seconds (first request to last acknowledgement), users_per_second.
"""
import argparse
import datetime
import json
import sys
import time

import requests
from kafka import KafkaProducer


def iso_ms(s):
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def text(v):
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def format_data(res):
    """The seed's format_data, with docs/design.md's rules."""
    loc = res["location"]
    street = loc["street"]
    street_text = " ".join(p for p in (text(street["number"]).strip(), street["name"].strip()) if p)
    address = ", ".join(p for p in (street_text, loc["city"].strip(), loc["state"].strip(),
                                    loc["country"].strip()) if p)
    return {
        "id": res["login"]["uuid"].lower(),
        "first_name": res["name"]["first"],
        "last_name": res["name"]["last"],
        "gender": res["gender"],
        "address": address,
        "post_code": text(loc["postcode"]),
        "email": res["email"],
        "username": res["login"]["username"],
        "dob": iso_ms(res["dob"]["date"]),
        "registered_date": iso_ms(res["registered"]["date"]),
        "phone": res["phone"],
        "picture": res["picture"]["medium"],
        "nat": res["nat"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True)
    ap.add_argument("--brokers", default="127.0.0.1:9092")
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seed", default="bench-seed-producer")
    args = ap.parse_args()

    producer = KafkaProducer(bootstrap_servers=[args.brokers], max_block_ms=5000)
    session = requests.Session()
    state = {"delivered": 0, "failed": 0}

    def ok(_):
        state["delivered"] += 1

    def failed(_):
        state["failed"] += 1

    sent = 0
    page = 1
    t0 = time.monotonic()
    while sent < args.count:
        n = min(args.batch, args.count - sent)
        r = session.get(args.source, params={"results": n, "seed": args.seed, "page": page},
                        timeout=30)
        r.raise_for_status()
        for res in r.json()["results"][:n]:
            rec = format_data(res)
            fut = producer.send(args.topic, key=rec["id"].encode("utf-8"),
                                value=json.dumps(rec, ensure_ascii=False,
                                                 separators=(",", ":")).encode("utf-8"))
            fut.add_callback(ok)
            fut.add_errback(failed)
            sent += 1
        page += 1
    producer.flush()
    secs = time.monotonic() - t0
    producer.close()
    print(json.dumps({"delivered": state["delivered"], "failed": state["failed"],
                      "seconds": round(secs, 3),
                      "users_per_second": round(state["delivered"] / secs, 1) if secs else 0}))
    return 0 if state["failed"] == 0 and state["delivered"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
