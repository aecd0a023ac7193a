#!/usr/bin/env bash
#
# The documentation quotes examples that the tests build and run: each code
# block after a line "<!-- snippet: FILE -->" must stand, line for line, in
# FILE (relative to the repository). Fails naming the first block that does
# not, so that the docs cannot drift from the code they show.
#
#   check_doc_snippets.sh REPO_ROOT
#
# Copyright (c) 2026 The Boost.AsyncLocal authors
# Distributed under the Boost Software License, Version 1.0.

set -euo pipefail
root=$1
checked=0
failed=0
for doc in "$root"/README.md "$root"/doc/*.md; do
  marker=""
  block=""
  inside=0
  lineno=0
  while IFS= read -r line || [ -n "$line" ]; do
    lineno=$((lineno + 1))
    if [ $inside -eq 0 ]; then
      if [[ $line =~ ^\<\!--\ snippet:\ ([^ ]+)\ --\>$ ]]; then
        marker=${BASH_REMATCH[1]}
      elif [ -n "$marker" ] && [[ $line == '```'* ]]; then
        inside=1
        block=""
        start=$lineno
      fi
    elif [[ $line == '```' ]]; then
      inside=0
      checked=$((checked + 1))
      source="$root/$marker"
      if [ ! -f "$source" ] || [[ "$(cat "$source")" != *"$block"* ]]; then
        echo "${doc#$root/}:$start: the block is not in $marker" >&2
        failed=$((failed + 1))
      fi
      marker=""
    else
      block+="$line"$'\n'
    fi
  done <"$doc"
done
echo "doc snippets: $checked checked, $failed not found"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
