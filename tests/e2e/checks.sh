# SPDX-License-Identifier: GPL-2.0-only
# Checks and verdicts end to end: a run that must pass (with --json, --junit and
# --output-dir, all validated), the captured stream decoded to the same verdict, damaged and
# truncated streams, a run that must fail its fairness check, and the exit codes.
. "$(dirname "$0")/lib.sh"

VALIDATE=$BUILD/tests/test_output
validate() { KTSTR_TOP=$TOP "$VALIDATE" --validate "$1" >"$TMP/validate.out" 2>&1 || { diag "$TMP/validate.out"; return 1; }; }
checklines() { grep -E '^(PASS|FAIL|SKIP) ' "$1"; }

# Usage errors come before any VM boots.
run_ktstr badjson run --kernel /nonexistent --json "$TMP/no/such/dir/r.json"
check "an uncreatable --json path exits 2 before boot (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q -- '--json: cannot create $TMP/no/such/dir/r.json' '$TMP/badjson.err'"
run_ktstr nofile decode
check "decode without a FILE exits 2 (rc=$RC)" [ "$RC" = 2 ]
run_ktstr missing decode "$TMP/missing.bin"
check "decode of a missing file exits 2 naming it (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'missing.bin' '$TMP/missing.err'"
run_ktstr dhelp decode --help
check "decode --help exits 0" bash -c "[ $RC = 0 ] && grep -q -- '--json' '$TMP/dhelp.out'"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

# A run that must pass: two spinners on two vCPUs, every output asked for.
od=$TMP/od
run_ktstr pass run --kernel "$KERNEL" -T 1n1l2c1t --work spin --workers 2 --duration 1s \
  --output-dir "$od" --json "$TMP/pass.json" --junit "$TMP/pass.xml"
check "a fair run passes with exit 0 (rc=$RC)" [ "$RC" = 0 ]
check "the summary table has the group's row" grep -qE '^default +2 ' "$TMP/pass.out"
check "PASS lines name the group and the limit" \
  grep -q '^PASS fairness: group default: off-CPU spread .* (limit 15 %)' "$TMP/pass.out"
check "the last line is the verdict" bash -c "tail -n 1 '$TMP/pass.out' | grep -q '^verdict: PASS (exit 0)'"
[ "$RC" = 0 ] || diag "$TMP/pass.out" "$TMP/pass.err"
check "--json matches docs/result.schema.json" validate "$TMP/pass.json"
check "--output-dir has result.json, valid too" validate "$od/result.json"
check "the JSON has the topology the guest saw: 2 CPUs sharing an LLC" \
  bash -c "[ \$(grep -c '\"llc\": \"0-1\"' '$TMP/pass.json') = 2 ]"
check "--output-dir keeps the raw stream and the console" test -s "$od/report.bin" -a -s "$od/console.log"
"$VALIDATE" --junit "$TMP/pass.xml" >"$TMP/junit.out" 2>&1
check "--junit parses: one testcase per check of the group plus run-wide ($(cat "$TMP/junit.out"))" \
  grep -qx 'tests=13 failures=0 testcases=13' "$TMP/junit.out"
check "no colour codes when stdout is not a terminal" bash -c "! grep -q $'\033' '$TMP/pass.out'"

# --json - keeps stdout for the document: what the session prints goes to stderr.
run_ktstr jsonout run --kernel "$KERNEL" --work spin --workers 1 --duration 500ms --json -
check "run --json - exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "and stdout is only the document, valid against the schema" validate "$TMP/jsonout.out"
check "while the guest's lines went to stderr" grep -q '^guest: Linux' "$TMP/jsonout.err"

# The captured stream decodes to the same checks and verdict.
run_ktstr decode decode "$od/report.bin"
check "decode of the captured stream exits 0 (rc=$RC)" [ "$RC" = 0 ]
checklines "$TMP/pass.out" >"$TMP/a"; checklines "$TMP/decode.out" >"$TMP/b"
check "decode prints the same check lines as the run" cmp -s "$TMP/a" "$TMP/b"
check "and the same verdict" grep -q '^verdict: PASS (exit 0)' "$TMP/decode.out"
"$KTSTR" decode --json - "$od/report.bin" >"$TMP/decode.json" 2>"$TMP/decode.err" </dev/null
check "decode --json - writes only JSON to stdout, valid against the schema" validate "$TMP/decode.json"
"$KTSTR" decode - <"$od/report.bin" >"$TMP/stdin.out" 2>&1
check "decode - reads stdin" grep -q '^verdict: PASS' "$TMP/stdin.out"

# On a terminal (script(1) gives us one): colour, unless NO_COLOR is set.
if command -v script >/dev/null; then
  env -u NO_COLOR script -qec "'$KTSTR' decode '$od/report.bin'" /dev/null >"$TMP/tty.out" 2>&1 </dev/null
  check "colour on a terminal" grep -q $'\033\[32mPASS\033\[0m' "$TMP/tty.out"
  NO_COLOR=1 script -qec "'$KTSTR' decode '$od/report.bin'" /dev/null >"$TMP/nocolor.out" 2>&1 </dev/null
  check "no colour on a terminal with NO_COLOR set" bash -c "grep -q 'verdict: PASS' '$TMP/nocolor.out' && ! grep -q $'\033' '$TMP/nocolor.out'"
  # The live progress line while the VM boots and runs: stderr is the terminal.
  script -qec "'$KTSTR' run --kernel '$KERNEL' --work spin --workers 1 --duration 2s" /dev/null \
    >"$TMP/progress.out" 2>&1 </dev/null
  check "a progress line while the kernel boots" grep -q $'\033\[Kktstr: [0-9.]* s, booting the kernel' "$TMP/progress.out"
  check "and while the workers run, against the duration" \
    grep -q 'workers running: [0-9.]* of 2.0 s' "$TMP/progress.out"
  check "the run still ends with its verdict" grep -q 'verdict: .*PASS (exit 0)' "$TMP/progress.out"
