#!/usr/bin/env bash
# make bench-boot: Debian's cloud kernel under lguest beside QEMU -M pc
# (KVM, SeaBIOS), both inside one nested host, alternating, RUNS rounds
# (default 5): launch to power-off with quiet and with the full console
# (/init = tests/boot/inner-init.sh), and lgtest's default initramfs and
# command line to its boot marker.  Prints the medians and lguest/QEMU.
#   RUNS=5 [KEEP=FILE] bench/run-boot-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
export CACHE=${CACHE:-$PWD/.cache}
runs=${RUNS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-bootcmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$(ci/fetch-kernel.sh)
inner=$(tests/boot/mkinitramfs.sh --init tests/boot/inner-init.sh)
# lgtest's default initramfs, from its own dry run.
printf 'expect "lgtest-boot-marker"\n' >"$tmp/boot.lgt"
lgtest_initrd=$(bin/lgtest run -n --runner qemu "$tmp/boot.lgt" |
	sed -n 's/.* -initrd \([^ ]*\) .*/\1/p')
[ -r "$lgtest_initrd" ] || {
	echo "run-boot-compare: lgtest names no default initramfs" >&2
	exit 2
}
# shellcheck source=bench/nested-qemu.sh
. bench/nested-qemu.sh
qemu_adds
{ echo "RUNS=$runs"; cat bench/compare-outer.sh; } >"$tmp/outer.sh"
echo "# $(uptime)"
tests/boot/nested.sh --launcher bin/lguest-static --mem 1024 \
	--timeout "${TIMEOUT:-5400}" --log "${LOG:-/dev/null}" --script "$tmp/outer.sh" \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" \
	--add "$lgtest_initrd:/lgtest.cpio.gz" "${adds[@]}" >"$tmp/out" 2>&1 || true
[ -z "${KEEP:-}" ] || cp "$tmp/out" "$KEEP"
grep -q "LGCMP-DONE" "$tmp/out" || {
	echo "run-boot-compare: the nested run did not finish" >&2
	tail -30 "$tmp/out" >&2
	exit 1
}
echo "# $(uptime)"
awk -f bench/median.awk -f bench/boot-compare.awk -v runs="$runs" "$tmp/out"
