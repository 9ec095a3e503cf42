#!/usr/bin/env bash
# Mart benchmark at the design scale (see README.md). Usage:
#   bench/marts/run.sh [--small] [--keep-data]
# Uses its own databases (income_processing_martbench, income_serving_martbench; MART_BENCH_DB=name
# makes them income_processing_name/income_serving_name), so it never touches the dev, test or other
# benchmarks' data. --keep-data reuses an already generated dataset.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

SIZE=full
KEEP=false
for arg in "$@"; do
  case "$arg" in
    --small) SIZE=small ;;
    --keep-data) KEEP=true ;;
    *) echo "unknown argument $arg" >&2; exit 2 ;;
  esac
done
PDB=income_processing_${MART_BENCH_DB:-martbench}
SDB=income_serving_${MART_BENCH_DB:-martbench}
PORT=${MART_BENCH_PORT:-18082}
PSQL=(psql -q -v ON_ERROR_STOP=1 -h "$DB_HOST" -p "$DB_PORT")
export AUTH_JWT_SECRET="${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}"
TOKEN=$(deploy/local/token.sh service_role 00000000-0000-4000-8000-000000000009 7200)
BASE="http://127.0.0.1:$PORT/api/v1/marts"

now_ms() { date +%s%3N; }
post() { curl -sS -f -X POST -H "Authorization: Bearer $TOKEN" "$BASE$1"; }

if [ "$KEEP" = false ]; then
  echo "== databases and upstream schemas"
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d postgres -c "DROP DATABASE IF EXISTS $PDB" -c "DROP DATABASE IF EXISTS $SDB"
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d postgres -v processing_db=$PDB -v serving_db=$SDB -f deploy/sql/init-databases.sql > /dev/null
  for f in $(ls ingestion-service/src/main/resources/db/migration/V*.sql | sort -V); do
    "${PSQL[@]}" -U income_ingestion -d $PDB -f "$f" > /dev/null
  done
  for f in $(ls dashboard-service/src/main/resources/db/migration/V*.sql | sort -V); do
    "${PSQL[@]}" -U income_dashboard -d $SDB -f "$f" > /dev/null
  done
  echo "== generating ($SIZE) with bench/generate.py (COPY)"
  python3 bench/generate.py --size "$SIZE" --processing-db $PDB --serving-db $SDB
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d $PDB -c "ANALYZE"
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d $SDB -c "ANALYZE"
fi

# The increments below are re-applied on every run (also with --keep-data).
"${PSQL[@]}" -U income_ingestion -d $PDB -c "DELETE FROM raw.price_bars WHERE date > '2026-11-20'" \
  -c "DELETE FROM raw.price_ticks WHERE source = 'bench'" > /dev/null

echo "== building and starting mart-service on :$PORT"
# Another run's service on the same port would answer our requests: the port must be free.
if curl -s -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; then
  echo "port $PORT is in use (another bench run?); set MART_BENCH_PORT" >&2; exit 1
fi
./mvnw -B -o -q -pl mart-service package -DskipTests
# Change events off: the shared Redis carries other runs' events. A short watermark overlap so that rows inserted more than 10 s before a measured run are not
# reloaded by it (production default: 5m); every measured insert is followed by an 11 s pause.
PROCESSING_DB_NAME=$PDB SERVING_DB_NAME=$SDB QUARKUS_HTTP_PORT=$PORT MART_REFRESH_EVERY=off MART_EVENTS_ENABLED=false MART_REFRESH_WATERMARK_OVERLAP=10s \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false java -Xmx512m -jar mart-service/target/quarkus-app/quarkus-run.jar \
  > "/tmp/mart-bench-service-${MART_BENCH_DB:-martbench}.log" 2>&1 &
SERVICE_PID=$!
trap 'kill $SERVICE_PID 2>/dev/null || true' EXIT
wait_ready mart-service "$PORT" $SERVICE_PID "/tmp/mart-bench-service-${MART_BENCH_DB:-martbench}.log"

step_report() { # durations of the last run's steps and syncs
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d $PDB -A -F ' ' -t -c "
    SELECT '   refresh', name, rows, duration_ms || ' ms' FROM mart.refresh_runs
    WHERE run_id = (SELECT run_id FROM mart.refresh_runs ORDER BY id DESC LIMIT 1) ORDER BY id"
  "${PSQL[@]}" -U "$DB_ADMIN_USER" -d $PDB -A -F ' ' -t -c "
    SELECT '   sync', name, rows, duration_ms || ' ms' FROM mart.sync_runs
    WHERE run_id = (SELECT run_id FROM mart.refresh_runs ORDER BY id DESC LIMIT 1) ORDER BY id"
}

