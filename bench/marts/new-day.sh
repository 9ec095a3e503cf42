#!/usr/bin/env bash
# One new trading day for every symbol on already generated mart bench databases (run.sh first), the
# refresh measured step by step; for quick A/B runs of the new-day pipeline. Usage:
#   MART_BENCH_DB=name MART_BENCH_PORT=18092 bench/marts/new-day.sh [days] [jar]
# days: how many new days, one refresh each (default 1); jar: the quarkus-run.jar to start (default: this
# checkout's mart-service, packaged). The day added is the weekday after the latest bar in raw.price_bars,
# each symbol's bar derived from its previous day as run.sh does (run.sh --keep-data removes them again).
# MART_BENCH_ENV="NAME=value ...": more environment for the service (e.g. QUARKUS_FLYWAY_VALIDATE_ON_MIGRATE=false
# to run an older jar on databases a newer one migrated). The service is started as run.sh starts it (Flyway migrates at start: the first start after a new
# migration may take minutes on 20M bars) and stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh

DAYS=${1:-1}
JAR=${2:-}
PDB=income_processing_${MART_BENCH_DB:-martbench}
SDB=income_serving_${MART_BENCH_DB:-martbench}
PORT=${MART_BENCH_PORT:-18082}
PSQL=(psql -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT")
export AUTH_JWT_SECRET="${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}"
TOKEN=$(deploy/local/token.sh service_role 00000000-0000-4000-8000-000000000009 7200)
LOG="/tmp/mart-bench-service-${MART_BENCH_DB:-martbench}.log"

if curl -s -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; then
  echo "port $PORT is in use; set MART_BENCH_PORT" >&2; exit 1
fi
if [ -z "$JAR" ]; then
  ./mvnw -B -o -q -pl mart-service package -DskipTests
  JAR=mart-service/target/quarkus-app/quarkus-run.jar
fi
PROCESSING_DB_NAME=$PDB SERVING_DB_NAME=$SDB QUARKUS_HTTP_PORT=$PORT MART_REFRESH_EVERY=off MART_EVENTS_ENABLED=false MART_REFRESH_WATERMARK_OVERLAP=10s \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false env ${MART_BENCH_ENV:-} java -Xmx512m -jar "$JAR" > "$LOG" 2>&1 &
SERVICE_PID=$!
trap 'kill $SERVICE_PID 2>/dev/null || true' EXIT
# Up to 10 minutes: a migration at start may build indexes over the 20M bars.
for _ in $(seq 1 1200); do
  kill -0 $SERVICE_PID 2>/dev/null || { echo "service ended; see $LOG" >&2; exit 1; }
  curl -fs "http://127.0.0.1:$PORT/q/health/ready" > /dev/null 2>&1 && break
  sleep 0.5
done

for _ in $(seq 1 "$DAYS"); do
  DAY=$("${PSQL[@]}" -U "$DB_ADMIN_USER" -d "$PDB" -A -t -c "
    SELECT d + CASE extract(isodow FROM d) WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END
    FROM (SELECT max(date) AS d FROM raw.price_bars) m")
  "${PSQL[@]}" -U income_ingestion -d "$PDB" -c "
    INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, adj_close, volume)
    SELECT symbol, date '$DAY', source, close, close * 1.01, close * 0.99, close * 1.001, close * 1.001, volume
    FROM raw.price_bars WHERE date = (SELECT max(date) FROM raw.price_bars) ON CONFLICT DO NOTHING"
  sleep 11
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  t=$(date +%s%3N)
  curl -sS -f -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/marts/refresh" > /dev/null
  echo "new day $DAY for all symbols: $(( $(date +%s%3N) - t )) ms (load before: $load, after: $(cut -d' ' -f1-3 /proc/loadavg))"
  # Each step's duration and when it ran (ms after the run's first step started): the lanes' timeline.
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d "$PDB" -A -F ' ' -t -c "
    WITH run AS (SELECT run_id, min(started_at) AS t0 FROM mart.refresh_runs
                 WHERE run_id = (SELECT run_id FROM mart.refresh_runs ORDER BY id DESC LIMIT 1) GROUP BY run_id),
    steps AS (SELECT 'refresh' AS kind, name, rows, duration_ms, started_at, finished_at FROM mart.refresh_runs JOIN run USING (run_id)
              UNION ALL
              SELECT 'sync', name, rows, duration_ms, started_at, finished_at FROM mart.sync_runs JOIN run USING (run_id))
    SELECT '   ' || kind, name, rows, duration_ms || ' ms', '[' || round(extract(epoch FROM started_at - t0) * 1000) || '..'
           || round(extract(epoch FROM finished_at - t0) * 1000) || ']'
    FROM steps, run ORDER BY started_at"
done
