# SPDX-License-Identifier: GPL-2.0-only
# --topology: the guest's own sysfs (reported in TOPO frames, printed with -v) must show
# exactly the requested NUMA nodes, LLCs and thread siblings; impossible shapes are usage
# errors before any VM boots.
. "$(dirname "$0")/lib.sh"

# range A B -> "A-B", or "A" when they are equal (sysfs cpulist style)
range() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }

# expect_topo NAME N L C T [DIST]: compare the guest's report in $TMP/NAME.out
expect_topo() {
  local name=$1 n=$2 l=$3 c=$4 t=$5 dist=${6:-}
  local v=$((l * c * t)) per_node per_llc i bad=0 want got
  per_node=$((v / n)); per_llc=$((c * t))
  for ((i = 0; i < v; i++)); do
    local llc0=$((i / per_llc * per_llc)) sib0=$((i / t * t))
    want="cpu $i node $((i / per_node)) .* llc $(range $llc0 $((llc0 + per_llc - 1))) siblings $(range $sib0 $((sib0 + t - 1)))"
    got=$(grep "^guest topo: cpu $i " "$TMP/$name.out")
    if ! echo "$got" | grep -qE "^guest topo: $want\$"; then
      echo "# cpu $i: got '$got', want '$want'"; bad=1
    fi
  done
  check "$name: every one of the $v CPUs has the requested node, LLC and siblings" [ "$bad" = 0 ]
  check "$name: exactly $v CPUs reported" \
    [ "$(grep -c '^guest topo: cpu ' "$TMP/$name.out")" = "$v" ]
  check "$name: exactly $n NUMA nodes" [ "$(grep -c '^guest topo: node ' "$TMP/$name.out")" = "$n" ]
  bad=0
  for ((i = 0; i < n; i++)); do
    want="node $i cpus $(range $((i * per_node)) $(((i + 1) * per_node - 1))) mem [0-9]+ KiB"
    grep -qE "^guest topo: $want" "$TMP/$name.out" || { echo "# node $i: want '$want'"; bad=1; }
    if [ -n "$dist" ]; then
      local row="" j
      for ((j = 0; j < n; j++)); do row+="$([ $i = $j ] && echo 10 || echo "$dist") "; done
      grep -qE "^guest topo: node $i .* distance ${row% }\$" "$TMP/$name.out" ||
        { echo "# node $i: want distance '${row% }'"; bad=1; }
    fi
  done
  check "$name: node CPU lists${dist:+ and distances} match" [ "$bad" = 0 ]
  check "$name: ktstr's own check agrees" grep -q "^guest topo: matches ${n}n${l}l${c}c${t}t " "$TMP/$name.out"
  check "$name: and warns of nothing" bash -c "! grep -q warning '$TMP/$name.err'"
}

# Impossible shapes: exit 2 naming the problem, no VM.
run_ktstr zero run --topology 1n0l1c1t --kernel /nonexistent
check "an LLC count of 0 is a usage error (rc=$RC)" grep -q "LLC count must be at least 1" "$TMP/zero.err"
run_ktstr split run --topology 2n3l1c1t
check "3 LLCs over 2 nodes is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'cannot be split evenly' '$TMP/split.err'"
run_ktstr many run --topology 1n16l8c2t
check "256 vCPUs is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'at most 255' '$TMP/many.err'"
run_ktstr apic run --topology 1n80l3c1t
check "APIC IDs past 254 are a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'APIC IDs up to 318' '$TMP/apic.err'"
run_ktstr dist1 run --topology 1n1l1c1t --numa-distance 20
check "--numa-distance with one node is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'one NUMA node' '$TMP/dist1.err'"
run_ktstr distbad run --topology 2n2l1c1t --numa-distance 10,20,20
check "a distance matrix of the wrong size is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'has 3 values' '$TMP/distbad.err'"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

# One light worker: these boots check the topology, not how fairly 8 vCPUs share 2 host CPUs.
run_ktstr smt run --kernel "$KERNEL" -v --topology 1n2l2c2t --workers 1 --duration 500ms --timeout 120s --output-dir "$TMP/smt.d"
check "1n2l2c2t boots (rc=$RC)" [ "$RC" = 0 ]
[ "$RC" = 0 ] || diag "$TMP/smt.err"
expect_topo smt 1 2 2 2
run_ktstr smtdec decode "$TMP/smt.d/report.bin"
check "ktstr decode prints the same topology lines from the capture" bash -c \
  "diff <(grep '^guest topo: [cn]' '$TMP/smt.out') <(grep '^guest topo: ' '$TMP/smtdec.out')"

run_ktstr numa run --kernel "$KERNEL" -v --topology 2n4l2c1t --workers 1 --duration 500ms --numa-distance 30 --timeout 120s
check "2n4l2c1t boots (rc=$RC)" [ "$RC" = 0 ]
[ "$RC" = 0 ] || diag "$TMP/numa.err"
expect_topo numa 2 4 2 1 30
diag "$TMP/numa.out"
