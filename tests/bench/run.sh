#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# ./build.sh bench: runs every tests/bench/*.sh except this one. Each prints rows of
#   BENCH<TAB>name<TAB>ktstr value<TAB>baseline value<TAB>unit<TAB>ratio<TAB>bar
# (the baseline measured in the same run), and this script prints them as one table.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export KTSTR_BUILD=$(cd "${1:-$top/build}" && pwd) KTSTR_TOP=$top
rows=$(mktemp); trap 'rm -f "$rows"' EXIT
status=0
for b in "$top"/tests/bench/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  echo "bench: $(basename "$b" .sh)" >&2
  bash "$b" | tee /dev/stderr | grep '^BENCH	' >>"$rows" || status=1
done
# The name column as wide as the longest name.
awk -F'\t' '{ r[NR] = $0; if (length($2) > w) w = length($2) }
  END {
    fmt = "%-" w "s %14s %14s %-11s %8s  %s\n"
    printf "\n" fmt, "benchmark", "ktstr", "baseline", "unit", "ratio", "bar"
    for (i = 1; i <= NR; i++) { split(r[i], f, "\t"); printf fmt, f[2], f[3], f[4], f[5], f[6], f[7] }
  }' "$rows"
exit $status
