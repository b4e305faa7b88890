#!/usr/bin/env bash
# lgtest's lguest-nested runner keeps its nested host: a suite run one test
# at a time boots one host and runs every test in it; a host that died
# between two tests is replaced; a test's disk is written through the
# host's writable view of this machine's root; and nothing (QEMU,
# virtiofsd, the pool directory) is left once lgtest ends.  TAP.
set -uo pipefail
# Each check is a string that check() evaluates later.
# shellcheck disable=SC2016,SC2034,SC2317 # (the whole file)
cd "$(dirname "$0")/../.." || exit 2
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kept-host.XXXXXX")
# The pools of this test's lgtest runs live in $tmp, so that what is left
# behind can be found by that path alone.
export TMPDIR=$tmp
trap 'pkill -f "$tmp/lgtest-hosts" 2>/dev/null; rm -rf "$tmp"' EXIT
n=0
failed=0
check() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=1
	fi
}
count() { grep -l "$1" "$tmp"/out/*runner* 2>/dev/null | wc -l; }
leftovers() { pgrep -f "$tmp/lgtest-hosts" >/dev/null || [ -n "$(ls -d "$tmp"/lgtest-hosts.* 2>/dev/null)" ]; }

echo "1..7"
# Five tests of the tiny test guests, one at a time: one host for all.
# One retry, as make test's boot/lgtest has on this runner: under load the
# nested host's TCG now and then hands even this polling, interrupts-off
# guest an event it cannot take (a triple fault).  A retry runs in the
# same host, so the counts below hold; it shows in the TAP as flaky.
bin/lgtest run --runner lguest-nested --jobs 1 --retries 1 --tap --out "$tmp/out" \
	tests/harness/scripts/pass.lgt >"$tmp/tap" 2>"$tmp/err"
rc=$?
sed 's/^/# /' "$tmp/tap"
check "five tests pass on the nested runner" '[ $rc = 0 ] && [ "$(grep -c "^ok " "$tmp/tap")" = 5 ]'
check "one nested host booted for them" '[ "$(count "booting a kept nested host")" = 1 ]'
check "the other four tests reused it" '[ "$(count "reusing the kept nested host")" = 4 ]'
check "no QEMU, virtiofsd or pool directory left after lgtest" '! leftovers'

# A host that dies between two tests is replaced, by the client itself.
pool=$tmp/pool
mkdir -p "$pool"
client() {
	bin/lgtest nested-client --pool "$pool" --helper tests/boot/nested.sh \
		--agent "$PWD/bin/lgtest" -- bin/lguest --no-reboot "$@" </dev/null >"$tmp/c.out" 2>"$tmp/c.err"
}
guest=tests/guests/bin/guest64.elf
client 64 "$guest" lgtest.action=exit:7
first=$?
pkill -f "$pool/host-0" 2>/dev/null
sleep 1
client 64 "$guest" lgtest.action=exit:9
second=$?
check "a killed host is replaced: statuses 7 then 9" '[ $first = 7 ] && [ $second = 9 ] && grep -q "booting a kept nested host" "$tmp/c.err"'

# A writable disk: the guest writes 0xa5 over its first sectors, and this
# machine reads them from the file.
truncate -s 1M "$tmp/disk.img"
client "--block=/run/lguest-host-rw$tmp/disk.img" 64 "$guest" lgtest.action=virtio-blk-bench:2048
blk=$?
check "the guest's writes reach the disk file here (status $blk)" \
	'[ $blk = 0 ] && [ "$(od -An -tx1 -N4 "$tmp/disk.img" | tr -d " ")" = a5a5a5a5 ]'
# What lgtest does at its end.
pkill -f "$pool/host-" 2>/dev/null
sleep 1
check "no host left once stopped" '! pgrep -f "$pool/host-" >/dev/null'
exit "$failed"
