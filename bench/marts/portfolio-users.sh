#!/usr/bin/env bash
# One user's portfolio marts, repeated (issue 4: "a user's portfolio marts recomputed under 200 ms"), on
# the design-scale data that bench/marts/run.sh generated and built:
#
#   bench/marts/portfolio-users.sh [checkout]   # default: this checkout; another one to compare commits
#
# Starts that checkout's packaged mart-service (mart-service/target/quarkus-app) on its own port, then
# recomputes 30 users (run.sh's 20 and the 10 holding the most symbols: 126-130 symbols, two
# portfolios) ROUNDS times through POST /api/v1/marts/portfolios/refresh?userId=, and prints each
# round's median and max durationMs. Round 1 runs on a cold JIT. Tunables (environment): MART_BENCH_DB
# (martbench), PORTFOLIO_BENCH_PORT (18094), ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

CHECKOUT=${1:-.}
PDB=income_processing_${MART_BENCH_DB:-martbench}
SDB=income_serving_${MART_BENCH_DB:-martbench}
PORT=${PORTFOLIO_BENCH_PORT:-18094}
export AUTH_JWT_SECRET="${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}"
TOKEN=$(deploy/local/token.sh service_role 00000000-0000-4000-8000-000000000009 7200)
JAR="$CHECKOUT/mart-service/target/quarkus-app/quarkus-run.jar"
[ -f "$JAR" ] || { echo "$JAR missing: ./mvnw -o -pl mart-service package -DskipTests in $CHECKOUT" >&2; exit 1; }
if curl -s -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; then
  echo "port $PORT is in use; set PORTFOLIO_BENCH_PORT" >&2; exit 1
fi

USERS=$(psql -h "$DB_HOST" -p "$DB_PORT" -U income_dashboard -d "$SDB" -A -t -c "
  (SELECT user_id FROM app.portfolios WHERE name LIKE 'bench %' GROUP BY user_id ORDER BY user_id LIMIT 20)
  UNION ALL
  (SELECT user_id FROM app.transactions WHERE deleted_at IS NULL GROUP BY user_id ORDER BY count(DISTINCT symbol) DESC, user_id LIMIT 10)")

LOG="/tmp/portfolio-bench-${MART_BENCH_DB:-martbench}.log"
PROCESSING_DB_NAME=$PDB SERVING_DB_NAME=$SDB QUARKUS_HTTP_PORT=$PORT MART_REFRESH_EVERY=off MART_EVENTS_ENABLED=false \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false java -Xmx512m -jar "$JAR" > "$LOG" 2>&1 &
SERVICE_PID=$!
trap 'kill $SERVICE_PID 2>/dev/null; wait $SERVICE_PID 2>/dev/null || true' EXIT
wait_ready mart-service "$PORT" $SERVICE_PID "$LOG"

for round in $(seq 1 "${ROUNDS:-3}"); do
  for u in $USERS; do
    curl -sS -f -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/marts/portfolios/refresh?userId=$u" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["durationMs"])'
  done | sort -n | awk -v r="$round" '{a[NR]=$1} END {printf "round %d (%d users): median %d ms, max %d ms\n", r, NR, a[int((NR+1)/2)], a[NR]}'
done
echo "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
