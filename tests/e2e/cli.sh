# SPDX-License-Identifier: GPL-2.0-only
# Command-line behaviour that needs no VM: help, version, usage errors.
. "$(dirname "$0")/lib.sh"

run_ktstr help --help
check "ktstr --help exits 0 and lists run" bash -c "[ $RC = 0 ] && grep -q '^  run' '$TMP/help.out'"
run_ktstr version --version
check "ktstr --version prints a version" bash -c "[ $RC = 0 ] && grep -qE '^ktstr [0-9]' '$TMP/version.out'"
run_ktstr runhelp run --help
check "ktstr run --help exits 0" bash -c "[ $RC = 0 ] && grep -q -- '--kernel' '$TMP/runhelp.out'"
run_ktstr badflag run --no-such-flag
check "an unknown flag exits 2 (rc=$RC)" [ "$RC" = 2 ]
check "and names the flag" grep -q "no-such-flag" "$TMP/badflag.err"
run_ktstr badcmd frobnicate
check "an unknown command exits 2 (rc=$RC)" [ "$RC" = 2 ]
run_ktstr badtimeout run --timeout soon
check "a bad --timeout exits 2 naming the value" bash -c "[ $RC = 2 ] && grep -q \"'soon'\" '$TMP/badtimeout.err'"
run_ktstr noargs
check "no arguments exits 2" [ "$RC" = 2 ]
