#!/bin/bash
# Run the launcher inside a nested KVM host: QEMU TCG emulating an AMD CPU
# with SVM+NPT, booting Debian's cloud kernel, which insmods its own kvm
# modules and so offers a /dev/kvm fast enough to boot Linux.  This machine's
# own /dev/kvm is a slow software KVM that cannot run a stock kernel.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: tests/boot/nested.sh --launcher FILE [options] -- [LAUNCHER ARGS...]
       tests/boot/nested.sh --host-root [options] -- COMMAND [ARGS...]

Boots a nested host (qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt,+rdrand)
from Debian's cloud kernel and an initramfs holding busybox, the kvm modules
(irqbypass, kvm, kvm-amd), the launcher as /bin/lguest and any --add files.
The host's /init loads the modules, checks /dev/kvm, runs
  /bin/lguest LAUNCHER ARGS...
from / and prints "LGUEST-NESTED-EXIT=<status>", then powers off.

With --host-root the nested host instead mounts this machine's own / read-only
(virtio-fs, served by Debian's virtiofsd) under a tmpfs overlay that keeps
whatever the nested host writes, with its own /proc, /sys, /dev and /run,
and runs COMMAND there, chrooted, in the current directory: the same
programs, libraries, files and paths as here, nothing to build static or
copy in, and nothing written back.  The host also loads the tun and bridge modules.

The host's serial console (so the launcher's and its guest's output) is
streamed to stdout as it arrives, CRs removed; progress goes to stderr.
Marker lines on the stream:
  LGUEST-NESTED-START        just before the launcher starts
  LGUEST-NESTED-EXIT=<n>     the launcher's exit status
  LGUEST-NESTED-ERROR=<why>  the nested host failed before the launcher ran

With --stdio the launcher's console is instead connected byte for byte to
this script's stdin and stdout (the nested host's first serial port, in raw
mode, with nothing else on it), so a program can talk to the guest; the
nested host's own console (its kernel, its /init, the markers and the
launcher's stderr) is its second serial port, streamed to stderr.

Options:
  --launcher FILE     statically linked launcher (required without
                      --host-root)
  --host-root         run COMMAND on this machine's own root, read-only
                      (see above); --add, --disk and --script do not apply
  --env NAME=VALUE    set NAME in COMMAND's environment (--host-root);
                      repeatable
  --serve DIR         (with --host-root) the host's first two serial ports
                      are the unix sockets DIR/console.sock and
                      DIR/control.sock, for COMMAND (lgtest nested-agent)
                      to serve test after test; the host's own console is
                      the third port, on stdout
  --add HOST:GUEST    put file or directory HOST at GUEST (absolute) in the
                      nested host; repeatable
  --disk FILE         attach FILE as a raw virtio disk of the nested host
                      (/dev/vda, /dev/vdb, ... in order), so the launcher
                      can serve it with --block=/dev/vdX and the host
                      sees every write; repeatable
  --script FILE       run /bin/sh FILE in the nested host instead of
                      /bin/lguest (it can start several launchers); its
                      exit status is reported as the launcher's
  --host-module NAME  also load kernel module NAME in the nested host
                      (e.g. tun, bridge); repeatable
  --stdio             the launcher's console on stdin/stdout, the host's on
                      stderr (see above)
  --timeout SECS      kill QEMU after this long (default 300)
  --mem MB            nested host memory (default 1024)
  --smp N             nested host CPUs (default 1)
  --cpu MODEL         QEMU -cpu (default qemu64,+svm,+npt,+rdrand; qemu64,-svm
                      makes kvm-amd refuse to load, to test that path)
  --qemu PROGRAM      the QEMU to run (default $LGUEST_NESTED_QEMU, else
                      qemu-system-x86_64; e.g. ci/fetch-qemu.sh's newer
                      one, whose TCG runs the AVX of kvm-amd's guests
                      with --cpu max, and SMP guests reliably: under
                      bookworm's QEMU 7.2 a 4-CPU Linux guest of kvm-amd
                      triple-faults, stalls or hangs in 1 boot in 3)
  --kernel VMLINUZ    nested host kernel (default: ci/fetch-kernel.sh)
  --modules-dir DIR   its lib/modules/<version> (default: ci/fetch-kernel.sh)
  --append ARGS       extra nested host kernel arguments
  --log FILE          also write the console transcript to FILE
  --cache DIR         cache directory (default: $CACHE, else <repo>/.cache)
  -v, --verbose       more progress on stderr
  -h, --help          this text

