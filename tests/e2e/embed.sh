# SPDX-License-Identifier: GPL-2.0-only
# docs/embedding.md, run verbatim: ktstr's archive appended to a gzip cpio made with cpio(1),
# booted with plain qemu-system-x86_64 (no ktstr driver), the report port captured to a
# file, and 'ktstr decode' of that file says the guest passed.
. "$(dirname "$0")/lib.sh"

doc=$TOP/docs/embedding.md
# The fenced block between the embed-test markers is the script.
sed -n '/<!-- embed-test: begin -->/,/<!-- embed-test: end -->/p' "$doc" |
  sed -e '/^<!--/d' -e '/^```/d' > "$TMP/steps.sh"
check "docs/embedding.md has the step-by-step block" grep -q '^ktstr decode report.bin' "$TMP/steps.sh"

if ! need_kernel; then
  not_ok "fetch the test kernel"; exit 0
fi

mkdir -p "$TMP/work"
( cd "$TMP/work" &&
  PATH=$BUILD/bin:$PATH KERNEL=$KERNEL KTSTR_CACHE_DIR=$TMP/cache \
    timeout -k 5 300 bash -e "$TMP/steps.sh" ) >"$TMP/steps.out" 2>"$TMP/steps.err"
RC=$?
check "the documented steps succeed and decode exits 0 (rc=$RC)" [ "$RC" = 0 ]
check "the guest booted the test kernel ($KERNEL_VERSION)" \
  grep -q "^guest: Linux $KERNEL_VERSION x86_64" "$TMP/steps.out"
check "decode shows the guest passed" grep -q '^guest exit: status 0 (ok)' "$TMP/steps.out"
check "the kernel ran ktstr-init as /init from the appended archive" \
  grep -q 'Run /init as init process' "$TMP/work/console.log"
check "the user's gzip archive is a real gzip cpio" \
  bash -c "gzip -dc '$TMP/work/mine.cpio.gz' | cpio -it --quiet | grep -qx etc/motd"
check "ktstr's archive is the tail of the combined image" \
  bash -c "tail -c \$(stat -c %s '$TMP/work/ktstr.cpio.lz4') '$TMP/work/combined.img' | cmp -s - '$TMP/work/ktstr.cpio.lz4'"
[ "$RC" = 0 ] || diag "$TMP/steps.out" "$TMP/steps.err"

# The variant that keeps the user's /init: ktstr-init at /ktstr/init, uncompressed, first.
sed -n '/<!-- embed-test-keep-init: begin -->/,/<!-- embed-test-keep-init: end -->/p' "$doc" |
  sed -e '/^<!--/d' -e '/^```/d' > "$TMP/keep.sh"
( cd "$TMP/work" &&
  PATH=$BUILD/bin:$PATH KERNEL=$KERNEL KTSTR_CACHE_DIR=$TMP/cache \
    timeout -k 5 300 bash -e "$TMP/keep.sh" ) >"$TMP/keep.out" 2>"$TMP/keep.err"
RC=$?
check "keeping your own /init: the documented steps pass (rc=$RC)" [ "$RC" = 0 ]
check "the kernel ran /ktstr/init" grep -q 'Run /ktstr/init as init process' "$TMP/work/console-keep.log"
check "decode shows the guest passed" grep -q '^guest exit: status 0 (ok)' "$TMP/keep.out"
check "the archive left the user's /init alone" \
  bash -c "! cpio -it --quiet < '$TMP/work/ktstr.cpio' | grep -qx init"
[ "$RC" = 0 ] || diag "$TMP/keep.out" "$TMP/keep.err" "$TMP/work/console-keep.log"
