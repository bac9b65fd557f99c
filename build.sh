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
  qemu-system-x86              # the VMM
  lz4 cpio file gzip           # tests check our archives with the standard tools
  apt dpkg                     # kernel fetch: apt-get download, dpkg-deb -x
)

usage() {
  cat <<'EOF'
usage: ./build.sh [TARGET] [ARGS]

targets:
  all             install missing Debian packages, build build/bin/ktstr and ktstr-init (default)
  test            build, then run every test; the last line is "N passed, N failed[, N skipped]"
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

missing_deps() {
  local p
  for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
      echo "$p"
  done
}

deps() {
  local miss
  miss=$(missing_deps | tr '\n' ' ')
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
    log "installed ktstr into $prefix"
    ;;
  clean) rm -rf "$B" ;;
  -h|--help|help) usage ;;
  *) log "unknown target '$target'"; usage >&2; exit 2 ;;
esac
