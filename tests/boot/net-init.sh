#!/bin/sh
# /init for the network test: bring up eth0 with lgnet.ip (from the
# kernel command line), ping lgnet.peer until it answers, print one
# "LGUEST-NET <ip> ping <peer> ok|FAIL" line, linger so the peer can
# ping back, then power off.
# shellcheck disable=SC2034 # read by the sourced prelude
prefix=LGUEST-NET
. /lib/init-prelude.sh
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	lgnet.ip=*) ip=${arg#lgnet.ip=} ;;
	lgnet.peer=*) peer=${arg#lgnet.peer=} ;;
	esac
done
ip link set lo up
ip link set eth0 up && ip addr add "$ip/24" dev eth0
ok=FAIL
i=0
while [ $i -lt 30 ]; do
	if ping -c 1 -W 2 "$peer" >/dev/null 2>&1; then
		ok=ok
		break
	fi
	i=$((i + 1))
done
stats=/sys/class/net/eth0/statistics
echo "LGUEST-NET $ip ping $peer $ok (eth0 sent $(cat $stats/tx_packets), received $(cat $stats/rx_packets))"
sleep 5
poweroff -f