On a timeout, 3 s before QEMU is killed, QEMU's monitor is asked where the
nested host's CPU is (RIP, CPL, HLT, RFLAGS) and for its local APIC's timer
and pending interrupts, and the answer is logged on stderr: it tells a host
hung in its kernel from an idle one waiting on a hung launcher.

Exit status: the launcher's own exit status, or 125 when the nested host
failed (no /dev/kvm, insmod failed, timeout, QEMU died, no exit marker); the
reason is on stderr.  (A launcher that itself exits 125 is told apart by the
"LGUEST-NESTED-EXIT=125" line and the absence of an error on stderr.)
EOF
}

HOST_FAILED=125
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
verbose=0
log() { echo "nested: $*" >&2; }
vlog() { if [ "$verbose" = 1 ]; then log "$@"; fi; }
die() { log "error: $*"; exit "$HOST_FAILED"; }

launcher=
host_root=0
serve=
envs=()
adds=()
disks=()
script=
host_modules=()
timeout=300
mem=1024
smp=1
# RDRAND seeds the host's entropy pool at boot; without it the first
# blocking getrandom() (a guest's virtio-rng) waits a second for jitter.
# No XSAVE or AVX: under QEMU 7.2's TCG the host kernel (6.1) then hung in
# its FPU set-up unless XGETBV1 came too, and even then the guests lguest
# runs in it warned "XSAVE consistency problem" at boot and raised #UD on
# VEX instructions, so nothing is gained.
cpu=qemu64,+svm,+npt,+rdrand
qemu_prog=${LGUEST_NESTED_QEMU:-qemu-system-x86_64}
kernel=
moddir=
extra_append=
logfile=
stdio=0
cache=${CACHE:-$repo/.cache}
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--launcher) launcher=${2:?--launcher needs a file}; shift 2 ;;
	--host-root) host_root=1; shift ;;
	--serve) serve=${2:?--serve needs a directory}; shift 2 ;;
	--env) envs+=("${2:?--env needs NAME=VALUE}"); shift 2 ;;
	--add) adds+=("${2:?--add needs HOST:GUEST}"); shift 2 ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
	--mem) mem=${2:?--mem needs MB}; shift 2 ;;
	--smp) smp=${2:?--smp needs a count}; shift 2 ;;
	--cpu) cpu=${2:?--cpu needs a model}; shift 2 ;;
	--qemu) qemu_prog=${2:?--qemu needs a program}; shift 2 ;;
	--kernel) kernel=${2:?--kernel needs a file}; shift 2 ;;
	--disk) disks+=("${2:?--disk needs a file}"); shift 2 ;;
	--script) script=${2:?--script needs a file}; shift 2 ;;
	--host-module) host_modules+=(--module "${2:?--host-module needs a name}"); shift 2 ;;
	--modules-dir) moddir=${2:?--modules-dir needs a directory}; shift 2 ;;
	--append) extra_append=${2?--append needs arguments}; shift 2 ;;
	--log) logfile=${2:?--log needs a file}; shift 2 ;;
	--stdio) stdio=1; shift ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	-v|--verbose) verbose=1; shift ;;
	--) shift; break ;;
	*) usage >&2; die "unknown argument '$1' (launcher arguments go after --)" ;;
	esac
