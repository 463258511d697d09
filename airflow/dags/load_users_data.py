"""load_users_data: the seed's Airflow DAG, for userpipe.

One BashOperator runs `userpipe produce`: it fetches users from a RandomUser-compatible API and
produces them to Kafka (topic users_queue by default); `userpipe stream` stores them in Cassandra.

Everything the task needs reaches `userpipe produce` through its environment (USERPIPE_<FLAG>,
which every userpipe flag reads), never through text pasted into the shell command, so a param or
Variable value cannot inject shell code.
"""

import json
import os
import re
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Param

DAG_ID = "load_users_data"

# The schedule is read from the environment of the dag-processor (cheap, no database access at
# parse time). "none" (or empty) = manual runs only.
_schedule_text = os.environ.get("USERPIPE_DAG_SCHEDULE", "@daily").strip()
SCHEDULE = None if _schedule_text.lower() in ("", "none") else _schedule_text

# Airflow Variables (Admin > Variables) override the task's environment; both are read when the
# task runs, not when the file is parsed.
VARIABLES = {
    # env name passed to the task: Airflow Variable name
    "USERPIPE_BIN": "userpipe_bin",
    "USERPIPE_SOURCE": "userpipe_source",
    "USERPIPE_BROKERS": "userpipe_brokers",
    "USERPIPE_TOPIC": "userpipe_topic",
}


def env_default(name, default=""):
    """The worker's environment variable `name` (a Jinja macro, evaluated when the task runs)."""
    return os.environ.get(name, default)


def seed_for_run(run_id):
    """A RandomUser seed derived from the run id: a retry of the same run re-sends the same users
    (same seed, same ids), so Cassandra's upserts keep exactly one row per user."""
    return "airflow-" + re.sub(r"[^A-Za-z0-9]+", "-", run_id).strip("-")


def optional(value):
    """Jinja filter: an unset (None) param becomes the empty string, which userpipe treats as unset."""
    return "" if value is None else str(value)


def parse_summary(output):
    """The task's XCom: the last stdout line, produce's summary JSON, as an object when it parses."""
    try:
        return json.loads(output)
    except (TypeError, ValueError):
        return output


def _variable_or_env(env_name, variable, default=""):
    return f"{{{{ var.value.get('{variable}', env_default('{env_name}', '{default}')) }}}}"


# The shell part is fixed text. It prints the produce command line (values come from the
# environment), keeps produce's progress (stderr) in the log as it happens and makes produce's
# summary JSON the last stdout line, which BashOperator pushes to XCom.
PRODUCE_SCRIPT = r"""
set -u
bin="${USERPIPE_BIN:-userpipe}"
echo "load_users_data: $bin produce  source=${USERPIPE_SOURCE:-<default>} brokers=${USERPIPE_BROKERS:-<default>} topic=${USERPIPE_TOPIC:-<default>} duration=${USERPIPE_DURATION:-<none>} count=${USERPIPE_COUNT:-<none>} batch=${USERPIPE_BATCH:-<default>} rate=${USERPIPE_RATE:-<none>} nat=${USERPIPE_NAT:-<any>} seed=${USERPIPE_SEED:-<random>}" >&2
if [ -z "${USERPIPE_DURATION:-}" ] && [ -z "${USERPIPE_COUNT:-}" ]; then
  echo "load_users_data: give a duration or a count (both are empty)" >&2
  exit 2
fi
rc=0
summary="$("$bin" produce)" || rc=$?
if [ -n "$summary" ]; then printf '%s\n' "$summary"; fi
exit "$rc"
"""

DOC_MD = """
### load_users_data

Streams user profiles into Kafka with **`userpipe produce`** (the seed's `stream_data` task, as
one command): RandomUser API → topic `users_queue` (key = user id). `userpipe stream` stores
them in Cassandra `profiles.users`.

**Run it**: *Trigger* (top right); the form takes the params below. Scheduled runs use the
defaults: 60 s of users at 50 users/s, as the seed's minute of streaming.

| param | meaning |
|---|---|
| `duration` | how long to produce (`60s`, `5m`, `1h`); empty = until `count` |
| `count` | stop after this many users (optional) |
| `batch` | users per API request (optional) |
| `rate` | cap in users per second (default 50; empty = no cap) |
| `nat` | nationalities, e.g. `gb,fr` (optional) |
| `seed` | RandomUser seed (optional; default: derived from the run id, so a retry re-sends the same users) |

**Where it sends**: Airflow Variables `userpipe_source`, `userpipe_brokers`, `userpipe_topic`,
`userpipe_bin` (Admin → Variables); without them the worker's environment `USERPIPE_SOURCE`,
`USERPIPE_BROKERS`, `USERPIPE_TOPIC`, `USERPIPE_BIN`; without those, produce's own defaults.

**Watch it**: the task log shows produce's progress and its summary JSON (also the task's XCom
`return_value`); the dashboard `userpipe ui` (http://127.0.0.1:9021) shows the topic filling;
`scripts/cqlsh -e 'SELECT * FROM profiles.users LIMIT 10;'` shows the rows.
"""

with DAG(
    dag_id=DAG_ID,
    description="Fetch users from the RandomUser API and produce them to Kafka (userpipe produce)",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    tags=["userpipe", "kafka", "randomuser"],
    doc_md=DOC_MD,
    user_defined_macros={"env_default": env_default, "seed_for_run": seed_for_run},
    user_defined_filters={"optional": optional},
    default_args={
        "owner": "userpipe",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=30),
    },
    params={
        "duration": Param(
            "60s",
            type=["null", "string"],
            pattern=r"^$|^[0-9]+(ms|s|m|h)?$",
            description="How long to produce: 60s, 5m, 1h (a bare number is seconds). Empty: until count.",
        ),
        "count": Param(
            None, type=["null", "integer"], minimum=1, maximum=10_000_000,
            description="Stop after this many users.",
        ),
        "batch": Param(
            None, type=["null", "integer"], minimum=1, maximum=5000,
            description="Users per API request (RandomUser allows up to 5000).",
        ),
        # A cap by default: the seed sent about one user per HTTP round trip to the public API;
        # uncapped, a local `userpipe api` feeds ~10 000 users/s for the whole minute.
        "rate": Param(
            50, type=["null", "number"], exclusiveMinimum=0,
            description="At most this many users per second. Empty: as fast as the API and Kafka go.",
        ),
        "nat": Param(
            None, type=["null", "string"], pattern=r"^[A-Za-z]{2}(,[A-Za-z]{2})*$",
            description="Nationalities, comma separated: gb,fr,us.",
        ),
        "seed": Param(
            None, type=["null", "string"], pattern=r"^[A-Za-z0-9._-]{1,64}$",
            description="RandomUser seed. Default: derived from the run id (a retry re-sends the same users).",
        ),
    },
) as dag:
    produce = BashOperator(
        task_id="produce_users",
        bash_command=PRODUCE_SCRIPT,
        append_env=True,
        env={
            **{name: _variable_or_env(name, var) for name, var in VARIABLES.items()},
            "USERPIPE_DURATION": "{{ params.duration | optional }}",
            "USERPIPE_COUNT": "{{ params.count | optional }}",
            "USERPIPE_BATCH": "{{ params.batch | optional }}",
            "USERPIPE_RATE": "{{ params.rate | optional }}",
            "USERPIPE_NAT": "{{ params.nat | optional }}",
            "USERPIPE_SEED": "{{ params.seed or seed_for_run(run_id) }}",
        },
        skip_on_exit_code=None,
        output_processor=parse_summary,
        doc_md="Runs `userpipe produce`; its last stdout line (the summary JSON) is the XCom.",
    )
