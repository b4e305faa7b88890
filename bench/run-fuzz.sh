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
Usage: bench/run-fuzz.sh [--secs N] [--corpus DIR]... [--no-speed] [TARGET...]
  --secs N     afl-fuzz run per target for exec/s (default 30)
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
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--secs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "bench/run-fuzz.sh: --secs needs seconds" >&2; exit 1; }
		secs=$2; shift 2 ;;
	--corpus) [ -d "${2:-}" ] || { echo "bench/run-fuzz.sh: --corpus '${2:-}' is not a directory" >&2; exit 1; }
		corpus+=("$2"); shift 2 ;;
	--no-speed) speed=false; shift ;;
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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

exec_rate() {
	local t=$1
	fuzz/run.sh "$t" --cores 1 --time "$secs" --out "$work/afl-$t" --name bench >"$work/run-$t.log" 2>&1
	local rate
	rate=$(sed -n 's/^execs_per_sec *: //p' "$work/afl-$t"/*/fuzzer_stats 2>/dev/null | head -1)
	if [ -z "$rate" ]; then
		echo "  exec/s: afl-fuzz did not run; its output:"
		sed 's/^/    /' "$work/run-$t.log" | tail -8
		return 1
	fi
	echo "  exec/s (one core, -M -c 0, ${secs} s): $rate"
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
