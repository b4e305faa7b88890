#!/bin/sh
# /init of the inner guest for bench/run-boot-profile.sh and
# bench/run-boot-compare.sh: says it reached userspace, prints the
# kernel's log (its timestamps are the boot's milestones, with or without
# quiet) and powers off.
export PATH=/bin
mount -t proc proc /proc
echo LGUEST-INNER-INIT-OK
echo "lguest-inner: uptime $(cut -d' ' -f1 /proc/uptime) s"
dmesg | sed 's/^/LGPROFILE-DMESG /'
poweroff -f
