#!/bin/bash
# Record real crash reports from Debian's cloud kernel for lgtest's crash
# classifier corpus (tests/harness/crashes/real/).  Not part of `make test`:
# run it by hand to regenerate or extend the corpus, then review each new
# log and its expected title in expected.txt.
set -euo pipefail

usage() {
	cat <<'EOT'
Usage: tests/harness/crashes/collect.sh [--only NAME]... [--out DIR]

Builds tests/harness/crashes/lgcrash/ (a module that crashes the kernel in a
chosen way) against the cloud kernel's headers (apt-get download into the
cache, nothing installed), then boots the cloud kernel under QEMU TCG once
per case below and writes each console transcript, CRs removed, to
DIR/<case>.log (default: tests/harness/crashes/real).
Environment: CACHE (cache directory, default <repo>/.cache).
EOT
}

repo=$(cd "$(dirname "$0")/../../.." && pwd)
here=$repo/tests/harness/crashes
out=$here/real
only=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--only) only+=("$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) usage >&2; exit 2 ;;
	esac
done
export CACHE=${CACHE:-$repo/.cache}
kernel=$("$repo/ci/fetch-kernel.sh")
moddir=$("$repo/ci/fetch-kernel.sh" --print modules)
ver=$("$repo/ci/fetch-kernel.sh" --print version)

# Headers: the three packages a module build needs, unpacked, with the
# top Makefile's absolute include pointed at the unpacked copy.
hdr=$CACHE/headers/$ver
if [ ! -f "$hdr/.complete" ]; then
	rm -rf "$hdr" && mkdir -p "$hdr/deb" && chmod 0777 "$hdr/deb"
	kb=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$ver")
	(cd "$hdr/deb" && apt-get download "linux-headers-$ver" \
		"linux-headers-${ver%-cloud-amd64}-common" "linux-kbuild-$kb")
	for d in "$hdr"/deb/*.deb; do dpkg-deb -x "$d" "$hdr/root"; done
	sed -i "s#include /usr/src/#include $hdr/root/usr/src/#" \
		"$hdr/root/usr/src/linux-headers-$ver/Makefile"
	touch "$hdr/.complete"
fi
# A fixed build directory: its path is in the BUG and WARNING lines.
build=$CACHE/lgcrash-build
rm -rf "$build" && mkdir -p "$build"
cp "$here/lgcrash/lgcrash.c" "$here/lgcrash/Kbuild" "$build/"
make -s -C "$hdr/root/usr/src/linux-headers-$ver" M="$build" modules >&2

image=$("$repo/tests/boot/mkinitramfs.sh" --init "$here/collect-init.sh" \
	--file "$build/lgcrash.ko:/lgcrash.ko" --modules-dir "$moddir" \
	--module kvm-intel)
# An initramfs whose /init cannot be executed and that has no shell:
# the kernel finds no init at all.
printf 'this is not an executable\n' >"$build/init"
chmod 0755 "$build/init"
(cd "$build" && echo init | cpio -o -H newc --quiet) | gzip -n >"$build/noinit.cpio.gz"

# name|initrd (image, noinit or none)|extra kernel arguments
cases='
panic|image|lgcrash=insmod:panic
bug|image|lgcrash=insmod:bug
bug_on|image|lgcrash=insmod:bug_on
warn|image|lgcrash=insmod:warn
warn_msg|image|lgcrash=insmod:warn_msg
null|image|lgcrash=insmod:null
unmapped|image|lgcrash=insmod:unmapped
gpf|image|lgcrash=insmod:gpf
ud2|image|lgcrash=insmod:ud2
divide|image|lgcrash=insmod:divide
softlockup|image|lgcrash=insmod:softlockup watchdog_thresh=2
hung|image|lgcrash=insmod:hung
sched_atomic|image|lgcrash=insmod:sched_atomic
sleep_atomic|image|lgcrash=insmod:sleep_atomic
rcu_stall|image|lgcrash=insmod:rcu_stall rcupdate.rcu_cpu_stall_timeout=3
stackprot|image|lgcrash=insmod:stackprot
refcount|image|lgcrash=insmod:refcount
list|image|lgcrash=insmod:list
exec_data|image|lgcrash=insmod:exec_data
write_ro|image|lgcrash=insmod:write_ro
usercopy|image|lgcrash=insmod:usercopy
overflow|image|lgcrash=insmod:overflow
timer_null|image|lgcrash=insmod:timer_null
double_free|image|lgcrash=insmod:double_free slub_debug=FZP
sysrq_c|image|lgcrash=sysrq:c
sysrq_t|image|lgcrash=sysrq:t
sysrq_l|image|lgcrash=sysrq:l
init_exit|image|lgcrash=exit:3
oom|image|lgcrash=oom
modfail|image|lgcrash=modfail
clean|image|lgcrash=clean
bad_rdinit|image|rdinit=/init.missing
bad_init|image|rdinit=/lgcrash.ko init=/sbin/not-there
no_init|noinit|
no_root|none|root=/dev/vda
'
mkdir -p "$out"
while IFS='|' read -r name initrd args; do
	[ -n "$name" ] || continue
	if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx "$name"; then
		continue
	fi
	qemu=(qemu-system-x86_64 -accel tcg -cpu qemu64 -m 256 -smp 1 -nodefaults
		-no-user-config -display none -serial stdio -no-reboot
		-kernel "$kernel" -append "console=ttyS0 panic=-1 $args")
	case $initrd in
	image) qemu+=(-initrd "$image") ;;
	noinit) qemu+=(-initrd "$build/noinit.cpio.gz") ;;
	esac
	echo "collect: $name" >&2
	timeout -k 5 150 "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' >"$out/$name.log" || true
done <<<"$cases"
