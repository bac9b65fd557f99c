# SPDX-License-Identifier: GPL-2.0-only
# The init's lifecycle end to end: cgroup tree, scheduler supervision, sysctls, the kernel log
# watcher and the ttyS1 fallback. Boots are slow under TCG, so each one checks several things.
. "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/e2e/data

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi
# The fake schedulers are busybox scripts; ktstr packs the host's static /bin/busybox.
if [ ! -x /bin/busybox ]; then
  skip "init lifecycle" "no /bin/busybox on this host (Debian package busybox-static)"; exit 0
fi

# The guest's stages (from -v) and GROUP lines of a run, for comparing two runs.
stages() { sed -n 's/^ktstr: guest stage \([a-z-]*\) at .*/\1/p' "$TMP/$1.err" | tr '\n' ' '; }
groups() { grep '^group ' "$TMP/$1.out"; }

# 1. Two groups with cpusets on two vCPUs, a scheduler that stays alive and writes a
#    WARNING into the kernel log (kernel_warnings=ignore), an existing sysctl.
run_ktstr two run --kernel "$KERNEL" -T 1n1l2c1t -v --timeout 120s "$DATA/two-groups.ini"
check "the two-group job passes (rc=$RC)" [ "$RC" = 0 ]
check "group a's cgroup has cpuset.cpus 0, cpuset.mems 0 and cpu.weight 200" \
  grep -q '^group a: cgroup /ktstr/a, cpus 0, mems 0, cpu.weight 200, 1 workers$' "$TMP/two.out"
check "group b's cgroup has cpuset.cpus 1 and cpu.weight 50" \
  grep -q '^group b: cgroup /ktstr/b, cpus 1, mems 0, cpu.weight 50, 1 workers$' "$TMP/two.out"
check "a worker of each group reports" \
  bash -c "grep -qE '^worker a/0 .*: done' '$TMP/two.out' && grep -qE '^worker b/0 .*: done' '$TMP/two.out'"
check "the sysctl was set and read back" \
  grep -q '^guest: sysctl kernel.sched_rt_runtime_us = 900000$' "$TMP/two.out"
check "the scheduler got its arguments" grep -q '  | alive scheduler started with: --mode test' "$TMP/two.out"
check "the scheduler is stopped at the end with SIGINT, its log tail shown" \
  bash -c "grep -q '^scheduler: stopped at the end (SIGINT): exit status 0' '$TMP/two.out' &&
           grep -q '  | alive scheduler got SIGINT' '$TMP/two.out'"
check "the WARNING written to /dev/kmsg arrives as a KMSG frame" \
  grep -q '^kernel: WARNING: ktstr fake scheduler says hello' "$TMP/two.out"
check "kernel_warnings=ignore lets the run pass and says so" \
  grep -q '^note: 1 kernel warning line ignored' "$TMP/two.out"
want="mounts job sysctls cgroups scheduler settle workers collect scheduler-stop done "
check "the stages come in order: $want" [ "$(stages two)" = "$want" ]
[ "$RC" = 0 ] || diag "$TMP/two.out" "$TMP/two.err"

# 2. The same job again (kernel warnings now fail it): the same cgroup layout and stages.
run_ktstr again run --kernel "$KERNEL" -T 1n1l2c1t -v --timeout 120s "$DATA/two-groups.ini" \
  --set kernel_warnings=fail
check "kernel_warnings=fail fails the run on the warning (rc=$RC)" \
  bash -c "[ $RC = 1 ] && grep -q '^FAIL kernel_warnings: 1 kernel warning line' '$TMP/again.out'"
check "a second run gives the same cgroup layout" [ "$(groups two)" = "$(groups again)" ]
check "a second run gives the same stage sequence" [ "$(stages two)" = "$(stages again)" ]

# 3. A scheduler that exits after 0.5 s: SCHED_EXIT with its status and last log lines.
run_ktstr dies run --kernel "$KERNEL" --timeout 120s --scheduler "$DATA/sched-dies.sh" \
  --duration 2s
check "a scheduler dying at start fails the run (rc=$RC)" [ "$RC" = 1 ]
check "SCHED_EXIT names the exit and the status" \
  grep -q '^scheduler: exited within 1 s of starting: exit status 3' "$TMP/dies.out"
check "the scheduler's last log lines are on the host's output" \
  bash -c "grep -q '  | dying scheduler started with:' '$TMP/dies.out' &&
           grep -q '  | dying scheduler: giving up now' '$TMP/dies.out'"
check "the failure is named" grep -q '^FAIL scheduler:' "$TMP/dies.out"
check "no workers ran" bash -c "! grep -q '^worker ' '$TMP/dies.out'"

