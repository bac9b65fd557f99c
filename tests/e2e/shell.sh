# SPDX-License-Identifier: GPL-2.0-only
# ktstr shell: --exec (status, separate byte-exact streams, binary payload, panic) and the
# interactive shell driven through a real pseudo-terminal (tmux).
. "$(dirname "$0")/lib.sh"

# Usage errors cost no boot.
run_ktstr help shell --help
check "ktstr shell --help exits 0 and documents Ctrl-A x" \
  bash -c "[ $RC = 0 ] && grep -q 'Ctrl-A x' '$TMP/help.out' && grep -q -- '--exec' '$TMP/help.out'"
run_ktstr noinc shell --kernel /dev/null -i "$TMP/no-such-file"
check "a missing -i file is a usage error before boot (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'no-such-file' '$TMP/noinc.err'"
run_ktstr extra shell --kernel /dev/null echo hi
check "an unquoted command is a usage error (rc=$RC)" [ "$RC" = 2 ]

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

# Status and streams, from inside a pipeline with stdin closed (as in CI).
timeout -k 5 300 "$KTSTR" shell --kernel "$KERNEL" \
  --exec 'echo out; echo err >&2; printf "a\r\nb\0c"; exit 7' <&- 2>"$TMP/st.err" |
  cat >"$TMP/st.out"
RC=${PIPESTATUS[0]}
check "--exec 'exit 7' exits 7 (rc=$RC)" [ "$RC" = 7 ]
printf 'out\na\r\nb\0c' >"$TMP/st.want"
check "stdout is exactly the command's, bytes as written" cmp -s "$TMP/st.out" "$TMP/st.want"
check "stderr is exactly the command's" bash -c "[ \"\$(cat '$TMP/st.err')\" = err ]"
[ "$RC" = 7 ] || diag "$TMP/st.err"

# 1 MiB of random bytes made in the guest arrive intact: the guest's md5 goes to stderr.
run_ktstr big shell --kernel "$KERNEL" \
  --exec 'head -c 1048576 /dev/urandom | tee /tmp/x | md5sum >&2; cat /tmp/x'
check "the 1 MiB payload run exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "1 MiB arrived" bash -c "[ \$(stat -c %s '$TMP/big.out') = 1048576 ]"
md5sum <"$TMP/big.out" | cut -d' ' -f1 >"$TMP/big.host"
cut -d' ' -f1 "$TMP/big.err" >"$TMP/big.guest"
check "with the checksum the guest computed" cmp -s "$TMP/big.host" "$TMP/big.guest"

# A kernel panic: exit 99 and the panic line in the message.
run_ktstr panic shell --kernel "$KERNEL" --exec 'echo c > /proc/sysrq-trigger'
check "a panic during --exec exits 99 (rc=$RC)" [ "$RC" = 99 ]
check "the panic is named" grep -q 'kernel panic: .*sysrq triggered crash' "$TMP/panic.err"

# A command that outlives --timeout: exit 99, the timeout named, nothing left behind.
mkdir -p "$TMP/to"
TMPDIR=$TMP/to run_ktstr to shell --kernel "$KERNEL" --timeout 20s --exec 'sleep 600'
check "a --exec timeout exits 99 (rc=$RC)" [ "$RC" = 99 ]
check "the timeout is named, with the console's last lines" \
  bash -c "grep -q 'timed out' '$TMP/to.err' && grep -q 'last console lines' '$TMP/to.err'"
check "no QEMU and no run directory are left after the timeout" \
  bash -c "! pgrep -f '[q]emu-system.*$TMP/to/' >/dev/null && [ -z \"\$(ls -A '$TMP/to')\" ]"

# --job: what the job sets up (sysctl, cgroups, the scheduler) is in place, and its workers
# wait to be started by hand.
run_ktstr job shell --kernel "$KERNEL" -T 1n1l2c1t --job "$TOP/tests/e2e/data/two-groups.ini" \
  --exec 'sysctl -n kernel.sched_rt_runtime_us; cat /sys/fs/cgroup/ktstr/b/cpu.weight
          ps | grep -c "[s]ched-alive"; ls /sys/fs/cgroup/ktstr/a | grep -c "^cgroup.procs$"
          cat /sys/fs/cgroup/ktstr/a/cgroup.procs | wc -l; /ktstr/init workers'
