# SPDX-License-Identifier: GPL-2.0-only
# The cross-process initramfs cache under contention: 8 processes on the same inputs build
# once and get identical bytes; a builder killed mid-build leaves nothing a later process
# trusts. KTSTR_TEST_BUILD_SLEEP_MS holds the builder mid-write (half the payload on disk,
# no header yet) so the others really wait and the kill lands inside the build.
. "$(dirname "$0")/lib.sh"
export KTSTR_CACHE_DIR=$TMP/cache
args=(initramfs -v --busybox -i /usr/bin/cyclictest:/usr/bin/cyclictest)
[ -x /usr/bin/cyclictest ] || args=(initramfs -v --busybox -i /bin/ls:/bin/ls)

pids=()
for i in 1 2 3 4 5 6 7 8; do
  KTSTR_TEST_BUILD_SLEEP_MS=1500 timeout -k 5 300 "$KTSTR" "${args[@]}" -o "$TMP/out.$i" \
    2>"$TMP/race.$i.err" &
  pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
check "8 concurrent processes all succeed ($fails failed)" [ "$fails" = 0 ]
builds=$(cat "$TMP"/race.*.err | grep -c 'initramfs: built')
hits=$(cat "$TMP"/race.*.err | grep -c 'initramfs: cache hit')
check "exactly one of them built the base (built: $builds)" [ "$builds" = 1 ]
check "the other 7 took it from the cache (hits: $hits)" [ "$hits" = 7 ]
same=1
for i in 2 3 4 5 6 7 8; do cmp -s "$TMP/out.1" "$TMP/out.$i" || same=0; done
check "all 8 got identical bytes" [ "$same" = 1 ]
[ "$builds" = 1 ] || cat "$TMP"/race.*.err | diag /dev/stdin

# A builder SIGKILLed mid-build, with a second process waiting on it.
"$KTSTR" cache clean >/dev/null
KTSTR_TEST_BUILD_SLEEP_MS=20000 "$KTSTR" "${args[@]}" -o "$TMP/killed" 2>"$TMP/killed.err" &
builder=$!
for _ in $(seq 1 600); do grep -qs 'sleeping' "$TMP/killed.err" && break; sleep 0.05; done
check "the builder reached the middle of its build" grep -q 'sleeping' "$TMP/killed.err"
timeout -k 5 300 "$KTSTR" "${args[@]}" -o "$TMP/waiter" 2>"$TMP/waiter.err" &
waiter=$!
sleep 0.5
kill -KILL "$builder"
wait "$builder" 2>/dev/null
wait "$waiter"
RC=$?
check "the waiting process succeeds after the builder dies (rc=$RC)" [ "$RC" = 0 ]
check "it says the builder stopped before finishing" grep -q 'stopped before finishing' "$TMP/waiter.err"
check "it discarded the half-written entry" grep -q 'discarding cache entry' "$TMP/waiter.err"
check "and built it again itself" grep -q 'initramfs: built' "$TMP/waiter.err"
check "its archive is the correct one" cmp -s "$TMP/out.1" "$TMP/waiter"
check "the killed builder wrote no output file" [ ! -e "$TMP/killed" ]

# Killed with nobody waiting: the next process does not trust the leftover.
"$KTSTR" cache clean >/dev/null
KTSTR_TEST_BUILD_SLEEP_MS=20000 "$KTSTR" "${args[@]}" -o "$TMP/killed2" 2>"$TMP/killed2.err" &
builder=$!
for _ in $(seq 1 600); do grep -qs 'sleeping' "$TMP/killed2.err" && break; sleep 0.05; done
kill -KILL "$builder"; wait "$builder" 2>/dev/null
left=$(ls "$KTSTR_CACHE_DIR/initramfs" | grep -c '\.img$')
check "the killed builder left its partial entry behind ($left)" [ "$left" = 1 ]
run_ktstr later "${args[@]}" -o "$TMP/later"
check "a later process succeeds (rc=$RC)" [ "$RC" = 0 ]
check "it rejected the partial entry" grep -q 'discarding cache entry.*header' "$TMP/later.err"
check "and rebuilt" grep -q 'initramfs: built' "$TMP/later.err"
check "with the correct bytes" cmp -s "$TMP/out.1" "$TMP/later"
run_ktstr list cache list
check "the cache now holds one good entry" \
  bash -c "[ \$(grep -c ' ok' '$TMP/list.out') = 1 ] && grep -q '^# 1 entry' '$TMP/list.out'"
