#!/bin/sh
# Runs in the nested host (tests/boot/net.sh): two launchers whose guests
# ping each other over --sharenet, then one whose guest pings the host
# end of its --tunnet tap, inside a network namespace made for it.
# Exit status 0 only when all three launchers exit 0.
boot() {
	/bin/lguest -v --no-reboot "$1" --initrd=/inner.cpio.gz 200 /vmlinuz \
		console=ttyS0 panic=-1 quiet "lgnet.ip=$2" "lgnet.peer=$3"
}
boot --sharenet=/tmp/lguest-net.sock:52:54:00:00:00:01 10.0.0.1 10.0.0.2 >/tmp/a.log 2>&1 &
a=$!
boot --sharenet=/tmp/lguest-net.sock:52:54:00:00:00:02 10.0.0.2 10.0.0.1 >/tmp/b.log 2>&1 &
b=$!
wait $a
ra=$?
wait $b
rb=$?
sed 's/^/sharenet A: /' /tmp/a.log
sed 's/^/sharenet B: /' /tmp/b.log
echo "LGUEST-NET sharenet launchers exited $ra and $rb"
# A fresh network namespace: the tap and its address exist only there.
unshare -n /bin/sh -c "ip link set lo up; /bin/lguest --no-reboot --tunnet=10.0.1.1 --initrd=/inner.cpio.gz 200 /vmlinuz \
	console=ttyS0 panic=-1 quiet lgnet.ip=10.0.1.2 lgnet.peer=10.0.1.1" >/tmp/t.log 2>&1
rt=$?
sed 's/^/tunnet: /' /tmp/t.log
echo "LGUEST-NET tunnet launcher exited $rt"
[ "$ra" = 0 ] && [ "$rb" = 0 ] && [ "$rt" = 0 ]
