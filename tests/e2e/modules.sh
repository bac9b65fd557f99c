# SPDX-License-Identifier: GPL-2.0-only
# --modules: resolved with libkmod against Debian's cloud kernel (which ships no modules.dep,
# so depmod -b runs into the cache), packed with dependencies, loaded by ktstr-init.
. "$(dirname "$0")/lib.sh"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi
# A private cache, so the depmod step really runs here
export KTSTR_CACHE_DIR=$TMP/cache

run_ktstr missing run --kernel "$KERNEL" --modules virtio_blk,no_such_module_xyz
check "a missing module is a usage error before boot (rc=$RC)" [ "$RC" = 2 ]
check "the message names the module" grep -q "no module 'no_such_module_xyz'" "$TMP/missing.err"
check "no VM was started for it" bash -c "! grep -q '^guest:' '$TMP/missing.out'"

run_ktstr baddir run --kernel "$KERNEL" --modules virtio_blk --modules-dir "$TMP/nowhere"
check "an unreadable --modules-dir is a usage error naming it (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q '$TMP/nowhere' '$TMP/baddir.err'"

run_ktstr blk run --kernel "$KERNEL" -v --modules virtio_blk,virtio_net --timeout 120s
check "a run with --modules virtio_blk,virtio_net passes (rc=$RC)" [ "$RC" = 0 ]
[ "$RC" = 0 ] || diag "$TMP/blk.err"
check "the guest has /sys/module/virtio_blk" \
  grep -q "^guest: module virtio_blk loaded (/sys/module/virtio_blk present)" "$TMP/blk.out"
# virtio_net needs net_failover needs failover: loaded in that order
check "dependencies were loaded first, in order" bash -c "
  grep -o 'module [a-z_]* loaded' '$TMP/blk.out' | tr '\n' ' ' |
  grep -q 'module failover loaded module net_failover loaded module virtio_net loaded'"
check "depmod's output is cached in KTSTR_CACHE_DIR" \
  bash -c "ls '$KTSTR_CACHE_DIR'/modules/*/lib/modules/*/modules.dep.bin >/dev/null"
check "no half-built depmod directory is left" \
  bash -c "[ -z \"\$(ls -d '$KTSTR_CACHE_DIR'/modules/.depmod.* 2>/dev/null)\" ]"
diag "$TMP/blk.out"
