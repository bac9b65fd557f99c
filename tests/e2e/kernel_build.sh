# SPDX-License-Identifier: GPL-2.0-only
# host/kernel-build.sh without building a kernel: fragment verification, cache keying,
# publishing, and an interrupted build (which must leave no cache entry and no make behind).
# A stand-in tree (tests/e2e/data/fake-kernel) answers the make targets in seconds.
. "$(dirname "$0")/lib.sh"

KB=$TOP/host/kernel-build.sh
FRAG=$TOP/host/kconfig/sched_ext.config
export KTSTR_CACHE_DIR=$TMP/cache
cp -r "$TOP/tests/e2e/data/fake-kernel" "$TMP/tree"
cp -r "$TOP/tests/e2e/data/fake-kernel" "$TMP/tree2"

# 1. verify: the fragment's options must all be =y; the missing ones are named.
sed -n 's/^\(CONFIG_[A-Z0-9_]*=y\)$/\1/p' "$FRAG" >"$TMP/good.config"
"$KB" verify "$TMP/good.config" 2>"$TMP/v1.err"
check "a config with every fragment option passes verify (rc=$?)" [ $? = 0 ]
sed 's/^CONFIG_SCHED_CLASS_EXT=y$/# CONFIG_SCHED_CLASS_EXT is not set/' "$TMP/good.config" >"$TMP/noext.config"
"$KB" verify "$TMP/noext.config" 2>"$TMP/v2.err"; RC=$?
check "a config without SCHED_CLASS_EXT is rejected naming it (rc=$RC)" \
  bash -c "[ $RC = 1 ] && grep -q 'not =y in $TMP/noext.config: CONFIG_SCHED_CLASS_EXT\$' '$TMP/v2.err'"
grep -v -e '^CONFIG_BPF_SYSCALL=' -e '^CONFIG_DEBUG_INFO_BTF=' "$TMP/good.config" >"$TMP/two.config"
"$KB" verify "$TMP/two.config" 2>"$TMP/v3.err"; RC=$?
check "every missing option is named (rc=$RC)" \
  bash -c "[ $RC = 1 ] && grep -q ': CONFIG_BPF_SYSCALL CONFIG_DEBUG_INFO_BTF\$' '$TMP/v3.err'"
echo 'CONFIG_SCHED_CLASS_EXT=m' >"$TMP/module.config"
"$KB" verify "$TMP/module.config" 2>"$TMP/v4.err"; RC=$?
check "=m is not =y (rc=$RC)" bash -c "[ $RC = 1 ] && grep -q 'CONFIG_SCHED_CLASS_EXT' '$TMP/v4.err'"
"$KB" verify "$TMP/nope.config" 2>"$TMP/v5.err"; RC=$?
check "an unreadable config is a usage error (rc=$RC)" [ "$RC" = 2 ]

# 2. The cache key: the same source and fragment give the same key; another fragment,
#    another kernel version or another tree give another.
k1=$("$KB" key --source "$TMP/tree")
k2=$("$KB" key --source "$TMP/tree")
cp "$FRAG" "$TMP/frag2.config"; echo 'CONFIG_NO_HZ_FULL=y' >>"$TMP/frag2.config"
k3=$(KTSTR_KCONFIG=$TMP/frag2.config "$KB" key --source "$TMP/tree")
k4=$(VERSION=6.12.1-fake "$KB" key --source "$TMP/tree")
k5=$("$KB" key --source "$TMP/tree2")
echo "# keys: $k1 $k2 $k3 $k4 $k5"
check "the key is 16 hex digits and stable" bash -c "[[ '$k1' =~ ^[0-9a-f]{16}\$ ]] && [ '$k1' = '$k2' ]"
check "a changed fragment changes the key" bash -c "[ -n '$k3' ] && [ '$k3' != '$k1' ]"
check "another kernel version changes the key" bash -c "[ -n '$k4' ] && [ '$k4' != '$k1' ]"
check "another tree changes the key" bash -c "[ -n '$k5' ] && [ '$k5' != '$k1' ]"

# 3. Bad arguments.
"$KB" kernel --source "$TMP" 2>"$TMP/a1.err"; RC=$?
check "--source that is no kernel tree is a usage error (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'is not a kernel source tree' '$TMP/a1.err'"
"$KB" kernel --jobs 0 2>"$TMP/a2.err"; RC=$?
check "--jobs 0 is a usage error (rc=$RC)" [ "$RC" = 2 ]
"$KB" find >/dev/null 2>"$TMP/a3.err"; RC=$?
check "find in an empty cache says none is built (rc=$RC)" \
  bash -c "[ $RC = 1 ] && grep -q 'no sched_ext kernel built yet' '$TMP/a3.err'"

# 4. olddefconfig dropping a fragment option stops the build naming it; nothing is cached.
KT_DROP=SCHED_CLASS_EXT "$KB" kernel --source "$TMP/tree" --jobs 1 >/dev/null 2>"$TMP/b1.err"; RC=$?
check "an option olddefconfig drops stops the build, named (rc=$RC)" \
  bash -c "[ $RC = 1 ] && grep -q 'not =y in .*: CONFIG_SCHED_CLASS_EXT\$' '$TMP/b1.err'"
check "and leaves no cache entry" bash -c "! ls '$KTSTR_CACHE_DIR/kernels-built/'* >/dev/null 2>&1"

