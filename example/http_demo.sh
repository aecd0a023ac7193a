#!/usr/bin/env bash
#
# The HTTP demo, end to end: starts the backend and the server on loopback
# with ephemeral ports, sends a bounded concurrent load through the server,
# stops both, and checks from their logs that every line of every request
# carries that request's own ID and the backend's lines the same trace ID,
# that each request logged its steps in order with "request done" last, and
# that the hostile requests (a throwing callback, a missed deadline) got
# their 500 and 504 while the others were answered, and that each request's
# OpenTelemetry spans in both services have every parent link right.
#
#   http_demo.sh BIN_DIR [REQUESTS [CONCURRENCY]]
#
# With TRACE=PREFIX in the environment, the server records what it did and
# writes PREFIX.json and PREFIX.dot when it stops (see --trace).
#
# Copyright (c) 2026 The Boost.AsyncLocal authors
# Distributed under the Boost Software License, Version 1.0.

set -euo pipefail
bin=$1
requests=${2:-2000}
concurrency=${3:-50}
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for_port() {
  for _ in $(seq 100); do
    [ -s "$1" ] && { cat "$1"; return 0; }
    sleep 0.1
  done
  echo "http_demo: a service did not start" >&2
  return 1
}

"$bin/backend" --port-file "$work/backend.port" >"$work/backend.log" 2>&1 &
pids+=($!)
backend_port=$(wait_for_port "$work/backend.port")

trace_args=()
[ -n "${TRACE:-}" ] && trace_args=(--trace "$TRACE")
"$bin/http_server" --backend-port "$backend_port" "${trace_args[@]}" \
  --port-file "$work/server.port" >"$work/server.log" 2>&1 &
pids+=($!)
server_port=$(wait_for_port "$work/server.port")

echo "backend on port $backend_port, server on port $server_port"
load_status=0
timeout 300 "$bin/http_client" --port "$server_port" --requests "$requests" \
  --concurrency "$concurrency" --results "$work/results" || load_status=$?

# Stop the services so that their logs are complete.
for pid in "${pids[@]}"; do kill -TERM "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || true; done
pids=()

check_status=0
"$bin/http_client" --check "$work/results" "$work/server.log" \
  "$work/backend.log" || check_status=$?

if [ "$load_status" -ne 0 ] || [ "$check_status" -ne 0 ]; then
  echo "http_demo: FAILED"
  exit 1
fi
echo "http_demo: every log line carried its own request's identity"
