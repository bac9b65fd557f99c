# SPDX-License-Identifier: GPL-2.0-only
# Real sched_ext end to end: the kernel and schedulers host/kernel-build.sh built into the
# cache (./build.sh test-scx builds them when missing; here they are only looked up), a mixed
# workload under scx_simple and scx_qmap, a scheduler ejected mid-run with SysRq S and by the
# sched_ext watchdog, and the order of attach, workers and detach. Without a built kernel every test is skipped, saying why.
. "$(dirname "$0")/lib.sh"

names=("mixed workload under scx_simple passes" "every worker ran under SCHED_EXT (scx_simple)"
       "the same under scx_qmap passes" "every worker ran under SCHED_EXT (scx_qmap)"
       "SysRq S mid-run fails the run" "the kernel's reason is in the output"
       "the scheduler's own exit message is in the output"
       "attached before the workers start" "detached after the workers stop"
       "a FAIL line names the scheduler"
       "the sched_ext watchdog ejecting a stalling scx_qmap fails the run"
       "with the kernel's reason and the scheduler's exit message"
       "under TCG the vCPUs share one QEMU thread, and the run says so")
if ! SCX_KERNEL=$("$TOP/host/kernel-build.sh" find 2>"$TMP/find.err"); then
  for n in "${names[@]}"; do
    skip "$n" "no sched_ext kernel built (./build.sh test-scx or 'ktstr kernel build' builds one)"
  done
  exit 0
fi
SCX_DIR=$(dirname "$SCX_KERNEL")/scx
echo "# sched_ext kernel $SCX_KERNEL"
JOB=$TOP/tests/e2e/data/scx-mixed.ini

# boot NAME ARGS...: a run on 2 vCPUs, its report stream decoded with the guest's stages.
boot() {
  local name=$1; shift
  run_ktstr "$name" run --kernel "$SCX_KERNEL" -T 1n1l2c1t --timeout 240s \
    --output-dir "$TMP/$name.d" "$@"
  "$KTSTR" decode -v "$TMP/$name.d/report.bin" >"$TMP/$name.log" 2>&1
  return 0
}
# all_ext NAME: every worker line says SCHED_EXT, and there are 7 of them.
all_ext() {
  [ "$(grep -c '^worker ' "$TMP/$1.out")" = 7 ] && ! grep '^worker ' "$TMP/$1.out" | grep -vq ', SCHED_EXT$' &&
    grep -q '^PASS sched_ext: group hog: 2 of 2 workers ran under SCHED_EXT' "$TMP/$1.out"
}
# stage_t NAME STAGE / state_t NAME STATE: guest times in seconds.
stage_t() { sed -n "s/^ktstr: guest stage $2 at \([0-9.]*\) s$/\1/p" "$TMP/$1.log" | head -n 1; }
state_t() { sed -n "s/^guest: sched_ext: state $2 at \([0-9.]*\) s.*/\1/p" "$TMP/$1.log" | head -n 1; }
le() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# 1. scx_simple by its bare name: resolved in the cache, sched_ext automatically.
boot simple "$JOB" --scheduler scx_simple
check "${names[0]} (rc=$RC)" [ "$RC" = 0 ]
check "${names[1]}" all_ext simple
[ "$RC" = 0 ] && all_ext simple || diag "$TMP/simple.out" "$TMP/simple.err"
if grep -q 'using TCG' "$TMP/simple.err"; then
  check "${names[12]}" grep -q 'sched_ext under TCG: one QEMU thread runs the 2 vCPUs' "$TMP/simple.err"
else
  skip "${names[12]}" "this host runs KVM"
fi

# 2. scx_qmap, the same job.
if [ -x "$SCX_DIR/scx_qmap" ]; then
  boot qmap "$JOB" --scheduler scx_qmap
  check "${names[2]} (rc=$RC)" [ "$RC" = 0 ]
  check "${names[3]}" all_ext qmap
  [ "$RC" = 0 ] && all_ext qmap || diag "$TMP/qmap.out" "$TMP/qmap.err"
else
  skip "${names[2]}" "no scx_qmap in $SCX_DIR"; skip "${names[3]}" "no scx_qmap in $SCX_DIR"
fi

# 3. SysRq S one second after attaching: the kernel disables sched_ext ("disabled by
#    sysrq-S"); the run fails with that reason and scx_simple's own "EXIT: ..." line.
boot sysrq "$JOB" --scheduler scx_simple --append ktstr.test_sysrq=S@1s
check "${names[4]} (rc=$RC)" [ "$RC" = 1 ]
check "${names[5]}" grep -q '^scheduler: ejected: sched_ext: BPF scheduler "simple" disabled (disabled by sysrq-S)' "$TMP/sysrq.out"
check "${names[6]}" grep -q '^  | EXIT: disabled by sysrq-S' "$TMP/sysrq.out"
check "${names[9]}" grep -q "^FAIL scheduler" "$TMP/sysrq.out"

# 4. scx_qmap -t 2 leaves every 2nd user thread unscheduled: the sched_ext watchdog (5 s
#    under qmap) disables it with "runnable task stall".
if [ -x "$SCX_DIR/scx_qmap" ]; then
  boot stall --scheduler scx_qmap --scheduler-args "-t 2" --work spin --workers 4 --duration 20s
  check "${names[10]} (rc=$RC)" [ "$RC" = 1 ]
  # The stalled threads may include the init itself: then it sees the ejection only after
  # the fact ("not attached within 3 s") rather than as "ejected:". Either way the kernel's
  # reason and the scheduler's own EXIT line must reach the output.
  check "${names[11]}" bash -c "
    grep -qE '^(scheduler: ejected|kernel): sched_ext: BPF scheduler \"qmap\" disabled \(runnable task stall\)' '$TMP/stall.out' &&
    grep -q '^  | EXIT: runnable task stall' '$TMP/stall.out'"
  [ "$RC" = 1 ] || diag "$TMP/stall.out" "$TMP/stall.err"
else
  skip "${names[10]}" "no scx_qmap in $SCX_DIR"; skip "${names[11]}" "no scx_qmap in $SCX_DIR"
fi

# 5. From run 1: sched_ext was enabled before the workers started and disabled after they
#    were collected, and before the scheduler-stop stage ended.
check "${names[7]}" le "$(state_t simple enabled)" "$(stage_t simple workers)"
check "${names[8]}" bash -c "$(declare -f le); le '$(stage_t simple collect)' '$(state_t simple disabled)' &&
  le '$(state_t simple disabled)' '$(stage_t simple scheduler-stop)'"
