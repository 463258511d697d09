#!/usr/bin/env bash
# The DAG load_users_data as Airflow sees it, without running anything:
#   - a DagBag of airflow/dags has no import errors and holds exactly load_users_data
#   - schedule @daily (USERPIPE_DAG_SCHEDULE=none: manual only), catchup off, max_active_runs 1,
#     fixed UTC start_date, tags, doc_md, dagrun_timeout
#   - one BashOperator: fixed bash_command (no Jinja), append_env, the expected env names,
#     retries with exponential backoff, execution_timeout
#   - params: defaults, and the JSON schema accepts good values and rejects bad ones
#   - the env templates render to what userpipe produce must get: params, the run-derived seed,
#     Airflow Variables over the worker's environment over produce's defaults
#   - the task's shell part passes the env through, keeps stderr in the log, makes the summary
#     the last stdout line and returns produce's exit status
# Runs with the Airflow venv's python (scripts/airflow venv builds it from the lock).
# Ends with "N passed, M failed"; exit 0 only if everything passed.
set -uo pipefail

ROOT="${USERPIPE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! venv="$("$ROOT/scripts/airflow" venv --path 2>"$tmp/venv.err")"; then
  cat "$tmp/venv.err"
  echo "FAIL - building the Airflow venv"
  echo "0 passed, 1 failed"
  exit 1
fi

# A throw-away AIRFLOW_HOME: the DagBag needs a configuration, not a database.
eval "$(USERPIPE_AIRFLOW_HOME="$tmp/home" "$ROOT/scripts/airflow" env)"

cd "$tmp" && "$venv/bin/python" - "$ROOT/airflow/dags" <<'PY'
import copy
import os
import subprocess
import sys
import tempfile
from datetime import timedelta

dags_dir = sys.argv[1]
passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   - {name}")
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""))


from airflow.dag_processing.dagbag import DagBag  # noqa: E402
from airflow.providers.standard.operators.bash import BashOperator  # noqa: E402


def load(schedule_env=None):
    if schedule_env is None:
        os.environ.pop("USERPIPE_DAG_SCHEDULE", None)
    else:
        os.environ["USERPIPE_DAG_SCHEDULE"] = schedule_env
    return DagBag(dag_folder=dags_dir)


bag = load()
check("DagBag has no import errors", not bag.import_errors, repr(bag.import_errors))
check("DagBag holds exactly load_users_data", sorted(bag.dag_ids) == ["load_users_data"], repr(bag.dag_ids))
dag = bag.dags.get("load_users_data")
if dag is None:
    print(f"{passed} passed, {failed + 1} failed")
    sys.exit(1)

# ----------------------------------------------------------------------------------- the DAG
check("schedule is @daily by default (a cron trigger)",
      dag.schedule == "@daily" and type(dag.timetable).__name__ == "CronTriggerTimetable",
      f"{dag.schedule!r} {type(dag.timetable).__name__}")
check("catchup is off", dag.catchup is False)
check("max_active_runs is 1", dag.max_active_runs == 1)
check("start_date is fixed, in UTC", dag.start_date is not None and dag.start_date.utcoffset() == timedelta(0)
      and str(dag.start_date.tzinfo) in ("UTC", "+00:00"), repr(dag.start_date))
check("tags", {"userpipe", "kafka", "randomuser"} <= set(dag.tags), repr(dag.tags))
check("doc_md explains the DAG", dag.doc_md and "userpipe produce" in dag.doc_md and "users_queue" in dag.doc_md)
check("dagrun_timeout set", dag.dagrun_timeout is not None and dag.dagrun_timeout > timedelta(0))
manual = load("none").dags["load_users_data"]
check("USERPIPE_DAG_SCHEDULE=none gives manual runs only", type(manual.timetable).__name__ == "NullTimetable",
      type(manual.timetable).__name__)
hourly = load("@hourly").dags["load_users_data"]
check("USERPIPE_DAG_SCHEDULE=@hourly is honoured", hourly.schedule == "@hourly", repr(hourly.schedule))

