#!/usr/bin/env bash
# Dashboard load benchmark (issue 5): wrk against GET /api/v1/dashboard for many users with 20-100
# holdings each, answered from the Redis cache (hits, with the rate limiter off and on) and with a
# zero TTL (every request a miss: one REPEATABLE READ snapshot + the computation + the cache write, at
# 64 connections and at a few), next to nginx serving the same dashboard JSON, and a 2 KB JSON, as
# static files (the ceiling on this machine, measured in the same run: compare the ratio).
#
#   bench/dashboard/run.sh            # from anywhere; needs Postgres on localhost, redis-server, wrk, nginx
#
# Tunables (environment): BENCH_USERS (1000), BENCH_STOCKS (25000, the benchmark-scale market),
# BENCH_DURATION (20s), BENCH_THREADS (2), BENCH_CONNECTIONS (64), BENCH_MISS_FEW_CONNECTIONS (4),
# BENCH_PORT (18083), BENCH_NGINX_PORT (18080), BENCH_REDIS_PORT (16383), BENCH_JAVA_OPTS (extra JVM
# options of the service, e.g. -XX:StartFlightRecording=filename=/tmp/dash-%p.jfr,settings=profile),
# BENCH_DB / BENCH_PROCESSING_DB (database names, so that two engineers can bench at once),
# BENCH_JAR (another build, e.g. a copy of an older target/quarkus-app for an A/B), BENCH_SKIP_MISSES=1,
# BENCH_DEPLOYED_JAVA_OPTS (the image's GC and heap, below; '' for the JVM's defaults on this machine).
# It uses its own databases (income_serving_bench, income_processing_bench), recreated each run, and
# its own empty Redis server (so other engineers' mart syncs, which invalidate every cached dashboard
# through the shared Redis, cannot turn hits into misses); it rebuilds the service jar if missing and
# stops everything it started on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

