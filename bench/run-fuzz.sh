#!/usr/bin/env bash
# Fuzzing figures per target: executions per second on one core (afl-fuzz
# in persistent mode, as fuzz/run.sh --cores 1 runs it, from fuzzer_stats)
# and the line and branch coverage that a corpus reaches in each source
# file the target fuzzes (clang source coverage, build/fuzz/cov), then
# over the target's guest-facing functions (fuzz/coverage-exclude.txt).
set -uo pipefail

# The files each target exists to fuzz: the coverage goal is measured on
# these.  A target added later needs a line here and nothing else.
declare -A fuzzed=(
	[vring]="launcher/virtio/vring.c launcher/virtio/iov.c launcher/virtio/serve.c
		 launcher/devices/virtio_blk.c launcher/devices/virtio_console.c
		 launcher/devices/virtio_net.c launcher/devices/virtio_rng.c"
	[loader]="launcher/loader.c launcher/elf.c launcher/x86/bzimage.c"
	[insn]="launcher/x86/insn_decode.c launcher/x86/emulate*.c"
	[pci]="launcher/pci.c launcher/pci_msix.c launcher/virtio/virtio_pci.c"
	[console]="harness/crash.c harness/crash_blame.c harness/ktap.c harness/expect.c
		   harness/json.c harness/junit.c harness/tap.c harness/report.c"
)

