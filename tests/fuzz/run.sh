#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every fuzz target for SECONDS in total (split evenly), starting from the seed corpus
# in tests/fuzz/corpus/<target minus fuzz_>/ (real captured report streams). Speaks TAP: a crash,
# leak or hang is "not ok" with the reproducer's path.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$(cd "${1:-$top/build}" && pwd)
total=${2:-60}
targets=("$B"/fuzz/bin/fuzz_*)
[ -x "${targets[0]}" ] || { echo "not ok 1 - no fuzz targets built in $B/fuzz/bin"; exit 1; }
each=$(( total / ${#targets[@]} )); [ "$each" -lt 1 ] && each=1
n=0
for t in "${targets[@]}"; do
  name=$(basename "$t"); n=$((n + 1))
  seeds=$top/tests/fuzz/corpus/${name#fuzz_}
  work=$B/fuzz/corpus-${name#fuzz_}
  art=$B/fuzz/artifacts-${name#fuzz_}/
  mkdir -p "$work" "$art"
  log=$B/fuzz/$name.log
  if "$t" -max_total_time="$each" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art" \
       -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "ok $n - $name: ${runs:-?} inputs in ${each}s, no crash, leak or hang"
  else
    echo "not ok $n - $name found a problem; reproducer in $art (log $log)"
    tail -n 30 "$log" | sed 's/^/# /'
  fi
done