echo "== full rebuild (all staging from raw, every mart, data tests, sync)"
t=$(now_ms); post "/refresh?full=true" > /dev/null; echo "full rebuild + sync: $(( $(now_ms) - t )) ms"; step_report

echo "== incremental after one new trading day for every symbol"
"${PSQL[@]}" -U income_ingestion -d $PDB -c "
  INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, adj_close, volume)
  SELECT symbol, date '2026-11-23', source, close, close * 1.01, close * 0.99, close * 1.001, close * 1.001, volume
  FROM raw.price_bars WHERE date = '2026-11-20' ON CONFLICT DO NOTHING"
sleep 11
t=$(now_ms); post "/refresh" > /dev/null; echo "new day for all symbols: $(( $(now_ms) - t )) ms"; step_report

echo "== incremental after ticks for 10 symbols"
ticks_for_10_symbols() { # base price; then the pause that keeps them out of the next run's overlap
  "${PSQL[@]}" -U income_ingestion -d $PDB -c "
    INSERT INTO raw.price_ticks (symbol, ts, price, volume, source)
    SELECT symbol, now() - interval '1 second' * n, $1 + n, 10, 'bench'
    FROM (SELECT symbol FROM raw.securities ORDER BY symbol LIMIT 10) s, generate_series(1, 5) n ON CONFLICT DO NOTHING"
  sleep 11
}
ticks_for_10_symbols 100
t=$(now_ms); post "/refresh?mart=market_latest" > /dev/null; echo "ticks for 10 symbols -> market_latest: $(( $(now_ms) - t )) ms"; step_report
t=$(now_ms); post "/refresh" > /dev/null; echo "ticks (none new) -> every mart: $(( $(now_ms) - t )) ms"

echo "== serving queries (database side, EXPLAIN ANALYZE execution time, median of 20)"
query_ms() {
  for _ in $(seq 1 20); do
    "${PSQL[@]}" -U income_dashboard -d $SDB -A -t -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
  done | sort -n | awk '{a[NR]=$1} END {printf "%.3f ms (median), %.3f ms (max)\n", a[int((NR+1)/2)], a[NR]}'
}
echo "treemap top 10 per industry (1y, price, by change): $(query_ms "SELECT industry, symbol, name, current_value, earliest_value, change FROM serving.treemap WHERE period = '1y' AND metric = 'price' AND rank_change <= 10 ORDER BY industry, rank_change")"
echo "screener (sector + yield range, by yield, 50): $(query_ms "SELECT * FROM serving.screener_results WHERE sector = 'Technology' AND ttm_yield BETWEEN 0.02 AND 0.08 ORDER BY ttm_yield DESC NULLS LAST LIMIT 50")"
echo "calendar (one month): $(query_ms "SELECT symbol, ex_date, pay_date, amount, type, status FROM serving.dividend_calendar WHERE ex_date BETWEEN '2026-12-01' AND '2026-12-31' ORDER BY ex_date, symbol")"

echo "== portfolio marts"
USERS=$("${PSQL[@]}" -U income_dashboard -d $SDB -A -t -c "SELECT user_id FROM app.portfolios WHERE name LIKE 'bench %' GROUP BY user_id ORDER BY user_id LIMIT 20")
for u in $USERS; do
  post "/portfolios/refresh?userId=$u" | python3 -c 'import json,sys; print(json.load(sys.stdin)["durationMs"])'
done | sort -n | awk '{a[NR]=$1} END {printf "one user (20 users): median %d ms, max %d ms\n", a[int((NR+1)/2)], a[NR]}'
# The scheduled pass (?changed=true): the first one after the full rebuild recomputes every user; the
# next, with nothing changed, nobody; after ticks for 10 symbols, only the users holding them.
pass() { # label
  t=$(now_ms); users=$(post "/portfolios/refresh?changed=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["users"])')
  echo "scheduled pass, $1: $users users in $(( $(now_ms) - t )) ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
}
# MART_BENCH_PORTFOLIO_PASSES=false skips them: the first pass recomputes all 10,000 users (about
# 20 min on 2 cores), too long to repeat in every run of bench/run-all.
if [ "${MART_BENCH_PORTFOLIO_PASSES:-true}" = true ]; then
  pass "after the full rebuild (every user)"
  pass "nothing changed"
  ticks_for_10_symbols 101
  post "/refresh?mart=market_latest" > /dev/null
  pass "after ticks for 10 symbols"
fi

echo "== sizes"
"${PSQL[@]}" -U "$DB_ADMIN_USER" -d $SDB -A -F ' ' -t -c "SELECT '   serving', c.relname, pg_size_pretty(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'serving' AND c.relkind = 'r' ORDER BY 2"
