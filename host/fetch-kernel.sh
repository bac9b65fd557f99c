#!/usr/bin/env bash
# Fetch Debian's newest linux-image-6.12*-cloud-amd64-unsigned into the ktstr kernel cache
# and print the path of its vmlinuz. Never installs the package, never runs initramfs-tools:
# the .deb is downloaded with `apt-get download` and unpacked with `dpkg-deb -x`.
#
# Usage: fetch-kernel.sh [--quiet]     (progress goes to stderr, the path to stdout)
# Env:   KTSTR_CACHE_DIR (default ~/.cache/ktstr), KTSTR_KERNEL_PKG (exact package name)
set -euo pipefail

quiet=0
case "${1:-}" in
  --quiet) quiet=1 ;;
  -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "fetch-kernel.sh: unknown argument '$1'" >&2; exit 2 ;;
esac

say() { [ "$quiet" = 1 ] || echo "ktstr: $*" >&2; }
die() { echo "ktstr: fetch-kernel: $*" >&2; exit 1; }

cache="${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}/kernels"
mkdir -p "$cache" || die "cannot create cache directory $cache"

# A finished unpack is marked by a file holding the vmlinuz path; that makes a second call
# instant and never reuses a half-unpacked tree.
pick_cached() {
  local best="" f
  for f in $(ls -d "$cache"/*/.ktstr-vmlinuz 2>/dev/null | sort -V); do
    [ -f "$f" ] || continue
    best="$f"
  done
  [ -n "$best" ] && cat "$best"
}

pkg="${KTSTR_KERNEL_PKG:-}"
list_pkgs() {
  apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64-unsigned$' 2>/dev/null |
    awk '{print $1}' | sort -V
}
if [ -z "$pkg" ]; then
  # Offline or no apt lists: a cached kernel is good enough.
  if [ -n "$(ls -A "$cache" 2>/dev/null)" ] && out=$(pick_cached); then
    if [ -z "${KTSTR_REFRESH:-}" ]; then echo "$out"; exit 0; fi
  fi
  pkg=$(list_pkgs | tail -n 1)
  if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
    say "no kernel package in the apt lists; running apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    pkg=$(list_pkgs | tail -n 1)
  fi
  [ -n "$pkg" ] || die "no linux-image-6.12*-cloud-amd64-unsigned package found (run 'apt-get update' as root)"
fi

dir="$cache/$pkg"
if [ -f "$dir/.ktstr-vmlinuz" ]; then cat "$dir/.ktstr-vmlinuz"; exit 0; fi

tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
chmod 755 "$tmp"   # apt-get download hands the file to the _apt user
trap 'rm -rf "$tmp"' EXIT
say "downloading $pkg with apt-get download"
( cd "$tmp" && if [ "$quiet" = 1 ]; then apt-get download -q "$pkg"; else apt-get download "$pkg"; fi >&2 ) || die "apt-get download $pkg failed"
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "apt-get download left no .deb in $tmp"
say "unpacking $(basename "$deb")"
mkdir "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$deb has no boot/vmlinuz-*"
rm -rf "$dir"
mv "$tmp/root" "$dir"
echo "$dir/boot/$(basename "$vmlinuz")" > "$dir/.ktstr-vmlinuz"
cat "$dir/.ktstr-vmlinuz"
