# SPDX-License-Identifier: GPL-2.0-only
# The first vertical slice: boot Debian's cloud kernel under QEMU with ktstr-init as PID 1.
. "$(dirname "$0")/lib.sh"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

run_ktstr boot run --kernel "$KERNEL" --timeout 60s
check "ktstr run exits 0 when the guest says 0 (rc=$RC)" [ "$RC" = 0 ]
check "HELLO carries the kernel release $KERNEL_VERSION" \
  grep -q "^guest: Linux $KERNEL_VERSION x86_64" "$TMP/boot.out"
check "EXIT status 0 is printed" grep -q '^guest exit: status 0' "$TMP/boot.out"
check "the default job's one worker reports work done" \
  grep -qE '^worker default/0 tid [0-9]+: done, [1-9][0-9]* work units' "$TMP/boot.out"
[ "$RC" = 0 ] || { diag "$TMP/boot.out" "$TMP/boot.err"; }

run_ktstr knob run --kernel "$KERNEL" --append ktstr.exit=3
check "a guest-requested status 3 becomes ktstr's exit status (rc=$RC)" [ "$RC" = 3 ]

# The CLI job shorthand: two spin workers on two vCPUs, each reporting its own work.
run_ktstr cli run --kernel "$KERNEL" -T 1n1l2c1t --work spin --workers 2 --duration 1s
check "--work spin --workers 2 passes (rc=$RC)" [ "$RC" = 0 ]
check "both workers report work done" \
  bash -c "[ \$(grep -cE '^worker default/[01] tid [0-9]+: done, [1-9][0-9]* work units' '$TMP/cli.out') = 2 ]"
[ "$RC" = 0 ] || diag "$TMP/cli.out" "$TMP/cli.err"
check "two vCPUs on two host CPUs: no note about sharing" bash -c "! grep -q 'vCPUs share' '$TMP/cli.err'"
# Two vCPUs confined to one host CPU: said before the run, so a spread is not taken for the
# scheduler's (fairness is not the point here, so it is off).
run_ktstr share run --kernel "$KERNEL" -T 1n1l2c1t --cpu-cap 1 --work spin --workers 2 \
  --duration 1s --set max_spread_pct=off
check "two vCPUs on --cpu-cap 1 run (rc=$RC)" [ "$RC" = 0 ]
check "and the run says the vCPUs share one host CPU" \
  grep -q '^ktstr: 2 vCPUs share 1 host CPU: fairness, gaps and latencies include' "$TMP/share.err"
[ "$RC" = 0 ] || diag "$TMP/share.out" "$TMP/share.err"
run_ktstr badwork run --kernel "$KERNEL" --work nosuch
check "an unknown work type is a usage error before boot (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q \"unknown work type 'nosuch'\" '$TMP/badwork.err'"

# A file that is not a kernel: a clear message and exit 2, before QEMU starts.
head -c 100000 /dev/urandom > "$TMP/notakernel"
run_ktstr bad run --kernel "$TMP/notakernel"
check "a non-kernel file gives exit 2 (rc=$RC)" [ "$RC" = 2 ]
check "the message names the file" grep -q "notakernel is not an x86 bzImage" "$TMP/bad.err"

# A real bzImage header that cannot boot (truncated): exit 99 with the console tail, no hang.
head -c 2000000 "$KERNEL" > "$TMP/truncated"
run_ktstr trunc run --kernel "$TMP/truncated" --timeout 30s
check "a truncated kernel gives exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "the failure explains itself" grep -qE "QEMU|console|timed out" "$TMP/trunc.err"

run_ktstr missing run --kernel "$TMP/does-not-exist"
check "a missing kernel file gives exit 2 (rc=$RC)" [ "$RC" = 2 ]

# A short timeout: QEMU is killed, exit 99, and nothing outlives ktstr. A private TMPDIR
# tells this run's files and QEMU apart from any other ktstr on the machine.
mkdir -p "$TMP/t"
TMPDIR=$TMP/t run_ktstr timeout run --kernel "$KERNEL" --timeout 300ms
check "a timeout gives exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "the timeout is named" grep -q "timed out" "$TMP/timeout.err"
check "no QEMU left running" bash -c "! pgrep -f '[q]emu-system.*$TMP/t/ktstr-run' >/dev/null"
check "no run directory left behind" bash -c "[ -z \"\$(ls -A '$TMP/t')\" ]"

# A kernel panic (no init can run): exit 99 and the panic line is named.
run_ktstr panic run --kernel "$KERNEL" --append "rdinit=/no-such-init init=/no-such-init"
check "a kernel panic gives exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "the panic line is in the message" grep -q "kernel panic: .*Kernel panic - not syncing" "$TMP/panic.err"

# QEMU that dies at once: exit 99 and what it said.
KTSTR_QEMU=false run_ktstr qemudies run --kernel "$KERNEL"
check "QEMU dying gives exit 99 (rc=$RC)" [ "$RC" = 99 ]
check "the message says QEMU exited" grep -q "QEMU exited" "$TMP/qemudies.err"