# 5. Interrupted (SIGTERM, as ktstr sends on Ctrl-C): no entry, and make's step is gone.
KT_SLOW=1 "$KB" kernel --source "$TMP/tree" --jobs 1 >/dev/null 2>"$TMP/c1.err" &
kb=$!
obj=$KTSTR_CACHE_DIR/build/$k1
for _ in $(seq 100); do [ -s "$obj/step.pid" ] && break; sleep 0.1; done
step=$(cat "$obj/step.pid" 2>/dev/null)
kill -TERM "$kb"; wait "$kb"; RC=$?
sleep 0.5
check "an interrupted build exits non-zero (rc=$RC)" bash -c "[ -n '$step' ] && [ $RC != 0 ]"
check "the build step was killed with it" bash -c "! kill -0 '$step' 2>/dev/null"
check "and there is no cache entry" bash -c "! ls '$KTSTR_CACHE_DIR/kernels-built/'* >/dev/null 2>&1"

# 6. A finished build is published under its key, found, and reused without make.
out=$("$KB" kernel --source "$TMP/tree" --jobs 1 2>"$TMP/d1.err"); RC=$?
check "a build publishes bzImage, config, info under its key (rc=$RC)" \
  bash -c "[ $RC = 0 ] && [ '$out' = '$KTSTR_CACHE_DIR/kernels-built/$k1/bzImage' ] &&
           [ -f '$out' ] && grep -qx 'CONFIG_SCHED_CLASS_EXT=y' '$KTSTR_CACHE_DIR/kernels-built/$k1/config' &&
           grep -qx 'sched_ext=yes' '$KTSTR_CACHE_DIR/kernels-built/$k1/info'"
rm -f "$obj/build.log"
out2=$("$KB" kernel --source "$TMP/tree" --jobs 1 2>"$TMP/d2.err")
check "the second build is the cache entry, make not run" \
  bash -c "[ '$out2' = '$out' ] && [ ! -e '$obj/build.log' ]"
check "find prints it" bash -c "[ \"\$('$KB' find 2>/dev/null)\" = '$out' ]"

# 7. The same through ktstr: 'kernel build' holds CPU locks while it builds, Ctrl-C (SIGINT
#    to ktstr) stops make and caches nothing, 'kernel list' shows a built kernel's sched_ext.
export KTSTR_LOCK_DIR=$TMP/locks
mkdir -p "$KTSTR_LOCK_DIR"
rm -rf "$KTSTR_CACHE_DIR/kernels-built" "$KTSTR_CACHE_DIR/build"
KT_SLOW=1 "$KTSTR" kernel build --source "$TMP/tree" --jobs 1 >/dev/null 2>"$TMP/e1.err" &
kt=$!
for _ in $(seq 100); do [ -s "$obj/step.pid" ] && break; sleep 0.1; done
step=$(cat "$obj/step.pid" 2>/dev/null)
"$KTSTR" locks >"$TMP/e1.locks" 2>&1
check "ktstr kernel build holds a CPU lock while make runs" \
  bash -c "[ -n '$step' ] && grep -qE '^  CPU [0-9]+ +pid $kt \\(ktstr\\) shared' '$TMP/e1.locks'"
grep -q "pid $kt" "$TMP/e1.locks" || diag "$TMP/e1.locks" "$TMP/e1.err"
kill -INT "$kt"; wait "$kt"; RC=$?
sleep 0.5
check "SIGINT stops it (rc=$RC), saying nothing was cached" \
  bash -c "[ $RC = 130 ] && grep -q 'interrupted by signal 2; nothing was cached' '$TMP/e1.err'"
check "make's step is gone and there is no cache entry" \
  bash -c "! kill -0 '$step' 2>/dev/null && ! ls '$KTSTR_CACHE_DIR/kernels-built/'* >/dev/null 2>&1"
"$KTSTR" locks >"$TMP/e2.locks" 2>&1
check "and no lock is held" bash -c "! grep -q 'pid $kt' '$TMP/e2.locks'"
out=$("$KTSTR" kernel build --source "$TMP/tree" --jobs 1 2>"$TMP/e3.err"); RC=$?
check "ktstr kernel build prints the bzImage (rc=$RC)" \
  bash -c "[ $RC = 0 ] && [ '$out' = '$KTSTR_CACHE_DIR/kernels-built/$k1/bzImage' ] &&
           grep -q 'make -j1' '$TMP/e3.err'"
"$KTSTR" kernel list >"$TMP/list.out" 2>&1
check "ktstr kernel list shows it with SCHED_EXT yes" \
  grep -qE "^\\? +yes +$k1 +- +$out\$" "$TMP/list.out"
grep -q "$k1" "$TMP/list.out" || diag "$TMP/list.out"
"$KTSTR" kernel build --jobs 0 2>"$TMP/e4.err"; RC=$?
check "ktstr kernel build --jobs 0 is a usage error (rc=$RC)" [ "$RC" = 2 ]
"$KTSTR" scx build --source "$TMP/tree" ../evil 2>"$TMP/e5.err"; RC=$?
check "ktstr scx build takes names only (rc=$RC)" [ "$RC" = 2 ]
"$KTSTR" scx build --source "$TMP/tree" scx_nope 2>"$TMP/e6.err"; RC=$?
check "a tree without tools/sched_ext is named (rc=$RC)" \
  bash -c "[ $RC = 99 ] && grep -q 'has no tools/sched_ext' '$TMP/e6.err'"
