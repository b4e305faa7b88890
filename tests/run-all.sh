#!/usr/bin/env bash
# Run every test suite `make test` covers and print one closing line,
# "N passed, N failed", counting suites.  Each suite prints its own
# details (Check's summary line, TAP); a suite that cannot run because
# something it needs is missing fails loudly rather than being skipped.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

passed=0
failed=0
failures=()

# Each suite's output also goes to build/test-logs/, so the closing
# lines can repeat why a suite failed: CI often shows only the tail.
LOGS=build/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"

run_suite() {
	local name=$1 log rc
	shift
	log=$LOGS/${name//\//_}.log
	echo "=== $name: $*"
	# Through a process substitution, not a pipe: a process a suite
	# leaves behind holding its output must not stall the run here (the
	# leftovers suite reports it).
	"$@" > >(tee "$log") 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
	else
		echo "=== $name FAILED (exit $rc)" | tee -a "$log"
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

# The lines of a failed suite's log that say what failed: TAP's "not
# ok", Check's ":F:" and ":E:" lines, and the harness' own complaints.
failure_digest() {
	local name=$1 log=$LOGS/${1//\//_}.log
	echo "--- why $name failed (from $log):"
	grep -a -E 'not ok|:[FE]:|FAIL|[Tt]imed out|NOT TESTED|cannot|error:|Bail out' "$log" |
		grep -a -v -E '^=== .* FAILED' | tail -n 40
}

# The test programs are the Makefile's (make list-suites), so a binary
# left in build/ after its source went away does not run; one listed but
# not built fails.
if ! suites=$(MAKEFLAGS= make -s --no-print-directory list-suites); then
	echo "=== cannot list the test programs (make list-suites)" >&2
	exit 2
fi
# Each program of one kind, through the runner given after the kind.
run_programs() {
	local kind=$1 t
	shift
	for t in $(awk -v k="$kind" '$1 == k { print $2 }' <<<"$suites"); do
		if [ -x "$t" ]; then
			run_suite "$kind/$(basename "$t")" "$@" "$t"
		else
			echo "=== $kind/$(basename "$t") is not built: run 'make test'" >&2
			failed=$((failed + 1))
			failures+=("$kind/$(basename "$t")")
		fi
	done
}
run_programs unit

# Real kernels' console logs with syzkaller's titles: detection and title
# rates, on all of them and on each half (tests/harness/crashlogs.sh).
run_suite "crash/syzkaller-logs" tests/harness/crashlogs.sh

# Direct or nested, decided once for every suite below by lgtest
# kvm-probe (LGUEST_RUNNER when set, else probe guests timed on
# /dev/kvm) and exported, so the boot scripts and lgtest make the same
# choice: one answer for the Linux boots, one for the integration suites'
# tiny test guests, which any working /dev/kvm runs (a software KVM too).
decide() {
	local -n answer=$1
	local what=$2
	shift 2
	if answer=$(bin/lgtest kvm-probe "$@"); then
		echo "=== KVM runner for $what: $answer"
	else
		echo "=== cannot decide between direct and nested KVM for $what (see above)" >&2
		failed=$((failed + 1))
		failures+=("kvm-probe")
		answer=nested
	fi
}
decide GUESTS_RUNNER "the test guests" --guests
decide LGUEST_RUNNER "the Linux boots"
export LGUEST_RUNNER

# The integration suites boot the test guests on /dev/kvm.  Without a KVM
# that runs them, each suite runs, as it is, inside a nested host that sees
# this machine's own root (tests/boot/nested.sh --host-root): one host boot
# per suite, the suite's exit status its own.
in_kvm() {
	if [ "$GUESTS_RUNNER" = direct ]; then
		"$@"
	elif [ "$(basename "$1")" = test_guests ]; then
		guests_nested "$@"
	else
		tests/boot/nested.sh --host-root --mem 2048 --timeout 1800 -- "$@"
	fi
}
# test_guests' emulate case has VEX checks (VMOVDQU to MMIO), which need
# AVX in the nested host's CPU, and bookworm's QEMU 7.2 TCG fails AVX in
# kvm-amd's guests (#UD or a triple fault).  So that one case runs in a
# host of its own, under backports' QEMU (ci/fetch-qemu.sh) with -cpu max,
# and every other case in the usual host: two boots, every check run.
guests_nested() {
	local rc=0 q
	tests/boot/nested.sh --host-root --mem 2048 --timeout 1800 -- \
		env CK_EXCLUDE_CASE=emulate "$@" || rc=1
	if q=$(ci/fetch-qemu.sh); then
		echo "=== test_guests' emulate case, in a nested host under $q"
		tests/boot/nested.sh --qemu "$q" --cpu max --host-root --mem 2048 \
			--timeout 900 -- env CK_RUN_CASE=emulate "$@" || rc=1
	else
		echo "=== no QEMU for the emulate case's AVX checks (see above): they did not run" >&2
		rc=1
	fi
	return $rc
}
run_programs integration in_kvm

# The nested hosts of the Linux boots run under backports' QEMU: under
# bookworm's QEMU 7.2 TCG, a Linux guest of kvm-amd with more CPUs than
# the host has triple-faults, stalls or hangs in 1 boot in 3 (and QEMU's
# own -enable-kvm guests lock the host up), where QEMU 10 boots them.
if LGUEST_NESTED_QEMU=$(ci/fetch-qemu.sh); then
	export LGUEST_NESTED_QEMU
	echo "=== nested hosts of the Linux boots: $LGUEST_NESTED_QEMU"
else
	echo "=== no QEMU for the nested hosts of the Linux boots (see above)" >&2
	failed=$((failed + 1))
	failures+=("fetch-qemu")
	unset LGUEST_NESTED_QEMU
fi

run_suite "boot/nested-timeout" tests/boot/nested-timeout.sh
run_suite "boot/kept-host" tests/boot/kept-host.sh
run_suite "boot/real-kernel" tests/boot/real-kernel.sh
run_suite "boot/devices" tests/boot/devices.sh
run_suite "boot/net" tests/boot/net.sh
# The lgtest scripts on Debian's cloud kernel: under the default runner
# (calibrated: direct or nested), and under qemu for the same verdicts.
# Each run's TAP is kept in build/tap/ and must satisfy Debian's prove.
lgtest_prove() {
	local tap=build/tap/$1.tap rc
	shift
	mkdir -p build/tap
	bin/lgtest run --tap "$@" | tee "$tap"
	rc=${PIPESTATUS[0]}
	prove --exec cat "$tap" && return "$rc"
}
# When nested: one kept host at a time, as two hosts' TCG threads on
# this machine's cores starve the guests' timers (LAPIC calibration
# fails, a CPU stalls); and two retries of a test that fails, as even so
# an SMP Linux guest of kvm-amd under TCG triple-faults or hangs now and
# then (1 boot in 12 with 8 CPUs here, quiet; CI once lost two in a row;
# QEMU's own -enable-kvm guests lock the host up).  A pass on a retry is
# listed as flaky, with its first failure, in the TAP above the totals;
# a test that fails all three runs fails.
lgtest_nested=()
[ "$LGUEST_RUNNER" = nested ] && lgtest_nested=(--jobs 1 --retries 2)
run_suite "boot/lgtest" lgtest_prove lgtest "${lgtest_nested[@]}" tests/boot/*.lgt
run_suite "boot/lgtest-qemu" lgtest_prove lgtest-qemu --runner qemu tests/boot/*.lgt
# virtio-fs shares, rootfs host and lgtest exec: on the qemu runner (QEMU
# with Debian's virtiofsd), and the same checks on the lguest runner
# (--share, the same virtiofsd; nested where this machine needs it).
run_suite "boot/fs-qemu" tests/boot/fs-qemu.sh
run_suite "boot/fs-lguest" tests/boot/fs-qemu.sh --runner lguest
# virtiofsd killed under a Linux guest: I/O errors, the launcher goes on.
run_suite "boot/fs-backend-killed" tests/boot/fs-backend-killed.sh
# Every saved fuzz input (seeds and past crashes) through the sanitizer
# build, then each AFL++ target for a short run from its seeds.
for c in corpora/*/; do
	t=$(basename "$c")
	run_suite "fuzz/replay-$t" bin/lgrepro --quiet "$t" "$c"
done
run_suite "fuzz/smoke" fuzz/smoke.sh "${FUZZ_SMOKE_SECS:-15}"
# Each planted bug in fuzz/mutants/ must be caught by the committed inputs.
run_suite "fuzz/mutants-replay" bench/run-mutants.sh --replay
run_suite "fuzz/libfuzzer" fuzz/libfuzzer-smoke.sh build/fuzz/libfuzzer
run_suite "fuzz/lgreap" tests/fuzz/lgreap.sh
# Last: nothing any suite started may still be running.
run_suite "leftovers" tests/fuzz/leftovers.sh

if [ ${#failures[@]} -gt 0 ]; then
	for f in "${failures[@]}"; do
		[ -f "$LOGS/${f//\//_}.log" ] && failure_digest "$f"
	done
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