done
if [ "$host_root" = 1 ]; then
	[ $# -gt 0 ] || { usage >&2; die "--host-root needs a command after --"; }
	[ -n "$launcher$script${adds[*]}${disks[*]}" ] && die "--host-root takes none of --launcher, --script, --add, --disk"
	[ -x "$VIRTIOFSD" ] || die "$VIRTIOFSD not found (apt-get install qemu-system-common)"
	[ -z "$serve" ] || [ -d "$serve" ] || die "--serve: '$serve' is not a directory"
elif [ -n "$serve" ]; then
	die "--serve needs --host-root"
else
	[ -n "$launcher" ] || { usage >&2; die "--launcher is required"; }
	[ -f "$launcher" ] || die "launcher '$launcher' not found"
	if command -v file >/dev/null && file -L "$launcher" | grep -q 'dynamically linked'; then
		die "$launcher is dynamically linked; the nested host has no libc (make static)"
	fi
fi
command -v "$qemu_prog" >/dev/null || die "$qemu_prog not found (apt-get install qemu-system-x86)"
export CACHE=$cache
if [ -z "$kernel" ]; then
	kernel=$("$repo/ci/fetch-kernel.sh" --print kernel) || die "cannot fetch the nested host kernel"
fi
if [ -z "$moddir" ]; then
	moddir=$("$repo/ci/fetch-kernel.sh" --print modules) || die "cannot fetch the kernel modules"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-nested.XXXXXX")
qpid=
vfspid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	# Never leave QEMU behind: it is the only long-lived child we start.
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	stop_watchdog
	if [ -n "$vfspid" ]; then
		kill "$vfspid" 2>/dev/null || true
		wait "$vfspid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# Just before timeout(1) kills QEMU, ask its monitor where the nested
# host's CPU is, and for its timer and pending interrupts: from the console
# alone, a host hung in its kernel, an idle one waiting on a hung launcher
# and one whose timer interrupt was lost all look the same.
# ask_monitor COMMAND: QEMU's answer (the monitor never closes its FIFO,
# so the read ends by timeout).
ask_monitor() {
	echo "$1" >"$tmp/mon.in"
	timeout 1 cat "$tmp/mon.out" | tr -d '\r' || true
}

report_host_cpu_before_timeout() {
	local regs rip state where
	trap 'kill "$spid" 2>/dev/null; wait "$spid"; exit 0' TERM	# reaped, not left a zombie
	sleep $((timeout > 4 ? timeout - 3 : 1)) &
	spid=$!
	wait "$spid"
	regs=$(ask_monitor "info registers")
	rip=$(sed -n 's/^RIP=\([0-9a-f]*\).*/\1/p' <<<"$regs" | tail -n1)
	state=$(grep -o 'CPL=[0-9]* II=[0-9]* A20=[0-9]* SMM=[0-9]* HLT=[0-9]*' <<<"$regs" | tail -n1)
	case $state in
	*HLT=1) where="idle, so waiting on something (a launcher or a guest)" ;;
	CPL=3*) where="running user space" ;;
	CPL=0*) where="running its kernel (or a KVM guest)" ;;
	*) where="unknown: the monitor did not answer" ;;
	esac
	log "the nested host's CPU 3 s before the timeout: $where; RIP=$rip $state" \
		"$(grep -o 'RFL=[0-9a-f]*' <<<"$regs" | tail -n1)"
	ask_monitor "info lapic" | grep -E '^(LVTT[[:space:]]|Timer|ISR|IRR|APR)' |
		sed 's/^/nested: lapic: /' >&2
}
wpid=
stop_watchdog() {
	if [ -n "$wpid" ]; then
		kill "$wpid" 2>/dev/null || true
		wait "$wpid" 2>/dev/null || true
		wpid=
	fi
}
trap 'log "interrupted"; exit 130' INT TERM

# Quote each launcher argument for the nested host's /bin/sh.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
cmd="/bin/lguest"
if [ -n "$script" ]; then
	[ -f "$script" ] || die "script '$script' not found"
	adds+=("$script:/outer-script.sh")
	cmd="/bin/sh /outer-script.sh"
fi
for a in "$@"; do cmd+=" $(sq "$a")"; done
root_setup=
if [ "$host_root" = 1 ]; then
	# The command runs chrooted in this machine's root, with a clean
	# environment: PATH and what --env gives, nothing of the host's /init.
	inner="cd $(sq "$PWD") && exec"
	for a in "$@"; do inner+=" $(sq "$a")"; done
	cmd="chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	cmd+=" HOME=/root LANG=C.UTF-8 LGUEST_IN_NESTED_HOST=1"
	for e in "${envs[@]}"; do
		[[ $e == [A-Za-z_]*=* ]] || die "--env wants NAME=VALUE, got '$e'"
		cmd+=" $(sq "$e")"
	done
	cmd+=" /bin/sh -c $(sq "$inner")"
	# This machine's root, read-only, under a tmpfs overlay: every file
	# here is seen there, and what the nested host writes stays in its RAM.
	# Each pseudo file system and /run are the nested host's own.  The
	# same root, writable, is at /run/lguest-host-rw, only for the disk
	# files a launcher must write (lgtest's kept hosts name them there).
	# shellcheck disable=SC2016 # expanded by the nested host's /init
	root_setup='mkdir -p /hostrw /lower /rw /host
