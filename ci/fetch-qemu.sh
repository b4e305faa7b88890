#!/bin/bash
# Fetch a newer QEMU (Debian's bookworm-backports build) into the cache,
# without installing it, for the one job bookworm's QEMU 7.2 cannot do: a
# nested host whose guests run AVX (VEX) instructions.  Under 7.2's TCG a
# guest of kvm-amd inside the nested host takes #UD or a triple fault on
# its first VMOVDQU, so the test guests' VEX emulator checks cannot run
# there; QEMU 10 runs them.
set -euo pipefail

usage() {
	cat <<'EOF2'
Usage: ci/fetch-qemu.sh [CACHE_DIR]

Downloads qemu-system-x86 and qemu-system-data from Debian's
bookworm-backports (a private apt list: the system's sources are not
touched) and unpacks them with dpkg -x into CACHE_DIR/qemu/<version>/.
Nothing is installed.  A second run finds the cache and does no network
work.  Prints the path of its qemu-system-x86_64 on stdout (progress on
stderr).  The binary finds its own firmware and data beside it.

CACHE_DIR defaults to $CACHE, else <repo>/.cache.
Exit status: 0 on success, 1 on failure (with a message on stderr).
EOF2
}

die() { echo "fetch-qemu: error: $*" >&2; exit 1; }
log() { echo "fetch-qemu: $*" >&2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case ${1:-} in
-h | --help) usage; exit 0 ;;
-*) die "unknown option '$1' (see --help)" ;;
esac
cache=${1:-${CACHE:-$repo/.cache}}
suite=bookworm-backports

# A cached copy that runs is the answer.
for q in "$cache"/qemu/*/usr/bin/qemu-system-x86_64; do
	if [ -x "$q" ] && "$q" --version >/dev/null 2>&1; then
		echo "$q"
		exit 0
	fi
done

command -v apt-get >/dev/null || die "apt-get not found: this needs Debian's archive"
command -v dpkg >/dev/null || die "dpkg not found"
mkdir -p "$cache/qemu" || die "cannot create $cache/qemu"
work=$(mktemp -d "$cache/qemu/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"
echo "deb http://deb.debian.org/debian $suite main" >"$work/sources.list"
apt=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/nonexistent
	-o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work/archives"
	-o APT::Sandbox::User=root)
log "reading $suite's package list"
apt-get "${apt[@]}" update >"$work/update.log" 2>&1 ||
	{ tail -5 "$work/update.log" >&2; die "apt-get update for $suite failed"; }
version=$(apt-cache "${apt[@]}" show qemu-system-x86 2>/dev/null |
	awk '/^Version:/ && /bpo/ { print $2; exit }')
[ -n "$version" ] || die "no qemu-system-x86 in $suite"
log "qemu-system-x86 $version"
(cd "$work" && apt-get "${apt[@]}" download "qemu-system-x86=$version" \
	"qemu-system-data=$version") >"$work/download.log" 2>&1 ||
	{ tail -5 "$work/download.log" >&2; die "downloading QEMU $version failed"; }
dest=$cache/qemu/${version//[:~+]/_}
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
for deb in "$work"/*.deb; do
	dpkg -x "$deb" "$dest.tmp" || die "unpacking $deb failed"
done
q=$dest.tmp/usr/bin/qemu-system-x86_64
"$q" --version >/dev/null 2>&1 ||
	die "the unpacked $q does not run (missing libraries? see: ldd $q)"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "$dest/usr/bin/qemu-system-x86_64"
