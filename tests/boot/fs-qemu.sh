#!/usr/bin/env bash
# virtio-fs end to end on lgtest's qemu runner (QEMU with Debian's
# virtiofsd, TCG here): the guest reads a host file; writes to a
# read-write share and the host sees them; a read-only share refuses
# writes; `..` and symlinks cannot leave a share; lgtest exec runs a
# command on this machine's root and exits with its status; a share on a
# launcher without --share is an error that says so; and no virtiofsd
# outlives its test, however the test ends.  TAP on stdout.
# --runner R runs the same checks on lgtest's runner R (default qemu;
# lguest picks the nested host here, where virtiofsd runs too).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
runner=qemu
if [ "${1:-}" = --runner ] && [ -n "${2:-}" ]; then
	runner=$2
	shift 2
fi
lgtest=$repo/bin/lgtest
[ -x "$lgtest" ] || { echo "Bail out! no $lgtest: run make" >&2; exit 2; }
[ -x /usr/lib/qemu/virtiofsd ] || {
	echo "Bail out! no /usr/lib/qemu/virtiofsd (apt-get install qemu-system-common)" >&2
	exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lgtest-fs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/boot/tap.sh
. "$repo/tests/boot/tap.sh"
# No virtiofsd serving anything under $tmp may be left running.
no_backend_left() {
	! pgrep -f -- "source=$tmp" >/dev/null
}

token=lgtest-fs-$RANDOM$RANDOM
# What rootfs host's guest must read of this machine's root (not /tmp:
# the guest has a tmpfs of its own there).
root_md5=$(md5sum /etc/os-release)
secret=lgtest-secret-$RANDOM$RANDOM
mkdir "$tmp/ro" "$tmp/rw" "$tmp/cwd"
echo "$token" >"$tmp/ro/file.txt"
echo "$secret" >"$tmp/secret.txt"
ln -s ../secret.txt "$tmp/rw/up"
ln -s "$tmp/secret.txt" "$tmp/rw/abs"

# The guest's side, one boot each, under the qemu runner.
# Every test mounts both shares first (a script's steps are its tests').
mount_both='send "mkdir -p /mnt/data /mnt/work && mount -t virtiofs data /mnt/data && mount -t virtiofs work /mnt/work && echo mounted\n"'
prelude="expect /^# \$/ timeout 120
$mount_both
expect /^mounted\$/"
# no_timer_check: a TCG guest on a loaded machine may fail Linux's
# IO-APIC timer check ("IO-APIC + timer doesn't work!") and panic.
cat >"$tmp/fs.lgt" <<EOF
cmdline no_timer_check
share $tmp/ro data ro
share $tmp/rw work

test the guest reads a host file
$prelude
send "cat /mnt/data/file.txt\n"
expect /^$token\$/
send "exit\n"
shutdown

test a read-write share: the host sees what the guest writes
$prelude
send "echo written-by-the-guest >/mnt/work/from-guest && mkdir /mnt/work/dir && sync && echo wrote\n"
expect /^wrote\$/
send "exit\n"
shutdown

test a read-only share refuses writes, even mounted read-write
share / hostroot ro
$prelude
send "echo x >/mnt/data/new; echo create=\$?; rm /mnt/data/file.txt; echo rm=\$?; echo y >>/mnt/data/file.txt; echo append=\$?\n"
expect /Read-only file system/
expect /^create=1\$/
expect /^rm=1\$/
expect /^append=1\$/
send "mkdir -p /mnt/h && mount -t virtiofs hostroot /mnt/h && touch /mnt/h/dev/shm/$token /mnt/h$tmp/rw/$token; echo below=\$?\n"
expect /^below=1\$/
send "exit\n"
shutdown

test dot-dot and symlinks stay in the guest
expect-not "$secret"
$prelude
send "cat /mnt/work/up; echo up=\$?; cat /mnt/work/abs; echo abs=\$?\n"
expect /^up=1\$/
expect /^abs=1\$/
send "cat /mnt/work/../secret.txt /mnt/work/../../secret.txt; echo dotdot=\$?; ls /mnt/work/.. | tr '\\\\n' ' '; echo\n"
expect /^dotdot=1\$/
expect /^data work \$/
send "exit\n"
shutdown

test rootfs host: a script's shell on this machine's root
rootfs host
expect /^# \$/ timeout 120
send "md5sum /etc/os-release; pwd; echo in-cwd >from-rootfs; echo \$?\n"
expect "$root_md5"
expect "$tmp/cwd"
expect /^0\$/
send "exit\n"
shutdown

test a hung test's virtiofsd goes too
timeout 20s
expect-verdict hang
expect "never printed"
EOF
# From $tmp/cwd: the directory lgtest exec and rootfs host give the guest.
cd "$tmp/cwd" || exit 2
cwd64=$(printf %s "$tmp/cwd" | base64 -w0)
out=$(nice "$lgtest" run --tap --runner "$runner" --jobs 2 "$tmp/fs.lgt" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
for t in "the guest reads a host file" \
	"a read-write share: the host sees what the guest writes" \
	"a read-only share refuses writes, even mounted read-write" \
	"dot-dot and symlinks stay in the guest" \
	"rootfs host: a script's shell on this machine's root" \
	"a hung test's virtiofsd goes too"; do
	echo "$out" | grep -q "^ok [0-9]* - $tmp/fs.lgt: $t" && r=0 || r=1
	ok $r "$t (lgtest run --runner $runner)"
done
[ "$rc" = 0 ]
ok $? "lgtest run exits 0"
[ "$(cat "$tmp/rw/from-guest" 2>/dev/null)" = written-by-the-guest ] && [ -d "$tmp/rw/dir" ]
ok $? "the host reads the file and directory the guest made in the share"
[ ! -e "$tmp/ro/new" ] && [ "$(cat "$tmp/ro/file.txt")" = "$token" ]
ok $? "the read-only share's directory is as it was"
[ ! -e "/dev/shm/$token" ] && [ ! -e "$tmp/rw/$token" ]
ok $? "a read-only share of / is read-only below it too: nothing in /dev/shm (a mount of its own) or $tmp/rw"
[ "$(cat "$tmp/cwd/from-rootfs" 2>/dev/null)" = in-cwd ]
ok $? "the host reads what the rootfs host shell wrote in the current directory"
no_backend_left
ok $? "no virtiofsd is left after the tests (the hung one's included)"

# A launcher without --share: a clear error, not a pass or a hang.
printf '#!/bin/sh\necho "Usage: lguest [--sharenet=PATH] ..."\n' >"$tmp/old-lguest"
chmod +x "$tmp/old-lguest"
out=$("$lgtest" run --tap --runner lguest-direct --lguest "$tmp/old-lguest" "$tmp/fs.lgt" 2>&1)
rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q 'has no --share= option yet (its virtio-fs device is not wired in): run this test with --runner qemu'
ok $? "an lguest runner whose launcher lacks --share: verdict error, saying so (status $rc)"

# lgtest exec on this machine's root, from $tmp/cwd.
release=$("$repo/ci/fetch-kernel.sh" --print version 2>/dev/null)
got=$(nice "$lgtest" exec --runner "$runner" -- uname -r)
rc=$?
[ "$rc" = 0 ] && [ -n "$release" ] && [ "$got" = "$release" ]
ok $? "lgtest exec -- uname -r prints the kernel's release ($got) and exits 0 (status $rc)"
nice "$lgtest" exec --runner "$runner" -- false
rc=$?
[ "$rc" = 1 ]
ok $? "lgtest exec -- false exits 1 (status $rc)"
marker=/lgtest-overlay-$RANDOM$RANDOM
got=$(nice "$lgtest" exec --runner "$runner" -- sh -c "pwd; echo made-in-guest >here.txt; echo x >$marker && cat $marker; exit 3")
rc=$?
[ "$rc" = 3 ] && [ "$got" = "$tmp/cwd
x" ] && [ "$(cat here.txt 2>/dev/null)" = made-in-guest ] && [ ! -e "$marker" ]
ok $? "exec runs in the current directory, writable; / takes writes only in the overlay (status $rc)"
nice "$lgtest" exec --runner "$runner" -- sleep 600 &
pid=$!
sleep 6
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] && no_backend_left && ! pgrep -f -- "lgtest.cwd=$cwd64" >/dev/null
ok $? "^C during lgtest exec: status 130, its QEMU and virtiofsd gone (status $rc)"
cd "$repo" || exit 2

tap_plan