else
  skip "terminal output" "no script(1)"
fi

# Boot noise before the frames (a ttyS1 capture): skipped, counted, and the same verdict.
{ printf 'SeaBIOS (version 1.16)\r\nBooting from ROM..\r\n'; head -c 3000 /dev/urandom | tr -d 'K'; cat "$od/report.bin"; } >"$TMP/noisy.bin"
run_ktstr noisy decode "$TMP/noisy.bin"
check "a stream after boot noise still decodes to PASS (rc=$RC)" \
  bash -c "[ $RC = 0 ] && grep -q '^verdict: PASS' '$TMP/noisy.out'"
check "and the skipped bytes are counted" grep -qE '^report stream: .* [0-9]{4} bytes skipped' "$TMP/noisy.out"

# A stream cut short: no EXIT, missing reports -> infrastructure (99).
size=$(stat -c %s "$od/report.bin")
head -c $((size / 2)) "$od/report.bin" >"$TMP/cut.bin"
run_ktstr cut decode "$TMP/cut.bin"
check "a truncated stream is an infrastructure failure, 99 (rc=$RC)" [ "$RC" = 99 ]
check "naming what is missing" grep -qE 'verdict: ERROR \(exit 99\): the stream ends without' "$TMP/cut.out"
# A damaged byte in the middle of a worker report: the frame is dropped and counted.
off=$(grep -obUaP 'KTSR\x01\x00\x10\x00' "$od/report.bin" | head -n 1 | cut -d: -f1)
if [ -n "$off" ]; then
  cp "$od/report.bin" "$TMP/bad.bin"
  printf '\x5a' | dd of="$TMP/bad.bin" bs=1 seek=$((off + 60)) conv=notrunc status=none
  run_ktstr bad decode "$TMP/bad.bin"
  check "a damaged worker frame makes the run 99 (rc=$RC)" [ "$RC" = 99 ]
  check "and is reported as a bad checksum and a missing report" \
    grep -q 'report stream: .* 1 worker reports missing, 1 bad checksums' "$TMP/bad.out"
else
  not_ok "find a WORKER frame in the captured stream"
fi

# A run that must fail fairness: three spinners on two vCPUs cannot share fairly (two share
# a CPU while one has its own; the balancer only evens it out slowly), judged with a 1 % bar.
# It runs under a fake scheduler that stays alive (its log lands in --output-dir) and leaves
# a kernel warning, accepted here, so fairness is the only failure.
run_ktstr unfair run --kernel "$KERNEL" -T 1n1l2c1t --work spin --workers 3 --duration 2s \
  --set max_spread_pct=1 --set kernel_warnings=ignore --junit "$TMP/unfair.xml" \
  --scheduler "$TOP/tests/e2e/data/sched-alive.sh" --output-dir "$TMP/unfair-od"
check "an unfair run exits 1 (rc=$RC)" [ "$RC" = 1 ]
check "FAIL fairness names the group, both workers, the spread and the limit" \
  grep -qE '^FAIL fairness: group default: off-CPU spread [0-9.]+ % \(worker [0-9]+ [0-9.]+ %, worker [0-9]+ [0-9.]+ %\) \(limit 1 %\)' "$TMP/unfair.out"
check "the verdict line says FAIL and names the check" grep -q '^verdict: FAIL (exit 1): 1 of 13 checks failed: default/fairness$' "$TMP/unfair.out"
"$VALIDATE" --junit "$TMP/unfair.xml" >"$TMP/junit2.out" 2>&1
check "JUnit counts the one failure ($(cat "$TMP/junit2.out"))" grep -q 'failures=1 ' "$TMP/junit2.out"
check "the scheduler passed: it ran to the end" grep -q '^PASS scheduler: .*sched-alive.sh ran to the end' "$TMP/unfair.out"
check "the accepted kernel warning is noted" grep -q '^note: 1 kernel warning line ignored' "$TMP/unfair.out"
check "--output-dir keeps the scheduler's log" grep -q 'alive scheduler got SIGINT' "$TMP/unfair-od/scheduler.log"
[ "$RC" = 1 ] || diag "$TMP/unfair.out" "$TMP/unfair.err"

# A captured run whose scheduler died: decoded without a VM, it fails the same way.
run_ktstr dies decode "$TOP/tests/fuzz/corpus/frames/sched-dies.bin"
check "decode of a run whose scheduler died exits 1 (rc=$RC)" [ "$RC" = 1 ]
check "naming the scheduler, how it ended and its last word" \
  grep -q '^FAIL scheduler: /ktstr/bin/sched-dies.sh died while the workers ran: exit status 3 .*giving up now' "$TMP/dies.out"
