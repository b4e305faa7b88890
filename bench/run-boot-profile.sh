#!/usr/bin/env bash
# Where a Linux boot's time goes, lguest beside QEMU -M pc (KVM), both
# inside one nested host, alternating, with and without quiet: launch to
# the /init marker and to exit, the kernel's milestones (dmesg times of
# the same lines) side by side, the largest gaps in each kernel log, and
# lguest's --stats report (exits by kind, port and MMIO address).
#   RUNS=3 MODES="quiet full" [EXTRA_APPEND=...] [KEEP=DIR] bench/run-boot-profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
export CACHE=${CACHE:-$PWD/.cache}
runs=${RUNS:-3}
modes=${MODES:-quiet full}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-bootprof.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$(ci/fetch-kernel.sh)
inner=$(tests/boot/mkinitramfs.sh --init bench/profile-init.sh)
# shellcheck source=bench/nested-qemu.sh
. bench/nested-qemu.sh
qemu_adds
{
	echo "RUNS=$runs"
	echo "MODES='$modes'"
	echo "EXTRA_APPEND='${EXTRA_APPEND:-}'"
	cat bench/profile-outer.sh
} >"$tmp/outer.sh"
tests/boot/nested.sh --launcher bin/lguest-static --mem 1024 \
	--timeout "${TIMEOUT:-3600}" --log "${LOG:-/dev/null}" --script "$tmp/outer.sh" \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "${adds[@]}" >"$tmp/out" 2>&1 || true
[ -z "${KEEP:-}" ] || cp "$tmp/out" "$KEEP"
grep -q "LGPROF-DONE" "$tmp/out" || {
	echo "run-boot-profile: the nested run did not finish" >&2
	tail -30 "$tmp/out" >&2
	exit 1
}
awk -f bench/median.awk -f bench/boot-profile.awk -v modes="$modes" -v runs="$runs" "$tmp/out"
