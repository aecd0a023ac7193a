#!/usr/bin/env bash
#
# Runs example/coroutine_echo_server with 20 clients on loopback and checks
# that every log line of every connection carries that connection's own ID.
#
# Copyright (c) 2026 The Boost.AsyncLocal authors
# Distributed under the Boost Software License, Version 1.0.

set -euo pipefail
clients=20
out=$(timeout 60 "$1" --clients "$clients")
echo "$out" | head -4
echo "..."
echo "$out" | tail -2
echo "$out" | awk -v clients="$clients" '
  /^\[conn-[0-9]+\] / { id = substr($1, 2, length($1) - 2) }
  /^\[conn-[0-9]+\] connected$/ { connections++ }
  /^\[conn-[0-9]+\] echo / { echoes++; if ($3 != id) mismatched++ }
  END {
    printf "connections: %d, echoed lines: %d, mismatched: %d\n",
      connections, echoes, mismatched
    exit !(connections == clients && echoes == 3 * clients && mismatched == 0)
  }'
