"""Bench records and the Kafka side of the harness: topics and a producer with known send times.

The records follow docs/design.md "The record on the topic" (13 string fields, ~500 bytes, key = id) and
are generated from a seed, so a run is repeatable. The producer is
kafka-python with acks=1 and linger 0, the seed's settings; it is the same for every subject.
"""
import json
import os
import random
import subprocess
import time
import uuid

FIRST = ["Emma", "Noah", "Olivia", "Liam", "Ava", "Lucas", "Mia", "Hugo", "Léa", "Jörg", "Sara",
         "Mateo", "Aino", "Ahmet", "Zhivoslav", "Hans Jörg", "Chloé", "Elif", "Arjun", "Nora"]
LAST = ["Smith", "García", "Müller", "Rossi", "Novak", "van der Berg", "O'Brien", "Korhonen",
        "Yılmaz", "Lupiychuk", "Dubois", "Silva", "Jensen", "Nieminen", "Patel", "Schäfer"]
STREETS = ["Main Street", "Rua Sete de Setembro", "Lindenstraße", "Rue de la Paix", "Park Lane",
           "Calle Mayor", "Storgata", "Station Road", "Kirkegade", "Atatürk Cd"]
CITIES = [("Leeds", "West Yorkshire", "United Kingdom", "GB"), ("Lyon", "Rhône", "France", "FR"),
          ("Hamburg", "Hamburg", "Germany", "DE"), ("Austin", "Texas", "United States", "US"),
          ("Oslo", "Oslo", "Norway", "NO"), ("Tampere", "Pirkanmaa", "Finland", "FI"),
          ("Curitiba", "Paraná", "Brazil", "BR"), ("Izmir", "İzmir", "Turkey", "TR")]
WORDS = ["happy", "purple", "tiny", "silver", "brave", "lazy", "crazy", "bird", "tiger", "lion",
         "wolf", "panda", "frog", "koala", "goose", "swan"]


def _iso_ms(ts):
    secs, ms = divmod(int(round(ts * 1000)), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{ms:03d}Z"


def make_record(rng):
    """One record in userpipe's wire format, as a dict of 13 strings."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, state, country, nat = rng.choice(CITIES)
    gender = rng.choice(["female", "male"])
    dob = rng.uniform(-800_000_000, 990_000_000)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "first_name": first,
        "last_name": last,
        "gender": gender,
        "address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}, {city}, {state}, {country}",
        "post_code": str(rng.randint(10000, 99999)),
        "email": f"{first}.{last}@example.com".lower().replace(" ", ""),
        "username": f"{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.randint(100, 999)}",
        "dob": _iso_ms(dob),
        "registered_date": _iso_ms(rng.uniform(1_016_000_000, 1_653_000_000)),
        "phone": f"0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        "picture": f"https://randomuser.me/api/portraits/med/{'women' if gender == 'female' else 'men'}/"
                   f"{rng.randint(0, 96)}.jpg",
        "nat": nat,
    }


def records(seed, count):
    """count records from a seeded generator: the same seed gives the same records."""
    rng = random.Random(seed)
    return [make_record(rng) for _ in range(count)]


class Topics:
    """Topics and consumer groups of one bench call: created with kafka-python's admin client (fast),
    deleted in one go with the stack's Kafka CLI (kafka-python 2.0.2 cannot delete on Kafka 4)."""

    def __init__(self, root, brokers):
        self.stack = os.path.join(root, "scripts", "stack")
        self.brokers = brokers

    def create(self, topic, partitions):
        from kafka.admin import KafkaAdminClient, NewTopic

        admin = KafkaAdminClient(bootstrap_servers=self.brokers.split(","))
        try:
            admin.create_topics([NewTopic(topic, partitions, 1)], timeout_ms=30_000)
        finally:
            admin.close()

    def _cli(self, tool, *args):
        r = subprocess.run([self.stack, "kafka", tool, "--bootstrap-server", self.brokers, *args],
                           capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"kafka {tool} {' '.join(args)} failed: {r.stderr.strip()[-500:]}")

    def delete_matching(self, regex):
        """Deletes every topic whose name matches regex (Java regex, whole name)."""
        self._cli("topics", "--delete", "--if-exists", "--topic", regex)

    def delete_groups(self, groups):
        if groups:
            self._cli("consumer-groups", "--delete", *[a for g in groups for a in ("--group", g)])


class Feeder:
    """kafka-python producer with the seed's settings (acks=1, no linger) and keyed JSON values;
    unlike the seed it retries (the harness must not lose records)."""

    def __init__(self, brokers):
        from kafka import KafkaProducer

        # retries: a topic created a moment ago can answer NotLeaderForPartition for a while.
        self.producer = KafkaProducer(bootstrap_servers=brokers.split(","), acks=1, linger_ms=0,
                                      retries=10, retry_backoff_ms=200, max_block_ms=10_000)

    def send(self, topic, rec):
        value = json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode()
        return self.producer.send(topic, value=value, key=rec["id"].encode())

    def load(self, topic, recs):
        """Sends all records as fast as the producer goes and waits until every one is acked.

        Returns the ids of the last record of each partition (the sentinels: once a consumer has
        stored them, it has read every partition to its end)."""
        futures = [(r["id"], self.send(topic, r)) for r in recs]
        self.producer.flush(timeout=120)
        last = {}
        for rec_id, f in futures:
            md = f.get(timeout=0)
            if md.offset >= last.get(md.partition, (-1, None))[0]:
                last[md.partition] = (md.offset, rec_id)
        return [rec_id for _, rec_id in last.values()]

    def paced(self, topic, recs, rate, on_sent=None):
        """Sends records at a fixed offered rate (records/s), calling on_sent(rec, t_send) for each.

        t_send is time.time() just before the send; the schedule is absolute, so a slow send does not
        lower the offered rate (the next records go out at once to catch up)."""
        t0 = time.monotonic()
        for i, rec in enumerate(recs):
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t_send = time.time()
            self.send(topic, rec)
            if on_sent:
                on_sent(rec, t_send)
        self.producer.flush(timeout=60)

    def close(self):
        self.producer.close(timeout=10)


def kafka_version():
    import kafka

    return kafka.__version__
