#!/usr/bin/env bash
# nested.sh's own ways out: a launcher's exit status passes through, and a
# nested host that outlives --timeout is killed with exit 125, after the
# watchdog has logged where the host's CPU was and its local APIC's timer.
# Either way nothing is left behind: no process in nested.sh's session and
# nothing in its TMPDIR.  And net-outer.sh's per-phase deadline (here 3 s)
# reports and kills launchers that are still running.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
export CACHE=${CACHE:-$repo/.cache}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp"
printf '#!/bin/sh\nexit 3\n' >"$work/exit3.sh"
printf '#!/bin/sh\nsleep 100\n' >"$work/sleep.sh"

n=0
fails=0
check() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

# run_nested SCRIPT ARGS...: nested.sh in a session of its own; sets rc,
# leaves its stderr in $work/err and the session id in $work/sid.
run_nested() {
	local script=$1
	shift
	rc=0
	TMPDIR=$work/tmp setsid -w bash -c 'echo $$ >"$0"; exec "$@"' "$work/sid" \
		"$repo/tests/boot/nested.sh" --launcher "$repo/bin/lguest-static" \
		--script "$script" "$@" >"$work/out" 2>"$work/err" || rc=$?
	sed 's/^/# /' "$work/out" "$work/err"
}

left_behind() {
	local sid
	sid=$(cat "$work/sid")
	ps -eo sid=,pid=,args= | awk -v s="$sid" '$1 == s' | head -3
	ls -A "$work/tmp" | head -3
}

echo "1..7"
run_nested "$work/exit3.sh"
[ "$rc" = 3 ] && check ok "the launcher's exit status (3) is nested.sh's" ||
	check fail "the launcher's exit status (3) is nested.sh's (got $rc)"
rest=$(left_behind)
[ -z "$rest" ] && check ok "nothing left behind after a normal exit" ||
	check fail "left behind after a normal exit: $rest"

run_nested "$work/sleep.sh" --timeout 12
[ "$rc" = 125 ] && grep -q 'nested: error: timed out after 12s' "$work/err" &&
	check ok "a host that outlives --timeout: exit 125 and 'timed out'" ||
	check fail "a host that outlives --timeout: exit 125 and 'timed out' (got $rc)"
grep -Eq "nested: the nested host's CPU 3 s before the timeout: .*; RIP=[0-9a-f]+ CPL=[0-9] .* HLT=[01] RFL=[0-9a-f]+" "$work/err" &&
	grep -Eq 'nested: lapic: Timer.*initial_count' "$work/err" &&
	check ok "the watchdog logs the host's CPU and APIC timer before the kill" ||
	check fail "the watchdog logs the host's CPU and APIC timer before the kill"
rest=$(left_behind)
[ -z "$rest" ] && check ok "nothing left behind after a timeout" ||
	check fail "left behind after a timeout: $rest"

kernel=$("$repo/ci/fetch-kernel.sh")
moddir=$("$repo/ci/fetch-kernel.sh" --print modules)
inner=$("$repo/tests/boot/mkinitramfs.sh" --init "$repo/tests/boot/net-init.sh" \
	--file "$repo/tests/boot/init-prelude.sh:/lib/init-prelude.sh" \
	--modules-dir "$moddir" --module virtio_pci --module virtio_net)
run_nested "$repo/tests/boot/net-outer.sh" --host-module tun \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" -- 3
grep -q 'LGUEST-NET hang: launchers still running after 3s' "$work/out" &&
	grep -Eq 'LGUEST-NET hang: pid [0-9]+ task [0-9]+ \(lguest\) state [A-Z] wchan' "$work/out" &&
	grep -q 'LGUEST-NET sharenet launchers exited 143 and 143' "$work/out" && [ "$rc" = 1 ] &&
	check ok "net-outer.sh's deadline shows the lguest threads and ends the launchers" ||
	check fail "net-outer.sh's deadline shows the lguest threads and ends the launchers (exit $rc)"
rest=$(left_behind)
[ -z "$rest" ] && check ok "nothing left behind after net-outer.sh's deadline" ||
	check fail "left behind after net-outer.sh's deadline: $rest"
[ "$fails" = 0 ]
