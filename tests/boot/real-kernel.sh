#!/bin/bash
# The real-Linux proof: Debian's stock cloud kernel boots under our launcher
# to a busybox /init, which says so and exits through the launcher's exit
# port.  On hardware KVM the launcher runs directly; elsewhere (this
# project's machines: a software KVM that cannot run Linux) it runs inside
# the nested host of tests/boot/nested.sh.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: tests/boot/real-kernel.sh [options]

Fetches Debian's cloud kernel (ci/fetch-kernel.sh), builds the inner
initramfs (/init = tests/boot/inner-init.sh, which powers off with ACPI),
and boots it:
  lguest --no-reboot --initrd=INNER 256 VMLINUZ console=ttyS0 panic=-1 quiet
Passes only when the guest prints LGUEST-INNER-INIT-OK and the launcher
then exits 0.  Prints the time from launcher start to that marker.
Output is TAP: the console stream as "# " comments, then "ok 1" or
"not ok 1".  Exit status 0 on pass, 1 on fail.

Options:
  --runner direct|nested  default: what `bin/lgtest kvm-probe` says
                          ($LGUEST_RUNNER, else a probe guest timed on
                          /dev/kvm)
  --timeout SECS          whole-run limit (default 600: TCG is slow)
  --mem MB                guest memory (default 256)
  --append ARGS           guest kernel arguments after "console=ttyS0
                          panic=-1" (default: quiet)
  --launcher FILE         default: bin/lguest-static (nested), bin/lguest
                          (direct)
  --log FILE              keep the raw console transcript
  --name TEXT             the test's name in the TAP line
  --init FILE             the inner /init (default tests/boot/inner-init.sh);
                          it must print LGUEST-INNER-INIT-OK and power off
  --module NAME           put kernel module NAME (and what it needs) in the
                          inner initramfs; /lib/modules/load-order lists them
  --file HOST:GUEST       add a file to the inner initramfs
  --add HOST:GUEST        add a file to the nested host (e.g. a disk image)
  --disk FILE             give the guest FILE as a virtio-blk disk (the
                          launcher's --block; nested, through the host's
                          own virtio disk, so writes reach FILE); repeatable
  --launcher-opt OPT      pass OPT to the launcher (e.g. --rng)
  --expect TEXT           the console must also show TEXT (repeatable)
  -v, --verbose           pass -v to the runner
  -h, --help              this text
Environment: CACHE (cache directory), LGUEST_RUNNER.
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log() { echo "real-kernel: $*" >&2; }
runner=
timeout=600
mem=256
append=quiet
launcher=
logfile=
verbose=0
init=$repo/tests/boot/inner-init.sh
modules=()
inner_files=()
outer_files=()
launcher_opts=()
expects=()
disks=()
while [ $# -gt 0 ]; do
	case $1 in
	--name) name_opt=${2:?--name needs text}; shift 2 ;;
	--init) init=${2:?--init needs a script}; shift 2 ;;
	--module) modules+=(--module "${2:?--module needs a name}"); shift 2 ;;
	--file) inner_files+=(--file "${2:?--file needs HOST:GUEST}"); shift 2 ;;
	--add) outer_files+=(--add "${2:?--add needs HOST:GUEST}"); shift 2 ;;
	--disk) disks+=("${2:?--disk needs a file}"); shift 2 ;;
	--launcher-opt) launcher_opts+=("${2:?--launcher-opt needs an option}"); shift 2 ;;
	--expect) expects+=("${2:?--expect needs text}"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--runner) runner=${2:?--runner needs direct or nested}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--mem) mem=${2:?--mem needs MB}; shift 2 ;;
	--append) append=${2?--append needs arguments}; shift 2 ;;
	--launcher) launcher=${2:?--launcher needs a file}; shift 2 ;;
	--log) logfile=${2:?--log needs a file}; shift 2 ;;
	-v|--verbose) verbose=1; shift ;;
	*) usage >&2; log "unknown argument '$1'"; exit 1 ;;
	esac
done

echo "1..1"
name=${name_opt:-stock Linux boots to /init under lguest}
fail() { echo "not ok 1 - $name: $*"; exit 1; }

# The one decision (lgtest kvm-probe): a /dev/kvm fast enough for Linux
# runs the launcher directly; none, or a software KVM, gets the nested host.
if [ -z "$runner" ]; then
	runner=$("$repo/bin/lgtest" kvm-probe) || fail "bin/lgtest kvm-probe cannot choose a runner (make bin/lgtest)"