# ---------------------------------------------------------------------------------- the task
check("exactly one task", len(dag.tasks) == 1, repr(dag.task_ids))
task = dag.tasks[0]
check("the task is a BashOperator", isinstance(task, BashOperator), type(task).__name__)
cmd = task.bash_command
check("bash_command has no Jinja (values come through env=)",
      "{{" not in cmd and "{%" not in cmd and "{#" not in cmd and "params" not in cmd, cmd)
check("bash_command runs `<bin> produce`", '"$bin" produce' in cmd)
check("append_env is on (PATH etc. are inherited)", task.append_env is True)
want_env = {"USERPIPE_BIN", "USERPIPE_SOURCE", "USERPIPE_BROKERS", "USERPIPE_TOPIC", "USERPIPE_DURATION",
            "USERPIPE_COUNT", "USERPIPE_BATCH", "USERPIPE_RATE", "USERPIPE_NAT", "USERPIPE_SEED"}
check("env carries exactly the produce settings", set(task.env) == want_env, sorted(task.env))
check("retries with exponential backoff", task.retries >= 1 and task.retry_exponential_backoff
      and task.max_retry_delay is not None, f"{task.retries} {task.retry_exponential_backoff}")
check("execution_timeout set", task.execution_timeout is not None and task.execution_timeout > timedelta(0))
check("exit code 99 does not skip the task", not task.skip_on_exit_code)

# ----------------------------------------------------------------------------------- params
defaults = {k: dag.params[k] for k in dag.params}
check("param defaults: duration 60s, rate 50, the rest unset",
      defaults == {"duration": "60s", "count": None, "batch": None, "rate": 50, "nat": None, "seed": None},
      repr(defaults))


def validates(values):
    p = copy.deepcopy(dag.params)
    try:
        p.update(values)
        p.validate()
        return True
    except Exception:
        return False


good = [{"rate": None}, {"duration": "5m"}, {"duration": "90"}, {"duration": "250ms"}, {"count": 100, "duration": None},
        {"batch": 5000}, {"rate": 2.5}, {"nat": "gb,FR"}, {"seed": "abc-1.2_x"}]
bad = [{"duration": "1 day"}, {"duration": "60s; rm -rf /"}, {"count": 0}, {"count": "ten"},
       {"batch": 5001}, {"rate": 0}, {"nat": "g b"}, {"nat": "gb;id"}, {"seed": "$(id)"}, {"seed": "a b"}]
for v in good:
    check(f"params accept {v}", validates(v))
for v in bad:
    check(f"params reject {v}", not validates(v))

# ----------------------------------------------------------------------- rendering the env
env_t = dag.get_template_env()


class FakeVars:
    def __init__(self, values):
        self.values = values

    def get(self, name, default=None):
        return self.values.get(name, default)


def render(params, variables, run_id="manual__2026-01-02T03:04:05.678+00:00"):
    ctx = {"params": {**defaults, **params}, "run_id": run_id, "var": {"value": FakeVars(variables)}}
    return {k: env_t.from_string(v).render(**ctx) for k, v in task.env.items()}


for k in ("USERPIPE_SOURCE", "USERPIPE_BROKERS", "USERPIPE_TOPIC", "USERPIPE_BIN"):
    os.environ.pop(k, None)
r = render({}, {})
check("defaults render: duration 60s, rate 50, optional params empty (= produce's defaults)",
      r["USERPIPE_DURATION"] == "60s" and r["USERPIPE_RATE"] == "50" and all(r[k] == "" for k in
      ("USERPIPE_COUNT", "USERPIPE_BATCH", "USERPIPE_NAT", "USERPIPE_SOURCE",
       "USERPIPE_BROKERS", "USERPIPE_TOPIC", "USERPIPE_BIN")), repr(r))
