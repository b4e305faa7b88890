#!/usr/bin/env bash
# Networking with stock Linux guests: two guests ping each other over
# --sharenet (two launchers, one unix socket, no root), and a guest
# pings the host end of a --tunnet tap inside a fresh network namespace.
# Runs in the nested host (it needs root for the tap and two KVM guests).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
export CACHE=${CACHE:-$repo/.cache}
kernel=$("$repo/ci/fetch-kernel.sh")
moddir=$("$repo/ci/fetch-kernel.sh" --print modules)
inner=$("$repo/tests/boot/mkinitramfs.sh" --init "$repo/tests/boot/net-init.sh" \
	--file "$repo/tests/boot/init-prelude.sh:/lib/init-prelude.sh" \
	--modules-dir "$moddir" --module virtio_pci --module virtio_net)
echo "1..1"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run_nested() {
	rc=0
	"$repo/tests/boot/nested.sh" --launcher "$repo/bin/lguest-static" --mem 1024 \
		--host-module tun --script "$repo/tests/boot/net-outer.sh" \
		--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "$@" >"$out" 2>&1 || rc=$?
	sed 's/^/# /' "$out"
}

# net-outer.sh ends every phase within 100 s, reporting any launcher still
# running, so a healthy nested host always finishes well inside nested.sh's
# 300 s.  A timeout with the host's CPU idle in HLT and no such report
# means the nested host itself froze (its own 1 s sleeps stopped ending;
# seen once in CI and once in some 220 runs here, under QEMU's TCG), which
# no launcher can cause: that, and only that, is run once more, and said so.
host_froze() {
	[ "$rc" = 125 ] && grep -q 'nested: error: timed out' "$out" &&
		grep -q "nested host's CPU .* HLT=1" "$out" && ! grep -q 'LGUEST-NET hang:' "$out"
}

run_nested "$@"
if host_froze; then
	echo "# net: the nested host froze (idle, with net-outer.sh's own deadline never reached); running it once more"
	run_nested "$@"
fi
for want in "LGUEST-NET 10.0.0.1 ping 10.0.0.2 ok" "LGUEST-NET 10.0.0.2 ping 10.0.0.1 ok" \
	"LGUEST-NET 10.0.1.2 ping 10.0.1.1 ok"; do
	grep -qF "$want" "$out" || { echo "not ok 1 - virtio-net: missing '$want' (exit $rc)"; exit 1; }
done
[ "$rc" = 0 ] || { echo "not ok 1 - virtio-net: a launcher exited non-zero ($rc)"; exit 1; }
echo "ok 1 - virtio-net: guests ping each other over --sharenet and the host over --tunnet"
