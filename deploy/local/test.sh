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
redis_host_port=${REDIS_URL#redis://}
redis_host_port=${redis_host_port##*@}
redis_host_port=${redis_host_port%%/*}
redis_host=${redis_host_port%:*}
redis_port=${redis_host_port##*:}

# On a laptop with Docker and nothing running, start throwaway servers (the Docker path); the tests
# need the real role and database layout, which the init script below creates on any server.
start_container() { # name image port env...
  local name=$1 image=$2 port=$3; shift 3
  echo "Starting $image as container $name on port $port (docker rm -f $name to remove it)"
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" -p "$port:$port" "$@" "$image" >/dev/null
}
wait_for() { # host port what
  for _ in $(seq 1 60); do reachable "$1" "$2" && return 0; sleep 1; done
  echo "$3 did not come up on $1:$2" >&2; exit 1
}
if ! reachable "$DB_HOST" "$DB_PORT"; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    start_container income-test-postgres postgres:15 "$DB_PORT" -e POSTGRES_HOST_AUTH_METHOD=trust
    wait_for "$DB_HOST" "$DB_PORT" PostgreSQL
    sleep 3 # the image restarts the server once after its first initialisation
    wait_for "$DB_HOST" "$DB_PORT" PostgreSQL
  else
    echo "PostgreSQL is not reachable at $DB_HOST:$DB_PORT and Docker is not running: start one or set DB_HOST/DB_PORT (see README.md)." >&2
    exit 1
  fi
fi
if ! reachable "$redis_host" "$redis_port"; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    start_container income-test-redis redis:7 "$redis_port"
    wait_for "$redis_host" "$redis_port" Redis
  else
    echo "Redis is not reachable at $REDIS_URL and Docker is not running: start it or set REDIS_URL (see README.md)." >&2
    exit 1
  fi
fi

psql -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_ADMIN_USER" -d postgres -v ON_ERROR_STOP=1 \
  -v processing_db=income_processing_test -v serving_db=income_serving_test \
  -f deploy/sql/init-databases.sql >/dev/null 2>&1 \
  || { echo "Could not create the test databases as $DB_ADMIN_USER (set DB_ADMIN_USER / PGPASSWORD)." >&2; exit 1; }

exec ./mvnw -B verify "$@"
