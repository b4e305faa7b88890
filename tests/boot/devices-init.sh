#!/bin/sh
# /init for the virtio device test: load the virtio modules the image
# carries, then use each device the launcher gave us and print one
# "LGUEST-DEV <name> ok|FAIL <why>" line per device, then power off.
# shellcheck disable=SC2034 # read by the sourced prelude
prefix=LGUEST-DEV
. /lib/init-prelude.sh

# virtio-rng: /dev/hwrng reads 64 bytes, and they are not all zero.
if [ -e /sys/class/misc/hw_random ]; then
	cur=$(cat /sys/class/misc/hw_random/rng_current)
	bytes=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')
	if [ "${cur#virtio_rng}" = "$cur" ] || [ ${#bytes} -ne 128 ]; then
		echo "LGUEST-DEV rng FAIL current=$cur, ${#bytes} hex digits"
	elif [ -z "$(echo "$bytes" | tr -d 0)" ]; then
		echo "LGUEST-DEV rng FAIL all zero"
	else
		echo "LGUEST-DEV rng ok $cur $(echo "$bytes" | cut -c1-16)..."
	fi
fi
# virtio-blk: mount the ext4 disk, read the file the host put there,
# write one the host will look for after the launcher exits.
if [ -b /dev/vda ]; then
	mkdir -p /mnt
	if ! mount -t ext4 /dev/vda /mnt; then
		echo "LGUEST-DEV blk FAIL mount /dev/vda"
	else
		known=$(cat /mnt/known.txt)
		echo "written by the guest" >/mnt/written.txt
		if umount /mnt; then
			echo "LGUEST-DEV blk ok read '$known'"
		else
			echo "LGUEST-DEV blk FAIL umount"
		fi
	fi
fi
# virtio-console: this line reaches the launcher's stdout only via hvc0.
if [ -c /dev/hvc0 ]; then
	echo "LGUEST-DEV hvc0 ok: written to /dev/hvc0" >/dev/hvc0
fi
poweroff -f