usage() {
	cat <<EOF
Usage: bench/run-fuzz.sh [--secs N] [--corpus DIR]... [--no-speed]
                         [--baseline CHECKOUT] [TARGET...]
  --secs N     afl-fuzz run per build for exec/s (default 30): the target
               as fuzz/run.sh's main instance runs it (guard-page input,
               stack protector), its ASan+UBSan build, each beside the
               trivial target (build/fuzz/trivial) run just before it
  --baseline CHECKOUT  also CHECKOUT/fuzz/bin/TARGET, e.g. a build of
               the commit before the detectors, for the figures with and
               without them; then both main builds again at the same
               time on one CPU (same load for both), with their ratio
  --corpus DIR coverage of DIR (e.g. an afl output's queue) instead of
               corpora/TARGET/{seeds,regressions}; with one TARGET;
               repeat it to measure the union of several directories
  --no-speed   coverage only
Coverage is printed per file, then over the target's guest-facing
functions: its files' functions minus those fuzz/coverage-exclude.txt
excludes (host set-up, KVM wiring, ...), with those below 90% of lines
listed.
TARGET defaults to every built fuzz/bin/*.  Needs 'make fuzz fuzz-cov'
(make bench-fuzz does both).  Exit: 0, or 1 when a measurement failed.
EOF
}

cd "$(dirname "$0")/.." || exit 1
scope=fuzz/coverage-exclude.txt
secs=30
corpus=()
speed=true
baseline=
trivial=build/fuzz/trivial
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--secs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench/run-fuzz.sh: --secs needs seconds" >&2; exit 1; }
		secs=$2; shift 2 ;;
	--corpus) [ -d "${2:-}" ] || { echo "bench/run-fuzz.sh: --corpus '${2:-}' is not a directory" >&2; exit 1; }
		corpus+=("$2"); shift 2 ;;
	--no-speed) speed=false; shift ;;
	--baseline) [ -d "${2:-}/fuzz/bin" ] || { echo "bench/run-fuzz.sh: --baseline '${2:-}' has no fuzz/bin" >&2; exit 1; }
		baseline=$(cd "$2" && pwd); shift 2 ;;
	--help | -h) usage; exit 0 ;;
	-*) echo "bench/run-fuzz.sh: unknown option '$1'" >&2; usage >&2; exit 1 ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} -eq 0 ]; then
	for b in fuzz/bin/*; do
		[ -x "$b" ] && targets+=("$(basename "$b")")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "bench/run-fuzz.sh: no fuzz targets built: run 'make bench-fuzz'" >&2
	exit 1
fi
if [ ${#corpus[@]} -gt 0 ] && [ ${#targets[@]} -ne 1 ]; then
	echo "bench/run-fuzz.sh: --corpus goes with exactly one TARGET" >&2
	exit 1
fi

if $speed && { [ ! -x "$trivial" ] || [ ! -x build/fuzz/lgreap ]; }; then
	echo "bench/run-fuzz.sh: no $trivial or build/fuzz/lgreap: run 'make bench-fuzz'" >&2
	exit 1
fi
pin=()	# afl_rate's CPU, for side_by_side
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# exec/s of one afl-fuzz instance of BIN ($2: -M with CMPLOG, or -S)
# from corpora/$1's inputs on one core, under lgreap like fuzz/run.sh.
# With pin=(taskset -c CPU) set, on that CPU without afl-fuzz's binding.
afl_rate() {
	local t=$1 role=$2 bin=$3 tag=$4 seeds=$work/seeds-$1 out=$work/afl-$1-$4
	local env=(AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_TRY_AFFINITY=1
		   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_CMPLOG_ONLY_NEW=1
		   ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
		   UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0)
	local args=(-M bench -c 0)
	[ ${#pin[@]} -eq 0 ] || env+=(AFL_NO_AFFINITY=1)
	[ "$role" = S ] && args=(-S bench -m none)
	if [ ! -d "$seeds" ]; then
		mkdir -p "$seeds"
		find "corpora/$t" -type f -exec cp -t "$seeds" {} + 2>/dev/null
		[ -n "$(ls -A "$seeds")" ] || echo x >"$seeds/x"
	fi
	"${pin[@]}" env "${env[@]}" build/fuzz/lgreap --quiet afl-fuzz -i "$seeds" -o "$out" \
		"${args[@]}" -V "$secs" -t 500 -- "$bin" >"$work/$t-$tag.log" 2>&1
	sed -n 's/^execs_per_sec *: //p' "$out"/bench/fuzzer_stats 2>/dev/null | head -1
}

# The target with its detectors, its ASan+UBSan instance, the baseline
# build (--baseline) if given, each beside the trivial target run just
# before it, on one core.
exec_rate() {
	local t=$1 kind bin role rate peer
	echo "  exec/s, ${secs} s each on one core (load $(cut -d' ' -f1-3 /proc/loadavg)):"
	printf '    %-34s %10s %10s %7s\n' build exec/s trivial ratio
	for kind in detectors asan baseline; do
		case $kind in
		detectors) bin=fuzz/bin/$t role=M ;;
		asan) bin=fuzz/bin-asan/$t role=S ;;
		baseline) [ -n "$baseline" ] || continue
			bin=$baseline/fuzz/bin/$t role=M ;;
		esac
		if [ ! -x "$bin" ]; then
			printf '    %-34s %s\n' "$bin" "not built"
			continue
		fi
		peer=$(afl_rate trivial S "$trivial" "peer-$t-$kind")
		rate=$(afl_rate "$t" "$role" "$bin" "$kind")
		if [ -z "$rate" ] || [ -z "$peer" ]; then
			echo "    $bin: afl-fuzz did not run; its output:"
			tail -5 "$work/$t-$kind.log" | sed 's/^/      /'
			return 1
		fi
		printf '    %-34s %10s %10s %7s\n' "$kind ($bin)" "$rate" "$peer" \
			"$(awk -v a="$rate" -v b="$peer" 'BEGIN { printf "%.3f", a / b }')"
	done
	[ -z "$baseline" ] || side_by_side "$t"
}

# Run one after the other, two builds can see loads several-fold apart;
# at the same time on one CPU they share whatever the machine gives.
side_by_side() {
	local t=$1 cpu now was
	local -a pin

	cpu=$(taskset -cp $$ | sed 's/.*[,-]//; s/.*: *//')
	pin=(taskset -c "$cpu")
	echo "  side by side on CPU $cpu, ${secs} s (load $(cut -d' ' -f1-3 /proc/loadavg)):"
	afl_rate "$t" M "fuzz/bin/$t" sbs-detectors >"$work/sbs-now" &
	afl_rate "$t" M "$baseline/fuzz/bin/$t" sbs-baseline >"$work/sbs-was" &
	wait
	now=$(cat "$work/sbs-now") was=$(cat "$work/sbs-was")
	if [ -z "$now" ] || [ -z "$was" ]; then
		echo "    afl-fuzz did not run: see $work/$t-sbs-*.log"
		return 1
	fi
	printf '    %-34s %10s\n    %-34s %10s\n    %-34s %10s\n' \
		"detectors (fuzz/bin/$t)" "$now" "baseline ($baseline)" "$was" \
		"detectors / baseline" "$(awk -v a="$now" -v b="$was" 'BEGIN { printf "%.3f", a / b }')"
}

