#!/bin/sh
# Runs in the nested host for bench/run-boot-profile.sh: boots the same
# kernel and initrd under lguest (--stats) and under QEMU -M pc with KVM,
# one after the other, RUNS rounds, with and without quiet.  Every line
# the guest or the launcher prints is tagged with the VMM, the mode and
# the round; the host's /proc/uptime times launch to marker and to exit.
uptime() { cut -d' ' -f1 /proc/uptime; }
# KVM's own counters in the host (all exits, also those KVM handles
# itself), from debugfs.  They sum over the VMs alive at the time, so a
# sampler reads them every 0.5 s while the boot runs and keeps the last
# reading with the VM still there: the totals up to that point.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
kvm_counters="exits halt_exits irq_exits io_exits mmio_exits irq_window_exits request_irq_exits signal_exits pf_taken insn_emulation"
kvm_snapshot() {
	for c in $kvm_counters; do
		printf ' %s' "$(cat /sys/kernel/debug/kvm/$c 2>/dev/null || echo 0)"
	done
}
kvm_sampler() {
	while [ ! -e /tmp/kvm.stop ]; do
		s=$(kvm_snapshot)
		case $s in " 0 "*) ;; *) echo "$s" >/tmp/kvm.last ;; esac
		sleep 0.5
	done
}

# boot VMM MODE ROUND APPEND
boot() {
	vmm=$1 mode=$2 round=$3 args=$4
	rm -f /tmp/kvm.stop /tmp/kvm.last
	kvm_sampler &
	t0=$(uptime)
	if [ "$vmm" = lguest ]; then
		# shellcheck disable=SC2086 # $args is split on purpose
		/bin/lguest --stats --no-reboot --initrd=/inner.cpio.gz 256 \
			/vmlinuz $args
	else
		# shellcheck disable=SC2086
		/usr/bin/qemu-system-x86_64 -L /usr/share/qemu \
			-L /usr/share/seabios -L /usr/lib/ipxe/qemu -M pc \
			-enable-kvm -cpu host -m 256 -nodefaults -display none \
			-serial stdio -no-reboot -kernel /vmlinuz \
			-initrd /inner.cpio.gz -append "$args"
	fi 2>&1 | {
		seen=
		while IFS= read -r line; do
			case $line in
			*LGUEST-INNER-INIT-OK*)
				[ -n "$seen" ] || echo "LGPROF-MARKER $vmm $mode $round $(uptime) $t0"
				seen=1 ;;
			*) echo "LGPROF-LINE $vmm $mode $round $line" ;;
			esac
		done
		[ -n "$seen" ] || echo "LGPROF-ERROR $vmm $mode $round"
	}
	echo "LGPROF-EXIT $vmm $mode $round $(uptime) $t0"
	touch /tmp/kvm.stop
	wait
	echo "LGPROF-KVM $vmm $mode $round $kvm_counters : 0 0 0 0 0 0 0 0 0 0 :$(cat /tmp/kvm.last 2>/dev/null)"
}

base="console=ttyS0 panic=-1 ${EXTRA_APPEND:-}"
r=1
while [ "$r" -le "${RUNS:-3}" ]; do
	for mode in ${MODES:-quiet full}; do
		append=$base
		[ "$mode" = quiet ] && append="$base quiet"
		boot lguest "$mode" "$r" "$append"
		boot qemu "$mode" "$r" "$append"
	done
	r=$((r + 1))
done
echo "LGPROF-DONE"
