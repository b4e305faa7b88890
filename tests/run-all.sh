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

run_suite() {
	local name=$1
	shift
	echo "=== $name: $*"
	if "$@"; then
		passed=$((passed + 1))
	else
		echo "=== $name FAILED (exit $?)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

units=0
for t in build/tests/unit/test_*; do
	[ -x "$t" ] || continue
	run_suite "unit/$(basename "$t")" "$t"
	units=$((units + 1))
done
if [ "$units" -eq 0 ]; then
	echo "=== no unit test programs in build/tests/unit: run 'make test'" >&2
	failed=$((failed + 1))
	failures+=("unit-missing")
fi

if [ ! -c /dev/kvm ]; then
	echo "=== /dev/kvm is missing: the guest and boot tests need it" >&2
	failed=$((failed + 1))
	failures+=("kvm-missing")
else
	for t in build/tests/integration/test_*; do
		[ -x "$t" ] || continue
		run_suite "integration/$(basename "$t")" "$t"
	done
fi

run_suite "boot/nested-timeout" tests/boot/nested-timeout.sh
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
run_suite "boot/lgtest" lgtest_prove lgtest tests/boot/*.lgt
run_suite "boot/lgtest-qemu" lgtest_prove lgtest-qemu --runner qemu tests/boot/*.lgt
# Every saved fuzz input (seeds and past crashes) through the sanitizer
# build, then each AFL++ target for a short run from its seeds.
for c in corpora/*/; do
	t=$(basename "$c")
	run_suite "fuzz/replay-$t" bin/lgrepro --quiet "$t" "$c"
done
run_suite "fuzz/smoke" fuzz/smoke.sh "${FUZZ_SMOKE_SECS:-15}"

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed suites: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
