#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Lock planning time on a synthetic 256-CPU, 32-LLC, 4-node host (bar: median < 1 ms),
# against reading that host's topology from its sysfs tree in the same run (the baseline:
# what every plan needs first). Rows: see tests/bench/run.sh.
set -euo pipefail
top=${KTSTR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KTSTR=${KTSTR_BUILD:-$top/build}/bin/ktstr
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$top/tests/mksysfs.sh" "$tmp/sys" 4 8 8

row() {	# name shape [--perf-mode]
  local name=$1 shape=$2 out plan read
  shift 2
  out=$("$KTSTR" topo --sysfs "$tmp/sys" --bench-plan "$shape" --repeat 2000 "$@")
  plan=$(awk '$1 == "plan_ns_median" { print $2 }' <<<"$out")
  read=$(awk '$1 == "read_ns_median" { print $2 }' <<<"$out")
  awk -v n="$name" -v p="$plan" -v r="$read" 'BEGIN {
    printf "BENCH\t%s\t%.1f\t%.1f\tus\t%.3f\t%s\n", n, p / 1000, r / 1000, p / r,
      (p < 1000000 ? "median < 1 ms: met" : "median < 1 ms: MISSED") }'
}
row "plan perf 4n32l4c1t (256 CPUs) vs topo read" 4n32l4c1t --perf-mode
row "plan perf 1n4l8c1t (256 CPUs) vs topo read" 1n4l8c1t --perf-mode
row "plan default 8 vCPUs (256 CPUs) vs topo read" 1n1l8c1t
