#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Initramfs benchmarks (rows for tests/bench/run.sh):
#  - cold build of a base with busybox plus a dynamic binary and its libraries, vs
#    `find | cpio -o -H newc | lz4 -l` on the same tree, in the same run (bar: >= 1.5x);
#  - a warm cache hit from another process for a ~20 MB base (bar: median < 5 ms).
set -uo pipefail
top=${KTSTR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
B=${KTSTR_BUILD:-$top/build}
KTSTR=$B/bin/ktstr
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
RUNS=${KTSTR_BENCH_RUNS:-15}

bin=/usr/bin/cyclictest
[ -x "$bin" ] || bin=/bin/ls
inc=(--busybox -i "$bin:$bin")

now_us() { local t=${EPOCHREALTIME/./}; echo "$t"; }	# no fork: bash 5
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The same tree on disk for the baseline: unpack what ktstr packs.
KTSTR_CACHE_DIR=$tmp/c0 "$KTSTR" initramfs "${inc[@]}" --compress none -o "$tmp/tree.cpio" ||
  { echo "bench: ktstr initramfs failed" >&2; exit 1; }
mkdir "$tmp/tree" && (cd "$tmp/tree" && cpio -id --quiet < "$tmp/tree.cpio") ||
  { echo "bench: unpacking the tree failed" >&2; exit 1; }
echo "tree: $(du -sh "$tmp/tree" | cut -f1), $(find "$tmp/tree" | wc -l) entries" >&2

: > "$tmp/kt.cold"; : > "$tmp/base.cold"; : > "$tmp/kt.cpu"; : > "$tmp/base.cpu"
TIMEFORMAT='%3U %3S'	# the time keyword: user and system CPU of the command and its children
for _ in $(seq "$RUNS"); do	# interleaved, so both see the same machine load
  rm -rf "$tmp/cold" "$tmp/kt.lz4" "$tmp/base.lz4"	# no replace-on-rename flush for either
  t0=$(now_us)
  { time KTSTR_CACHE_DIR=$tmp/cold "$KTSTR" initramfs "${inc[@]}" -o "$tmp/kt.lz4" || exit 1; } 2>>"$tmp/kt.cpu"
  t1=$(now_us)
  { time (cd "$tmp/tree" && find . | cpio -o -H newc --quiet | lz4 -l -q > "$tmp/base.lz4") || exit 1; } 2>>"$tmp/base.cpu"
  t2=$(now_us)
  echo $((t1 - t0)) >> "$tmp/kt.cold"
  echo $((t2 - t1)) >> "$tmp/base.cold"
done
kt=$(median < "$tmp/kt.cold"); base=$(median < "$tmp/base.cold")
ktc=$(awk '{ print ($1 + $2) * 1e6 }' "$tmp/kt.cpu" | median)
basec=$(awk '{ print ($1 + $2) * 1e6 }' "$tmp/base.cpu" | median)
echo "sizes: ktstr $(stat -c %s "$tmp/kt.lz4") bytes, baseline $(stat -c %s "$tmp/base.lz4") bytes;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
name=$(basename "$bin")
awk -v k="$kt" -v b="$base" -v n="$name" 'BEGIN { printf "BENCH\tinitramfs cold build (busybox + %s), wall median\t%.2f\t%.2f\tms\t%.2fx\t>= 1.5x\n", n, k / 1000, b / 1000, b / k }'
awk -v k="$ktc" -v b="$basec" -v n="$name" 'BEGIN { printf "BENCH\tinitramfs cold build (busybox + %s), CPU median\t%.2f\t%.2f\tms\t%.2fx\t>= 1.5x\n", n, k / 1000, b / 1000, b / k }'

# ~20 MB base: the above plus 18 MB of real library bytes.
find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f -print0 | xargs -0 cat 2>/dev/null |
  head -c $((18 << 20)) > "$tmp/big.bin"
big=(--busybox -i "$bin:$bin" -i "$tmp/big.bin:/data/big.bin")	# default: lz4
KTSTR_CACHE_DIR=$tmp/raw "$KTSTR" initramfs "${big[@]}" --compress none -o "$tmp/big.cpio" || exit 1
raw=$(stat -c %s "$tmp/big.cpio")
rm -rf "$tmp/warm"
t0=$(now_us)
KTSTR_CACHE_DIR=$tmp/warm "$KTSTR" initramfs "${big[@]}" -o /dev/null || exit 1
t1=$(now_us)
cold_big=$((t1 - t0))
: > "$tmp/kt.warm"
for _ in $(seq $((RUNS + 6))); do
  t0=$(now_us)
  KTSTR_CACHE_DIR=$tmp/warm "$KTSTR" initramfs "${big[@]}" -o /dev/null || exit 1
  t1=$(now_us)
  echo $((t1 - t0)) >> "$tmp/kt.warm"
done
size=$(stat -c %s "$tmp"/warm/initramfs/*.img)
warm=$(median < "$tmp/kt.warm")
echo "warm: the base is $raw bytes of cpio, $size bytes cached (lz4); baseline column: its cold build" >&2
awk -v w="$warm" -v c="$cold_big" -v s="$raw" 'BEGIN { printf "BENCH\tinitramfs warm hit, other process, %.0f MB base, median\t%.2f\t%.2f\tms\t%.1fx\t< 5 ms\n", s / 1048576, w / 1000, c / 1000, c / w }'
