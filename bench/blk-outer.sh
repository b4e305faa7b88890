#!/bin/sh
# Runs in the nested host for bench/run-blk.sh: the same guest and disk
# workload under lguest, then under QEMU (KVM, virtio-blk), one after the
# other on the host's /dev/vda.
args="console=ttyS0 panic=-1 quiet"
# shellcheck disable=SC2086 # $args is split on purpose: one word each
echo "LGBENCH-VMM lguest"
/bin/lguest --no-reboot --block=/dev/vda --initrd=/inner.cpio.gz 256 /vmlinuz $args
# The same without the seccomp sandbox: what the filters cost.
echo "LGBENCH-VMM lguest-nosandbox"
/bin/lguest --sandbox=off --no-reboot --block=/dev/vda --initrd=/inner.cpio.gz 256 /vmlinuz $args
echo "LGBENCH-VMM qemu"
/usr/bin/qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios -L /usr/lib/ipxe/qemu -enable-kvm -cpu host -m 256 -nodefaults \
	-display none -serial stdio -no-reboot -kernel /vmlinuz -initrd /inner.cpio.gz \
	-append "$args" -drive file=/dev/vda,format=raw,if=virtio
echo "LGBENCH-VMM done"
