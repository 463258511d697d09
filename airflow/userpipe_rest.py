#!/usr/bin/env python3
"""userpipe_rest: a small client of Airflow 3's REST API (v2) for scripts/airflow, scripts/run and
the tests. Standard library only, so any python3 runs it.

  userpipe_rest.py --url URL --password-file F wait-ready --dag ID [--timeout S] [--watch-pids "P ..."]
  userpipe_rest.py ... trigger --dag ID [--conf JSON] [--run-id ID] [--wait] [--timeout S]
  userpipe_rest.py ... run-state --dag ID --run-id ID
  userpipe_rest.py ... task-log --dag ID --run-id ID [--task T] [--try N]
  userpipe_rest.py ... set-variable KEY VALUE
  userpipe_rest.py ... interrupt-runs --dag ID [--note TEXT]
  userpipe_rest.py ... token

Login: SimpleAuthManager's POST /auth/token with user admin and the password from the JSON file
({"admin": "<password>"}) that scripts/airflow creates. Exit status 0 ok, 1 failure, 2 usage.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TERMINAL = {"success", "failed"}


class ApiError(Exception):
    """An HTTP error status or an unreachable server, with what the server said."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Client:
    def __init__(self, url, user, password):
        self.url = url.rstrip("/")
        self.user = user
        self.password = password
        self.token = None

    def _send(self, method, path, body=None, auth=True, timeout=15):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if auth:
            if self.token is None:
                self.login()
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                raw = resp.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:500]
            raise ApiError(e.code, f"{method} {path}: HTTP {e.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise ApiError(None, f"{method} {self.url}{path}: {reason}") from None

    def login(self):
        body = {"username": self.user, "password": self.password}
        resp = self._send("POST", "/auth/token", body, auth=False)
        self.token = resp["access_token"]

    def get(self, path, **kw):
        return self._send("GET", path, **kw)

    def post(self, path, body):
        return self._send("POST", path, body)

    def patch(self, path, body):
        return self._send("PATCH", path, body)


def log(msg):
    print(f"airflow: {msg}", file=sys.stderr, flush=True)


def quote(s):
    return urllib.parse.quote(s, safe="")


def health_problems(health):
    """Components that are not healthy yet (the triggerer is not run: no deferrable tasks here)."""
    bad = []
    for part in ("metadatabase", "scheduler", "dag_processor"):
        status = (health.get(part) or {}).get("status")
        if status != "healthy":
            bad.append(f"{part}={status}")
    return bad


def dead_pids(pids):
    return [p for p in pids if not os.path.exists(f"/proc/{p}")]


def import_errors_for(client, dag_file_hint):
    errs = client.get("/api/v2/importErrors?limit=100").get("import_errors", [])
    return [e for e in errs if dag_file_hint in (e.get("filename") or "")]


def cmd_wait_ready(client, args):
    """Health, then the DAG registered and unpaused, within --timeout seconds."""
    deadline = time.monotonic() + args.timeout
    pids = [p for p in args.watch_pids.split() if p]
    last, said = "", 0.0
    while True:
        dead = dead_pids(pids)
        if dead:
            log(f"process(es) {' '.join(dead)} exited while starting")
            return 1
        state = ""
        try:
            bad = health_problems(client.get("/api/v2/monitor/health", auth=False))
            if bad:
                state = "waiting for " + ", ".join(bad)
            else:
                errs = import_errors_for(client, f"{args.dag}.py")
                if errs:
                    log(f"{args.dag} does not import:\n{errs[0].get('stack_trace', errs[0])}")
                    return 1
                try:
                    dag = client.get(f"/api/v2/dags/{quote(args.dag)}")
                except ApiError as e:
                    if e.status != 404:
                        raise
                    state = f"waiting for the dag-processor to register {args.dag}"
                else:
                    if dag.get("is_paused"):
                        client.patch(f"/api/v2/dags/{quote(args.dag)}", {"is_paused": False})
                        log(f"unpaused {args.dag}")
                    return 0
        except ApiError as e:
            state = "waiting for the API server" if e.status is None else str(e)
        now = time.monotonic()
        if now >= deadline:
            log(f"not ready after {args.timeout:.0f} s: {state}")
            return 1
        if state != last or now - said > 15:
            log(state)
            last, said = state, now
        time.sleep(1)


def print_outcome(client, dag, run_id, state):
    tis = client.get(f"/api/v2/dags/{quote(dag)}/dagRuns/{quote(run_id)}/taskInstances")
    for ti in tis.get("task_instances", []):
        log(f"task {ti['task_id']}: {ti.get('state')} (try {ti.get('try_number')})")
        if ti.get("state") == "success":
            try:
                x = client.get(
                    f"/api/v2/dags/{quote(dag)}/dagRuns/{quote(run_id)}/taskInstances/"
                    f"{quote(ti['task_id'])}/xcomEntries/return_value"
                )
                print(json.dumps({"run_id": run_id, "state": state, "summary": x.get("value")}))
                return
            except ApiError:
                pass
    print(json.dumps({"run_id": run_id, "state": state}))


def cmd_trigger(client, args):
    try:
        conf = json.loads(args.conf)
    except json.JSONDecodeError as e:
        log(f"--conf is not JSON: {e}")
        return 2
    body = {"logical_date": None, "conf": conf}
    if args.run_id:
        body["dag_run_id"] = args.run_id
    run = client.post(f"/api/v2/dags/{quote(args.dag)}/dagRuns", body)
    run_id = run["dag_run_id"]
    log(f"triggered {args.dag}: run {run_id} ({run.get('state')})")
    if not args.wait:
        print(run_id)
        return 0
    deadline = time.monotonic() + args.timeout
    state = run.get("state")
    while state not in TERMINAL:
        if time.monotonic() >= deadline:
            log(f"run {run_id} still {state} after {args.timeout:.0f} s")
            print(json.dumps({"run_id": run_id, "state": state}))
            return 1
        time.sleep(2)
        prev = state
        try:
            state = client.get(f"/api/v2/dags/{quote(args.dag)}/dagRuns/{quote(run_id)}")["state"]
        except ApiError as e:
            # A poll the API server did not answer in time (it shares a busy machine with the
            # run it reports on) says nothing about the run: ask again until the deadline.
            # An HTTP error answer is an answer, and ends the wait.
            if e.status is not None:
                raise
            log(f"run {run_id}: no answer to a poll ({e}); asking again")
            continue
        if state != prev:
            log(f"run {run_id}: {state}")
    print_outcome(client, args.dag, run_id, state)
    return 0 if state == "success" else 1


def cmd_run_state(client, args):
    run = client.get(f"/api/v2/dags/{quote(args.dag)}/dagRuns/{quote(args.run_id)}")
    print(run["state"])
    return 0


def cmd_task_log(client, args):
    """The task's log as the UI shows it, one line per event (read through the API server)."""
    task = args.task
    if not task:
        tis = client.get(f"/api/v2/dags/{quote(args.dag)}/dagRuns/{quote(args.run_id)}/taskInstances")
        task = tis["task_instances"][0]["task_id"]
    log_ = client.get(f"/api/v2/dags/{quote(args.dag)}/dagRuns/{quote(args.run_id)}/taskInstances/"
                      f"{quote(task)}/logs/{args.try_number}?full_content=true")
    content = log_.get("content")
    for item in content if isinstance(content, list) else [content]:
        if isinstance(item, dict):
            print(item.get("event", ""), *(f"{k}={v}" for k, v in item.items() if k not in ("event", "timestamp")))
        elif item is not None:
            print(item)
    return 0


def cmd_set_variable(client, args):
    body = {"key": args.key, "value": args.value}
    try:
        client.patch(f"/api/v2/variables/{quote(args.key)}", body)
    except ApiError as e:
        if e.status != 404:
            raise
        client.post("/api/v2/variables", body)
    log(f"variable {args.key} = {args.value}")
    return 0


def cmd_interrupt_runs(client, args):
    """Marks the DAG's queued and running runs failed (before a shutdown): a run left 'running'
    with no process behind it would otherwise hold max_active_runs=1 until the scheduler's
    heartbeat timeout, and a queued one would start by surprise at the next start."""
    runs = client.get(f"/api/v2/dags/{quote(args.dag)}/dagRuns?state=running&state=queued&limit=100")
    for run in runs.get("dag_runs", []):
        client.patch(f"/api/v2/dags/{quote(args.dag)}/dagRuns/{quote(run['dag_run_id'])}",
                     {"state": "failed", "note": args.note})
        log(f"marked {run['state']} run {run['dag_run_id']} failed ({args.note})")
    return 0


def cmd_token(client, _args):
    client.login()
    print(client.token)
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="userpipe_rest.py", description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--user", default="admin")
    p.add_argument("--password-file", required=True)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("wait-ready")
    w.add_argument("--dag", required=True)
    w.add_argument("--timeout", type=float, default=180)
    w.add_argument("--watch-pids", default="")
    t = sub.add_parser("trigger")
    t.add_argument("--dag", required=True)
    t.add_argument("--conf", default="{}")
    t.add_argument("--run-id")
    t.add_argument("--wait", action="store_true")
    t.add_argument("--timeout", type=float, default=900)
    s = sub.add_parser("run-state")
    s.add_argument("--dag", required=True)
    s.add_argument("--run-id", required=True)
    tl = sub.add_parser("task-log")
    tl.add_argument("--dag", required=True)
    tl.add_argument("--run-id", required=True)
    tl.add_argument("--task")
    tl.add_argument("--try", dest="try_number", type=int, default=1)
    sv = sub.add_parser("set-variable")
    sv.add_argument("key")
    sv.add_argument("value")
    ir = sub.add_parser("interrupt-runs")
    ir.add_argument("--dag", required=True)
    ir.add_argument("--note", default="interrupted: Airflow was stopped (scripts/airflow down)")
    sub.add_parser("token")
    args = p.parse_args(argv)
    try:
        with open(args.password_file) as f:
            password = json.load(f)[args.user]
    except (OSError, ValueError, KeyError) as e:
        log(f"cannot read the password of {args.user} from {args.password_file}: {e}")
        return 1
    client = Client(args.url, args.user, password)
    handler = {"wait-ready": cmd_wait_ready, "trigger": cmd_trigger, "run-state": cmd_run_state,
               "task-log": cmd_task_log, "set-variable": cmd_set_variable,
               "interrupt-runs": cmd_interrupt_runs, "token": cmd_token}[args.cmd]
    try:
        return handler(client, args)
    except ApiError as e:
        log(str(e))
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
