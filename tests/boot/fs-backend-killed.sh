#!/usr/bin/env bash
# A virtio-fs back-end killed in the middle of a Linux guest's run: the
# guest reads a file through the share, then virtiofsd dies (SIGKILL) and
# the guest's next file calls fail with an I/O error instead of hanging,
# while the launcher and the guest go on to a clean power-off.  Runs
# lgtest on the lguest runner with `device fs SOCKET:TAG` on a virtiofsd
# of this script's own, which a watcher kills as soon as the guest asks
# for it (by creating a file in the share).  Where this machine's
# /dev/kvm cannot boot Linux (bin/lgtest kvm-probe), the whole script
# runs again inside a nested host on this machine's root, there directly
# on the host's kvm-amd.  TAP on stdout.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$repo" || exit 2
export CACHE=${CACHE:-$repo/.cache}
lgtest=$repo/bin/lgtest
virtiofsd=/usr/lib/qemu/virtiofsd
[ -x "$lgtest" ] || { echo "Bail out! no $lgtest: run make" >&2; exit 2; }
[ -x "$virtiofsd" ] || {
	echo "Bail out! no $virtiofsd (apt-get install qemu-system-common)" >&2
	exit 2
}

if [ "${LGUEST_RUNNER:-$("$lgtest" kvm-probe)}" = nested ]; then
	# The kernel and lgtest's initramfs go into the cache now: the
	# nested host sees this machine's root read-only.
	printf 'expect "x"\n' >"${TMPDIR:-/tmp}/fs-killed-dry.$$.lgt"
	"$lgtest" run -n --runner lguest-direct \
		"${TMPDIR:-/tmp}/fs-killed-dry.$$.lgt" >/dev/null
	rc=$?
	rm -f "${TMPDIR:-/tmp}/fs-killed-dry.$$.lgt"
	[ "$rc" = 0 ] || { echo "Bail out! lgtest cannot prepare the boot" >&2; exit 2; }
	echo "# in a nested host (this machine's /dev/kvm cannot boot Linux)"
	exec tests/boot/nested.sh --host-root --mem 2048 --smp 2 --timeout 600 \
		--env LGUEST_RUNNER=direct --env CACHE="$CACHE" -- "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lgtest-fskill.XXXXXX")
vpid='' wpid=''
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	[ -n "$vpid" ] && kill -KILL "$vpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=tests/boot/tap.sh
. "$repo/tests/boot/tap.sh"

mkdir "$tmp/share"
token=before-$RANDOM$RANDOM
echo "$token" >"$tmp/share/before.txt"
echo never-read >"$tmp/share/after.txt"
sock=$tmp/fs.sock
# cache=none: the guest's reads after the kill must reach the back-end.
"$virtiofsd" --socket-path="$sock" -o source="$tmp/share" -o cache=none \
	-o sandbox=chroot -o log_level=err &
vpid=$!
# The watcher: SIGKILL virtiofsd when the guest creates kill-backend.
(
	while [ ! -e "$tmp/share/kill-backend" ]; do sleep 0.1; done
	kill -KILL "$vpid" && echo killed >"$tmp/watcher"
) &
wpid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done

cat >"$tmp/killed.lgt" <<EOF
timeout 300
# One vCPU: what is tested is the share, and an SMP guest of the nested
# host is lost now and then (run-all.sh), with no virtiofsd left to retry.
cpus 1
test the back-end killed mid-run
device fs $sock:work
expect /^# \$/ timeout 120
send "mkdir -p /mnt/w && mount -t virtiofs work /mnt/w && cat /mnt/w/before.txt\n"
expect /^$token\$/
send "touch /mnt/w/kill-backend; sleep 3; cat /mnt/w/after.txt; echo cat=\$?\n"
expect /Input.output error/
expect /^cat=1\$/
send "ls /mnt/w; echo ls=\$?; echo still-running\n"
expect /^ls=[1-9]\$/
expect /^still-running\$/
expect-not "never-read"
send "poweroff -f\n"
shutdown
EOF
out=$("$lgtest" run --tap --runner lguest "$tmp/killed.lgt" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "^ok 1 - $tmp/killed.lgt: the back-end killed mid-run"
ok $? "the guest read the share, then got I/O errors once virtiofsd was killed, and powered off"
[ "$rc" = 0 ]
ok $? "lgtest run exits 0 (status $rc)"
[ "$(cat "$tmp/watcher" 2>/dev/null)" = killed ]
ok $? "virtiofsd was killed mid-run, when the guest asked"
wait "$vpid" 2>/dev/null
vstatus=$?
[ "$vstatus" = 137 ]
ok $? "virtiofsd died of SIGKILL (status $vstatus), not of anything the launcher did"
vpid=

tap_plan