mount -t virtiofs hostroot /hostrw || fail "cannot mount this machine'"'"'s root (virtiofs)"
mount --bind /hostrw /lower && mount -o remount,bind,ro /lower || fail "cannot make a read-only view of the root"
mount -t tmpfs -o mode=0755 tmpfs /rw && mkdir /rw/upper /rw/work || fail "cannot mount a tmpfs"
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /host ||
	fail "cannot mount the overlay root"
for m in proc:proc sysfs:sys devtmpfs:dev tmpfs:run; do
	mount -t "${m%%:*}" "${m%%:*}" "/host/${m#*:}" || fail "cannot mount /host/${m#*:}"
done
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /host/dev/pts && ln -sf pts/ptmx /host/dev/ptmx
mount -t tmpfs tmpfs /host/dev/shm
mkdir -p /host/run/lguest-host-rw && mount --bind /hostrw /host/run/lguest-host-rw
ln -s /proc/self/fd /host/dev/fd
for f in stdin:0 stdout:1 stderr:2; do ln -s "/proc/self/fd/${f#*:}" "/host/dev/${f%%:*}"; done'
fi

# --stdio: the launcher gets the first serial port, raw, as fd 3 (the
# host's console is the second one); otherwise it shares the console.
host_console=ttyS0
launcher_tty=
serials=(-serial stdio)
if [ -n "$serve" ]; then
	# --serve: the first two serial ports are unix sockets in DIR that a
	# client connects to, test after test; the host's console is the third.
	host_console=ttyS2
	# shellcheck disable=SC2054 # commas inside QEMU's own arguments
	serials=(-chardev "socket,id=con,path=$serve/console.sock,server=on,wait=off" -serial chardev:con
		 -chardev "socket,id=ctl,path=$serve/control.sock,server=on,wait=off" -serial chardev:ctl
		 -serial stdio)
elif [ "$stdio" = 1 ]; then
	host_console=ttyS1
	launcher_tty='exec 3<>/dev/ttyS0 && stty raw -echo <&3 || fail "cannot set up /dev/ttyS0"'
	cmd+=" <&3 >&3"
fi

cat >"$tmp/init" <<EOF
#!/bin/sh
# The nested test host's /init, generated by tests/boot/nested.sh.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
	printf '\nLGUEST-NESTED-ERROR=%s\n' "\$*"
	poweroff -f
	sleep 10
}
while read -r ko; do
	insmod "\$ko" || fail "insmod \$ko failed"
done </lib/modules/load-order
[ -c /dev/kvm ] || fail "no /dev/kvm after loading the kvm modules"
$root_setup
$launcher_tty
cd /
printf '\nLGUEST-NESTED-START uptime=%s\n' "\$(cut -d' ' -f1 /proc/uptime)"
$cmd
rc=\$?
printf '\nLGUEST-NESTED-EXIT=%d\n' "\$rc"
poweroff -f
sleep 10
EOF
vlog "launcher command in the nested host: $cmd"

mkargs=(--init "$tmp/init" --modules-dir "$moddir" --module irqbypass --module kvm --module kvm-amd
	--compress none --no-cache -o "$tmp/outer.cpio")
if [ "$host_root" = 1 ]; then
	mkargs+=(--module virtio_pci --module virtiofs --module overlay --module tun --module bridge)
else
	mkargs+=(--file "$launcher:/bin/lguest")
