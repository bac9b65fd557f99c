#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build a sched_ext kernel and the schedulers of its tools/sched_ext into the ktstr cache.
#
# usage: kernel-build.sh kernel [--source DIR] [--jobs N]      build (or reuse) a kernel;
#                                                              print its bzImage path
#        kernel-build.sh scx [--source DIR] [--jobs N] [NAME...]  build schedulers (scx_simple,
#                                                              scx_qmap, ...); print their dir
#        kernel-build.sh find                                  print the newest built kernel
#        kernel-build.sh verify CONFIG                         check a .config against the
#                                                              fragment; name what is not =y
#        kernel-build.sh key [--source DIR]                    print the cache key
#
# With no --source, Debian's linux-source-6.12 is fetched with `apt-get download` and unpacked
# into the cache (no root needed). The kernel gets x86_64_defconfig plus ktstr's fragment
# (kconfig/sched_ext.config); every option in it must come out =y or the build stops naming
# the ones that did not. Results are cached under a key made of the source's identity and the
# fragment; an interrupted build leaves no cache entry (it is published by one rename).
# Progress goes to stderr, the result path to stdout.
# Env: KTSTR_CACHE_DIR (default ~/.cache/ktstr), CLANG (default clang-19).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
frag=${KTSTR_KCONFIG:-$here/kconfig/sched_ext.config}
cache=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}
built=$cache/kernels-built
CLANG=${CLANG:-clang-19}
LLVM_STRIP=${LLVM_STRIP:-llvm-strip-${CLANG#clang-}}

say() { echo "ktstr: $*" >&2; }
die() { echo "ktstr: kernel build: $*" >&2; exit "${2:-1}"; }

usage() { sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; }

cmd=${1:-}
[ $# -gt 0 ] && shift
source_dir="" jobs=$(nproc) names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --source) [ $# -ge 2 ] || die "--source needs a directory" 2; source_dir=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number" 2; jobs=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$1'" 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
case "$jobs" in ''|*[!0-9]*|0) die "--jobs: '$jobs' is not a positive number" 2 ;; esac
[ -r "$frag" ] || die "kconfig fragment $frag not readable"

# Prints the source tree to use, fetching Debian's linux-source-6.12 when none was given.
source_tree() {
  if [ -n "$source_dir" ]; then
    [ -f "$source_dir/Makefile" ] && [ -d "$source_dir/kernel/sched" ] ||
      die "--source $source_dir is not a kernel source tree (no Makefile, kernel/sched)" 2
    (cd "$source_dir" && pwd)
    return
  fi
  local ver dir tmp tarball
  ver=$(apt-cache show linux-source-6.12 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
  if [ -z "$ver" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 || die "apt-get update failed"
    ver=$(apt-cache show linux-source-6.12 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
  fi
  [ -n "$ver" ] || die "linux-source-6.12 is not in the apt lists (run 'apt-get update' as root)"
  dir=$cache/src/linux-source-6.12_$ver
  if [ ! -f "$dir/.ktstr-ready" ]; then
    mkdir -p "$cache/src"
    tmp=$(mktemp -d "$cache/src/.fetch.XXXXXX")
    chmod 755 "$tmp"	# apt-get download hands the file to the _apt user
    say "downloading linux-source-6.12 $ver"
    (cd "$tmp" && apt-get download -q "linux-source-6.12=$ver" >&2) ||
      { rm -rf "$tmp"; die "apt-get download linux-source-6.12=$ver failed"; }
    dpkg-deb -x "$tmp"/linux-source-6.12_*.deb "$tmp/deb" || { rm -rf "$tmp"; die "dpkg-deb -x failed"; }
    tarball=$(ls "$tmp"/deb/usr/src/linux-source-6.12.tar.* | head -n 1)
    say "unpacking $(basename "$tarball")"
    mkdir "$tmp/tree"
    tar -xf "$tarball" -C "$tmp/tree" --strip-components=1 || { rm -rf "$tmp"; die "unpacking $tarball failed"; }
    rm -rf "$dir"
    touch "$tmp/tree/.ktstr-ready"
    mv "$tmp/tree" "$dir"
    rm -rf "$tmp"
  fi
  echo "$dir"
}

# A source's identity for the cache key: Debian's version, or the tree's path and version.
source_id() {	# tree
  local v
  v=$(make -s -C "$1" kernelversion 2>/dev/null || echo unknown)
  echo "tree=$1 version=$v"
}

# Shows a progress line while make runs (a counter on a terminal, a line a minute otherwise).
run_make() {	# log what make-args...
  local log=$1 what=$2; shift 2
  local t0=$SECONDS pid last=0
  make "$@" >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; exit 130' INT TERM
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    local el=$((SECONDS - t0)) n
    n=$(grep -c '^  [A-Z]' "$log" 2>/dev/null || true)
    if [ -t 2 ]; then
      printf '\rktstr: %s: %d steps, %d:%02d elapsed ' "$what" "$n" $((el / 60)) $((el % 60)) >&2
    elif [ $((el - last)) -ge 60 ]; then
      last=$el
      echo "ktstr: $what: $n steps, $((el / 60)) min elapsed" >&2
    fi
  done
  trap - INT TERM
  [ -t 2 ] && echo >&2
  if ! wait "$pid"; then
    tail -n 30 "$log" >&2
    die "$what failed; full log: $log"
  fi
}

# The fragment's options: every CONFIG_X=y line.
frag_options() { sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$frag"; }

# Every option of the fragment must be =y in config; names the ones that are not.
verify() {	# config
  local opt missing=()
  [ -r "$1" ] || die "verify: cannot read $1" 2
  while read -r opt; do
    grep -qx "$opt=y" "$1" || missing+=("$opt")
  done < <(frag_options)
  [ ${#missing[@]} -eq 0 ] ||
    die "these options from $frag are not =y in $1: ${missing[*]}"
}

configure() {	# tree obj
  local tree=$1 obj=$2 opt
  make -s -C "$tree" O="$obj" x86_64_defconfig >&2
  while read -r opt; do
    "$tree/scripts/config" --file "$obj/.config" -e "${opt#CONFIG_}"
  done < <(frag_options)
  make -s -C "$tree" O="$obj" olddefconfig >&2
  verify "$obj/.config"
}

# The cache key: the source's identity and the fragment's text.
cache_key() {	# tree
  { source_id "$1"; cat "$frag"; } | sha256sum | cut -c1-16
}

build_kernel() {
  local tree key obj out stage
  tree=$(source_tree)
  key=$(cache_key "$tree")
  out=$built/$key
  if [ -f "$out/.ktstr-vmlinuz" ]; then cat "$out/.ktstr-vmlinuz"; return; fi
  obj=$cache/build/$key
  mkdir -p "$obj" "$built"
  say "configuring $(basename "$tree") with $(basename "$frag") (build dir $obj)"
  configure "$tree" "$obj"
  say "building bzImage with make -j$jobs (20-40 minutes without KVM-grade CPUs)"
  run_make "$obj/build.log" "kernel build" -C "$tree" O="$obj" -j"$jobs" bzImage
  stage=$(mktemp -d "$built/.stage.XXXXXX")
  trap 'rm -rf "$stage"; exit 130' INT TERM
  cp "$obj/arch/x86/boot/bzImage" "$stage/bzImage"
  cp "$obj/.config" "$stage/config"
  cp "$obj/vmlinux" "$stage/vmlinux"	# BTF source for the schedulers' vmlinux.h
  { source_id "$tree"; echo "sched_ext=yes"; echo "source=$tree"; echo "obj=$obj"; } >"$stage/info"
  echo "$out/bzImage" >"$stage/.ktstr-vmlinuz"
  rm -rf "$out"
  mv "$stage" "$out"
  trap - INT TERM
  cat "$out/.ktstr-vmlinuz"
}

# Schedulers are relinked statically (libbpf.a, libelf, zlib, zstd) so the guest needs no
# shared libraries for them.
build_scx() {
  local kernel out obj tree all=() n bins=()
  kernel=$(build_kernel)
  out=$(dirname "$kernel")
  tree=$(sed -n 's/^source=//p' "$out/info")
  obj=$(sed -n 's/^obj=//p' "$out/info")
  [ -d "$tree/tools/sched_ext" ] || die "$tree has no tools/sched_ext"
  # The tree's own list of C schedulers.
  read -r -a all < <(sed -n 's/^c-sched-targets = //p' "$tree/tools/sched_ext/Makefile")
  [ ${#names[@]} -gt 0 ] || names=("${all[@]}")
  for n in "${names[@]}"; do
    [[ " ${all[*]} " == *" $n "* ]] || die "no scheduler '$n' in $tree/tools/sched_ext (has: ${all[*]})" 2
    [ -x "$out/scx/$n" ] || bins+=("$n")
  done
  if [ ${#bins[@]} -gt 0 ]; then
    command -v "$CLANG" >/dev/null || die "$CLANG not found (tools/sched_ext needs clang >= 16)"
    say "building ${bins[*]} with $CLANG"
    # LDFLAGS would also reach libbpf's shared object, so build as the tree does and
    # relink each scheduler statically from its object and libbpf.a afterwards.
    run_make "$obj/scx-build.log" "scx build" -C "$tree/tools/sched_ext" O="$obj" \
      VMLINUX_BTF="$out/vmlinux" CLANG="$CLANG" LLVM_STRIP="$LLVM_STRIP" \
      -j"$jobs" "${bins[@]}"
    mkdir -p "$out/scx"
    for n in "${bins[@]}"; do
      gcc -static -o "$out/scx/.$n.tmp" "$obj/build/obj/sched_ext/$n.o" \
        "$obj/build/obj/libbpf/libbpf.a" -lelf -lz -lzstd -lpthread >>"$obj/scx-build.log" 2>&1 ||
        { rm -f "$out/scx/.$n.tmp"; die "static link of $n failed; full log: $obj/scx-build.log"; }
      mv "$out/scx/.$n.tmp" "$out/scx/$n"
    done
  fi
  echo "$out/scx"
}

case "$cmd" in
  kernel) build_kernel ;;
  scx) build_scx ;;
  find)
    best=$(ls -t "$built"/*/.ktstr-vmlinuz 2>/dev/null | head -n 1 || true)
    [ -n "$best" ] || die "no sched_ext kernel built yet (run: kernel-build.sh kernel)" 1
    cat "$best"
    ;;
  verify)
    [ ${#names[@]} -eq 1 ] || die "verify needs one .config file" 2
    verify "${names[0]}"
    echo "ktstr: ${names[0]}: every option of $(basename "$frag") is =y" >&2
    ;;
  key) cache_key "$(source_tree)" ;;
  -h|--help|"") usage ;;
  *) die "unknown command '$cmd' (kernel, scx, find, verify, key)" 2 ;;
esac
