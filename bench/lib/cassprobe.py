"""The bench's view of Cassandra: is a row there yet, and when did it land.

Both stream subjects are judged by the same external oracle, reads of the table they write:
  - first_row: polls `SELECT id ... LIMIT 1` until a row exists (start-up to first row);
  - wait_all: polls for the last record of every Kafka partition (sentinels), then confirms with
    COUNT(*) that every record is stored (throughput at saturation);
  - LatencyProbe: polls for chosen records by id, each on its own schedule that widens with the
    record's age (every 0.25 ms at first, then every 10 % of its age, at most 200 ms); a record's latency
    is the midpoint between the last read that missed it and the first that found it, minus its send
    time, so the error is at most half a poll interval.
"""
import os
import threading
import time
import uuid

from cassandra import OperationTimedOut, ReadTimeout
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.protocol import SyntaxException
from cassandra.query import SimpleStatement

NOT_YET = (OperationTimedOut, ReadTimeout)


def connect(hostport):
    host, _, port = hostport.rpartition(":")
    user = os.environ.get("USERPIPE_CASSANDRA_USER", "cassandra")
    pw_file = os.environ.get("USERPIPE_CASSANDRA_PASSWORD_FILE")
    password = open(pw_file, encoding="utf-8").read().strip() if pw_file else "cassandra"
    cluster = Cluster([host], port=int(port), auth_provider=PlainTextAuthProvider(user, password))
    return cluster, cluster.connect()


def _table_missing(exc):
    """True for the errors of a table that does not exist yet, or that was created a moment ago
    (Cassandra answers "Unknown CF <id>" until the new table is set up on the node)."""
    return any(text in str(exc) for text in ("unconfigured table", "does not exist", "Keyspace", "Unknown CF"))


def first_row(session, table, deadline, interval=0.01, alive=lambda: True):
    """Monotonic time at which the table first held a row, or None at the deadline (or as soon as
    alive() says the subject has exited)."""
    while time.monotonic() < deadline and alive():
        t = time.monotonic()
        try:
            if session.execute(f"SELECT id FROM {table} LIMIT 1", timeout=5).one() is not None:
                return t
        except NOT_YET:
            pass
        except Exception as exc:  # the subject has not created its table yet
            if not _table_missing(exc) and not isinstance(exc, SyntaxException):
                raise
        time.sleep(interval)
    return None


def count(session, table):
    stmt = SimpleStatement(f"SELECT COUNT(*) FROM {table}", fetch_size=None)
    return session.execute(stmt, timeout=120).one()[0]


def wait_all(session, table, sentinels, expected, deadline, interval=0.02, alive=lambda: True):
    """Monotonic time at which all `expected` rows were stored, or None at the deadline.

    sentinels: ids of the last record of every partition. The time is when they were all seen, if
    COUNT(*) then confirms every row; if rows are still missing, it is when a COUNT(*) first does."""
    ids = ", ".join(str(uuid.UUID(s)) for s in sentinels)
    query = f"SELECT id FROM {table} WHERE id IN ({ids})"
    done_at = None
    while done_at is None:
        if time.monotonic() > deadline or not alive():
            return None
        t = time.monotonic()
        try:
            if len(session.execute(query, timeout=10).all()) == len(sentinels):
                done_at = t
                break
        except NOT_YET:
            pass
        except Exception as exc:
            if not _table_missing(exc):
                raise
        time.sleep(interval)
    while time.monotonic() < deadline:
        t = time.monotonic()
        try:
            if count(session, table) >= expected:
                return done_at if done_at is not None else t
        except NOT_YET:
            pass
        done_at = None
        time.sleep(0.5)
    return None


def prepare(session, cql, attempts=20):
    """PREPARE, retried for a few seconds: right after a subject creates its table, the node can
    still answer "Unknown CF" while the schema change settles."""
    for i in range(attempts):
        try:
            return session.prepare(cql)
        except Exception:
            if i == attempts - 1:
                raise
            time.sleep(0.5)


class LatencyProbe:
    """Finds probe records in a table as they land; call add() from any thread."""

    MIN_GAP, MAX_GAP, AGE_FRACTION = 0.00025, 0.2, 0.1

    def __init__(self, session, table):
        self.session = session
        self.select = prepare(session, f"SELECT id FROM {table} WHERE id = ?")
        self.lock = threading.Lock()
        self.pending = {}   # id -> [t_send (wall), last_miss (wall), next_poll (wall)]
        self.latencies = []  # ms
        self.reads = 0
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def add(self, rec_id, t_send):
        with self.lock:
            self.pending[uuid.UUID(rec_id)] = [t_send, t_send, t_send + self.MIN_GAP]
        self.wake.set()

    def start(self):
        self.thread.start()
        return self

    def outstanding(self):
        with self.lock:
            return len(self.pending)

    def stop(self):
        self.stop_event.set()
        self.wake.set()
        self.thread.join()

    def _run(self):
        while not self.stop_event.is_set():
            self.wake.clear()  # before looking, so an add() from now on ends the wait below
            now = time.time()
            with self.lock:
                due = [k for k, v in self.pending.items() if v[2] <= now]
                next_poll = min((v[2] for v in self.pending.values()), default=now + 0.05)
            if not due:
                self.wake.wait(min(0.05, max(0.0, next_poll - now)))
                continue
            issued = time.time()
            futures = [(k, self.session.execute_async(self.select, (k,), timeout=10)) for k in due]
            self.reads += len(futures)
            for k, fut in futures:
                try:
                    found = fut.result().one() is not None
                except Exception:  # timeouts, or Cassandra briefly unreachable: a miss, poll again
                    found = False
                with self.lock:
                    state = self.pending.get(k)
                    if state is None:
                        continue
                    if found:
                        landed = (state[1] + issued) / 2
                        self.latencies.append(max(0.0, landed - state[0]) * 1000)
                        del self.pending[k]
                    else:
                        state[1] = issued
                        age = issued - state[0]
                        state[2] = issued + min(self.MAX_GAP, max(self.MIN_GAP, age * self.AGE_FRACTION))
