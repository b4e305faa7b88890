#!/bin/sh
# Runs in the nested host for bench/run-blk.sh: the same guest and disk
# workload under lguest (sandboxed, then with --sandbox=off: what the
# filters cost) and under QEMU (KVM, virtio-blk) on the host's /dev/vda,
# alternating for several rounds so that a change in load hits all three
# alike.  run-blk.sh sets rounds.
rounds=3
args="console=ttyS0 panic=-1 quiet"
qemu="/usr/bin/qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu"
round=1
while [ "$round" -le "$rounds" ]; do
	# shellcheck disable=SC2086 # $args is split on purpose: one word each
	echo "LGBENCH-VMM lguest"
	/bin/lguest --no-reboot --block=/dev/vda --initrd=/inner.cpio.gz 256 /vmlinuz $args
	echo "LGBENCH-VMM lguest-nosandbox"
	/bin/lguest --sandbox=off --no-reboot --block=/dev/vda --initrd=/inner.cpio.gz 256 /vmlinuz $args
	echo "LGBENCH-VMM qemu"
	$qemu -enable-kvm -cpu host -m 256 -nodefaults -display none -serial stdio -no-reboot \
		-kernel /vmlinuz -initrd /inner.cpio.gz -append "$args" \
		-drive file=/dev/vda,format=raw,if=virtio
	round=$((round + 1))
done
echo "LGBENCH-VMM done"
