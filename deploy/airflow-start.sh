#!/usr/bin/env bash
# airflow-start: the compose service `airflow` (image target `airflow` of deploy/Dockerfile).
# Secrets and the admin password are made once and kept in the state volume; every Airflow
# process of `airflow standalone` gets the same JWT secret, then standalone runs the
# api-server, scheduler, dag-processor and triggerer on SQLite.
set -euo pipefail
state=/opt/airflow/state
mkdir -p "$state"
umask 077
secret() {  # secret NAME: the content of $state/NAME, created on first use
  [ -s "$state/$1" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$state/$1"
  cat "$state/$1"
}
export AIRFLOW__API_AUTH__JWT_SECRET="$(secret jwt_secret)"
export AIRFLOW__API__SECRET_KEY="$(secret api_secret_key)"
pwfile="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$state/passwords.json}"
if [ ! -s "$pwfile" ]; then
  printf '{"admin": "%s"}\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$pwfile"
fi
echo "airflow-start: login admin / $(sed -E 's/.*"admin": *"([^"]*)".*/\1/' "$pwfile")  (file $pwfile in the airflow-state volume)"
umask 022
airflow db migrate
exec airflow standalone