check("seed derived from the run id", r["USERPIPE_SEED"] == "airflow-manual-2026-01-02T03-04-05-678-00-00",
      r["USERPIPE_SEED"])
check("same run id, same seed (a retry re-sends the same users)", render({}, {})["USERPIPE_SEED"] == r["USERPIPE_SEED"])
check("another run, another seed", render({}, {}, run_id="scheduled__2026-01-03T00:00:00+00:00")["USERPIPE_SEED"]
      != r["USERPIPE_SEED"])
r = render({"count": 500, "duration": None, "batch": 100, "rate": 75, "nat": "gb,fr", "seed": "s1"}, {})
check("given params render as given", (r["USERPIPE_COUNT"], r["USERPIPE_DURATION"], r["USERPIPE_BATCH"],
      r["USERPIPE_RATE"], r["USERPIPE_NAT"], r["USERPIPE_SEED"]) == ("500", "", "100", "75", "gb,fr", "s1"), repr(r))
os.environ.update(USERPIPE_SOURCE="http://127.0.0.1:1/api/", USERPIPE_BROKERS="b:1", USERPIPE_TOPIC="t-env",
                  USERPIPE_BIN="/x/userpipe")
r = render({}, {})
check("worker environment is the fallback", (r["USERPIPE_SOURCE"], r["USERPIPE_BROKERS"], r["USERPIPE_TOPIC"],
      r["USERPIPE_BIN"]) == ("http://127.0.0.1:1/api/", "b:1", "t-env", "/x/userpipe"), repr(r))
r = render({}, {"userpipe_topic": "t-var", "userpipe_source": "http://v/api/", "userpipe_brokers": "v:2",
                "userpipe_bin": "/v/userpipe"})
check("Airflow Variables win over the environment", (r["USERPIPE_SOURCE"], r["USERPIPE_BROKERS"],
      r["USERPIPE_TOPIC"], r["USERPIPE_BIN"]) == ("http://v/api/", "v:2", "t-var", "/v/userpipe"), repr(r))

# ------------------------------------------------------------------ the shell part, for real
# A stand-in binary records what it received; the check is on the task's shell text.
with tempfile.TemporaryDirectory() as d:
    fake = os.path.join(d, "fake-userpipe")
    with open(fake, "w") as f:
        f.write('#!/bin/sh\necho "progress on stderr" >&2\necho "not the last line"\n'
                'echo "{\\"cmd\\":\\"$1\\",\\"count\\":\\"$USERPIPE_COUNT\\",\\"seed\\":\\"$USERPIPE_SEED\\"}"\n'
                'echo "after the summary, on stderr" >&2\nexit "${FAKE_RC:-0}"\n')
    os.chmod(fake, 0o755)

    def run_script(extra):
        env = {**os.environ, **render({"count": 7}, {}), "USERPIPE_BIN": fake, **extra}
        p = subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return p.returncode, p.stdout.rstrip("\n").split("\n")

    rc, lines = run_script({})
    check("script: exit 0 and the summary JSON is the last output line (the XCom)",
          rc == 0 and lines[-1] == '{"cmd":"produce","count":"7","seed":"airflow-manual-2026-01-02T03-04-05-678-00-00"}',
          repr(lines))
    check("script: produce's stderr reaches the task log", "progress on stderr" in lines)
    check("script: the log shows the settings", any(line.startswith("load_users_data: ") and "count=7" in line
                                                    for line in lines), repr(lines))
    check("script: the summary is parsed into an object for XCom",
          task.output_processor(lines[-1]) == {"cmd": "produce", "count": "7",
                                               "seed": "airflow-manual-2026-01-02T03-04-05-678-00-00"})
    rc, lines = run_script({"FAKE_RC": "1"})
    check("script: produce's failure fails the task (exit 1)", rc == 1, repr(rc))
    rc, lines = run_script({"USERPIPE_COUNT": "", "USERPIPE_DURATION": ""})
    check("script: neither duration nor count is refused (no endless task)", rc == 2, repr(lines))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
