#!/usr/bin/env bash
# Block throughput and latency as a test guest sees them on this machine's
# /dev/kvm: the guest (tests/guests/virtio_blk_more.c) writes and reads
# SECTORS sectors sequentially in 64 KiB requests, then reads 256 random
# 4 KiB blocks, one request in flight, timing each phase with the TSC it
# calibrates on the CMOS clock.  The disk is a fresh file in TMPDIR.
# Each run boots the guest twice, alternating, sandboxed (the default) and
# with --sandbox=off, so the sandbox's cost on the block path shows side
# by side under the same load; medians of each figure close the table.
#
# Usage: bench/run-blk-guest.sh [--help]   (SECTORS=32768 RUNS=5)
set -euo pipefail
case ${1:-} in
-h | --help)
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
"") ;;
*) echo "run-blk-guest: unknown argument '$1' (see --help)" >&2; exit 1 ;;
esac
cd "$(dirname "$0")/.."
sectors=${SECTORS:-32768}
runs=${RUNS:-5}
guest=tests/guests/bin/guest64.elf
for f in bin/lguest "$guest"; do
	[ -e "$f" ] || { echo "run-blk-guest: $f missing: run make all" >&2; exit 1; }
done
[ -w /dev/kvm ] || { echo "run-blk-guest: /dev/kvm is not usable" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/lguest-blk-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "virtio-blk seen by a test guest: $((sectors / 2)) KiB sequential in 64 KiB requests, 256 random 4 KiB reads, queue depth 1"
# One guest boot: prints the guest's "name value unit" figures.
one_run() {
	local out
	rm -f "$dir/disk.img"
	truncate -s $((sectors * 512)) "$dir/disk.img"
	if ! out=$(bin/lguest "$@" --block="$dir/disk.img" 64 "$guest" \
		"lgtest.action=virtio-blk-bench:$sectors" 2>&1); then
		echo "run-blk-guest: the guest failed (exit $?):" >&2
		echo "$out" | tail -5 >&2
		exit 1
	fi
	grep -q 'PASS: virtio-blk bench' <<<"$out" || {
		echo "run-blk-guest: no PASS line:" >&2; echo "$out" | tail -5 >&2; exit 1; }
	sed -n 's/^blk-bench: //p' <<<"$out" | tr -d '\r'
}
for run in $(seq 1 "$runs"); do
	for mode in sandboxed off; do
		if [ "$mode" = off ]; then
			one_run --sandbox=off
		else
			one_run
		fi | sed "s/^/$mode /" | tee -a "$dir/figures"
	done | sed "s/^/run $run: /"
done
echo "medians of $runs runs:"
awk -F': ' -f bench/median.awk -f bench/blk-guest.awk "$dir/figures"
echo "Note: /dev/kvm here is a software KVM (no VT-x/AMD-V): every doorbell"
echo "and register access is a slow exit, so these figures mostly measure"
echo "exit cost, not the launcher's block path or the disk."
