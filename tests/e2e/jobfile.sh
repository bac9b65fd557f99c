# SPDX-License-Identifier: GPL-2.0-only
# Job files on the command line, no VM: ktstr job check/compile, ktstr run --print-job.
. "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/e2e/data

run_ktstr check job check "$DATA/two-groups.ini"
check "job check accepts the example job (rc=$RC)" [ "$RC" = 0 ]
check "and prints it canonically" bash -c "grep -q '^\[a\]' '$TMP/check.out' && grep -q '^cpu_weight = 50' '$TMP/check.out'"

run_ktstr print run --print-job -T 1n1l2c1t "$DATA/two-groups.ini" --duration 3s
check "run --print-job exits 0 without booting (rc=$RC)" [ "$RC" = 0 ]
check "command-line options override the file" grep -q '^duration = 3000ms' "$TMP/print.out"
cp "$TMP/print.out" "$TMP/printed.ini"
run_ktstr c1 job compile "$DATA/two-groups.ini" --duration 3s -o "$TMP/a.job"
run_ktstr c2 job compile "$TMP/printed.ini" -o "$TMP/b.job"
check "the printed job compiles to the same bytes as the original" cmp -s "$TMP/a.job" "$TMP/b.job"
check "a compiled job starts with the frame magic KTSR" bash -c "[ \"\$(head -c 4 '$TMP/a.job')\" = KTSR ]"

printf '[global]\nduration = 1s\n\n[a]\npolicy = fast\nworkers = 0\n' > "$TMP/bad.ini"
run_ktstr bad run "$TMP/bad.ini" --kernel /nonexistent
check "a bad job file exits 2 before anything boots (rc=$RC)" [ "$RC" = 2 ]
check "each error names file:line, section and key with the accepted values" \
  bash -c "grep -q '$TMP/bad.ini:5: \[a\] policy: .fast. is not one of other, batch, idle, fifo:N, rr:N' '$TMP/bad.err' &&
           grep -q '$TMP/bad.ini:6: \[a\] workers: .0. is not a whole number from 1 to 4096' '$TMP/bad.err'"

run_ktstr badgroup run --print-job --group 'x:nice=99'
check "a bad --group names the flag (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q -- '--group x: \[x\] nice: .99. is not a nice value from -20 to 19' '$TMP/badgroup.err'"
run_ktstr nocompileout job compile "$DATA/two-groups.ini"
check "job compile without -o is a usage error (rc=$RC)" [ "$RC" = 2 ]
run_ktstr jobhelp job --help
check "ktstr job --help exits 0" bash -c "[ $RC = 0 ] && grep -q 'job compile' '$TMP/jobhelp.out'"

run_ktstr toobig run --print-job -T 1n1l1c1t "$DATA/two-groups.ini"
check "CPUs the VM does not have are refused before boot (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'two-groups.ini: \[b\] cpus: 1 names 1, but the VM has 1 vCPUs' '$TMP/toobig.err'"
