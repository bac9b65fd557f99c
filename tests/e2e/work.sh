# SPDX-License-Identifier: GPL-2.0-only
# The workload engine end to end under TCG: every work type, the measurements' accuracy,
# failing workers (crash, deaf to the stop) and cpu.weight seen in CPU time. Few boots
# (each costs seconds), many groups per boot; reports are read back from report.bin.
. "$(dirname "$0")/lib.sh"

DUMP=$BUILD/tests/tools/report_dump
if ! "$KTSTR" run --help | grep -q JOBFILE; then
  skip "workload engine end to end" "this ktstr takes no job files yet (the INI parser)"; exit 0
fi

# The host checks a job against the work-type table before any boot.
run_ktstr list run --list-work
check "--list-work lists every type with its parameters (rc=$RC)" \
  bash -c "[ $RC = 0 ] && [ \$(grep -cE '^  [a-z-]+: ' '$TMP/list.out') = 18 ] && grep -q '^    interval .*default 1ms' '$TMP/list.out'"
run_ktstr fan1 run -T 1n1l2c1t --print-job --group f:work=futex-fanout,workers=1
check "futex-fanout with one worker is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'futex-fanout needs at least 2' '$TMP/fan1.err'"
run_ktstr badparam run -T 1n1l2c1t --print-job --group t:work=timer-latency,interval=5s
check "a parameter out of its bounds is a usage error naming it (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'interval=5s is out of range' '$TMP/badparam.err'"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

# boot NAME JOBFILE [ARGS...]: runs the job on 2 vCPUs, dumps its worker reports.
boot() {
  local name=$1 job=$2; shift 2
  run_ktstr "$name" run --kernel "$KERNEL" -T "${TOPO:-1n1l2c1t}" --timeout 240s \
    --output-dir "$TMP/$name.d" "$job" "$@"
  "$DUMP" "$TMP/$name.d/report.bin" >"$TMP/$name.dump" 2>>"$TMP/$name.err"
}
# val NAME GROUP INDEX KEY: a field of one worker's report.
val() {
  awk -v g="group=$2" -v i="index=$3" -v k="$4" '$2 == g && $3 == i {
    for (f = 1; f <= NF; f++) if (index($f, k "=") == 1) { print substr($f, length(k) + 2); exit } }' \
    "$TMP/$1.dump"
}
# The error text (quoted, may hold blanks).
errtext() { grep -E "^worker group=$2 index=$3 " "$TMP/$1.dump" | sed 's/.* error="\(.*\)"$/\1/'; }
ge() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }
show() { diag "$TMP/$1.out" "$TMP/$1.err" "$TMP/$1.dump"; }

# ---- 1. every work type, forked and as threads: work done, no sentinel ----
cat >"$TMP/all.ini" <<'INI'
[global]
duration = 3s
workers = 1
max_gap_ms = off
# 30 workers on 2 vCPUs under TCG: this job is about what each type reports, not fairness.
max_spread_pct = off
[spin]
work = spin
[yield]
work = yield
[mixed]
work = mixed
[bursty]
work = bursty
burst = 2ms
sleep = 2ms
[idle]
work = idle-churn
[timer]
work = timer-latency
interval = 2ms
[pipe]
work = pipe-io
workers = 2
[pingpong]
work = futex-pingpong
workers = 2
[fanout]
work = futex-fanout
workers = 3
[chain]
work = wake-chain
workers = 3
[mutex]
work = mutex-contention
workers = 2
[cache]
work = cache-pressure
size = 256k
[faults]
work = page-fault-churn
size = 256k
[fork]
work = fork-exit
[exec]
work = exec
[exec3]
work = exec
cmd = /ktstr/init --ktstr-exit=3
loop = 1
[affinity]
work = affinity-churn
[policy]
work = policy-churn
[nice]
work = nice-sweep
[threads]
work = futex-pingpong
workers = 2
clone = thread
[threadspin]
work = spin
workers = 2
clone = thread
INI
boot all "$TMP/all.ini"
check "a job with every work type passes (rc=$RC)" [ "$RC" = 0 ]
groups="spin yield mixed bursty idle timer pipe pingpong fanout chain mutex cache faults fork exec exec3 affinity policy nice threads threadspin"
for g in $groups; do
  n=$(grep -c "^worker group=$g " "$TMP/all.dump")
  bad=$(grep "^worker group=$g " "$TMP/all.dump" | grep -cvE ' status=0 .* completed=1 .* units=[1-9]')
  check "$g: $n report(s), each done with work units" bash -c "[ $n -ge 1 ] && [ $bad = 0 ]"
