#!/usr/bin/env bash
# lgtest's own cost: a suite of BOOTS (default 20) copies of a trivial
# script (boot Debian's cloud kernel with lgtest's default initramfs until
# its /init prints the boot marker) run by lgtest with --jobs 1 and
# --jobs 2, beside the same boots run by a plain shell loop around
# qemu-system-x86_64 (same kernel, initrd and command line, stopped at the
# same marker), one and two at a time.  Prints tests per minute for each,
# and the harness overhead per test: lgtest's wall time per test beyond
# the plain loop's, and, from lgtest's JSON, the time around each guest
# beyond its launch-to-marker boot time.
#
#   RUNNERS   lgtest runners to measure (default "qemu lguest"); the plain
#             loop is QEMU, so "qemu" is the like-for-like comparison
#   BOOTS     boots per suite (default 20)
#
# The figures are wall times on whatever else the machine is doing;
# `uptime` is printed first so the reader can judge.
set -euo pipefail
cd "$(dirname "$0")/.."

boots=${BOOTS:-20}
runners=${RUNNERS:-qemu lguest}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-harness.XXXXXX")
qpids=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local p
	for p in "${qpids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for cmd in qemu-system-x86_64 jq bin/lgtest; do
	command -v "$cmd" >/dev/null || {
		echo "run-harness: $cmd is missing (make; apt-get install qemu-system-x86 jq)" >&2
		exit 2
	}
done

for ((i = 1; i <= boots; i++)); do
	printf '# boot to the marker, then stop\nexpect "lgtest-boot-marker"\n' \
		>"$tmp/boot$(printf %02d "$i").lgt"
done

# The kernel and initrd lgtest boots by default, from its own dry run.
dry=$(bin/lgtest run -n --runner qemu "$tmp/boot01.lgt") || {
	echo "run-harness: lgtest cannot find its default kernel and initramfs" >&2
	exit 2
}
kernel=$(sed -n 's/.* -kernel \([^ ]*\) .*/\1/p' <<<"$dry")
initrd=$(sed -n 's/.* -initrd \([^ ]*\) .*/\1/p' <<<"$dry")
if [ ! -r "$kernel" ] || [ ! -r "$initrd" ]; then
	echo "run-harness: no kernel/initrd in: $dry" >&2
	exit 2
fi

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk "BEGIN { printf \"%.2f\", $2 - $1 }"; }
per_minute() { awk "BEGIN { printf \"%.1f\", $1 * 60 / $2 }"; }
per_test() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

# One boot as the qemu runner runs it, without lgtest: until the marker.
plain_boot() {
	local fifo=$tmp/console.$1 qpid
	mkfifo "$fifo"
	qemu-system-x86_64 -accel tcg -m 256 -smp 1 -nodefaults -no-user-config \
		-display none -no-reboot -serial stdio -kernel "$kernel" \
		-initrd "$initrd" -append "console=ttyS0 panic=-1 no_timer_check" \
		</dev/null >"$fifo" 2>/dev/null &
	qpid=$!
	grep -q -m1 lgtest-boot-marker <"$fifo" || true
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	rm -f "$fifo"
}

# The suite's boots, `width` loops side by side; suite_secs: wall time.
plain_suite() {
	local width=$1 t0 w i
	t0=$(now)
	for ((w = 0; w < width; w++)); do
		(for ((i = w; i < boots; i += width)); do plain_boot "$w.$i"; done) &
		qpids+=($!)
	done
	wait
	qpids=()
	suite_secs=$(elapsed "$t0" "$(now)")
}

echo "# $(uptime)"
echo "# $(nproc) CPUs; $boots boots per suite; kernel $(basename "$kernel")"

report_plain() {
	local width=$1 secs
	plain_suite "$width"
	secs=$suite_secs
	printf 'plain qemu loop, %d at a time: %6.1f tests/min (%s s, %s s per test)\n' \
		"$width" "$(per_minute "$boots" "$secs")" "$secs" "$(per_test "$secs" "$boots")"
	eval "plain_$width=$secs"
}

# lgtest on the suite; prints tests/min, and what the JSON says of each test.
report_lgtest() {
	local runner=$1 jobs=$2
	local t0 secs rc=0 json=$tmp/$runner.$jobs.json
	t0=$(now)
	bin/lgtest run --tap --runner "$runner" --jobs "$jobs" --json "$json" \
		"$tmp"/boot*.lgt >"$tmp/$runner.$jobs.tap" 2>&1 || rc=$?
	secs=$(elapsed "$t0" "$(now)")
	if [ "$rc" != 0 ]; then
		echo "run-harness: lgtest --runner $runner --jobs $jobs exited $rc:" >&2
		tail -20 "$tmp/$runner.$jobs.tap" >&2
		exit 1
	fi
	# Per test: whole test, runner set-up, launch to marker; and the run's
	# fixed cost (start-up, calibration, reports) beyond its tests.
	read -r test setup marker <<<"$(jq -r '[.tests[] | .seconds] as $s
		| [.tests[] | .boot.setup] as $u | [.tests[] | .boot.marker] as $m
		| "\($s | add / length) \($u | add / length) \($m | add / length)"' "$json")"
	printf 'lgtest --runner %s --jobs %d:  %6.1f tests/min (%s s, %s s per test)\n' \
		"$runner" "$jobs" "$(per_minute "$boots" "$secs")" "$secs" "$(per_test "$secs" "$boots")"
	printf '    per test: %.2f s, of which runner set-up %.2f s, launch to marker %.2f s: %.2f s around the guest\n' \
		"$test" "$setup" "$marker" "$(awk "BEGIN { print $test - $setup - $marker }")"
	if [ "$jobs" = 1 ]; then
		printf '    fixed cost of the run (start-up, default kernel and initramfs from the cache, calibration, reports): %s s\n' \
			"$(jq -r "$secs - ([.tests[] | .seconds] | add) | . * 100 | round / 100" "$json")"
	fi
	eval "lgtest_${runner}_$jobs=$secs"
}

report_plain 1
report_plain 2
for runner in $runners; do
	report_lgtest "$runner" 1
	report_lgtest "$runner" 2
done
if [[ " $runners " == *" qemu "* ]]; then
	# shellcheck disable=SC2154  # set by eval above
	for jobs in 1 2; do
		l=lgtest_qemu_$jobs p=plain_$jobs
		printf 'harness overhead, --jobs %d: %s s per test (lgtest --runner qemu minus the plain loop)\n' \
			"$jobs" "$(awk "BEGIN { printf \"%.2f\", (${!l} - ${!p}) / $boots }")"
	done
fi
