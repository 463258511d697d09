#!/usr/bin/env python3
"""Load for `userpipe ui` (run by tests/stress/ui_soak.sh): for --seconds, at once

  * SSE clients that connect to /api/tail and read, stall (stop reading while records pile up)
    or vanish (reset, or a half-sent request), --sse of them at a time;
  * --workers threads of random requests: every /api/ route, /metrics and the assets, HEAD and
    refused methods, the fuzz corpus of web_ui_request and web_ui_parse as real requests,
    over-long and illegal topic names, raw garbage (random bytes, broken request lines, huge
    headers, pipelined and HTTP/1.0 requests);
  * topics created, filled and deleted underneath (it_kafka), the dashboard's own --topic and
    --dlq among them;
  * a liveness probe every second: the first refused connection ends the run (a crash).

Prints one JSON line of counters on stdout. Standard library only.
"""
import argparse
import base64
import json
import os
import random
import socket
import struct
import subprocess
import threading
import time
import urllib.parse

lock = threading.Lock()
counts = {"requests": 0, "answered": 0, "unanswered": 0, "sse_clients": 0, "sse_events": 0,
          "stalled": 0, "reset": 0, "topics_created": 0, "topics_deleted": 0, "status": {}}
stop = threading.Event()
dead = threading.Event()
live_topics = []


def count(key, n=1):
    with lock:
        counts[key] += n


def count_status(code):
    with lock:
        counts["status"][code] = counts["status"].get(code, 0) + 1


