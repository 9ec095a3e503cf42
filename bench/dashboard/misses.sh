#!/usr/bin/env bash
# Dashboard misses, A/B (issue 5): the CPU a cache miss costs the service, Postgres and Redis, for one or
# more builds of dashboard-service measured in turn on the same seeded data.
#
#   bench/dashboard/misses.sh before=/tmp/old-app/quarkus-run.jar after=dashboard-service/target/quarkus-app/quarkus-run.jar
#   bench/dashboard/misses.sh two=dashboard-service/target/quarkus-app/quarkus-run.jar \
#       'one=dashboard-service/target/quarkus-app/quarkus-run.jar=-Dquarkus.vertx.event-loops-pool-size=1'
#
# A spec is label=jar, or label=jar=extra JVM options for that build only (after BENCH_JAVA_OPTS).
# Seeds its databases and starts its own Redis as run.sh does, starts every build at once (ports
# BENCH_PORT, BENCH_PORT+1, ...; zero TTL: every request builds the dashboard from the database and
# writes the cache; rate limits off; the image's JVM options), warms each up, then runs
# BENCH_ROUNDS rounds of `wrk -t2 -c64` and `-c4` (BENCH_MISS_FEW_CONNECTIONS) against each build in
# turn, so that the machine's load drifts over all of them alike. For each run it prints requests/s,
# p50, p99 and the CPU milliseconds per request of the service's JVM, of the Postgres backends serving
# the bench database (/proc/<pid>/stat of its pg_stat_activity rows) and of the Redis server.
# Tunables: BENCH_USERS (1000), BENCH_STOCKS (25000), BENCH_DURATION (10s), BENCH_ROUNDS (3), BENCH_WARM (25s),
# BENCH_PORT (18083), BENCH_REDIS_PORT (16383), BENCH_DB / BENCH_PROCESSING_DB, BENCH_JAVA_OPTS,
# BENCH_DEPLOYED_JAVA_OPTS (as run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

[ $# -ge 1 ] || { echo "usage: $0 label=path/to/quarkus-run.jar[=extra JVM options] ..." >&2; exit 2; }
USERS=${BENCH_USERS:-1000}
STOCKS=${BENCH_STOCKS:-25000}
DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
WARM=${BENCH_WARM:-25s}
FEW_CONNECTIONS=${BENCH_MISS_FEW_CONNECTIONS:-4}
REDIS_PORT=${BENCH_REDIS_PORT:-16383}
PORT=${BENCH_PORT:-18083}
DB=${BENCH_DB:-income_serving_bench}
PROCESSING_DB=${BENCH_PROCESSING_DB:-income_processing_bench}
SECRET='bench-secret-that-is-at-least-32-bytes-long'
DEPLOYED_JAVA_OPTS=${BENCH_DEPLOYED_JAVA_OPTS--XX:+UseG1GC -XX:MaxGCPauseMillis=5 -Xms512m -Xmx512m}
WORK=$(mktemp -d /tmp/dashboard-misses.XXXXXX)
PSQL=(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_ADMIN_USER" -v ON_ERROR_STOP=1 -q)
PIDS=()
REDIS_PID=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $PROCESSING_DB"
"${PSQL[@]}" -d postgres -v processing_db=$PROCESSING_DB -v serving_db=$DB -f deploy/sql/init-databases.sql > /dev/null
for migration in $(ls mart-service/src/main/resources/db/serving/V*.sql | sort -V); do
  psql -h "$DB_HOST" -p "$DB_PORT" -U income_mart -d $DB -v ON_ERROR_STOP=1 -q -c "SET search_path = serving" -f "$migration" > /dev/null
done
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done

LABELS=()
PORTS=()
for spec in "$@"; do
  label=${spec%%=*} rest=${spec#*=} port=$(( PORT + ${#LABELS[@]} ))
  jar=${rest%%=*} extra_opts=""
  if [ "$jar" != "$rest" ]; then extra_opts=${rest#*=}; fi
  QUARKUS_HTTP_PORT=$port SERVING_DB_NAME=$DB AUTH_JWT_SECRET="$SECRET" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  DASHBOARD_RATE_LIMIT_ENABLED=false DASHBOARD_CACHE_TTL=0s DASHBOARD_CACHE_STALE_RETENTION=15m QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java $DEPLOYED_JAVA_OPTS ${BENCH_JAVA_OPTS:-} $extra_opts -jar "$jar" > "$WORK/service-$label.log" 2>&1 &
  PIDS+=($!)
  wait_ready "dashboard-service ($label)" "$port" "${PIDS[-1]}" "$WORK/service-$label.log"
  LABELS+=("$label")
  PORTS+=("$port")
  # The app schema exists once the first build has run its Flyway migration: seed then.
  if [ ${#LABELS[@]} -eq 1 ]; then
    "${PSQL[@]}" -d $DB -v users="$USERS" -v stocks="$STOCKS" -f bench/dashboard/seed.sql > /dev/null
  fi
done
python3 bench/dashboard/tokens.py "$SECRET" "$USERS" > "$WORK/tokens.txt"
export TOKENS_FILE="$WORK/tokens.txt"
for k in "${!LABELS[@]}"; do
  BENCH_SEQUENTIAL=1 wrk -t2 -c64 -d"$WARM" -s bench/dashboard/dashboard.lua "http://127.0.0.1:${PORTS[$k]}" > /dev/null
done

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() { # the backends of the bench database (the services' pools)
  local sum=0
  for pid in $("${PSQL[@]}" -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB' AND usename = 'income_dashboard'"); do
    sum=$(( sum + $(ticks "$pid") ))
  done
  echo $sum
}
for round in $(seq 1 "$ROUNDS"); do
  for connections in 64 "$FEW_CONNECTIONS"; do
    for k in "${!LABELS[@]}"; do
      label=${LABELS[$k]} out="$WORK/wrk-${LABELS[$k]}-c$connections-$round.txt"
      jvm0=$(ticks "${PIDS[$k]}") pg0=$(postgres_ticks) redis0=$(ticks "$REDIS_PID")
      wrk -t2 -c"$connections" -d"$DURATION" --latency -s bench/dashboard/dashboard.lua "http://127.0.0.1:${PORTS[$k]}" > "$out"
      jvm=$(( $(ticks "${PIDS[$k]}") - jvm0 )) pg=$(( $(postgres_ticks) - pg0 )) redis=$(( $(ticks "$REDIS_PID") - redis0 ))
      awk -v label="$label -c$connections #$round" -v hz="$(getconf CLK_TCK)" -v j=$jvm -v p=$pg -v r=$redis -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" '
        /requests in/ { n = $1 } /Requests\/sec:/ { rps = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 } /Non-2xx/ { e = $NF }
        END { ms = 1000 / hz / n
              printf "%-20s %8s req/s  p50 %8s  p99 %8s  non-2xx %s  CPU ms/req: JVM %.3f  Postgres %.3f  Redis %.3f  sum %.3f  (load %s)\n",
                     label, rps, p50, p99, (e == "" ? 0 : e), j * ms, p * ms, r * ms, (j + p + r) * ms, ld }' "$out"
    done
  done
done
echo "(raw wrk output and logs in $WORK)"
