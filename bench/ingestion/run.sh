#!/usr/bin/env bash
# Builds the ingestion-service jar if needed and runs the benchmark (see README.md). Extra arguments go
# to bench.py, e.g.: bench/ingestion/run.sh --ticks 2000000 --connections 2
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/env.sh
if [ ! -f ingestion-service/target/quarkus-app/quarkus-run.jar ] || [ -n "${REBUILD:-}" ]; then
  ./mvnw -B -q -pl ingestion-service package -DskipTests
fi
exec python3 bench/ingestion/bench.py "$@"