done
check "one report per worker, 30 in all" [ "$(grep -c '^worker ' "$TMP/all.dump")" = 30 ]
check "no worker reports an error" [ -z "$(grep -v 'error=""$' "$TMP/all.dump")" ]
check "exec: the program ran and exited 0" \
  bash -c "[ '$(val all exec 0 exec_status)' = 0 ] && [ '$(val all exec 0 exec_ns)' -gt 0 ]"
check "exec loop=1: runs counted, the exit status 3 kept" \
  bash -c "[ '$(val all exec3 0 exec_status)' = 3 ] && [ '$(val all exec3 0 iterations)' -gt 1 ]"
check "timer-latency reports timer samples" ge "$(val all timer 0 timer_count)" 1
check "idle-churn reports its oversleep as timer samples" ge "$(val all idle 0 timer_count)" 1
for g in pipe pingpong fanout chain threads; do
  check "$g: wake latencies sampled" ge "$(val all $g 1 wake_count)" 1
done
check "policy-churn ends under one of its policies (other, batch, idle)" \
  bash -c "case '$(val all policy 0 policy)' in 0|3|5) true ;; *) false ;; esac"
check "schedstat deltas: run time and timeslices seen" \
  bash -c "[ '$(val all spin 0 run_ns)' -gt 0 ] && [ '$(val all spin 0 timeslices)' -gt 0 ]"
check "numa_maps: pages on node 0" ge "$(val all cache 0 numa_pages)" 64
[ "$RC" = 0 ] && [ "$(grep -c '^worker ' "$TMP/all.dump")" = 30 ] || show all

# ---- 2. accuracy and failing workers ----
cat >"$TMP/acc.ini" <<'INI'
[global]
duration = 4s
workers = 1
max_gap_ms = off
starvation = off
[pinned]
work = spin
cpus = 1
[affined]
work = spin
affinity = 0
[churn]
work = affinity-churn
interval = 5ms
[pingpong]
work = futex-pingpong
workers = 2
[pipe]
work = pipe-io
workers = 2
[stopped]
work = spin
test_sigstop = 1s
[crash]
work = spin
workers = 2
test_crash = 500ms
[deaf]
work = spin
test_hang = 1
[badaff]
work = spin
cpus = 0
affinity = 1
[short]
work = spin
test_short = 1
INI
t0=$SECONDS
boot acc "$TMP/acc.ini"
check "the run with a crashing and a deaf worker completes (rc=$RC, $((SECONDS - t0)) s)" \
  [ "$RC" != 99 ] && [ -s "$TMP/acc.dump" ]
check "pinned by cpuset to CPU 1: exactly CPU 1" [ "$(val acc pinned 0 cpus)" = 1 ]
check "pinned by cpuset: 0 migrations" [ "$(val acc pinned 0 migrations)" = 0 ]
check "pinned by affinity to CPU 0: exactly CPU 0, 0 migrations" \
  bash -c "[ '$(val acc affined 0 cpus)' = 0 ] && [ '$(val acc affined 0 migrations)' = 0 ]"
check "affinity-churn: migrations counted" ge "$(val acc churn 0 migrations)" 2
check "affinity-churn: moved to CPU 0 and to CPU 1" \
  bash -c "m='$(val acc churn 0 mig)'; [[ \$m == *'>0'* && \$m == *'>1'* ]]"
check "affinity-churn: both CPUs in its CPU list" [ "$(val acc churn 0 cpus)" = 0,1 ]
for g in pingpong pipe; do
  for i in 0 1; do
    c=$(val acc $g $i wake_count) it=$(val acc $g $i iterations)
    check "$g/$i: wake latency samples ($c) = wakeups counted ($it), > 0" \
      bash -c "[ '$c' = '$it' ] && [ '$c' -gt 0 ]"
    check "$g/$i: non-zero latencies (min $(val acc $g $i wake_min_ns) ns)" \
      ge "$(val acc $g $i wake_min_ns)" 1
  done
