#!/usr/bin/env bash
# Stock Linux uses every virtio device the launcher offers: boots the
# cloud kernel with the virtio modules and tests/boot/devices-init.sh,
# which exercises each device and prints "LGUEST-DEV <name> ok"; then
# checks from the host what the guest wrote to its disk.
# Options are real-kernel.sh's (e.g. --runner, --log, -v).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
PATH=$PATH:/usr/sbin:/sbin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-devices.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# An 8 MiB ext4 image holding one known file, made without root.
mkdir "$tmp/root"
echo "known to the host" >"$tmp/root/known.txt"
mkfs.ext4 -q -F -d "$tmp/root" "$tmp/disk.img" 8M

"$repo/tests/boot/real-kernel.sh" --name "stock Linux uses the virtio devices" \
	--init "$repo/tests/boot/devices-init.sh" \
	--file "$repo/tests/boot/init-prelude.sh:/lib/init-prelude.sh" \
	--module virtio_pci --module virtio-rng --module virtio_blk \
	--module virtio_console \
	--launcher-opt --rng --launcher-opt --virtio-console --disk "$tmp/disk.img" \
	--expect "LGUEST-DEV rng ok" \
	--expect "LGUEST-DEV blk ok read 'known to the host'" \
	--expect "LGUEST-DEV hvc0 ok: written to /dev/hvc0" "$@"

echo "1..1"
got=$(debugfs -R "cat /written.txt" "$tmp/disk.img" 2>/dev/null)
if [ "$got" = "written by the guest" ] && e2fsck -fn "$tmp/disk.img" >/dev/null 2>&1; then
	echo "ok 1 - the host reads the guest's file from the disk image, and the filesystem is clean"
else
	echo "not ok 1 - the host reads '$got' from /written.txt (or e2fsck found errors)"
	exit 1
fi