coverage() {
	local t=$1 bin=build/fuzz/cov/bin/$1 inputs=()
	if [ ! -x "$bin" ]; then
		echo "  coverage: no $bin: run 'make fuzz-cov'"
		return 1
	fi
	if [ ${#corpus[@]} -gt 0 ]; then
		inputs=("${corpus[@]}")
	else
		for d in "corpora/$t/seeds" "corpora/$t/regressions"; do
			[ -d "$d" ] && inputs+=("$d")
		done
	fi
	[ ${#inputs[@]} -gt 0 ] || { echo "  coverage: no corpus for $t"; return 1; }
	LLVM_PROFILE_FILE="$work/$t-%p.profraw" "$bin" --timeout 10 "${inputs[@]}" \
		>/dev/null 2>"$work/cov-$t.log" || {
		echo "  coverage: replay failed:"; tail -5 "$work/cov-$t.log" | sed 's/^/    /'; return 1; }
	llvm-profdata merge -sparse -o "$work/$t.profdata" "$work/$t"-*.profraw || return 1
	local files
	# shellcheck disable=SC2086
	files=$(ls ${fuzzed[$t]:-})
	echo "  coverage by ${inputs[*]}:"
	printf '    %-36s %8s %9s\n' file lines branches
	# llvm-cov report: ... Lines Missed Cover Branches Missed Cover
	# shellcheck disable=SC2086
	llvm-cov report "$bin" -instr-profile="$work/$t.profdata" $files |
		awk '$1 ~ /\.c$/ || $1 == "TOTAL" {
			printf "    %-36s %8s %9s\n", $1, $(NF-3), $NF }'
	# shellcheck disable=SC2086
	guest_facing "$t" "$bin" "$work/$t.profdata" $files
}

# The guest-facing code of target $1: the functions of its files $4...
# minus those fuzz/coverage-exclude.txt excludes, plus those it includes
# from other files; line and branch coverage summed over them from
# llvm-cov's per-function report, and the ones below 90% of lines named.
guest_facing() {
	local t=$1 bin=$2 profdata=$3
	shift 3
	local extra
	extra=$(awk -v t="$t" '$1 == t && $2 ~ /^\+/ {
		sub(/^\+/, "", $2); sub(/:[^:]*$/, "", $2); print $2 }' "$scope" | sort -u)
	# shellcheck disable=SC2086
	llvm-cov report "$bin" -instr-profile="$profdata" -show-functions "$@" $extra |
		awk -v t="$t" -v files="$*" -v scope="$scope" -f bench/guest-facing.awk
}

for t in "${targets[@]}"; do
	echo "== $t"
	if [ -z "${fuzzed[$t]:-}" ]; then
		echo "  (no fuzzed-files entry for $t in bench/run-fuzz.sh: coverage of the whole library)"
	fi
	if $speed; then
		exec_rate "$t" || status=1
	fi
	coverage "$t" || status=1
done
exit $status
