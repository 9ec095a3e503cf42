#!/usr/bin/env bash
# Treemap latency through the API (issue 4: "under 10 ms p99 through the API"): dashboard-service's
# GET /api/v1/treemap over the design-scale serving marts that bench/marts/run.sh synced, with wrk.
#
#   bench/marts/treemap-api.sh      # after bench/marts/run.sh (reads its serving database)
#
# Two runs: as deployed (dashboard.cache.market-ttl 30 s in Redis, market-local-ttl 5 s in memory:
# nearly every request a hit) and with a 1 ms Redis TTL and no in-memory copy (every request reads
# serving.treemap and builds the JSON). Each request
# picks one of the 24 period x mode x metric combinations, limit 10.
# Tunables (environment): MART_BENCH_DB (martbench), TREEMAP_BENCH_PORT (18093),
# BENCH_DURATION (15s), BENCH_THREADS (2), BENCH_CONNECTIONS (16), TREEMAP_BENCH_JAVA_OPTS (the service's
# JVM options; default: the GC options of the deployed images, see deploy/README.md).
# TREEMAP_BENCH_UNCACHED=false skips the uncached run. Each run logs the service's GC pauses (-Xlog:gc) and reports their count, total and longest.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

SDB=income_serving_${MART_BENCH_DB:-martbench}
PORT=${TREEMAP_BENCH_PORT:-18093}
DURATION=${BENCH_DURATION:-15s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
SECRET='bench-secret-that-is-at-least-32-bytes-long'
# As deployed (dashboard-service's Dockerfile.jvm: GC_CONTAINER_OPTIONS, half of the 1 Gi limit as heap).
JAVA_OPTS=${TREEMAP_BENCH_JAVA_OPTS:-"-XX:+UseG1GC -XX:MaxGCPauseMillis=5 -Xms512m -Xmx512m"}
WORK=$(mktemp -d /tmp/treemap-bench.XXXXXX)
SERVICE_PID=""

stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""; fi
}
trap stop_service EXIT

rows=$(psql -h "$DB_HOST" -p "$DB_PORT" -U income_dashboard -d "$SDB" -A -t -c "SELECT count(*) FROM serving.treemap")
echo "== serving.treemap in $SDB: $rows rows"

JAR=dashboard-service/target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || ./mvnw -B -o -q -pl dashboard-service package -DskipTests

start_service() { # $1 = Redis market cache TTL, $2 = each replica's in-memory copy TTL
  # The benchmark's serving database got dashboard's tables from bench/marts/run.sh (plain psql), so
  # Flyway is not asked to manage them here; the rate limiter would cap one token at 300 reads/min.
  QUARKUS_HTTP_PORT=$PORT SERVING_DB_NAME=$SDB AUTH_JWT_SECRET="$SECRET" QUARKUS_FLYWAY_MIGRATE_AT_START=false \
  DASHBOARD_RATE_LIMIT_ENABLED=false DASHBOARD_CACHE_MARKET_TTL="$1" DASHBOARD_CACHE_MARKET_LOCAL_TTL="$2" \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java $JAVA_OPTS -Xlog:gc:file="$WORK/gc-$1.log" -jar "$JAR" > "$WORK/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  wait_ready dashboard-service "$PORT" $SERVICE_PID "$WORK/service-$1.log"
}

TOKEN=$(AUTH_JWT_SECRET="$SECRET" deploy/local/token.sh authenticated 00000000-0000-4000-8000-0000000000aa 3600)
cat > "$WORK/treemap.lua" <<LUA
local periods = {"3m", "6m", "1y", "2y", "5y", "max"}
local modes = {"current", "percentage_change"}
local metrics = {"price", "short"}
local n = 0
request = function()
  n = n + 1
  local path = string.format("/api/v1/treemap?period=%s&mode=%s&metric=%s&limit=10",
    periods[n % 6 + 1], modes[math.floor(n / 6) % 2 + 1], metrics[math.floor(n / 12) % 2 + 1])
  return wrk.format("GET", path, {["Authorization"] = "Bearer $TOKEN"})
end
LUA

run_wrk() { # $1 = label
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/treemap.lua" "http://127.0.0.1:$PORT" > "$WORK/wrk-$2.txt"
  awk -v label="$1" '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx/ { errors = $NF }
    END { printf "%-36s %12s req/s   p50 %9s   p99 %9s   non-2xx %s\n", label, rps, p50, p99, (errors == "" ? 0 : errors) }' "$WORK/wrk-$2.txt"
}

gc_pauses() { # $1 = GC log: pauses since the service started (warm-up included)
  awk '/Pause/ { ms = $NF; sub(/ms$/, "", ms); ms += 0; n++; total += ms; if (ms > max) max = ms }
    END { printf "   GC pauses: %d, %.0f ms in all, longest %.1f ms\n", n, total, max }' "$1"
}

check_answer() {
  local industries
  industries=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/treemap?period=1y&mode=percentage_change&metric=price&limit=10" \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["industries"]))')
  echo "   (1y price by change: $industries industries, top 10 each)"
}

echo "== treemap through the API, cached (as deployed: Redis 30 s, each replica's memory 5 s)"
start_service 30s 5s
check_answer
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$WORK/treemap.lua" "http://127.0.0.1:$PORT" > /dev/null # warm-up
run_wrk "treemap API cached" cached
stop_service
gc_pauses "$WORK/gc-30s.log"

if [ "${TREEMAP_BENCH_UNCACHED:-true}" = true ]; then
  echo "== treemap through the API, uncached (Redis TTL 1 ms, no in-memory copy: every request reads the database)"
  start_service 1ms 0s
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$WORK/treemap.lua" "http://127.0.0.1:$PORT" > /dev/null # warm-up
  run_wrk "treemap API uncached" uncached
  stop_service
  gc_pauses "$WORK/gc-1ms.log"
fi
echo "(JVM: $JAVA_OPTS; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; load average $(cut -d' ' -f1-3 /proc/loadavg); raw output in $WORK)"