USERS=${BENCH_USERS:-1000}
STOCKS=${BENCH_STOCKS:-25000}
DURATION=${BENCH_DURATION:-20s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
FEW_CONNECTIONS=${BENCH_MISS_FEW_CONNECTIONS:-4}
REDIS_PORT=${BENCH_REDIS_PORT:-16383}
PORT=${BENCH_PORT:-18083}
NGINX_PORT=${BENCH_NGINX_PORT:-18080}
DB=${BENCH_DB:-income_serving_bench}
PROCESSING_DB=${BENCH_PROCESSING_DB:-income_processing_bench}
SECRET='bench-secret-that-is-at-least-32-bytes-long'
WORK=$(mktemp -d /tmp/dashboard-bench.XXXXXX)
SERVICE_PID=""
NGINX_PID=""
REDIS_PID=""
PSQL=(psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_ADMIN_USER" -v ON_ERROR_STOP=1 -q)

stop_service() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; SERVICE_PID=""; fi
}
cleanup() {
  stop_service
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

echo "== databases ($DB, $USERS users, $STOCKS stocks)"
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP DATABASE IF EXISTS $PROCESSING_DB"
"${PSQL[@]}" -d postgres -v processing_db=$PROCESSING_DB -v serving_db=$DB -f deploy/sql/init-databases.sql > /dev/null
# The serving tables as mart-service creates them (its migrations, applied in version order as their owner).
for migration in $(ls mart-service/src/main/resources/db/serving/V*.sql | sort -V); do
  psql -h "$DB_HOST" -p "$DB_PORT" -U income_mart -d $DB -v ON_ERROR_STOP=1 -q -c "SET search_path = serving" -f "$migration" > /dev/null
done

JAR=${BENCH_JAR:-dashboard-service/target/quarkus-app/quarkus-run.jar}
if [ ! -f "$JAR" ]; then
  echo "== building dashboard-service"
  ./mvnw -B -o -q -pl dashboard-service package -DskipTests
fi

echo "== private Redis on port $REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done

# The JVM as the image runs it in its 1 Gi container (src/main/docker/Dockerfile.jvm, deploy/README.md
# "Resources"): G1 with a 5 ms pause goal, the heap fixed at half the limit. Not emulated: the 1-CPU limit.
DEPLOYED_JAVA_OPTS=${BENCH_DEPLOYED_JAVA_OPTS--XX:+UseG1GC -XX:MaxGCPauseMillis=5 -Xms512m -Xmx512m}

start_service() { # $1 = cache TTL, $2 = rate limiter on (true/false)
  # With the limiter on, every request is counted (one Lua call with the cache read) under a limit it never reaches.
  QUARKUS_HTTP_PORT=$PORT SERVING_DB_NAME=$DB AUTH_JWT_SECRET="$SECRET" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  DASHBOARD_RATE_LIMIT_ENABLED="${2:-false}" DASHBOARD_RATE_LIMIT_DASHBOARD_PER_WINDOW=1000000000 \
  DASHBOARD_CACHE_TTL="$1" DASHBOARD_CACHE_STALE_RETENTION=15m \
  QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
    java $DEPLOYED_JAVA_OPTS ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$WORK/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  wait_ready dashboard-service "$PORT" $SERVICE_PID "$WORK/service-$1.log"
}

counter() { # $1 = status: the dashboard_cache_requests_total value
  curl -fs "http://127.0.0.1:$PORT/q/metrics" | awk -v s="status=\"$1\"" 'index($0, "dashboard_cache_requests_total{") == 1 && index($0, s) { v = $2 } END { print v + 0 }'
}

cpu_ms() { # $1 = pid: user + system CPU time of that process so far, in ms
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%d\n", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}

run_wrk() { # $1 = label, $2 = pid whose CPU time per request to report (or -), $3... = wrk target and options
  # The CPU milliseconds the server process spent per answered request: on a machine shared with
  # other builds this moves far less than requests/s and latency do (Redis' and Postgres' CPU not included).
  local label=$1 pid=$2; shift 2
  local cpu_before=0
  if [ "$pid" != "-" ]; then cpu_before=$(cpu_ms "$pid"); fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" > "$WORK/wrk-$label.txt"
  local cpu_used=-1
  if [ "$pid" != "-" ]; then cpu_used=$(( $(cpu_ms "$pid") - cpu_before )); fi
  awk -v label="$label" -v ld="$(uptime | sed 's/.*load average: //')" -v cpu="$cpu_used" '
    /requests in/ { requests = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /Non-2xx/ { errors = $NF }
    END {
      printf "%-30s %10s req/s   p50 %9s   p99 %9s   non-2xx %s", label, rps, p50, p99, (errors == "" ? 0 : errors)
      if (cpu >= 0 && requests > 0) printf "   %.3f CPU ms/req", cpu / requests
      printf "   (load %s)\n", ld }' "$WORK/wrk-$label.txt" | tee -a "$WORK/summary.txt"
}
rps() { awk '/Requests\/sec:/ { print $2 }' "$WORK/wrk-$1.txt"; }

echo "== starting dashboard-service (cache TTL 5m) and seeding"
start_service 5m
"${PSQL[@]}" -d $DB -v users="$USERS" -v stocks="$STOCKS" -f bench/dashboard/seed.sql
python3 bench/dashboard/tokens.py "$SECRET" "$USERS" > "$WORK/tokens.txt"
export TOKENS_FILE="$WORK/tokens.txt"

echo "== warm-up: fill the cache for every user"
BENCH_WARM=$(( USERS / 50 + 5 ))
BENCH_SEQUENTIAL=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"${BENCH_WARM}s" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT" > /dev/null
hits_before=$(counter hit); misses_before=$(counter miss)
run_wrk "dashboard hits" "$SERVICE_PID" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT"
hits=$(( $(counter hit | cut -d. -f1) - ${hits_before%.*} )); misses=$(( $(counter miss | cut -d. -f1) - ${misses_before%.*} ))
echo "   (cache during the hit run: $hits hits, $misses misses)" | tee -a "$WORK/summary.txt"

echo "== restarting dashboard-service with the rate limiter on (the cache stays warm in Redis)"
stop_service
start_service 5m true
BENCH_SEQUENTIAL=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"${BENCH_WARM}s" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT" > /dev/null # JIT warm-up, as long as the first
hits_before=$(counter hit); misses_before=$(counter miss)
run_wrk "dashboard hits, limiter on" "$SERVICE_PID" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT"
hits=$(( $(counter hit | cut -d. -f1) - ${hits_before%.*} )); misses=$(( $(counter miss | cut -d. -f1) - ${misses_before%.*} ))
echo "   (cache during the run: $hits hits, $misses misses; $(redis-cli -p "$REDIS_PORT" --scan --pattern 'income:ratelimit:dashboard:*' | wc -l) rate-limit counters in Redis)" | tee -a "$WORK/summary.txt"

TOKEN=$(head -1 "$WORK/tokens.txt")
mkdir -p "$WORK/static"
chmod 755 "$WORK" "$WORK/static" # nginx workers run as an unprivileged user
curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/dashboard" > "$WORK/static/dashboard.json"
python3 - "$WORK/static/small.json" <<'PY'
import json, sys
body = {"items": [{"symbol": "B%05d" % i, "price": 123.45, "shares": 10, "weight": 0.0123} for i in range(26)]}
text = json.dumps(body)
open(sys.argv[1], "w").write(text[:2048 - 2] + "]}" if len(text) > 2048 else text)
PY

stop_service
if [ "${BENCH_SKIP_MISSES:-0}" != 1 ]; then
echo "== restarting dashboard-service with a zero TTL: every request is a miss"
start_service 0s
BENCH_SEQUENTIAL=1 wrk -t"$THREADS" -c"$CONNECTIONS" -d"${BENCH_WARM}s" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT" > /dev/null # JIT warm-up, as long as the first
misses_before=$(counter miss)
run_wrk "dashboard misses" "$SERVICE_PID" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT"
echo "   (misses during the miss run: $(( $(counter miss | cut -d. -f1) - ${misses_before%.*} )))" | tee -a "$WORK/summary.txt"
CONNECTIONS=$FEW_CONNECTIONS THREADS=$(( THREADS < FEW_CONNECTIONS ? THREADS : FEW_CONNECTIONS )) \
  run_wrk "dashboard misses, -c$FEW_CONNECTIONS" "$SERVICE_PID" -s bench/dashboard/dashboard.lua "http://127.0.0.1:$PORT"
stop_service
fi

echo "== nginx static-file ceiling"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp; uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  types { application/json json; }
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/static; }
}
NGINX
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
sleep 1
run_wrk "nginx dashboard.json" - "http://127.0.0.1:$NGINX_PORT/dashboard.json"
run_wrk "nginx 2KB json" - "http://127.0.0.1:$NGINX_PORT/small.json"

echo
echo "== summary, load average at the end: $(uptime | sed 's/.*load average: //') (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $USERS users with 20-100 holdings; dashboard JSON $(wc -c < "$WORK/static/dashboard.json") bytes, small JSON $(wc -c < "$WORK/static/small.json") bytes)"
cat "$WORK/summary.txt"
awk -v h="$(rps "dashboard hits")" -v l="$(rps "dashboard hits, limiter on")" -v n="$(rps "nginx dashboard.json")" \
  'BEGIN { printf "hits / nginx same JSON: %.3f (limiter off), %.3f (limiter on); the goal is >= 0.30\n", h / n, l / n }'
echo "(raw wrk output and logs in $WORK)"
