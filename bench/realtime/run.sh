#!/usr/bin/env bash
# Fan-out benchmark of realtime-service on this machine: starts the packaged service (heap capped
# at 1 GiB), runs the load client as its own process, prints its figures, stops the service.
# Usage: bench/realtime/run.sh [FanoutBench options, e.g. --connections 2000 --seconds 20]
# Needs Redis (REDIS_URL, default redis://127.0.0.1:6379) and a JDK >= 21.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../../deploy/local/env.sh
source deploy/local/env.sh
# shellcheck source=bench/lib.sh
source bench/lib.sh

PORT=${BENCH_PORT:-18084}
WINDOW_MS=${BENCH_WINDOW_MS:-1000}
export AUTH_JWT_SECRET=${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
# 10,000 sockets on each side: stay under the 20,000 open files per process.
ulimit -n "$(ulimit -Hn)"

JAR=realtime-service/target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ -n "$(find realtime-service/src -newer "$JAR" -print -quit)" ]; then
  ./mvnw -B -q -o -pl realtime-service package -DskipTests
fi

LOG=$(mktemp /tmp/realtime-bench-service.XXXXXX.log)
QUARKUS_HTTP_PORT=$PORT REALTIME_BATCH_WINDOW=${WINDOW_MS}ms QUARKUS_LOG_CONSOLE_JSON_ENABLED=false \
  java -Xmx1g -Xms256m ${BENCH_SERVICE_JAVA_OPTS:-} -jar "$JAR" >"$LOG" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true' EXIT
wait_ready realtime-service "$PORT" "$SERVICE_PID" "$LOG"

java -Xmx1g -XX:+UseSerialGC bench/realtime/FanoutBench.java --port "$PORT" --window-ms "$WINDOW_MS" \
  --service-pid "$SERVICE_PID" "$@"
echo "service log: $LOG"
