#!/bin/sh
# Runs in the nested host for bench/run-boot-compare.sh: the same boots
# under lguest and under QEMU -M pc (KVM), one after the other, RUNS
# rounds, for each case:
#   quiet   inner-init.sh (marker, then ACPI power-off), "quiet"
#   full    the same, full console
#   lgtest  lgtest's default initramfs and command line, stopped at its
#           boot marker
# /proc/uptime times launch to the marker and to the VMM's exit.
uptime() { cut -d' ' -f1 /proc/uptime; }

# boot VMM CASE ROUND INITRD MARKER STOP-AT-MARKER APPEND
boot() {
	vmm=$1 case=$2 round=$3 initrd=$4 marker=$5 stop=$6 args=$7
	rm -f /tmp/console
	mkfifo /tmp/console
	t0=$(uptime)
	if [ "$vmm" = lguest ]; then
		# shellcheck disable=SC2086 # $args is split on purpose
		/bin/lguest --no-reboot --initrd="$initrd" 256 /vmlinuz $args \
			>/tmp/console 2>&1 </dev/null &
	else
		/usr/bin/qemu-system-x86_64 -L /usr/share/qemu \
			-L /usr/share/seabios -L /usr/lib/ipxe/qemu -M pc \
			-enable-kvm -cpu host -m 256 -nodefaults -display none \
			-serial stdio -no-reboot -kernel /vmlinuz \
			-initrd "$initrd" -append "$args" \
			>/tmp/console 2>&1 </dev/null &
	fi
	pid=$!
	seen=
	while IFS= read -r line; do
		case $line in
		*"$marker"*)
			[ -n "$seen" ] && continue
			seen=1
			echo "LGCMP-MARKER $vmm $case $round $(uptime) $t0"
			[ "$stop" = yes ] && kill "$pid" ;;
		esac
	done </tmp/console
	wait "$pid"
	[ -n "$seen" ] || echo "LGCMP-ERROR $vmm $case $round"
	echo "LGCMP-EXIT $vmm $case $round $(uptime) $t0"
}

base="console=ttyS0 panic=-1"
r=1
while [ "$r" -le "${RUNS:-5}" ]; do
	for vmm in lguest qemu; do
		boot "$vmm" quiet "$r" /inner.cpio.gz LGUEST-INNER-INIT-OK no "$base quiet"
		boot "$vmm" full "$r" /inner.cpio.gz LGUEST-INNER-INIT-OK no "$base"
		boot "$vmm" lgtest "$r" /lgtest.cpio.gz lgtest-boot-marker yes \
			"$base sysrq_always_enabled"
	done
	r=$((r + 1))
done
echo "LGCMP-DONE"
