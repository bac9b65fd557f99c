# SPDX-License-Identifier: GPL-2.0-only
# Host CPU reservations between ktstr processes, on synthetic sysfs hosts (no VM):
# 'ktstr topo', 'ktstr locks', six processes acquiring at once, SIGKILLed holders,
# --wait-locks, KTSTR_NO_LOCKS, --cpu-cap, symlinked lock files.
. "$(dirname "$0")/lib.sh"

mk() { "$TOP/tests/mksysfs.sh" "$@"; }
# expand "0-3,8" into one number per line
expand() { tr ',' '\n' <<<"$1" | awk -F- 'NF { e = (NF > 1 ? $2 : $1) + 0; for (i = $1 + 0; i <= e; i++) print i }'; }
holders() { grep -c '"pid"' "$1"; }

run_ktstr h1 topo --help
check "ktstr topo --help exits 0" [ "$RC" = 0 ]
run_ktstr h2 locks --help
check "ktstr locks --help exits 0 and documents --acquire" \
  bash -c "[ $RC = 0 ] && grep -q -- --acquire '$TMP/h2.out'"

# --- topology ---
mk "$TMP/big" 2 4 8
run_ktstr topo topo --sysfs "$TMP/big"
check "topo on a synthetic 2x4x8 host finds 64 CPUs, 8 LLCs, 2 nodes" \
  grep -q "^8 LLCs (from cache/index3), 2 NUMA nodes" "$TMP/topo.out"
check "LLC 5 is CPUs 40-47 on node 1" grep -qE "LLC 5 +node 1 +CPUs 40-47 \(8 cores\)$" "$TMP/topo.out"
check "node distances are read" grep -qE "node 1 +CPUs 32-63 distances 20 10$" "$TMP/topo.out"
mk "$TMP/tiny" 1 1 2 --no-cache
run_ktstr topoj topo --sysfs "$TMP/tiny" --json
check "no cache information: LLCs come from the package (--json)" \
  grep -q '"llc_source": "package"' "$TMP/topoj.out"
run_ktstr self topo --json
online=$(cat /sys/devices/system/cpu/online)
check "topo of this host lists its online CPUs ($online)" \
  bash -c "[ $RC = 0 ] && grep -q '\"online\": \"$online\"' '$TMP/self.out'"
run_ktstr nosys topo --sysfs "$TMP/nonexistent"
check "a sysfs root without CPUs is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'nonexistent/devices/system/cpu/online' '$TMP/nosys.err'"

# --- six processes at once on a 4-LLC host ---
mk "$TMP/four" 1 4 8
export KTSTR_LOCK_DIR=$TMP/lk
mkdir -p "$KTSTR_LOCK_DIR"

# round NAME NPERF: NPERF perf runs (one whole LLC each) and 6-NPERF default runs (4 CPUs)
# start together and hold for 6 s; sets NRES (reservations) and checks the invariants.
round() {
  local name=$1 nperf=$2 i j rcs="" line other a b la lb overlap=0 mode pids=()
  rm -f "$TMP"/p?.out
  for i in 1 2 3 4 5 6; do
    if [ $i -le "$nperf" ]; then mode=(--perf-mode -T 1n1l4c1t); else mode=(--cpu-cap 4); fi
    "$KTSTR" locks --acquire --sysfs "$TMP/four" "${mode[@]}" --hold 6s \
      >"$TMP/p$i.out" 2>"$TMP/p$i.err" &
    pids[$i]=$!
  done
  sleep 2	# every process has reserved or skipped by now; the holders still hold
  "$KTSTR" locks --json >"$TMP/during.json"
  "$KTSTR" locks >"$TMP/during.txt"
  for i in 1 2 3 4 5 6; do wait "${pids[$i]}"; rcs+="$? "; done
  check "$name: every process ends with a reservation or a skip (exit codes: $rcs)" \
    [ -z "$(tr ' ' '\n' <<<"$rcs" | grep -vE '^(0|77)?$')" ]
  NRES=$(cat "$TMP"/p?.out | grep -c '^reserved' || true)
  # exclusive reservations never overlap anything another process held at the same time
  for i in 1 2 3 4 5 6; do
    line=$(grep '^reserved' "$TMP/p$i.out" || true); [ -n "$line" ] || continue
    for j in 1 2 3 4 5 6; do
      [ $i = $j ] && continue
      other=$(grep '^reserved' "$TMP/p$j.out" || true); [ -n "$other" ] || continue
      case "$line $other" in *"mode perf"*) ;; *) continue ;; esac
      a=$(expand "$(awk '{print $7}' <<<"$line")"); b=$(expand "$(awk '{print $7}' <<<"$other")")
      la=$(expand "$(awk '{print $9}' <<<"$line")"); lb=$(expand "$(awk '{print $9}' <<<"$other")")
      if [ -n "$(comm -12 <(sort <<<"$a") <(sort <<<"$b"))" ] ||
         [ -n "$(comm -12 <(sort <<<"$la") <(sort <<<"$lb"))" ]; then
        overlap=1; echo "# overlap: $line / $other"
      fi
    done
  done
  check "$name: no perf reservation shares a CPU or an LLC with another" [ $overlap = 0 ]
  [ $overlap = 0 ] || diag "$TMP"/p?.out
  "$KTSTR" locks --json >"$TMP/after.json"
  check "$name: nothing is locked afterwards" [ "$(holders "$TMP/after.json")" = 0 ]
}

