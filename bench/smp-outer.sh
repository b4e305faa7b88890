#!/bin/sh
# Runs in the nested host for bench/run-smp.sh: boots the same kernel and
# inner initramfs (/init prints LGUEST-INNER-INIT-OK, then powers off)
# with N CPUs under lguest and under QEMU (KVM, -smp N), alternating, for
# each N in $CPUS, $RUNS rounds.  The host's /proc/uptime times each boot
# from the VMM's start to the marker line.
args="console=ttyS0 panic=-1 quiet"
uptime() { cut -d' ' -f1 /proc/uptime; }

# boot VMM N: one "LGBENCH VMM N SECONDS" line, or "LGBENCH-ERROR VMM N".
boot() {
	vmm=$1
	n=$2
	t0=$(uptime)
	if [ "$vmm" = lguest ]; then
		# shellcheck disable=SC2086 # $args is split on purpose
		/bin/lguest --no-reboot --cpus "$n" --initrd=/inner.cpio.gz 256 /vmlinuz $args
	else
		# shellcheck disable=SC2086
		/usr/bin/qemu-system-x86_64 -L /usr/share/qemu -L /usr/share/seabios \
			-L /usr/lib/ipxe/qemu -enable-kvm -cpu host -smp "$n" -m 256 \
			-nodefaults -display none -serial stdio -no-reboot \
			-kernel /vmlinuz -initrd /inner.cpio.gz -append "$args"
	fi 2>&1 | {
		seen=
		while read -r line; do
			case $line in
			*LGUEST-INNER-INIT-OK*)
				[ -n "$seen" ] || echo "LGBENCH $vmm $n $(uptime) $t0"
				seen=1 ;;
			*"lguest-inner: uptime"*) echo "LGBENCH-INNER $vmm $n $line" ;;
			esac
		done
		[ -n "$seen" ] || echo "LGBENCH-ERROR $vmm $n"
	}
}

for n in ${CPUS:-1 2 4 8}; do
	r=1
	while [ "$r" -le "${RUNS:-2}" ]; do
		boot lguest "$n"
		boot qemu "$n"
		r=$((r + 1))
	done
done
echo "LGBENCH-DONE"