# 4. A scheduler that dies (after 3 s) while the workers run: noticed, the workers stopped, the run fails.
run_ktstr late run --kernel "$KERNEL" --timeout 120s --scheduler "$DATA/sched-dies.sh" \
  --scheduler-args 3 --duration 20s
check "a scheduler dying during the run fails it (rc=$RC)" [ "$RC" = 1 ]
check "SCHED_EXIT says it died while the workers ran" \
  grep -q '^scheduler: died while the workers ran: exit status 3' "$TMP/late.out"
check "the workers were stopped and still reported" grep -qE '^worker default/0 .*: done' "$TMP/late.out"
check "well before the 20 s duration (worker wall time under 10 s)" \
  bash -c "grep -E '^worker default/0' '$TMP/late.out' | grep -qE 'wall [0-9]{1,4}\.[0-9] ms'"
[ "$RC" = 1 ] || diag "$TMP/late.out" "$TMP/late.err"

# 4b. A sched_ext scheduler that never attaches: named, stopped, the run fails (1 when the
#     kernel has sched_ext, 99 when it lacks it, as Debian's cloud kernel does).
run_ktstr noattach run --kernel "$KERNEL" --timeout 120s --scheduler "$DATA/sched-alive.sh" \
  --scheduler-kind sched_ext --set kernel_warnings=ignore
check "a sched_ext scheduler that does not attach fails the run (rc=$RC)" \
  bash -c "[ $RC = 1 ] || { [ $RC = 99 ] && grep -q 'this kernel has no sched_ext' '$TMP/noattach.out'; }"
check "the ERROR says why it did not attach" \
  grep -qE '^init failed at stage scheduler: attach /sys/kernel/sched_ext.*(no sched_ext|not enabled after 3 s)' "$TMP/noattach.out"
check "it is stopped and its log shown" \
  bash -c "grep -q '^scheduler: not attached to sched_ext within 3 s (SIGINT): exit status 0' '$TMP/noattach.out' &&
           grep -q '  | alive scheduler got SIGINT' '$TMP/noattach.out'"
case $RC in 1|99) ;; *) diag "$TMP/noattach.out" "$TMP/noattach.err" ;; esac

# 5. A sysctl that does not exist, reported over ttyS1 (no virtio port), with a kernel log
#    line injected by the init's test knob.
run_ktstr sysctl run --kernel "$KERNEL" --timeout 120s --sysctl kernel.ktstr_no_such_knob=1 \
  --append "ktstr.report=ttyS1 ktstr.test_kmsg=WARNING:_from_the_test_knob"
check "a missing sysctl is an infrastructure failure (rc=$RC)" [ "$RC" = 99 ]
check "the ERROR names the stage, the call, the path, errno and the sysctl" \
  grep -q '^init failed at stage sysctls: open /proc/sys/kernel/ktstr_no_such_knob: No such file or directory -- sysctl kernel.ktstr_no_such_knob does not exist in this kernel' "$TMP/sysctl.out"
check "reports arrive over ttyS1 (HELLO, EXIT)" \
  bash -c "grep -q '^guest: Linux' '$TMP/sysctl.out' && grep -q '^guest exit: status 99' '$TMP/sysctl.out'"
check "the knob's line reaches the host as KMSG" \
  grep -q '^kernel: WARNING: from the test knob' "$TMP/sysctl.out"

# 6. ktstr.job= naming a file that is not there: a clear error, not a silent empty run.
run_ktstr jobpath run --kernel "$KERNEL" --timeout 120s --append ktstr.job=/ktstr/nope
check "a missing ktstr.job= file fails (rc=$RC)" [ "$RC" = 99 ]
check "and is named" grep -q '^init failed at stage job: open /ktstr/nope: No such file or directory' "$TMP/jobpath.out"

# 7. PID 1 reaps orphans while the workers run, without taking the scheduler's or the
#    workers' exit status: each exec leaves a child that outlives its parent. (The fake
#    scheduler writes a WARNING line to the kernel log, hence kernel_warnings=ignore.)
run_ktstr orphans run --kernel "$KERNEL" --timeout 120s --duration 1s \
  --scheduler "$DATA/sched-alive.sh" --set kernel_warnings=ignore \
  --group 'orph:work=exec,cmd=/ktstr/init --ktstr-orphan,loop=1,workers=1'
check "a run that leaves orphans passes (rc=$RC)" [ "$RC" = 0 ]
check "the init says it reaped them" grep -qE '^guest: reaped [1-9][0-9]* orphaned processes' "$TMP/orphans.out"
check "the worker still reports done" grep -qE '^worker orph/0 .*: done' "$TMP/orphans.out"
check "the scheduler is still stopped at the end with SIGINT" \
  grep -q 'stopped at the end' "$TMP/orphans.out"
[ "$RC" = 0 ] || diag "$TMP/orphans.out" "$TMP/orphans.err"
