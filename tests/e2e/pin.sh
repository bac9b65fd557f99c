# SPDX-License-Identifier: GPL-2.0-only
# CPU reservations for real VMs on this host: --perf-mode skips when the host cannot fit the
# shape; a pinned run's vCPU threads have the planned affinity, read back from
# /proc/<qemu>/task/*/status while the VM runs; default mode confines QEMU to its CPUs.
. "$(dirname "$0")/lib.sh"

export KTSTR_LOCK_DIR=$TMP/locks	# private: other ktstr runs on the machine do not interfere
mkdir -p "$KTSTR_LOCK_DIR"
ncpu=$(nproc)
allowed() { awk '/^Cpus_allowed_list:/ { print $2 }' "$1" 2>/dev/null; }

# One LLC of all this process's CPUs for the vCPUs leaves no service CPU: never satisfiable.
run_ktstr never run --perf-mode -T "1n1l${ncpu}c1t" --timeout 60s
check "--perf-mode for a shape this $ncpu-CPU host cannot fit skips with 77 (rc=$RC)" [ "$RC" = 77 ]
check "the skip says why" grep -q "can never run it: --perf-mode needs" "$TMP/never.err"
check "no VM was booted for it" bash -c "! grep -q '^guest:' '$TMP/never.out'"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi
if [ "$ncpu" -lt 2 ]; then
  skip "pinned vCPU threads" "perf mode needs 2 CPUs (a vCPU and a service CPU); this host has $ncpu"
  exit 0
fi

# watch_run NAME ARGS...: starts ktstr -v in the background; when its QEMU is pinned (the
# 'pinned ... vCPU' or 'confined' line on stderr), snapshots every QEMU thread's Cpus_allowed_list
# into $TMP/NAME.aff as "tid cpus"; waits for ktstr; RC is its status.
watch_run() {
  local name=$1 pid qemu="" t; shift
  timeout -k 5 300 "$KTSTR" "$@" -v >"$TMP/$name.out" 2>"$TMP/$name.err" &
  pid=$!
  for _ in $(seq 600); do
    # the last pinning line (vCPUs are pinned after the other threads), or "confined"
    qemu=$(grep -oE '^ktstr: (pinned QEMU [0-9]+ vCPU|QEMU [0-9]+ confined)' "$TMP/$name.err" 2>/dev/null |
      head -1 | grep -oE '[0-9]+' || true)
    [ -n "$qemu" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  : >"$TMP/$name.aff"
  if [ -n "$qemu" ]; then
    for t in /proc/"$qemu"/task/*; do
      echo "${t##*/} $(allowed "$t/status")" >>"$TMP/$name.aff"
    done
    "$KTSTR" locks >"$TMP/$name.locks"
  fi
  wait $pid
  RC=$?
  QEMU_PID=$qemu
}

watch_run perf run --kernel "$KERNEL" --perf-mode -T 1n1l1c1t --timeout 120s
check "a --perf-mode run on this host passes (rc=$RC)" [ "$RC" = 0 ]
vcpu_line=$(grep -m1 'pinned QEMU [0-9]* vCPU 0 thread' "$TMP/perf.err" || true)
tid=$(sed -n 's/.*vCPU 0 thread \([0-9]*\) to CPU \([0-9]*\)$/\1/p' <<<"$vcpu_line")
cpu=$(sed -n 's/.*vCPU 0 thread \([0-9]*\) to CPU \([0-9]*\)$/\2/p' <<<"$vcpu_line")
svc=$(sed -n 's/^ktstr: plan: service CPU \([0-9]*\)$/\1/p' "$TMP/perf.err")
plan_cpu=$(sed -n 's/^ktstr: plan: virtual LLC 0 -> host LLC [0-9]* (node [0-9]*), vCPUs 0:\([0-9]*\)$/\1/p' "$TMP/perf.err")
check "the plan (-v) names vCPU 0's host CPU ($plan_cpu) and a service CPU ($svc)" \
  bash -c "[ -n '$plan_cpu' ] && [ -n '$svc' ] && [ '$plan_cpu' != '$svc' ]"
check "QMP gave vCPU 0's thread id ($tid), pinned to the planned CPU ($cpu)" \
  bash -c "[ -n '$tid' ] && [ '$cpu' = '$plan_cpu' ]"
check "/proc/$QEMU_PID/task/$tid/status: the vCPU thread may run only on CPU $plan_cpu" \
  grep -qx "$tid $plan_cpu" "$TMP/perf.aff"
others=$(awk -v t="$tid" '$1 != t { print $2 }' "$TMP/perf.aff" | sort -u | tr '\n' ' ')
check "every other QEMU thread runs on the service CPU only ($others)" \
  bash -c "[ -n '$others' ] && [ '$others' = '$svc ' ]"
check "while it ran, ktstr locks showed LLC 0 held exclusively by ktstr" \
  grep -qE "LLC 0 +pid [0-9]+ \(ktstr\) exclusive" "$TMP/perf.locks"
check "the locks are gone afterwards" bash -c "! '$KTSTR' locks | grep -q pid"
[ -s "$TMP/perf.aff" ] && [ "$RC" = 0 ] || diag "$TMP/perf.err" "$TMP/perf.aff"

# Default mode: QEMU confined to the budget (1 vCPU: 30% of the CPUs, at least 1).
watch_run dflt run --kernel "$KERNEL" --timeout 120s
check "a default-mode run passes (rc=$RC)" [ "$RC" = 0 ]
planned=$(sed -n 's/^ktstr: plan: budget [0-9]* CPUs: \([0-9,-]*\) in LLC.*/\1/p' "$TMP/dflt.err")
seen=$(awk '{ print $2 }' "$TMP/dflt.aff" | sort -u | tr '\n' ' ')
check "every QEMU thread is confined to the planned CPUs ($planned; seen: $seen)" \
  bash -c "[ -n '$planned' ] && [ '$seen' = '$planned ' ]"
check "the default run held its LLC shared" grep -qE "LLC 0 +pid [0-9]+ \(ktstr\) shared" "$TMP/dflt.locks"
[ "$RC" = 0 ] || diag "$TMP/dflt.err"