check "--job with --exec exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "the job's sysctl, cgroup and scheduler are set up, and no worker runs before asked" \
  bash -c "[ \"\$(head -5 '$TMP/job.out' | tr '\n' ' ')\" = '900000 50 1 1 0 ' ]"
n=$(grep -cE '^worker [ab]/0 tid [0-9]+: done, [1-9][0-9]* work units' "$TMP/job.out")
check "/ktstr/init workers runs both groups' workers by hand" [ "$n" = 2 ]
check "and stderr stays empty" bash -c "[ ! -s '$TMP/job.err' ]"
[ "$RC" = 0 ] || diag "$TMP/job.out" "$TMP/job.err"

# The interactive shell without a terminal: a script piped in runs, and the end of the
# input ends the shell (and so ktstr, with 0) instead of leaving it waiting.
printf 'echo piped-$((40+2))\n' |
  timeout -k 5 300 "$KTSTR" shell --kernel "$KERNEL" >"$TMP/pipe.out" 2>"$TMP/pipe.err"
RC=${PIPESTATUS[1]}
check "a script piped into ktstr shell runs" grep -q 'piped-42' "$TMP/pipe.out"
check "and the end of its input ends ktstr with 0 (rc=$RC)" [ "$RC" = 0 ]
[ "$RC" = 0 ] || diag "$TMP/pipe.out" "$TMP/pipe.err"

# Included binaries with their shared libraries.
if [ -x /usr/bin/cyclictest ]; then
  run_ktstr ct shell --kernel "$KERNEL" -i /usr/bin/cyclictest --exec 'cyclictest -t1 -l100 -q'
  check "-i /usr/bin/cyclictest runs in the guest (rc=$RC)" [ "$RC" = 0 ]
  [ "$RC" = 0 ] || diag "$TMP/ct.out" "$TMP/ct.err"
  check "and prints its summary" grep -qE '^T: 0 .*Max: *[0-9]+' "$TMP/ct.out"
else
  skip "-i /usr/bin/cyclictest runs in the guest" "no /usr/bin/cyclictest (Debian's rt-tests)"
fi

# The interactive shell through a pseudo-terminal. A private tmux server keeps the test
# apart from anyone else's sessions.
TM=(tmux -L "ktstr-e2e-$$" -f /dev/null)
trap '"${TM[@]}" kill-server 2>/dev/null; rm -f "/tmp/tmux-$(id -u)/ktstr-e2e-$$"; rm -rf "$TMP"' EXIT
# wait_for SESSION REGEX SECONDS: polls the screen until REGEX shows up.
wait_for() {
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    "${TM[@]}" capture-pane -p -t "$1" 2>/dev/null | grep -qE "$2" && return 0
    sleep 0.5
  done
  "${TM[@]}" capture-pane -p -t "$1" 2>/dev/null | sed 's/^/# screen: /'
  return 1
}
# start SESSION ARGS...: ktstr shell in a 100x30 terminal, with its own TMPDIR; records
# stty before and after, its pid and its status.
start() {
  local s=$1; shift
  mkdir -p "$TMP/$s.tmp"
  "${TM[@]}" new-session -d -s "$s" -x 100 -y 30 \
    "stty -g >'$TMP/$s.before'; TMPDIR='$TMP/$s.tmp' sh -c 'echo \$\$ >\"\$0\"; exec \"\$@\"' \
       '$TMP/$s.pid' '$KTSTR' shell --kernel '$KERNEL' $*; echo \$? >'$TMP/$s.rc';
     stty -g >'$TMP/$s.after'; sleep 600"
}
done_rc() {	# SESSION: waits for ktstr to end, then prints its status
  local i
  for ((i = 0; i < 120; i++)); do
    [ -s "$TMP/$1.after" ] && { cat "$TMP/$1.rc"; return; }
    sleep 0.5
  done
  echo timeout
}