def connect(port, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def reset_close(s):
    """Close with RST: the peer sees the connection vanish, not end."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def exchange(port, raw, read_limit=1 << 20):
    """Sends raw bytes, reads the answer to its end (or the limit); counts the status."""
    count("requests")
    try:
        s = connect(port)
    except OSError:
        count("unanswered")
        return None
    try:
        s.sendall(raw)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        while len(data) < read_limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        data = b""
    finally:
        s.close()
    if data.startswith(b"HTTP/1."):
        count("answered")
        count_status(data[9:12].decode("latin-1", "replace"))
    else:
        count("unanswered")
    return data


def request(method, path, query=None, headers=None, version="HTTP/1.1", auth=None):
    target = path + ("?" + urllib.parse.urlencode(query) if query else "")
    lines = [f"{method} {target} {version}", "Host: 127.0.0.1", "Connection: close"]
    if auth:
        lines.append("Authorization: Basic " + base64.b64encode(auth.encode()).decode())
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


def pick_topic():
    with lock:
        return random.choice(live_topics) if live_topics else "soak_none"


def pick_from():
    return random.choice(["end", "beginning", "-5", "0", "3", "@2020-01-01T00:00:00Z",
                          "@" + str(int(time.time() * 1000)), "0:0,1:2", "0:1,2:1", "soon", ""])


BAD_TOPICS = ["a" * 250, "a" * 513, "a" * 5000, "..", ".", "a b", "a/b", "a\x00b", "caf\u00e9",
              "<script>", "%", "a" * 100000]


def corpus(root, name):
    d = os.path.join(root, "tests", "fuzz", "corpus", name)
    out = []
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        with open(os.path.join(d, f), "rb") as fh:
            out.append(fh.read())
    return out


def from_request_corpus(entry, auth):
    """A web_ui_request corpus entry (method, path, topic, from, q, Last-Event-ID,
    If-None-Match, user, password: one a line) as the request it stands for."""
    f = entry.decode("utf-8", "surrogateescape").split("\n")
    f += [None] * (9 - len(f))
    query = {k: v for k, v in (("topic", f[2]), ("from", f[3]), ("q", f[4])) if v is not None}
    headers = {}
    if f[5]:
        headers["Last-Event-ID"] = f[5].replace("\r", "")
    if f[6]:
        headers["If-None-Match"] = f[6].replace("\r", "")
    user_auth = f"{f[7]}:{f[8]}" if f[7] is not None and f[8] is not None else auth
    method = (f[0] or "GET").replace(" ", "").replace("\r", "") or "GET"
    path = (f[1] or "/").replace(" ", "%20").replace("\r", "") or "/"
    return request(method, path, query, headers, auth=user_auth)


def garbage():
    kind = random.randrange(8)
    if kind == 0:
        return os.urandom(random.randrange(1, 4096))
    if kind == 1:
        return b"GET /api/tail?topic=" + os.urandom(200) + b" HTTP/1.1\r\n\r\n"
    if kind == 2:
        return b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * random.choice([8000, 70000]) + b"\r\n\r\n"
    if kind == 3:
        return b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\nGET /api/topics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    if kind == 4:
        return b"GET /api/health HTTP/1.0\r\n\r\n"
    if kind == 5:
        return b"POST /api/tail?topic=x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + os.urandom(100)
    if kind == 6:
        return b"GET /api/tail?topic=soak&from=" + b"9" * 400 + b"&q=" + b"%" * 300 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    return b"GET\r\nHost x\r\nno colon here\r\n\r\n"


def worker(args, seed):
    rnd = random.Random(seed)
    requests_corpus = corpus(args.root, "web_ui_request")
    parse_corpus = corpus(args.root, "web_ui_parse")
    routes = ["/api/health", "/api/history", "/api/topics", "/api/cluster", "/api/dlq",
              "/api/config", "/metrics", "/", "/app.js", "/app.css", "/favicon.svg", "/nope"]
    while not stop.is_set():
        k = rnd.randrange(10)
        if k < 3:
            raw = request(rnd.choice(["GET", "GET", "HEAD"]), rnd.choice(routes), auth=args.auth)
        elif k == 3:
            raw = request(rnd.choice(["POST", "PUT", "DELETE", "OPTIONS", "BREW"]),
                          rnd.choice(routes), auth=args.auth)
        elif k == 4:
            raw = request("GET", "/api/tail", {"topic": rnd.choice(BAD_TOPICS), "from": pick_from()},
                          auth=args.auth)
        elif k == 5 and requests_corpus:
            raw = from_request_corpus(rnd.choice(requests_corpus), args.auth)
        elif k == 6 and parse_corpus:
            spec = rnd.choice(parse_corpus).split(b"\n", 1)[0].decode("utf-8", "surrogateescape")
            raw = request("HEAD", "/api/tail", {"topic": pick_topic(), "from": spec},
                          {"Last-Event-ID": spec.replace("\r", "")} if rnd.random() < 0.5 else None,
                          auth=args.auth)
        elif k == 7:
            raw = request("GET", "/api/tail", {"topic": pick_topic(), "from": "soon"}, auth=args.auth)
        elif k == 8:
            raw = garbage()
        else:
            raw = request("GET", "/api/health", auth=None if rnd.random() < 0.5 else "no:body")
        exchange(args.port, raw)


def sse_client(args, seed):
    rnd = random.Random(seed)
    while not stop.is_set():
        behaviour = rnd.choice(["read", "read", "stall", "reset", "half"])
        query = {"topic": pick_topic(), "from": rnd.choice(["end", "end", "beginning", "-20"])}
        if rnd.random() < 0.3:
            query["q"] = rnd.choice(["Ana", "example", "zzz"])
        headers = {"Accept": "text/event-stream"}
        if rnd.random() < 0.2:
            headers["Last-Event-ID"] = rnd.choice(["0:1", "0:0,1:0", "9:9"])
        raw = request("GET", "/api/tail", query, headers, auth=args.auth)
        try:
            s = connect(args.port, timeout=5.0)
        except OSError:
            time.sleep(0.2)
            continue
        count("sse_clients")
        try:
            if behaviour == "half":
                s.sendall(raw[: rnd.randrange(1, len(raw))])
                time.sleep(rnd.uniform(0, 3))
                s.close()
                continue
            s.sendall(raw)
            if behaviour == "reset":
                time.sleep(rnd.uniform(0, 1))
                count("reset")
                reset_close(s)
                continue
            head = s.recv(4096)
            if head.startswith(b"HTTP/1."):
                count_status(head[9:12].decode("latin-1", "replace"))
            if behaviour == "stall":
                # Read nothing more: the socket buffers fill, the server's queue drops.
                count("stalled")
                time.sleep(rnd.uniform(3, 15))
                reset_close(s) if rnd.random() < 0.5 else s.close()
                continue
            end = time.time() + rnd.uniform(1, 8)
            while time.time() < end and not stop.is_set():
                chunk = s.recv(65536)
                if not chunk:
                    break
                count("sse_events", chunk.count(b"\n\n"))
            s.close()
        except OSError:
            s.close()


def churn_topics(args):
    """Topics come and go under the dashboard; the first two are its --topic and --dlq."""
    n = 0
    kt = args.it_kafka
    fixed = [args.topic, args.dlq]
    while not stop.is_set():
        name = fixed[n % 2] if n % 4 < 2 else f"{args.prefix}_{n}"
        if subprocess.run([kt, "create", args.brokers, name, str(1 + n % 3)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            count("topics_created")
            with lock:
                live_topics.append(name)
            subprocess.run([kt, "users", args.brokers, name, "200", "400"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stop.wait(random.uniform(1, 3))
        with lock:
            victim = live_topics.pop(0) if len(live_topics) > 3 else None
        if victim and subprocess.run([kt, "delete", args.brokers, victim],
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL).returncode == 0:
            count("topics_deleted")
        n += 1


def liveness(args):
    while not stop.is_set():
        try:
            connect(args.port, timeout=5.0).close()
        except ConnectionRefusedError:
            dead.set()
            stop.set()
            return
        except OSError:
            pass
        stop.wait(1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--sse", type=int, default=40)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--brokers", default="127.0.0.1:9092")
    ap.add_argument("--it-kafka", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--dlq", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--auth", default=None)
    args = ap.parse_args()
    threads = [threading.Thread(target=churn_topics, args=(args,), daemon=True),
               threading.Thread(target=liveness, args=(args,), daemon=True)]
    threads += [threading.Thread(target=worker, args=(args, i), daemon=True)
                for i in range(args.workers)]
    threads += [threading.Thread(target=sse_client, args=(args, 1000 + i), daemon=True)
                for i in range(args.sse)]
    for t in threads:
        t.start()
    stop.wait(args.seconds)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    with lock:
        counts["dead"] = dead.is_set()
        counts["topics_left"] = list(live_topics)
        print(json.dumps(counts, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