done
gap=$(val acc stopped 0 max_gap_ns)
check "SIGSTOPped for 1 s: max gap ${gap:-?} ns >= 900 ms" ge "$gap" 900000000
check "crashing worker: a sentinel, killed by signal 11" \
  bash -c "[ '$(val acc crash 0 status)' = 2 ] && [ '$(val acc crash 0 signo)' = 11 ]"
check "crashing worker's sentinel says so" \
  bash -c "[[ '$(errtext acc crash 0)' == 'killed by signal 11'* ]]"
check "its sibling still reports work" \
  bash -c "[ '$(val acc crash 1 status)' = 0 ] && [ '$(val acc crash 1 units)' -gt 0 ]"
check "worker deaf to the stop: sentinel 'timed out'" \
  bash -c "[ '$(val acc deaf 0 status)' = 3 ] && grep -q 'group=deaf index=0 .*timed out' '$TMP/acc.dump'"
check "an affinity outside the group's cpuset is recorded and the worker still runs" \
  bash -c "grep -q 'group=badaff index=0 .*error=\"sched_setaffinity 1: Invalid argument\"' '$TMP/acc.dump' && [ '$(val acc badaff 0 units)' -gt 0 ]"
check "a truncated report: sentinel 'short'" \
  bash -c "[ '$(val acc short 0 status)' = 4 ] && [[ '$(errtext acc short 0)' == 'short or malformed report'* ]]"
check "no worker process is left: every report is in" [ "$(grep -c '^worker ' "$TMP/acc.dump")" = 13 ]
[ "$RC" != 99 ] && [ "$(grep -c '^worker ' "$TMP/acc.dump")" = 13 ] || show acc

# ---- 3. cpu.weight 100 vs 300 on one CPU; timer-latency at 1 ms on the other; NUMA ----
# Two nodes with one CPU each: CPU 0 on node 0, CPU 1 on node 1.
cat >"$TMP/weight.ini" <<'INI'
[global]
duration = 4s
max_gap_ms = off
starvation = off
max_spread_pct = off
[light]
work = spin
cpus = 0
cpu_weight = 100
[heavy]
work = spin
cpus = 0
cpu_weight = 300
[timer]
work = timer-latency
interval = 1ms
cpus = 1
[numa]
work = cache-pressure
size = 4m
mempolicy = bind:1
cpus = 0
duration = 1s
INI
TOPO=2n2l1c1t boot weight "$TMP/weight.ini"
check "the weight job passes (rc=$RC)" [ "$RC" = 0 ]
l=$(val weight light 0 cpu_ns) h=$(val weight heavy 0 cpu_ns)
check "cpu.weight 300 vs 100: CPU time ratio ${h:-?}/${l:-?} within 2.4..3.6" \
  awk -v l="${l:-0}" -v h="${h:-0}" 'BEGIN { r = l ? h / l : 0; print "# ratio " r; exit !(r >= 2.4 && r <= 3.6) }'
n=$(val weight timer 0 timer_count) w=$(val weight timer 0 wall_ns)
# duration / interval = 4 s / 1 ms; the worker's own wall time is printed alongside.
check "timer-latency 1 ms: $n samples within 10% of 4000 (wall $((${w:-0} / 1000000)) ms)" \
  awk -v n="${n:-0}" 'BEGIN { exit !(n >= 0.9 * 4000 && n <= 1.1 * 4000) }'
pages=$(val weight numa 0 numa_pages)
if [[ "$(errtext weight numa 0)" == *"set_mempolicy bind:1: Invalid argument"* ]]; then
  skip "mempolicy bind:1 puts pages on node 1" "the VM has no node 1 (this ktstr's QEMU line has no -numa)"
else
check "mempolicy bind:1: the 4 MiB buffer's pages on node 1 (numa_pages ${pages:-?})" \
  bash -c "[ '${pages#*,}' -ge 1024 ] 2>/dev/null && [ '${pages%%,*}' -lt 1024 ]"
fi
[ "$RC" = 0 ] || show weight
