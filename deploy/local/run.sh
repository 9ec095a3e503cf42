#!/usr/bin/env bash
# One-command local run: creates the databases and roles if missing, builds the services if needed,
# starts all four with the simulated market feed, waits until they are ready, prints the URLs, and
# stops them all on Ctrl-C.
#
# Needs a JDK >= 21, psql, and reachable PostgreSQL and Redis (DB_HOST/DB_PORT/DB_ADMIN_USER and
# REDIS_URL, defaulting to localhost). Logs go to deploy/local/.run/<service>.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# shellcheck source=deploy/local/env.sh
. deploy/local/env.sh

services=(ingestion-service mart-service dashboard-service realtime-service)
declare -A port=([ingestion-service]=8081 [mart-service]=8082 [dashboard-service]=8083 [realtime-service]=8084)
declare -A db_user=([ingestion-service]=income_ingestion [mart-service]=income_mart [dashboard-service]=income_dashboard [realtime-service]="")
run_dir="$root/deploy/local/.run"
mkdir -p "$run_dir"

redis_host_port=${REDIS_URL#redis://}
redis_host_port=${redis_host_port##*@}
redis_host_port=${redis_host_port%%/*}
redis_host=${redis_host_port%:*}
redis_port=${redis_host_port##*:}

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if ! reachable "$DB_HOST" "$DB_PORT"; then
  cat >&2 <<MSG
PostgreSQL is not reachable at $DB_HOST:$DB_PORT.
Start it (Debian: pg_ctlcluster <version> main start; macOS: brew services start postgresql;
Docker: docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15),
or point DB_HOST/DB_PORT at a running server.
MSG
  exit 1
fi
if ! reachable "$redis_host" "$redis_port"; then
  cat >&2 <<MSG
Redis is not reachable at $redis_host:$redis_port.
Start it (redis-server --daemonize yes; Docker: docker run -d -p 6379:6379 redis:7),
or point REDIS_URL at a running server.
MSG
  exit 1
fi
command -v psql >/dev/null || { echo "psql is needed to create the databases (install postgresql-client)." >&2; exit 1; }

echo "Creating databases and roles if missing..."
psql -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_ADMIN_USER" -d postgres -v ON_ERROR_STOP=1 \
  -v processing_db="${PROCESSING_DB_NAME:-income_processing}" -v serving_db="${SERVING_DB_NAME:-income_serving}" \
  -f deploy/sql/init-databases.sql >/dev/null 2>&1 \
  || { echo "Could not run deploy/sql/init-databases.sql as $DB_ADMIN_USER (set DB_ADMIN_USER / PGPASSWORD)." >&2; exit 1; }

needs_build=false
for svc in "${services[@]}"; do
  jar="$svc/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$svc/src/main" "$svc/pom.xml" pom.xml -newer "$jar" -print -quit)" ]; then
    needs_build=true
  fi
done
if $needs_build; then
  echo "Building the services (./mvnw package -DskipTests)..."
  ./mvnw -B -q package -DskipTests
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "All services stopped."
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

export AUTH_JWT_SECRET="${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}"
for svc in "${services[@]}"; do
  echo "Starting $svc on port ${port[$svc]} (log: deploy/local/.run/$svc.log)"
  QUARKUS_HTTP_PORT="${port[$svc]}" DB_USER="${db_user[$svc]}" DB_PASSWORD="${DB_PASSWORD:-}" \
    java ${JAVA_OPTS:-} -jar "$svc/target/quarkus-app/quarkus-run.jar" >"$run_dir/$svc.log" 2>&1 &
  pids+=("$!")
done

deadline=$((SECONDS + 90))
for svc in "${services[@]}"; do
  until curl -fs "http://127.0.0.1:${port[$svc]}/q/health/ready" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$svc did not become ready; last log lines:" >&2
      tail -n 30 "$run_dir/$svc.log" >&2
      exit 1
    fi
    sleep 1
  done
  echo "  $svc ready"
done

cat <<MSG

All four services are ready:
  ingestion  http://127.0.0.1:8081  (operator API /api/v1/..., status /api/v1/ingestion/status)
  mart       http://127.0.0.1:8082  (/api/v1/marts)
  dashboard  http://127.0.0.1:8083  (/api/v1/dashboard, /api/v1/portfolios, /api/v1/stocks/SPY)
  realtime   ws://127.0.0.1:8084/ws/v1/prices?token=...
  each: /q/health, /q/metrics, /q/openapi

Tokens (signed with AUTH_JWT_SECRET):
  user:     deploy/local/token.sh authenticated
  operator: deploy/local/token.sh service_role
  e.g. curl -H "Authorization: Bearer \$(deploy/local/token.sh)" http://127.0.0.1:8083/api/v1/portfolios

Press Ctrl-C to stop all services.
MSG
# Returns when any service exits (or on Ctrl-C); the EXIT trap then stops the others.
if wait -n "${pids[@]}"; then status=0; else status=$?; fi
echo "A service exited (status $status); see deploy/local/.run/*.log" >&2
exit "$status"
