# SPDX-License-Identifier: GPL-2.0-only
# How a run ends when it does not end well: timeout (the guest is asked to stop), SIGINT,
# SIGTERM, init crash, triple fault, QEMU crash, too little memory. After each: the right
# exit status and message, no QEMU left running and no temporary file left (each run gets a
# private TMPDIR and lock directory).
. "$(dirname "$0")/lib.sh"

# clean NAME: nothing of the run in $TMP/NAME.tmp survives, no QEMU that used it runs, and
# every host CPU lock it took in $TMP/NAME.locks is free again
clean() {
  check "$1: no QEMU left running" bash -c "! pgrep -f '[q]emu-system.*$TMP/$1.tmp/' >/dev/null"
  check "$1: no temporary file left" bash -c "[ -z \"\$(ls -A '$TMP/$1.tmp')\" ]"
  check "$1: its CPU locks are released" bash -c "
    for f in '$TMP/$1.locks'/*.lock; do [ -e \"\$f\" ] || exit 0; flock -n -x \"\$f\" true || exit 1; done"
}
# priv NAME ARGS...: run_ktstr with a private TMPDIR and lock directory
priv() {
  local n=$1; shift
  mkdir -p "$TMP/$n.tmp" "$TMP/$n.locks"
  TMPDIR=$TMP/$n.tmp KTSTR_LOCK_DIR=$TMP/$n.locks run_ktstr "$n" "$@"
}

# QEMU dying of a signal is named as a crash (no kernel needed to boot).
printf '#!/bin/sh\nkill -SEGV $$\n' > "$TMP/qemu-segv"; chmod +x "$TMP/qemu-segv"
if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi
KTSTR_QEMU=$TMP/qemu-segv priv qemucrash run --kernel "$KERNEL"
check "QEMU killed by a signal is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "and named a QEMU crash with the signal" grep -q "QEMU crashed: killed by signal 11" "$TMP/qemucrash.err"
clean qemucrash

# Timeout while the workers run: the guest is asked to stop, and does at once.
priv timeout run --kernel "$KERNEL" --workers 1 --duration 120s --timeout 15s
check "a timeout is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "the message says it timed out and the guest stopped when asked" \
  grep -q "timed out after 15.0 s .*it stopped when asked.*last stage: workers" "$TMP/timeout.err"
check "the console tail is printed" grep -q "last console lines" "$TMP/timeout.err"
clean timeout

# Signals: started in the background, signalled once the guest is up (or still booting).
signal_run() {	# NAME SIGNAL WAIT-FOR-STAGE
  local name=$1 sig=$2 stage=$3 pid i
  mkdir -p "$TMP/$name.tmp" "$TMP/$name.locks"
  TMPDIR=$TMP/$name.tmp KTSTR_LOCK_DIR=$TMP/$name.locks "$KTSTR" run --kernel "$KERNEL" -v --append ktstr.crash=hang \
    --timeout 200s >"$TMP/$name.out" 2>"$TMP/$name.err" &
  pid=$!
  for ((i = 0; i < 1200; i++)); do
    if [ -n "$stage" ]; then grep -q "guest stage $stage" "$TMP/$name.err" && break
    else pgrep -f "[q]emu-system.*$TMP/$name.tmp/" >/dev/null && break; fi
    sleep 0.1
  done
  kill -"$sig" "$pid"
  wait "$pid"; RC=$?
}
signal_run sigint INT hang
check "SIGINT is exit 130 (rc=$RC)" [ "$RC" = 130 ]
check "the run had taken CPU locks" bash -c "ls '$TMP/sigint.locks'/*.lock >/dev/null 2>&1"
check "and says it was interrupted" grep -q "interrupted by signal 2" "$TMP/sigint.err"
clean sigint
signal_run sigterm TERM ""
check "SIGTERM while QEMU boots is exit 143 (rc=$RC)" [ "$RC" = 143 ]
clean sigterm

# ktstr-init crashing: the kernel panics "Attempted to kill init"; named as an init crash.
priv initcrash run --kernel "$KERNEL" --append ktstr.crash=segv
check "an init crash is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "named as an init crash with its signal" \
  grep -q "init crash: ktstr-init was killed by signal 11" "$TMP/initcrash.err"
clean initcrash

# A CPU reset (SysRq 'b' with reboot=t: a triple fault) before EXIT is named as one.
priv reset run --kernel "$KERNEL" --append ktstr.crash=reset
check "a triple fault is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "and named as a triple fault with the last stage" \
  grep -q "triple fault: .*last stage: reset" "$TMP/reset.err"
clean reset

# Too little memory for the initramfs: 100 MiB of filler in 256 MiB.
KTSTR_INITRD_PAD_MIB=100 priv smallmem run --kernel "$KERNEL" --memory-mib 256 --timeout 120s
check "an initramfs that does not fit is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "and reported as too little memory" \
  grep -qE "not unpacked completely: too little guest memory|did not fit in the guest" \
  "$TMP/smallmem.out" "$TMP/smallmem.err"
clean smallmem
# Bigger than the memory itself: QEMU refuses it, and ktstr says why.
KTSTR_INITRD_PAD_MIB=100 priv hugeinitrd run --kernel "$KERNEL" --memory-mib 64
check "an initramfs bigger than memory is exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "and reported as not fitting" grep -q "initramfs did not fit in the guest's 64 MiB" "$TMP/hugeinitrd.err"
clean hugeinitrd
# The default memory size accounts for the initramfs: the same archive then boots.
KTSTR_INITRD_PAD_MIB=100 priv bigmem run --kernel "$KERNEL" -v --timeout 120s
check "the default memory fits a 100 MiB initramfs (rc=$RC)" [ "$RC" = 0 ]
[ "$RC" = 0 ] || diag "$TMP/bigmem.err"
grep "memory:" "$TMP/bigmem.err" | sed 's/^/# /'
clean bigmem
