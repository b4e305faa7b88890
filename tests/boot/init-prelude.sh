#!/bin/sh
# Sourced by the test guests' /init scripts (as /lib/init-prelude.sh):
# the filesystems every test needs, the marker that userspace was
# reached, and the modules the image carries, in dependency order.
# $prefix starts the line reporting a module that fails to load.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo LGUEST-INNER-INIT-OK
# shellcheck disable=SC2154 # set by the sourcing script
while read -r ko; do
	insmod "$ko" || echo "$prefix insmod FAIL $ko"
done </lib/modules/load-order
