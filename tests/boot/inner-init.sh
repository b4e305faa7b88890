#!/bin/sh
# /init of the inner guest that tests/boot/real-kernel.sh boots under the
# launcher: proves a stock kernel reached userspace, then powers off the
# way any distribution does (ACPI S5), which must end the launcher with
# status 0.  No fallback: if power-off does not work, the test must fail.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo LGUEST-INNER-INIT-OK
echo "lguest-inner: uptime $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"
poweroff -f
echo "lguest-inner: poweroff -f returned"
sleep 10
