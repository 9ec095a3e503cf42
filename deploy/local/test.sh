#!/usr/bin/env bash
# Runs every test of the platform: unit, integration (real PostgreSQL and Redis) and end-to-end
# (the four packaged services), plus the deploy checks. This is the README's test command and what
# CI runs. Extra arguments go to Maven (e.g. deploy/local/test.sh -pl mart-service).
#
# Needs a JDK >= 21, psql, and PostgreSQL and Redis reachable at DB_HOST:DB_PORT and REDIS_URL
# (default localhost). It creates the test databases and roles (idempotent) before running.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/env.sh
. deploy/local/env.sh

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if ! reachable "$DB_HOST" "$DB_PORT"; then
  echo "PostgreSQL is not reachable at $DB_HOST:$DB_PORT: start it or set DB_HOST/DB_PORT (see README.md)." >&2
  exit 1
fi
redis_host_port=${REDIS_URL#redis://}
redis_host_port=${redis_host_port##*@}
redis_host_port=${redis_host_port%%/*}
if ! reachable "${redis_host_port%:*}" "${redis_host_port##*:}"; then
  echo "Redis is not reachable at $REDIS_URL: start it or set REDIS_URL (see README.md)." >&2
  exit 1
fi

psql -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_ADMIN_USER" -d postgres -v ON_ERROR_STOP=1 \
  -v processing_db=income_processing_test -v serving_db=income_serving_test \
  -f deploy/sql/init-databases.sql >/dev/null 2>&1 \
  || { echo "Could not create the test databases as $DB_ADMIN_USER (set DB_ADMIN_USER / PGPASSWORD)." >&2; exit 1; }

exec ./mvnw -B verify "$@"