start i
check "the prompt appears" wait_for i 'ktstr:/root# ?$' 180
check "the MOTD says how to leave" wait_for i "'exit' powers the VM off; Ctrl-A x" 1
"${TM[@]}" send-keys -t i 'echo h""i; stty size' Enter
check "echo hi prints hi" wait_for i '^hi$' 60
check "the guest terminal has the host's size" wait_for i '^30 100$' 10
"${TM[@]}" resize-window -t i -x 120 -y 40
sleep 1
"${TM[@]}" send-keys -t i 'stty size' Enter
check "a resized host terminal resizes the guest's (stty size)" wait_for i '^40 120$' 20
"${TM[@]}" send-keys -t i 'sleep 100' Enter
sleep 2
"${TM[@]}" send-keys -t i C-c
"${TM[@]}" send-keys -t i 'echo "status $?"' Enter
check "Ctrl-C interrupts sleep 100 in the guest and the prompt returns" \
  wait_for i '^status 130$' 60
"${TM[@]}" send-keys -t i 'exit' Enter
rc=$(done_rc i)
check "exit ends ktstr with 0 (rc=$rc)" [ "$rc" = 0 ]
check "the terminal settings are restored (stty -g)" cmp -s "$TMP/i.before" "$TMP/i.after"

# SIGTERM to ktstr while the shell runs: the terminal is restored, QEMU is gone.
start t
wait_for t 'ktstr:/root# ?$' 180 >/dev/null
kill -TERM "$(cat "$TMP/t.pid")"
rc=$(done_rc t)
check "SIGTERM ends ktstr with 143 (rc=$rc)" [ "$rc" = 143 ]
check "and the terminal settings are restored" cmp -s "$TMP/t.before" "$TMP/t.after"
check "no QEMU and no run directory are left behind" \
  bash -c "! pgrep -f '[q]emu-system.*$TMP/t.tmp' >/dev/null && [ -z \"\$(ls -A '$TMP/t.tmp')\" ]"

# --dmesg: new kernel messages reach stderr; then Ctrl-A x kills the VM.
start d --dmesg
wait_for d 'ktstr:/root# ?$' 180 >/dev/null
"${TM[@]}" send-keys -t d 'echo marker-$((6*7)) > /dev/kmsg' Enter
check "--dmesg shows kernel messages while the shell runs" wait_for d 'kernel: .*marker-42' 60
check "each kernel message starts a line (none is glued to the prompt)" \
  bash -c "! ${TM[*]} capture-pane -p -t d | grep -q 'root# *kernel: '"
"${TM[@]}" send-keys -t d C-a x
rc=$(done_rc d)
check "Ctrl-A x kills the VM and ktstr exits 0 (rc=$rc)" [ "$rc" = 0 ]
check "the terminal settings are restored after Ctrl-A x" cmp -s "$TMP/d.before" "$TMP/d.after"

# A kernel panic while the interactive shell runs: exit 99, the terminal restored.
start p
wait_for p 'ktstr:/root# ?$' 180 >/dev/null
"${TM[@]}" send-keys -t p 'echo c > /proc/sysrq-trigger' Enter
rc=$(done_rc p)
check "a panic in the interactive shell exits 99 (rc=$rc)" [ "$rc" = 99 ]
check "the panic is named on the terminal" wait_for p 'kernel panic: .*sysrq triggered crash' 10
check "the terminal settings are restored after the panic" cmp -s "$TMP/p.before" "$TMP/p.after"

# Ctrl-A x while the guest is still booting (nothing else typed then reaches the guest).
start e
sleep 1
"${TM[@]}" send-keys -t e 'echo typed-during-boot' Enter C-a x
rc=$(done_rc e)
check "Ctrl-A x during boot kills the VM (rc=$rc)" [ "$rc" = 0 ]
check "the terminal settings are restored after it" cmp -s "$TMP/e.before" "$TMP/e.after"
check "no QEMU and no run directory are left behind after it" \
  bash -c "! pgrep -f '[q]emu-system.*$TMP/e.tmp' >/dev/null && [ -z \"\$(ls -A '$TMP/e.tmp')\" ]"