fi
case $runner in
direct) launcher=${launcher:-$repo/bin/lguest} ;;
nested) launcher=${launcher:-$repo/bin/lguest-static} ;;
*) fail "LGUEST_RUNNER/--runner must be direct or nested, not '$runner'" ;;
esac
name+=" ($runner)"
[ -x "$launcher" ] || fail "launcher $launcher not built (make bin/lguest bin/lguest-static)"

export CACHE=${CACHE:-$repo/.cache}
kernel=$("$repo/ci/fetch-kernel.sh") || fail "cannot fetch the cloud kernel"
log "kernel $kernel"
inner_args=(--init "$init" "${inner_files[@]}")
if [ ${#modules[@]} -gt 0 ]; then
	moddir=$("$repo/ci/fetch-kernel.sh" --print modules) || fail "cannot find the kernel's modules"
	inner_args+=(--modules-dir "$moddir" "${modules[@]}")
fi
inner=$("$repo/tests/boot/mkinitramfs.sh" "${inner_args[@]}") || fail "cannot build the inner initramfs"
log "inner initramfs $inner"

guest_cmdline=(console=ttyS0 panic=-1)
read -r -a extra <<<"$append"
guest_cmdline+=("${extra[@]}")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-real.XXXXXX")
rpid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	if [ -n "$rpid" ] && kill -0 "$rpid" 2>/dev/null; then
		kill "$rpid" 2>/dev/null || true
		wait "$rpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
mkfifo "$tmp/out"

# A disk reaches the launcher as a file (direct) or as the nested host's
# own virtio disk that QEMU backs with the file (nested).
letters=(a b c d e f g h)
for i in "${!disks[@]}"; do
	if [ "$runner" = nested ]; then
		outer_files+=(--disk "${disks[$i]}")
		launcher_opts+=("--block=/dev/vd${letters[$i]}")
	else
		launcher_opts+=("--block=${disks[$i]}")
	fi
done

vflag=()
[ "$verbose" = 0 ] || vflag=(-v)
tstart=$EPOCHREALTIME
tlaunch=
if [ "$runner" = nested ]; then
	log "runner: nested host (QEMU TCG + SVM), launcher $launcher"
	"$repo/tests/boot/nested.sh" "${vflag[@]}" --launcher "$launcher" --timeout "$timeout" \
		--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "${outer_files[@]}" -- \
		--no-reboot "${launcher_opts[@]}" --initrd=/inner.cpio.gz "$mem" /vmlinuz "${guest_cmdline[@]}" \
		</dev/null >"$tmp/out" 2>&1 &
else
	log "runner: direct, launcher $launcher"
	tlaunch=$tstart
	timeout -k 5 "$timeout" "$launcher" --no-reboot "${launcher_opts[@]}" --initrd="$inner" "$mem" "$kernel" \
		"${guest_cmdline[@]}" </dev/null >"$tmp/out" 2>&1 &
fi
rpid=$!

exec 3>/dev/null
[ -z "$logfile" ] || exec 3>"$logfile"
tmarker=
while IFS= read -r line || [ -n "$line" ]; do
	line=${line//$'\r'/}
	printf '# %s\n' "$line"
	printf '%s\n' "$line" >&3
	printf '%s\n' "$line" >>"$tmp/console"
	case $line in
	"LGUEST-NESTED-START "*) tlaunch=$EPOCHREALTIME ;;
	*LGUEST-INNER-INIT-OK*) [ -n "$tmarker" ] || tmarker=$EPOCHREALTIME ;;
	esac
done <"$tmp/out"
rc=0
wait "$rpid" || rc=$?
rpid=
exec 3>&-
secs() { awk "BEGIN{printf \"%.2f\", $1 - $2}"; }
total=$(secs "$EPOCHREALTIME" "$tstart")

timing="whole run ${total} s"
if [ -n "$tmarker" ] && [ -n "$tlaunch" ]; then
	timing="launcher start to /init marker $(secs "$tmarker" "$tlaunch") s, $timing"
fi
log "$timing"
if [ -z "$tmarker" ]; then
	case $runner:$rc in
	nested:125) fail "nested host failed before/around the launcher (see its messages above), no LGUEST-INNER-INIT-OK" ;;
	direct:124|direct:137) fail "timed out after ${timeout}s without LGUEST-INNER-INIT-OK" ;;
	*) fail "no LGUEST-INNER-INIT-OK; launcher exited $rc" ;;
	esac
fi
[ "$rc" = 0 ] || fail "/init was reached, but the launcher exited $rc, not 0 ($timing)"
for e in "${expects[@]}"; do
	grep -qF -- "$e" "$tmp/console" || fail "the guest never printed '$e' ($timing)"
done
echo "ok 1 - $name: $timing"
