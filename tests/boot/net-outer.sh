#!/bin/sh
# Runs in the nested host (tests/boot/net.sh): two launchers whose guests
# ping each other over --sharenet, then one whose guest pings the host
# end of its --tunnet tap, inside a network namespace made for it.
# Exit status 0 only when all three launchers exit 0.
#
# Each phase has a deadline well inside nested.sh's own timeout, so a hang
# is reported from in here, with the launchers' logs so far and what every
# lguest thread is blocked in, rather than as a silent QEMU timeout.
# Its one argument (tests/boot/nested-timeout.sh passes 3) overrides it.
DEADLINE=${1:-100}

boot() {
	/bin/lguest -v --no-reboot "$1" --initrd=/inner.cpio.gz 200 /vmlinuz \
		console=ttyS0 panic=-1 quiet "lgnet.ip=$2" "lgnet.peer=$3"
}

lguest_pids() {
	local dir
	for dir in /proc/[0-9]*; do
		[ "$(cat "$dir/comm" 2>/dev/null)" = lguest ] && echo "${dir#/proc/}"
	done
}

# Every lguest process's threads: name, state, kernel wait channel, stack.
show_lguest_threads() {
	local pid task
	for pid in $(lguest_pids); do
		for task in /proc/"$pid"/task/*; do
			set -- $(cat "$task/stat" 2>/dev/null)
			echo "LGUEST-NET hang: pid $pid task ${task##*/} ($(cat "$task/comm" 2>/dev/null)) state $3 wchan $(cat "$task/wchan" 2>/dev/null)"
			sed 's/^/LGUEST-NET hang:     /' "$task/stack" 2>/dev/null
		done
	done
}

# await PID...: wait for all of them, at most DEADLINE seconds; then show
# the threads, kill what is left and let the exit statuses say so.
await() {
	local waited=0 alive p
	while [ $waited -lt $DEADLINE ]; do
		alive=
		for p in "$@"; do
			if kill -0 "$p" 2>/dev/null; then alive=1; fi
		done
		[ -n "$alive" ] || return 0
		sleep 1
		waited=$((waited + 1))
		# A heartbeat: silence after it means the nested host itself hung.
		[ $((waited % 30)) != 0 ] || echo "LGUEST-NET still waiting after ${waited}s"
	done
	echo "LGUEST-NET hang: launchers still running after ${DEADLINE}s"
	show_lguest_threads
	kill -TERM "$@" $(lguest_pids) 2>/dev/null
	sleep 2
	kill -KILL $(lguest_pids) 2>/dev/null
}

boot --sharenet=/tmp/lguest-net.sock:52:54:00:00:00:01 10.0.0.1 10.0.0.2 >/tmp/a.log 2>&1 &
a=$!
boot --sharenet=/tmp/lguest-net.sock:52:54:00:00:00:02 10.0.0.2 10.0.0.1 >/tmp/b.log 2>&1 &
b=$!
await $a $b
wait $a
ra=$?
wait $b
rb=$?
sed 's/^/sharenet A: /' /tmp/a.log
sed 's/^/sharenet B: /' /tmp/b.log
echo "LGUEST-NET sharenet launchers exited $ra and $rb"
# A fresh network namespace: the tap and its address exist only there.
unshare -n /bin/sh -c "ip link set lo up; /bin/lguest --no-reboot --tunnet=10.0.1.1 --initrd=/inner.cpio.gz 200 /vmlinuz \
	console=ttyS0 panic=-1 quiet lgnet.ip=10.0.1.2 lgnet.peer=10.0.1.1" >/tmp/t.log 2>&1 &
tun=$!
await $tun
wait $tun
rt=$?
sed 's/^/tunnet: /' /tmp/t.log
echo "LGUEST-NET tunnet launcher exited $rt"
[ "$ra" = 0 ] && [ "$rb" = 0 ] && [ "$rt" = 0 ]
