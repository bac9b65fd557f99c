# SPDX-License-Identifier: GPL-2.0-only
# Kernel discovery: a package root directory, a version string, the cache, nothing given;
# files that are not kernels; 'ktstr kernel list'; 'ktstr doctor'.
. "$(dirname "$0")/lib.sh"

# Nothing given and nothing cached: say how to get a kernel, exit 2.
run_env() { local name=$1; shift; HOME=$TMP/home KTSTR_CACHE_DIR=$TMP/empty KTSTR_KERNEL= run_ktstr "$name" "$@"; }
if [ ! -r "/boot/vmlinuz-$(uname -r)" ] && [ ! -r "/lib/modules/$(uname -r)/vmlinuz" ]; then
  run_env nokernel run
  check "no kernel anywhere is exit 2 (rc=$RC)" [ "$RC" = 2 ]
  check "the message says to run 'ktstr kernel fetch'" grep -q "ktstr kernel fetch" "$TMP/nokernel.err"
  run_env doctor_nokernel doctor
  check "doctor without a kernel exits 1 (rc=$RC)" [ "$RC" = 1 ]
  check "and names the fix" grep -q "^FAIL  kernel .*fix: ktstr kernel fetch" "$TMP/doctor_nokernel.out"
else
  skip "no kernel anywhere is exit 2" "the running kernel's image is readable here"
fi

cp /bin/true "$TMP/vmlinux"
run_ktstr elf run --kernel "$TMP/vmlinux"
check "an ELF file is exit 2 naming what it is (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'x86-64 ELF file' '$TMP/elf.err'"
mkdir -p "$TMP/nokdir"
run_ktstr nokdir run --kernel "$TMP/nokdir"
check "a directory without a kernel is exit 2 (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q 'holds no kernel' '$TMP/nokdir.err'"
run_ktstr nover run --kernel 9.99.99-nosuch
check "an unknown version is exit 2 naming where it looked (rc=$RC)" \
  bash -c "[ $RC = 2 ] && grep -q '/boot/vmlinuz-9.99.99-nosuch' '$TMP/nover.err'"

run_ktstr doctor doctor
check "doctor exits 0 on this machine (rc=$RC)" [ "$RC" = 0 ]
check "doctor prints one line per check" \
  bash -c "[ \$(grep -cE '^(ok  |warn|FAIL)  ' '$TMP/doctor.out') -ge 10 ]"
check "doctor finds the libraries --modules and --junit load when used" \
  bash -c "grep -q '^ok    libkmod    libkmod.so.2 loads' '$TMP/doctor.out' &&
           grep -q '^ok    libxml2    libxml2.so.2 loads' '$TMP/doctor.out'"
run_ktstr doctorhelp doctor --help
check "doctor --help exits 0" [ "$RC" = 0 ]
run_ktstr kernelhelp kernel --help
check "kernel --help exits 0 and lists fetch" \
  bash -c "[ $RC = 0 ] && grep -q fetch '$TMP/kernelhelp.out'"
run_ktstr kernelbad kernel frob
check "kernel with an unknown subcommand exits 2" [ "$RC" = 2 ]

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi
ROOT=${KERNEL%/boot/*}

# The kernel is cached already, so fetch answers at once with its path.
run_ktstr fetch kernel fetch --quiet
check "kernel fetch prints the cached kernel's path (rc=$RC)" \
  bash -c "[ $RC = 0 ] && [ \"\$(cat '$TMP/fetch.out')\" = '$KERNEL' ]"

run_ktstr list kernel list
# row FILE SOURCE: the kernel's row (version, size, modules yes, source, path) is in FILE
row() { awk -v v="$KERNEL_VERSION" -v k="$KERNEL" -v s="$2" \
  '$1 == v && $2 ~ /^[0-9.]+M$/ && $3 == "yes" && $4 == s && $5 == k { f = 1 } END { exit !f }' "$1"; }
check "kernel list shows the cached kernel with its version and modules" row "$TMP/list.out" cache
run_ktstr listver kernel list "$KERNEL_VERSION"
check "a version string resolves to the cached kernel" grep -q "$KERNEL\$" "$TMP/listver.out"
run_ktstr listroot kernel list "$ROOT"
check "a package root directory resolves to its boot/vmlinuz-*" row "$TMP/listroot.out" package

# One boot: the package root directory with a module from its lib/modules.
run_ktstr rootboot run --kernel "$ROOT" -v --modules virtio_blk --timeout 120s
check "booting a package root directory works (rc=$RC)" [ "$RC" = 0 ]
check "it was found as a package" grep -q "found as package" "$TMP/rootboot.err"
check "it says which accelerator it used" grep -qE "using TCG|accelerator: (KVM|TCG)" "$TMP/rootboot.err"
check "the version comes from the bzImage header" \
  grep -q "^guest: Linux $KERNEL_VERSION " "$TMP/rootboot.out"
[ "$RC" = 0 ] || diag "$TMP/rootboot.err"

# A built tree: arch/x86/boot/bzImage with its modules in place (uncompressed .ko, as a
# build leaves them), made from the package's files. depmod runs on the tree, the module
# loads without in-kernel decompression.
MODS=$ROOT/lib/modules/$KERNEL_VERSION
mkdir -p "$TMP/tree/arch/x86/boot" "$TMP/tree/drivers/block"
cp "$KERNEL" "$TMP/tree/arch/x86/boot/bzImage"
xz -dc "$MODS/kernel/drivers/block/virtio_blk.ko.xz" > "$TMP/tree/drivers/block/virtio_blk.ko"
echo drivers/block/virtio_blk.o > "$TMP/tree/modules.order"
cp "$MODS/modules.builtin" "$TMP/tree/modules.builtin"
KTSTR_CACHE_DIR=$TMP/treecache run_ktstr treeboot run --kernel "$TMP/tree" -v --modules virtio_blk \
  --workers 1 --duration 100ms --timeout 120s
check "booting a built tree works (rc=$RC)" [ "$RC" = 0 ]
check "it was found as a tree with its modules" \
  grep -q "found as tree" "$TMP/treeboot.err"
check "the tree's uncompressed virtio_blk loaded" \
  grep -q "^guest: module virtio_blk loaded (/sys/module/virtio_blk present)" "$TMP/treeboot.out"
[ "$RC" = 0 ] || diag "$TMP/treeboot.err"
