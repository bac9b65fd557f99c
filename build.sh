#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The one entry point: dependencies, build, tests, benchmarks, install. See --help.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$top"
B=build
JOBS=$(nproc 2>/dev/null || echo 2)

# Debian packages the build, the tests and the runs need (see README "Dependencies").
DEPS=(
  gcc make musl-tools          # compilers: host (glibc) and guest (static musl)
  liblz4-dev libxxhash-dev     # initramfs compression, checksums and cache keys
  libcmocka-dev                # unit tests
  libxml2-dev                  # JUnit XML output (xmlwriter), parsed back in the tests
  libinih-dev                  # job files (INI), linked statically
  libjansson-dev               # QMP (vCPU threads for pinning), --json output
  libkmod-dev kmod             # --modules: module lookup and dependencies, depmod -b
  clang libclang-rt-14-dev     # fuzzing (libFuzzer) and sanitizers
  busybox-static               # the guest's shell and tools
  rt-tests tmux                # shell tests: cyclictest packed with -i, a pseudo-terminal
  qemu-system-x86              # the VMM
  lz4 cpio file gzip           # tests check our archives with the standard tools
  apt dpkg                     # kernel fetch: apt-get download, dpkg-deb -x
)
# Only for building a sched_ext kernel and its schedulers (test-scx, 'ktstr kernel build').
SCX_DEPS=(
  flex bison bc libelf-dev libssl-dev   # the kernel build
  dwarves                               # pahole: BTF, which BPF schedulers need
  clang-19 llvm-19                      # tools/sched_ext: clang >= 16, llvm-strip
  libzstd-dev zlib1g-dev                # the schedulers' static link (libelf's own deps)
)

usage() {
  cat <<'EOF'
usage: ./build.sh [TARGET] [ARGS]

targets:
  all             install missing Debian packages, build build/bin/ktstr and ktstr-init (default)
  test            build, then run every test; the last line is "N passed, N failed[, N skipped]"
                  (the sched_ext tests run when a sched_ext kernel is cached, else SKIP)
  test-scx        build (or reuse) the sched_ext kernel and schedulers (35+ min the first
                  time on 2 CPUs), then run the sched_ext tests
  kernel          fetch the test kernel (Debian's 6.12 cloud kernel) if needed; print its path
  demo            build, fetch the kernel and boot it with 'ktstr run'
  install         install to PREFIX (default /usr/local): bin/ktstr, libexec/ktstr/ktstr-init
                  (./build.sh install PREFIX=/opt/ktstr)
  fuzz [SECONDS]  run every fuzz target for SECONDS in total (60) from the seed corpus
  bench           build, then run the benchmarks and print a table with ratios to baselines
  clean           remove build/
  deps            only install the missing Debian packages
  -h, --help      this text

environment: KTSTR_CACHE_DIR (kernel and initramfs cache, default ~/.cache/ktstr), CC, MUSLCC
EOF
}

log() { echo "build.sh: $*" >&2; }

missing_deps() {	# [PACKAGE...], default DEPS
  local p
  [ $# -gt 0 ] || set -- "${DEPS[@]}"
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
      echo "$p"
  done
}

deps() {	# [PACKAGE...], default DEPS
  local miss
  miss=$(missing_deps "$@" | tr '\n' ' ')
  [ -z "${miss// /}" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: $miss"
    log "install them with: sudo apt-get install $miss"
    exit 1
  fi
  log "installing missing Debian packages: $miss"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || { log "apt-get update failed"; exit 1; }
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $miss >&2 ||
    { log "apt-get install $miss failed"; exit 1; }
}

build() {
  deps
  make -s -j"$JOBS" -f host/Makefile B="$B"
  make -s -j"$JOBS" -f guest/Makefile B="$B"
}

build_tests() {
  build
  make -s -j"$JOBS" -f tests/Makefile B="$B"
  make -s -j"$JOBS" -f host/Makefile B="$B" V=asan
  make -s -j"$JOBS" -f tests/Makefile B="$B" V=asan
  make -s -j"$JOBS" -f tests/fuzz/Makefile B="$B"
}

kernel() {
  deps >&2
  host/fetch-kernel.sh
}

target=${1:-all}
[ $# -gt 0 ] && shift
case "$target" in
  all) build ;;
  deps) deps ;;
  test)
    build_tests
    exec tests/run.sh "$B" "$@"
    ;;
  kernel) kernel ;;
  test-scx)
    build_tests
    deps "${SCX_DEPS[@]}"
    # Through ktstr, so make -j gets the CPUs the lock planner grants.
    "$B/bin/ktstr" kernel build >/dev/null
    "$B/bin/ktstr" scx build >/dev/null
    exec tests/run.sh "$B" scx kernel_build "$@"
    ;;
  fuzz)
    build_tests
    secs=${1:-60}
    case "$secs" in ''|*[!0-9]*) log "fuzz: '$secs' is not a number of seconds"; exit 2 ;; esac
    tests/fuzz/run.sh "$B" "$secs"
    ;;
  bench)
    build
    exec tests/bench/run.sh "$B" "$@"
    ;;
  demo)
    build
    k=$(kernel)
    log "booting $k"
    exec "$B/bin/ktstr" run --kernel "$k" -v "$@"
    ;;
  install)
    prefix=/usr/local
    for a in "$@"; do
      case "$a" in
        PREFIX=*) prefix=${a#PREFIX=} ;;
        *) log "install: unknown argument '$a' (expected PREFIX=DIR)"; exit 2 ;;
      esac
    done
    build
    install -D -m 0755 "$B/bin/ktstr" "$prefix/bin/ktstr"
    install -D -m 0755 "$B/bin/ktstr-init" "$prefix/libexec/ktstr/ktstr-init"
    install -D -m 0755 host/fetch-kernel.sh "$prefix/libexec/ktstr/fetch-kernel.sh"
    install -D -m 0755 host/kernel-build.sh "$prefix/libexec/ktstr/kernel-build.sh"
    install -D -m 0644 host/kconfig/sched_ext.config "$prefix/libexec/ktstr/kconfig/sched_ext.config"
    log "installed ktstr into $prefix"
    ;;
  clean) rm -rf "$B" ;;
  -h|--help|help) usage ;;
  *) log "unknown target '$target'"; usage >&2; exit 2 ;;
esac
