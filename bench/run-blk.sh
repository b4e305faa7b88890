#!/usr/bin/env bash
# Block throughput and latency seen by a stock Linux guest, under lguest
# (with its seccomp sandbox, the default, and with --sandbox=off) and
# under QEMU's virtio-blk, all running inside the same nested host on the
# same disk.  Prints MiB/s for sequential 1 MiB O_DIRECT writes and reads
# and the mean latency of 4 KiB O_DIRECT reads.
set -euo pipefail
cd "$(dirname "$0")/.."
export CACHE=${CACHE:-$PWD/.cache}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-blkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$(ci/fetch-kernel.sh)
moddir=$(ci/fetch-kernel.sh --print modules)
inner=$(tests/boot/mkinitramfs.sh --init bench/blk-init.sh --modules-dir "$moddir" \
	--module virtio_pci --module virtio_blk)
truncate -s 128M "$tmp/disk.img"

# QEMU and what it loads, at the same paths, plus its firmware.
# shellcheck source=bench/nested-qemu.sh
. bench/nested-qemu.sh
qemu_adds

tests/boot/nested.sh --launcher bin/lguest-static --mem 2048 --timeout 900 --log "${LOG:-/dev/null}" \
	--disk "$tmp/disk.img" --script bench/blk-outer.sh \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "${adds[@]}" >"$tmp/out" 2>&1 || true
awk '
/LGBENCH-VMM/ { vmm = $2 }
/^LGBENCH / {
	t = $3
	if ($2 ~ /^seq/) printf "blk %-17s %-22s %8.1f MiB/s\n", vmm, $2, 64 / t
	else printf "blk %-17s %-22s %8.1f us per request\n", vmm, $2, t * 1e6 / 2000
}
/LGBENCH-ERROR/ { print "blk " vmm " " $2 ": dd failed"; bad = 1 }
END { exit bad }' "$tmp/out" || { sed 's/^/# /' "$tmp/out" | tail -40; exit 1; }
grep -q "LGBENCH-VMM done" "$tmp/out" || { echo "run-blk: the nested run did not finish" >&2; tail -20 "$tmp/out" >&2; exit 1; }
