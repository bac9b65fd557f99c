#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Runs every test and prints "N passed, N failed[, N skipped]" last.
# Every test program speaks TAP: "ok ...", "not ok ...", "ok ... # SKIP reason".
#   unit:  build/tests/test_*        (cmocka, plain build)
#   asan:  build/asan/tests/test_*   (the same unit tests under ASan+UBSan)
#   fuzz:  build/fuzz/bin/fuzz_*       (libFuzzer, a short pass over the seed corpus)
#   e2e:   tests/e2e/*.sh            (boot the real kernel under QEMU)
# usage: tests/run.sh BUILD_DIR [unit|asan|e2e|PATTERN]...
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$(cd "${1:-build}" && pwd)
shift || true
filters=("$@")

pass=0 fail=0 skip=0
failed_names=()
log_dir="$B/test-logs"
mkdir -p "$log_dir"

selected() {	# suite, name
  [ ${#filters[@]} -eq 0 ] && return 0
  local f
  for f in "${filters[@]}"; do
    [ "$f" = "$1" ] && return 0
    case "$2" in *"$f"*) return 0 ;; esac
  done
  return 1
}

# Runs one TAP-speaking program and counts its results.
run_tap() {	# suite name cmd...
  local suite=$1 name=$2; shift 2
  local out="$log_dir/$suite-$name.log" rc seen=0 line
  local t0=$SECONDS
  "$@" >"$out" 2>&1 </dev/null
  rc=$?
  while IFS= read -r line; do
    case "$line" in
      "not ok"*)
        fail=$((fail + 1)); seen=1; failed_names+=("$suite/$name: ${line#not ok }") ;;
      "ok "*"# SKIP"*|"ok "*"# skip"*)
        skip=$((skip + 1)); seen=1 ;;
      "ok "*)
        pass=$((pass + 1)); seen=1 ;;
    esac
  done < <(grep -E '^(not )?ok ' "$out")
  if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
    fail=$((fail + 1)); failed_names+=("$suite/$name: exited $rc (see $out)")
  fi
  [ "$seen" = 0 ] && [ "$rc" = 0 ] && { fail=$((fail + 1)); failed_names+=("$suite/$name: ran no test"); }
  printf '%-5s %-28s %3ds  %s\n' "$suite" "$name" $((SECONDS - t0)) \
    "$(grep -cE '^ok ' "$out") ok, $(grep -c '^not ok' "$out") not ok" >&2
  if grep -q '^not ok' "$out" || [ "$rc" -ne 0 ]; then
    sed 's/^/    /' "$out" | tail -n 40 >&2
  fi
}

export CMOCKA_MESSAGE_OUTPUT=TAP
export KTSTR_BUILD="$B" KTSTR_TOP="$top"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for t in "$B"/tests/test_*; do
  [ -x "$t" ] && [[ "$t" != *.d ]] || continue
  n=$(basename "$t"); selected unit "$n" && run_tap unit "$n" "$t"
done
for t in "$B"/asan/tests/test_*; do
  [ -x "$t" ] && [[ "$t" != *.d ]] || continue
  n=$(basename "$t"); selected asan "$n" && run_tap asan "$n" "$t"
done
# A short fuzz pass over the seed corpus of real captured streams (KTSTR_FUZZ_SECONDS, 30).
if selected fuzz fuzz && compgen -G "$B/fuzz/bin/fuzz_*" >/dev/null; then
  run_tap fuzz decoders "$top/tests/fuzz/run.sh" "$B" "${KTSTR_FUZZ_SECONDS:-30}"
fi
for t in "$top"/tests/e2e/*.sh; do
  [ -f "$t" ] || continue
  n=$(basename "$t" .sh); [ "$n" = lib ] && continue
  selected e2e "$n" && run_tap e2e "$n" bash "$t"
done

if [ ${#failed_names[@]} -gt 0 ]; then
  echo "failures:" >&2
  printf '  %s\n' "${failed_names[@]}" >&2
fi
if [ "$skip" -gt 0 ]; then
  echo "$pass passed, $fail failed, $skip skipped"
else
  echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
