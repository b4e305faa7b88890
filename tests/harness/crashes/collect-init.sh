#!/bin/sh
# /init of the throw-away guest that collect.sh boots: does what the
# kernel command line's lgcrash= says, then powers off.  Everything it does
# is meant to make the kernel print a real crash report (or, for the
# negative cases, a noisy report that is not a crash).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
what=$(sed -n 's/.*lgcrash=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "lgcrash-init: $what"
case $what in
insmod:hung)
	echo 2 >/proc/sys/kernel/hung_task_timeout_secs
	insmod /lgcrash.ko what=hung
	sleep 12 ;;
insmod:*)
	insmod /lgcrash.ko what="${what#insmod:}"
	sleep 2 ;;
sysrq:*)
	echo "${what#sysrq:}" >/proc/sysrq-trigger
	sleep 2 ;;
exit:*)
	exit "${what#exit:}" ;;
oom)
	echo 1 >/proc/sys/vm/panic_on_oom
	x=$(head -c 2000000000 /dev/zero | tr '\0' a)
	echo "${#x}" ;;
modfail)
	# Modules that refuse to load here: noisy, but not crashes.
	for m in /lib/modules/*/kernel/arch/x86/kvm/kvm-intel.ko /lgcrash.ko; do
		insmod "$m" || echo "insmod $m failed"
	done
	insmod /lgcrash.ko what=nonsense || echo "insmod lgcrash what=nonsense failed" ;;
clean) ;;
esac
echo LGCRASH-DONE
poweroff -f
sleep 10
