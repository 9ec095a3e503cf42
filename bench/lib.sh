#!/usr/bin/env bash
# Helpers shared by the bench scripts; source it.

# wait_ready <name> <port> <pid> <log>: returns once the service on 127.0.0.1:<port> answers
# /q/health/ready; exits the script naming the log if it does not within 120 s or its process <pid> ends
# (another process on the port must not be mistaken for ours).
wait_ready() {
  local name=$1 port=$2 pid=$3 log=$4
  for _ in $(seq 1 240); do
    kill -0 "$pid" 2>/dev/null || break
    curl -fs "http://127.0.0.1:$port/q/health/ready" > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$name did not become ready on port $port (port taken? failed start?); see $log" >&2
  exit 1
}