round "6 perf runs on 4 LLCs" 6
check "exactly 4 perf runs got an LLC, 2 skipped ($NRES reserved)" [ "$NRES" = 4 ]
nexcl=$(grep -c '"exclusive"' "$TMP/during.json" || true)
check "ktstr locks saw 4 x (1 LLC + 5 CPUs) exclusive locks while they held ($nexcl)" \
  [ "$nexcl" = 24 ]
check "ktstr locks names the holders' command" grep -q 'pid [0-9]* (ktstr) exclusive' "$TMP/during.txt"
check "the skipped ones name who holds the LLCs" \
  bash -c "[ \$(grep -l 'host CPUs busy.*(ktstr) holds LLC' '$TMP'/p?.err | wc -l) = 2 ]"
round "3 perf and 3 default runs" 3
ndef=$(grep -l '^reserved.*mode default' "$TMP"/p?.out | wc -l)
check "the default runs always fit beside the perf runs ($ndef of 3; $NRES of 6 in all)" \
  bash -c "[ $ndef = 3 ] && [ $NRES -ge 4 ]"

# --- a SIGKILLed holder releases its locks ---
"$KTSTR" locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n4l4c1t --hold 120s \
  >"$TMP/k.out" 2>"$TMP/k.err" &
kpid=$!
for _ in $(seq 100); do grep -q '^reserved' "$TMP/k.out" && break; sleep 0.1; done
run_ktstr busy locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n1l1c1t
check "a busy host skips with 77 (rc=$RC)" [ "$RC" = 77 ]
check "the skip names the holder's pid and command" grep -q "pid $kpid (ktstr) holds LLC 0-3 exclusively" "$TMP/busy.err"
run_ktstr busyd locks --acquire --sysfs "$TMP/four" -T 1n1l1c1t
check "default mode is busy too while all LLCs are exclusive (rc=$RC)" [ "$RC" = 77 ]
KTSTR_NO_LOCKS=1 run_ktstr nolocks locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n1l1c1t
check "KTSTR_NO_LOCKS=1 takes no lock and warns (rc=$RC)" \
  bash -c "[ $RC = 0 ] && grep -q 'KTSTR_NO_LOCKS=1: reserving no host CPUs' '$TMP/nolocks.err'"
kill -9 $kpid; wait $kpid 2>/dev/null
run_ktstr afterkill locks --json
check "after SIGKILL no lock is held" [ "$(holders "$TMP/afterkill.out")" = 0 ]
run_ktstr again locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n4l4c1t
check "the same reservation succeeds again (rc=$RC)" [ "$RC" = 0 ]

# --- --wait-locks waits for a holder to finish ---
"$KTSTR" locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n4l4c1t --hold 2s >"$TMP/w1.out" &
wpid=$!
for _ in $(seq 100); do grep -q '^reserved' "$TMP/w1.out" && break; sleep 0.1; done
run_ktstr wait locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n2l4c1t --wait-locks 60
check "--wait-locks gets the CPUs once the holder releases them (rc=$RC)" [ "$RC" = 0 ]
wait $wpid

# --- never satisfiable, usage errors, symlinks ---
run_ktstr never locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n5l1c1t
check "a shape this host can never fit skips with 77 and says so (rc=$RC)" \
  bash -c "[ $RC = 77 ] && grep -q 'can never run it: --perf-mode needs 5 whole host LLCs' '$TMP/never.err'"
run_ktstr cap locks --acquire --sysfs "$TMP/four" --cpu-cap 33
check "--cpu-cap above the usable CPUs is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'cpu-cap 33: only 32 CPUs' '$TMP/cap.err'"
run_ktstr runcap run --cpu-cap $(($(nproc) + 1))
check "ktstr run --cpu-cap above this host's CPUs is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'may use only' '$TMP/runcap.err'"
export KTSTR_LOCK_DIR=$TMP/lk2
mkdir -p "$KTSTR_LOCK_DIR"
ln -s "$TMP/victim" "$KTSTR_LOCK_DIR/ktstr-llc-0.lock"
run_ktstr sym locks --acquire --sysfs "$TMP/four" --perf-mode -T 1n1l1c1t
check "a symlinked lock file is refused, not followed (rc=$RC)" \
  bash -c "[ $RC = 99 ] && grep -q 'refusing to follow' '$TMP/sym.err' && [ ! -e '$TMP/victim' ]"
