#!/bin/sh
# /init for the block benchmark: the same workload whichever VMM runs it.
# Sequential 1 MiB reads and writes and 4 KiB reads, all O_DIRECT so the
# guest's page cache stays out of it; prints "LGBENCH <name> <seconds>".
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r ko; do insmod "$ko"; done </lib/modules/load-order
now() { cut -d' ' -f1 /proc/uptime; }
run() {
	name=$1
	shift
	t0=$(now)
	dd "$@" 2>/dev/null || echo "LGBENCH-ERROR $name"
	echo "LGBENCH $name $(awk -v a="$t0" -v b="$(now)" 'BEGIN{print b - a}')"
}
run seq-write-64MiB if=/dev/zero of=/dev/vda bs=1M count=64 oflag=direct
run seq-read-64MiB if=/dev/vda of=/dev/null bs=1M count=64 iflag=direct
run rand-read-4KiB-x2000 if=/dev/vda of=/dev/null bs=4k count=2000 iflag=direct
poweroff -f
