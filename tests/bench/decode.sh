#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Decode throughput of a large report stream (bar: >= 200 MB/s), in-process (frame decoder
# into a result) against XXH64 of the same bytes, and end to end ('ktstr decode --json' of
# the stream as a file) against reading the file with cat. Rows: see tests/bench/run.sh.
set -uo pipefail
top=${KTSTR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${KTSTR_BUILD:-$top/build}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cc -std=gnu11 -O2 -D_GNU_SOURCE -o "$tmp/decode_bench" "$top/tests/bench/decode_bench.c" \
  "$B/lib/libktstr.a" -l:liblz4.a -l:libxxhash.a -lxml2 -ljansson -lm || exit 1
# The largest real capture with worker reports in the fuzz corpus, if any.
capture=$(ls -S "$top"/tests/fuzz/corpus/reports/*.bin 2>/dev/null | head -n 1)
"$tmp/decode_bench" 256 "$capture" "$tmp/stream.bin" >"$tmp/out" || exit 1
cat "$tmp/out" >&2
dec=$(awk '$1 == "decode" { print $4 }' "$tmp/out")
hash=$(awk '$1 == "xxh64" { print $4 }' "$tmp/out")
bytes=$(awk '$1 == "bytes" { print $2 }' "$tmp/out")
verdict() { awk -v v="$1" 'BEGIN { print (v >= 200 ? ">= 200 MB/s: met" : ">= 200 MB/s: MISSED") }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
printf 'BENCH\tdecode: stream -> result (in process)\t%s\t%s\tMB/s\t%s\t%s\n' \
  "$dec" "$hash" "$(ratio "$dec" "$hash")" "$(verdict "$dec")"

secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }'; }
t_cli=$(secs "$B/bin/ktstr" decode --json /dev/null "$tmp/stream.bin")
t_cat=$(secs cat "$tmp/stream.bin")
mbs() { awk -v n="$bytes" -v t="$1" 'BEGIN { printf "%.1f", (t > 0 ? n / t / 1e6 : 0) }'; }
printf 'BENCH\tdecode: ktstr decode --json FILE\t%s\t%s\tMB/s\t%s\t%s\n' \
  "$(mbs "$t_cli")" "$(mbs "$t_cat")" "$(ratio "$(mbs "$t_cli")" "$(mbs "$t_cat")")" \
  "$(verdict "$(mbs "$t_cli")")"
