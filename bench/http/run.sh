#!/usr/bin/env bash
#
# The end-to-end benchmark: the Beast server in three variants (ids, manual,
# none) under wrk, server and load pinned to separate cores, keep-alive,
# several alternating rounds. Prints a Markdown table and the ratio of
# throughput with async-local IDs to throughput with no IDs.
#
#   run.sh SERVER_BINARY [ROUNDS [SECONDS]]
#
# Copyright (c) 2026 The Boost.AsyncLocal authors
# Distributed under the Boost Software License, Version 1.0.

set -euo pipefail
server=$1
rounds=${2:-3}
seconds=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A total
for round in $(seq "$rounds"); do
  for variant in ids manual none; do
    rm -f "$work/port"
    taskset -c 0 "$server" "$variant" "$work/port" &
    pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    port=$(cat "$work/port")
    rps=$(taskset -c 1 wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$port/" \
      | awk '/^Requests\/sec:/ { print $2 }')
    kill -TERM "$pid"; wait "$pid" || true
    total[$variant]=$(awk -v a="${total[$variant]:-0}" -v b="$rps" 'BEGIN { print a + b }')
    echo "round $round: $variant $rps requests/s" >&2
  done
done

echo "| variant | requests/s (mean of $rounds rounds of ${seconds}s) |"
echo "|---|---:|"
for variant in ids manual none; do
  awk -v v="$variant" -v t="${total[$variant]}" -v r="$rounds" \
    'BEGIN { printf "| %s | %.0f |\n", v, t / r }'
done
awk -v a="${total[ids]}" -v b="${total[none]}" -v c="${total[manual]}" 'BEGIN {
  printf "\nratio with IDs / without: %.3f; ratio with IDs / passed by hand: %.3f\n", a / b, a / c }'
