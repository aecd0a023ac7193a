#!/usr/bin/env bash
#
# The end-to-end benchmark: the Beast server in three variants (ids, manual,
# none) under wrk, server and load pinned to separate cores, keep-alive,
# several interleaved rounds. Prints a Markdown table and the ratio of
# throughput with async-local IDs to throughput with no IDs, the median of
# the rounds' ratios and their spread.
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

# Each round runs the three variants back to back, in an order that
# rotates from round to round, so that drift in the machine's speed falls on
# all of them alike; the ratios are taken within each round.
variants=(ids manual none)
: >"$work/rounds"
for round in $(seq "$rounds"); do
  for i in 0 1 2; do
    variant=${variants[$(( (i + round) % 3 ))]}
    rm -f "$work/port"
    taskset -c 0 "$server" "$variant" "$work/port" &
    pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    port=$(cat "$work/port")
    rps=$(taskset -c 1 wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$port/" \
      | awk '/^Requests\/sec:/ { print $2 }')
    kill -TERM "$pid"; wait "$pid" || true
    echo "$round $variant $rps" >>"$work/rounds"
    echo "round $round: $variant $rps requests/s" >&2
  done
done

# Medians over rounds, and the spread (lowest, highest) of each ratio.
awk -v rounds="$rounds" -v seconds="$seconds" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
      t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { rps[$1, $2] = $3 }
  END {
    printf "| variant | requests/s (median of %d rounds of %ds) |\n|---|---:|\n", rounds, seconds
    split("ids manual none", vs, " ")
    for (v = 1; v <= 3; v++) {
      for (r = 1; r <= rounds; r++) x[r] = rps[r, vs[v]]
      printf "| %s | %.0f |\n", vs[v], median(x, rounds)
    }
    for (r = 1; r <= rounds; r++) {
      a[r] = rps[r, "ids"] / rps[r, "none"]; b[r] = rps[r, "ids"] / rps[r, "manual"]
    }
    lo_a = hi_a = a[1]; lo_b = hi_b = b[1]
    for (r = 2; r <= rounds; r++) {
      if (a[r] < lo_a) lo_a = a[r]; if (a[r] > hi_a) hi_a = a[r]
      if (b[r] < lo_b) lo_b = b[r]; if (b[r] > hi_b) hi_b = b[r]
    }
    printf "\nratio with IDs / without: %.3f (rounds: %.3f to %.3f); ", median(a, rounds), lo_a, hi_a
    printf "ratio with IDs / passed by hand: %.3f (rounds: %.3f to %.3f)\n", median(b, rounds), lo_b, hi_b
  }' "$work/rounds"
