#!/bin/sh
# A stand-in for qemu-system-x86_64 that speaks just enough QMP (on fd 3,
# as the qemu runner's supervisor gives it) to end the way the kernel
# command line's lgtest.fake=WAY says: poweroff, reset, exit:V (what
# isa-debug-exit does: exit (V << 1) | 1), stop (QEMU pausing the guest on
# an internal error), early (dying before the guest starts), hang (a child
# that sleeps, so that only killing the process group ends it),
# flaky:FILE (power-off and reset in turn, counting runs in FILE),
# ktap-pass and ktap-fail (KTAP with a passing or a failing subtest, then
# power-off), or crash-warn and crash-bug (a kernel WARNING or BUG report,
# then reset).
for a; do
	case $a in *lgtest.fake=*) way=${a##*lgtest.fake=}; way=${way%% *} ;; esac
done
if [ "$way" = early ]; then
	echo "fake-qemu: cannot start" >&2
	exit 1
fi
echo '{"QMP": {"version": {}, "capabilities": []}}' >&3
read -r cmd <&3
case $cmd in *qmp_capabilities*) ;; *) echo "fake-qemu: got $cmd" >&2; exit 1 ;; esac
echo '{"return": {}}' >&3
read -r cmd <&3
case $cmd in *cont*) ;; *) echo "fake-qemu: got $cmd" >&2; exit 1 ;; esac
echo '{"return": {}}' >&3
echo "fake guest running"
case $way in
flaky:*)
	n=$(cat "${way#flaky:}" 2>/dev/null || echo 0)
	echo $((n + 1)) >"${way#flaky:}"
	[ $((n % 2)) = 0 ] && way=poweroff || way=reset ;;
esac
case $way in
ktap-*)
	[ "$way" = ktap-pass ] && last=ok || last="not ok"
	printf 'KTAP version 1\n1..2\nok 1 first\n%s 2 second\n' "$last"
	way=poweroff ;;
esac
case $way in
crash-warn)
	printf 'WARNING: CPU: 0 PID: 1 at lib/x.c:1 my_func+0x1/0x2\nCall Trace:\n'
	printf ' my_func+0x1/0x2\n my_caller+0x1/0x2\n---[ end trace 0 ]---\n'
	way=reset ;;
crash-bug)
	printf 'kernel BUG at lib/y.c:2!\nRIP: 0010:other_func+0x1/0x2\n'
	printf -- '---[ end trace 0 ]---\n'
	way=reset ;;
esac
case $way in
hang)
	sleep 1000 &
	wait ;;
poweroff|reset)
	[ "$way" = poweroff ] && reason=guest-shutdown || reason=guest-reset
	echo "{\"timestamp\": {}, \"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, \"reason\": \"$reason\"}}" >&3
	exit 0 ;;
exit:*)
	exit $(( (${way#exit:} << 1) | 1 )) ;;
stop)
	echo '{"timestamp": {}, "event": "STOP"}' >&3
	read -r cmd <&3
	exit 0 ;;
esac
exit 3
