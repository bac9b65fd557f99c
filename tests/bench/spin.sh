#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# spin work units per second with full instrumentation vs the bare loop, natively, in the
# same run (bar: at least 97%). Builds the guest's spin loop for the host with the guest's
# optimisation level (-Os).
set -euo pipefail
top=${KTSTR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${KTSTR_BUILD:-$top/build}
mkdir -p "$B/bench"
cd "$top"
${CC:-cc} -std=gnu11 -Os -g -Wall -Wextra -Werror -D_GNU_SOURCE -o "$B/bench/spin_bench" \
  tests/bench/spin_bench.c guest/work_cpu.c guest/measure.c shared/measure.c \
  shared/report.c shared/wire.c shared/worktypes.c shared/job.c -l:libxxhash.a -lpthread
"$B/bench/spin_bench" "${KTSTR_SPIN_ROUND_S:-0.3}" "${KTSTR_SPIN_ROUNDS:-11}"
