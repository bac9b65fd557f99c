# SPDX-License-Identifier: GPL-2.0-only
# Helpers for end-to-end tests: TAP output, the test kernel, the binaries, temp dirs.
# A test script sources this, calls need_kernel, runs ktstr and reports with ok/not_ok/skip.
set -u

TOP=${KTSTR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${KTSTR_BUILD:-$TOP/build}
KTSTR=$BUILD/bin/ktstr
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
_n=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP ${2:-}"; }
# check NAME CONDITION-COMMAND...: ok when the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
diag() { sed 's/^/# /' "$@"; }

# The test kernel (fetched by the project's own script, cached).
KERNEL=""
need_kernel() {
  KERNEL=$("$TOP/host/fetch-kernel.sh" --quiet 2>"$TMP/fetch.err") || {
    echo "# kernel fetch failed:"; diag "$TMP/fetch.err"; KERNEL=""; return 1; }
  # 6.12.117+deb12-cloud-amd64 from .../vmlinuz-6.12.117+deb12-cloud-amd64
  KERNEL_VERSION=${KERNEL##*/vmlinuz-}
}

# run_ktstr NAME ARGS...: runs ktstr, leaves status in RC, output in $TMP/NAME.{out,err}
# QEMU 7.2's multi-threaded TCG now and then keeps running an int3 the kernel has already
# patched away (jump labels, static calls), and the guest dies of an "Oops: int3". ktstr
# runs sched_ext guests on one TCG thread to avoid it; elsewhere it is rare (about 1 boot in
# 50 under load). That is the emulator, not the code under test: such a run is retried
# once, and says so.
run_ktstr() {
  local name=$1; shift
  timeout -k 5 300 "$KTSTR" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  RC=$?
  if [ "$RC" = 99 ] && grep -q 'under TCG most likely QEMU running code the kernel had patched' "$TMP/$name.err"; then
    echo "# $name: the guest kernel died of the TCG code-patching race (int3 Oops); retried once"
    grep -m1 'RIP:' "$TMP/$name.err" | sed 's/^/#   /'
    timeout -k 5 300 "$KTSTR" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
    RC=$?
  fi
}