fi
for a in "${adds[@]}"; do mkargs+=(--file "$a"); done
[ ${#disks[@]} -eq 0 ] || mkargs+=(--module virtio_pci --module virtio_blk)
mkargs+=("${host_modules[@]}")
[ "$verbose" = 0 ] || mkargs+=(-v)
t0=$EPOCHREALTIME
"$repo/tests/boot/mkinitramfs.sh" "${mkargs[@]}" || die "building the nested host's initramfs failed"
vlog "initramfs $(du -h "$tmp/outer.cpio" | cut -f1) built in $(awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $t0}") s"

# no_timer_check: on a busy machine TCG can stall the host's vCPU past
# the few ticks Linux's IO-APIC timer check allows, and the host's boot
# would panic "IO-APIC + timer doesn't work!" for no fault of its own.
qemu=("$qemu_prog" -accel tcg -cpu "$cpu" -m "$mem" -smp "$smp"
	-nodefaults -no-user-config -display none "${serials[@]}" -no-reboot -kernel "$kernel" -initrd "$tmp/outer.cpio"
	-append "console=$host_console panic=-1 quiet no_timer_check $extra_append"
	-chardev "pipe,id=mon,path=$tmp/mon" -mon chardev=mon,mode=readline)
mkfifo "$tmp/mon.in" "$tmp/mon.out"
for d in "${disks[@]}"; do
	[ -f "$d" ] || die "disk image '$d' not found"
	qemu+=(-drive "file=$d,format=raw,if=virtio,cache=unsafe")
done
if [ "$host_root" = 1 ]; then
	# vhost-user needs the nested host's RAM in shared memory, so that
	# virtiofsd can map it.  virtiofsd ends when QEMU lets go of it.
	"$VIRTIOFSD" --socket-path="$tmp/vfs.sock" -o source=/ -o cache=auto \
		-o sandbox=chroot -o log_level=err </dev/null 2>"$tmp/virtiofsd.log" &
	vfspid=$!
	for _ in $(seq 100); do [ -S "$tmp/vfs.sock" ] && break; sleep 0.05; done
	[ -S "$tmp/vfs.sock" ] || die "virtiofsd did not start: $(cat "$tmp/virtiofsd.log")"
	# shellcheck disable=SC2054 # commas inside QEMU's own arguments
	qemu+=(-chardev "socket,id=vfs,path=$tmp/vfs.sock" -device vhost-user-fs-pci,chardev=vfs,tag=hostroot
		-object "memory-backend-memfd,id=mem,size=${mem}M,share=on" -numa node,memdev=mem)
fi
vlog "${qemu[*]}"
log "booting the nested host (timeout ${timeout}s)"
mkfifo "$tmp/console"
tstart=$EPOCHREALTIME
# timeout(1) kills QEMU when the time is up; the cleanup trap kills it on
# any other way out; --foreground keeps QEMU in our process group, so that
# whoever kills the group kills QEMU too.  -nodefaults: no NIC option ROM or
# VGA to wait for, and no firmware banner on the serial line.  Without
# --stdio, QEMU's stdin is /dev/null so it never waits for a tty.
if [ "$stdio" = 1 ]; then
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" -serial "file:$tmp/console" <&0 &
	exec 4>&2
else
	timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null >"$tmp/console" 2>&1 &
	exec 4>&1
fi
qpid=$!
report_host_cpu_before_timeout &
wpid=$!

exec 3>/dev/null
[ -z "$logfile" ] || exec 3>"$logfile"
status=
error=
tlaunch=
texit=
since() { awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $1}"; }
while IFS= read -r line || [ -n "$line" ]; do
	line=${line//$'\r'/}
	printf '%s\n' "$line" >&4
	printf '%s\n' "$line" >&3
	case $line in
	"LGUEST-NESTED-START "*)
		tlaunch=$EPOCHREALTIME
		log "nested host up, launcher started after $(since "$tstart") s" ;;
	LGUEST-NESTED-EXIT=*)
		texit=$EPOCHREALTIME
		status=${line#LGUEST-NESTED-EXIT=} ;;
	LGUEST-NESTED-ERROR=*)
		error=${line#LGUEST-NESTED-ERROR=} ;;
	esac
done <"$tmp/console"
qrc=0
wait "$qpid" || qrc=$?
qpid=
stop_watchdog
exec 3>&-
total=$(since "$tstart")

if [ -n "$error" ]; then
	die "nested host failed: $error (${total} s)"
fi
if [ -z "$status" ] || ! [[ $status =~ ^[0-9]+$ ]]; then
	case $qrc in
	124|137)
		if [ -n "$tlaunch" ]; then
			die "timed out after ${timeout}s, QEMU killed; the launcher had been running $(since "$tlaunch") s"
		fi
		die "timed out after ${timeout}s, QEMU killed, before the launcher started" ;;
	0) die "no LGUEST-NESTED-EXIT marker: the nested host stopped without one (${total} s)" ;;
	*) die "QEMU exited with status $qrc and no LGUEST-NESTED-EXIT marker (${total} s)" ;;
	esac
fi
[ "$qrc" = 0 ] || log "warning: QEMU exited with status $qrc after the launcher finished"
log "launcher exited with status $status; launcher ran $(awk "BEGIN{printf \"%.2f\", $texit - ${tlaunch:-$tstart}}") s, whole nested run $total s"
exit "$status"
