#!/bin/bash
# Fetch Debian's cloud kernel (vmlinuz + modules) into a cache, without
# installing it: the boot tests need a real, stock kernel to boot.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: ci/fetch-kernel.sh [--print WHAT] [--refresh] [CACHE_DIR]

Downloads Debian's linux-image-cloud-amd64 metapackage, resolves the
linux-image-<version>-cloud-amd64 package it depends on, downloads that and
unpacks it with dpkg -x into CACHE_DIR/kernels/<version>/.  Nothing is
installed.  A second run finds the cache and does no network work.

CACHE_DIR defaults to $CACHE, else <repo>/.cache.

Prints on stdout (progress goes to stderr):
  --print kernel    the vmlinuz path (default)
  --print modules   the modules directory (.../lib/modules/<version>)
  --print version   the kernel release, e.g. 6.1.0-56-cloud-amd64
  --print root      the unpacked package root
Options:
  --refresh         ask apt again which version is current (network)
  -h, --help        this text
Exit status: 0 on success, 1 on failure (with a message on stderr).
EOF
}

die() { echo "fetch-kernel: error: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*" >&2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=kernel
refresh=0
cache=${CACHE:-$repo/.cache}
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--print) [ $# -ge 2 ] || die "--print needs an argument"; what=$2; shift 2 ;;
	--print=*) what=${1#--print=}; shift ;;
	--refresh) refresh=1; shift ;;
	-*) usage >&2; die "unknown option $1" ;;
	*) cache=$1; shift ;;
	esac
done
case $what in kernel|modules|version|root) ;; *) die "--print: kernel|modules|version|root, not '$what'" ;; esac

kdir=$cache/kernels
mkdir -p "$kdir" || die "cannot create $kdir"
cache=$(cd "$cache" && pwd)
kdir=$cache/kernels

# Print what was asked for about one unpacked, complete kernel tree.
emit() {
	local ver=$1 root=$kdir/$1
	case $what in
	kernel) echo "$root/boot/vmlinuz-$ver" ;;
	modules) echo "$root/lib/modules/$ver" ;;
	version) echo "$ver" ;;
	root) echo "$root" ;;
	esac
}

# A tree is complete only once its stamp exists: the stamp is written last,
# so an interrupted unpack is never mistaken for a good one.
complete() { [ -f "$kdir/$1/.complete" ] && [ -f "$kdir/$1/boot/vmlinuz-$1" ]; }

# Fast path: the last resolved version is remembered in kernels/current.
if [ "$refresh" = 0 ] && [ -f "$kdir/current" ]; then
	ver=$(cat "$kdir/current")
	if [ -n "$ver" ] && complete "$ver"; then
		emit "$ver"
		exit 0
	fi
fi

command -v apt-get >/dev/null || die "apt-get not found: this needs a Debian host"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

tmp=$(mktemp -d "$kdir/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt drops to the _apt user for downloads; let it write here to avoid the
# "unsandboxed" warning (the directory is ours and short-lived).
chmod 0777 "$tmp"

# apt-get download, retrying once after 'apt-get update' when the package
# lists are missing or stale (a fresh machine has none).
download() {
	if (cd "$tmp" && apt-get download "$@") >&2; then
		return 0
	fi
	log "apt-get download $* failed; running apt-get update and retrying"
	apt-get update >&2 || die "apt-get update failed"
	(cd "$tmp" && apt-get download "$@") >&2 || die "apt-get download $* failed"
}

first() { echo "$1"; }

log "resolving linux-image-cloud-amd64"
download linux-image-cloud-amd64
meta=$(first "$tmp"/linux-image-cloud-amd64_*.deb)
[ -f "$meta" ] || die "metapackage .deb not found after download"
# Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)
deps=$(dpkg-deb -f "$meta" Depends)
pkg=$(printf '%s\n' "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*-cloud-amd64\).*/\1/p' | head -n1)
pkgver=$(printf '%s\n' "$deps" | tr ',' '\n' | sed -n "s/^ *$pkg *(= *\([^)]*\)).*/\1/p" | head -n1)
[ -n "$pkg" ] || die "cannot find linux-image-*-cloud-amd64 in Depends: $deps"
ver=${pkg#linux-image-}
log "kernel package $pkg${pkgver:+ $pkgver}"

if complete "$ver"; then
	log "$ver already unpacked"
else
	if [ -n "$pkgver" ]; then
		download "$pkg=$pkgver"
	else
		download "$pkg"
	fi
	deb=$(first "$tmp"/"$pkg"_*.deb)
	[ -f "$deb" ] || die "$pkg .deb not found after download"
	log "unpacking $(basename "$deb")"
	rm -rf "$kdir/$ver.part.$$"
	dpkg-deb -x "$deb" "$kdir/$ver.part.$$" || die "dpkg-deb -x $deb failed"
	[ -f "$kdir/$ver.part.$$/boot/vmlinuz-$ver" ] || die "$deb has no boot/vmlinuz-$ver"
	rm -rf "${kdir:?}/$ver"
	mv "$kdir/$ver.part.$$" "$kdir/$ver"
	touch "$kdir/$ver/.complete"
fi
echo "$ver" >"$kdir/current.tmp" && mv "$kdir/current.tmp" "$kdir/current"
emit "$ver"
