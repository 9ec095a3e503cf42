#!/usr/bin/env bash
# One command for the whole platform on a laptop with Docker: packages the four services, then
# builds their JVM images and starts everything (see compose.yaml). Extra arguments go to
# `docker compose up` (e.g. deploy/compose/up.sh --detach). Stop with Ctrl-C, or
# `docker compose -f deploy/compose/compose.yaml down` after --detach.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=deploy/local/env.sh
. deploy/local/env.sh

if ! docker info >/dev/null 2>&1; then
  echo "Docker is not running (or not installed): start it first." >&2
  exit 1
fi

./mvnw -B -q package -DskipTests -pl ingestion-service,mart-service,dashboard-service,realtime-service
exec docker compose -f deploy/compose/compose.yaml up --build "$@"
