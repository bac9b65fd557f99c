#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot to first frame: wall time from starting `ktstr run` until the guest's HELLO frame is
# decoded ("guest: Linux ..." on stdout), against a plain QEMU booting the same kernel with
# a busybox initramfs whose /init prints a line on ttyS0, runs `true` and powers off. Same
# kernel, accelerator, machine flags, 1 vCPU and 512 MiB. Median of 5 runs each,
# interleaved. A second row compares the whole run (start to QEMU's exit; ktstr runs one
# worker for 1 ms).
# Bar: ktstr within 1.10x of the baseline.
set -uo pipefail
top=${KTSTR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${KTSTR_BUILD:-$top/build}
RUNS=${KTSTR_BENCH_RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

kernel=$("$top/host/fetch-kernel.sh" --quiet) || { echo "boot.sh: no test kernel" >&2; exit 1; }
qemu=${KTSTR_QEMU:-qemu-system-x86_64}
busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || { echo "boot.sh: busybox not found (busybox-static)" >&2; exit 1; }

# The baseline's initramfs: busybox, and an /init that reports, runs true and powers off.
mkdir -p "$tmp/root/bin" "$tmp/root/dev"
cp "$busybox" "$tmp/root/bin/busybox"
cat > "$tmp/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev
echo KTSTR-BENCH-READY > /dev/ttyS0
/bin/busybox true
/bin/busybox poweroff -f
INIT
chmod 755 "$tmp/root/init"
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$tmp/busybox.cpio" ||
  { echo "boot.sh: cpio failed" >&2; exit 1; }

# The same accelerator ktstr picks (--accel auto), and the same machine flags as host/vm.c.
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
  accel=(-accel kvm -cpu host)
else
  accel=(-accel tcg -cpu max,vendor=GenuineIntel)
fi
bios=(); [ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
baseline_cmd=("$qemu" -nodefaults -no-user-config -display none -no-reboot -machine q35
  "${accel[@]}" "${bios[@]}" -smp 1 -m 512 -kernel "$kernel" -initrd "$tmp/busybox.cpio"
  -append "console=ttyS0 panic=-1 oops=panic reboot=t rdinit=/init i8042.noaux=1 i8042.nokbd=1 i8042.nopnp=1 tsc=reliable"
  -serial stdio -monitor none)
# The job closest to `true`: one worker for 1 ms (the default job spins for 2 s).
ktstr_cmd=("$B/bin/ktstr" run --kernel "$kernel" --memory-mib 512 --topology 1n1l1c1t
  --workers 1 --duration 1ms --timeout 120s)

# measure MARKER CMD...: prints "first total" in seconds (first = when MARKER appeared)
measure() {
  local marker=$1; shift
  local t0 first="" line
  t0=$EPOCHREALTIME
  while IFS= read -r line; do
    [ -z "$first" ] && [[ $line == *"$marker"* ]] && first=$EPOCHREALTIME
  done < <("$@" 2>&1 </dev/null)
  awk -v a="$t0" -v f="${first:-0}" -v b="$EPOCHREALTIME" \
    'BEGIN { if (f == 0) print "fail fail"; else printf "%.3f %.3f\n", f - a, b - a }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run first, not counted: it builds the initramfs base into the cache (warm from then on).
measure "guest: Linux" "${ktstr_cmd[@]}" >/dev/null
: > "$tmp/k"; : > "$tmp/b"
for ((i = 1; i <= RUNS; i++)); do
  k=$(measure "guest: Linux" "${ktstr_cmd[@]}")
  b=$(measure "KTSTR-BENCH-READY" "${baseline_cmd[@]}")
  echo "boot.sh: run $i: ktstr $k, baseline $b (first frame, total; s)" >&2
  case "$k $b" in *fail*) echo "boot.sh: a run did not reach its first output" >&2; exit 1 ;; esac
  echo "$k" >> "$tmp/k"; echo "$b" >> "$tmp/b"
done
row() {	# name column
  local k b
  k=$(cut -d' ' -f"$2" "$tmp/k" | median)
  b=$(cut -d' ' -f"$2" "$tmp/b" | median)
  awk -v n="$1" -v k="$k" -v b="$b" -v a="${accel[1]}" 'BEGIN {
    printf "BENCH\t%s (%s, median of %d)\t%.3f\t%.3f\ts\t%.2fx\t<= 1.10x\n", n, a, '"$RUNS"', k, b, k / b }'
}
row "boot to first frame" 1
row "boot, run true, power off" 2
