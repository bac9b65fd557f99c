# SPDX-License-Identifier: GPL-2.0-only
# ktstr initramfs, cache and decode without a VM: contents, errors, exit codes.
. "$(dirname "$0")/lib.sh"
export KTSTR_CACHE_DIR=$TMP/cache

run_ktstr help initramfs --help
check "initramfs --help exits 0" bash -c "[ $RC = 0 ] && grep -q -- '--job' '$TMP/help.out'"
run_ktstr noout initramfs
check "initramfs without -o exits 2 (rc=$RC)" bash -c "[ $RC = 2 ] && grep -q -- '-o FILE' '$TMP/noout.err'"
run_ktstr badcomp initramfs -o "$TMP/x" --compress zstd
check "a bad --compress exits 2 naming the value (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q \"'zstd'\" '$TMP/badcomp.err'"
run_ktstr nojob initramfs -o "$TMP/x" --job "$TMP/no-such-job"
check "a missing --job file exits 2 naming it (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'no-such-job' '$TMP/nojob.err'"

# The job lands at /ktstr/job in the per-run suffix; includes bring their libraries.
bin=/usr/bin/cyclictest lib=libnuma.so.1	# rt-tests; else any dynamic binary
[ -x "$bin" ] || { bin=/usr/bin/ls; lib=libc.so.6; }
printf '[global]\nduration=1s\n[ktstrmarkergroup]\n' > "$TMP/job.ini"
run_ktstr pack initramfs -o "$TMP/a.lz4" --job "$TMP/job.ini" --busybox -i "$bin:$bin" -v
check "initramfs with a job, busybox and an include exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "and says it built the base" grep -q 'initramfs: built' "$TMP/pack.err"
lz4 -dc "$TMP/a.lz4" > "$TMP/a.cpio" 2>/dev/null
cpio -it --quiet < "$TMP/a.cpio" > "$TMP/a.list" 2>/dev/null
for f in init ktstr/init bin/busybox "${bin#/}" lib64 usr/lib/x86_64-linux-gnu/libc.so.6 \
         "usr/lib/x86_64-linux-gnu/$lib" dev/console; do
  check "the base holds $f" grep -qx "$f" "$TMP/a.list"
done
check "the compiled job is in the archive" grep -aq 'ktstrmarkergroup' "$TMP/a.cpio"
check "the job is packed at ktstr/job" grep -aq 'ktstr/job' "$TMP/a.cpio"
run_ktstr pack2 initramfs -o "$TMP/b.lz4" --job "$TMP/job.ini" --busybox -i "$bin:$bin" -v
check "a second build is a cache hit" grep -q 'initramfs: cache hit' "$TMP/pack2.err"
check "with identical bytes" cmp -s "$TMP/a.lz4" "$TMP/b.lz4"

printf '[g]\npolicy = fast\n' > "$TMP/bad.ini"
run_ktstr badjob initramfs -o "$TMP/x" --job "$TMP/bad.ini"
check "a bad job file exits 2 naming file:line and key (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'bad.ini:2: \[g\] policy:' '$TMP/badjob.err'"

run_ktstr none initramfs -o "$TMP/n.cpio" --compress none --no-root-init
check "--compress none writes a plain newc archive" \
  bash -c "cpio -it --quiet < '$TMP/n.cpio' | grep -qx ktstr/init"
check "--no-root-init leaves /init out" \
  bash -c "! cpio -it --quiet < '$TMP/n.cpio' | grep -qx init"

# A dynamic binary whose library cannot be found: exit 2 naming binary and library.
if command -v cc >/dev/null; then
  echo 'int nope(void); int main(void){return nope();}' > "$TMP/u.c"
  echo 'int nope(void){return 0;}' > "$TMP/l.c"
  cc -shared -fPIC -Wl,-soname,libnope.so -o "$TMP/libnope.so" "$TMP/l.c" && cc -o "$TMP/u" "$TMP/u.c" "$TMP/libnope.so"
  run_ktstr unres initramfs -o "$TMP/u.lz4" -i "$TMP/u:/bin/u"
  check "an unresolvable library exits 2 (rc=$RC)" [ "$RC" = 2 ]
  check "naming the binary and the library" \
    bash -c "grep -q '$TMP/u needs libnope.so' '$TMP/unres.err'"
  check "and writes no output" [ ! -e "$TMP/u.lz4" ]
else
  skip "unresolvable library" "no C compiler"
fi

run_ktstr list cache list
check "cache list shows the entries (rc=$RC)" \
  bash -c "[ $RC = 0 ] && [ \$(grep -c ' ok' '$TMP/list.out') -ge 2 ]"
run_ktstr clean cache clean
check "cache clean removes them (rc=$RC)" \
  bash -c "[ $RC = 0 ] && grep -q '^removed [2-9]' '$TMP/clean.out' && [ -z \"\$(ls '$KTSTR_CACHE_DIR/initramfs' | grep img)\" ]"
run_ktstr badsub cache frob
check "cache with an unknown subcommand exits 2" [ "$RC" = 2 ]

# decode: real captured streams from the fuzz corpus.
corp=$TOP/tests/fuzz/corpus/frames
run_ktstr dec decode "$corp/boot-ok.bin"
check "decode of a passing stream exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "and prints the run's lines" \
  bash -c "grep -q '^guest: Linux ' '$TMP/dec.out' && grep -q '^guest exit: status 0' '$TMP/dec.out'"
run_ktstr dec5 decode "$corp/boot-exit5.bin"
check "decode exits with the guest's status 5 (rc=$RC)" [ "$RC" = 5 ]
run_ktstr decstdin decode - < "$corp/boot-ok.bin"
check "decode - reads stdin (rc=$RC)" [ "$RC" = 0 ]
head -c 100 "$corp/boot-ok.bin" > "$TMP/cut.bin"
run_ktstr cut decode "$TMP/cut.bin"
check "a stream without EXIT exits 99 (rc=$RC)" \
  bash -c "[ $RC = 99 ] && grep -q 'no EXIT frame' '$TMP/cut.err'"
run_ktstr decmissing decode "$TMP/none.bin"
check "a missing file exits 2 (rc=$RC)" [ "$RC" = 2 ]
