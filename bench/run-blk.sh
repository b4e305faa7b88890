#!/usr/bin/env bash
# Block throughput and latency seen by a stock Linux guest, under lguest
# (with its seccomp sandbox, the default, and with --sandbox=off) and
# under QEMU's virtio-blk, all running inside the same nested host on the
# same disk, alternating for ROUNDS rounds (default 3).  Prints the median
# MiB/s of sequential 1 MiB O_DIRECT writes and reads and of the mean
# latency of 4 KiB O_DIRECT reads, with every round's figure beside it.
# The host-side disk file is in /dev/shm when there is room, so the host's
# own disk and its writeback do not add their noise (BLK_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
export CACHE=${CACHE:-$PWD/.cache}
rounds=${ROUNDS:-3}
case $rounds in '' | *[!0-9]* | 0) echo "run-blk: ROUNDS must be a number > 0" >&2; exit 2 ;; esac
blkdir=${BLK_DIR:-/dev/shm}
[ -d "$blkdir" ] && [ -w "$blkdir" ] || blkdir=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$blkdir/lguest-blkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$(ci/fetch-kernel.sh)
moddir=$(ci/fetch-kernel.sh --print modules)
inner=$(tests/boot/mkinitramfs.sh --init bench/blk-init.sh --modules-dir "$moddir" \
	--module virtio_pci --module virtio_blk)
truncate -s 128M "$tmp/disk.img"
sed "s/^rounds=.*/rounds=$rounds/" bench/blk-outer.sh >"$tmp/outer.sh"

# QEMU and what it loads, at the same paths, plus its firmware.
# shellcheck source=bench/nested-qemu.sh
. bench/nested-qemu.sh
qemu_adds

tests/boot/nested.sh --launcher bin/lguest-static --mem 2048 --timeout $((300 * rounds + 120)) --log "${LOG:-/dev/null}" \
	--disk "$tmp/disk.img" --script "$tmp/outer.sh" \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "${adds[@]}" >"$tmp/out" 2>&1 || true
awk -f bench/median.awk -f bench/blk.awk "$tmp/out" || { sed 's/^/# /' "$tmp/out" | tail -40; exit 1; }
grep -q "LGBENCH-VMM done" "$tmp/out" || { echo "run-blk: the nested run did not finish" >&2; tail -20 "$tmp/out" >&2; exit 1; }
