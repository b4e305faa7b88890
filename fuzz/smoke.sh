#!/usr/bin/env bash
# CI smoke run: every built fuzz target under afl-fuzz for a short fixed
# time from its seeds, the main instance and the ASan+UBSan one sharing
# one core.  Fails when any run finds a crash or hang (which
# it then replays through bin/lgrepro for the report) or cannot run.
set -uo pipefail

usage() {
	echo "Usage: fuzz/smoke.sh [SECONDS [TARGET...]]"
	echo "Runs each TARGET (default: every fuzz/bin/* built by 'make fuzz') for"
	echo "SECONDS (default 15) on one core (main and ASan+UBSan instances)"
	echo "into a temporary sync directory."
	echo "Exit status: 0 nothing found, 1 a crash, hang or failure to run."
}

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	usage
	exit 0
fi
cd "$(dirname "$0")/.." || exit 1
secs=${1:-15}
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz/smoke.sh: '$secs' is not a number of seconds" >&2; exit 1; }
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in fuzz/bin/*; do
		[ -x "$b" ] && targets+=("$(basename "$b")")
	done
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz/smoke.sh: no fuzz targets in fuzz/bin: run 'make fuzz'" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
	echo "--- smoke: $t for $secs s"
	fuzz/run.sh "$t" --cores 2 --share-core --time "$secs" --out "$work/$t" --name smoke
	case $? in
	0) ;;
	1) bin/lgrepro "$t" "$work/$t"/*/crashes "$work/$t"/*/hangs
	   failed+=("$t") ;;
	*) failed+=("$t") ;;
	esac
	for inst in main-smoke smoke-asan; do
		if ! grep -qs '^execs_done *: *[1-9]' "$work/$t/$inst/fuzzer_stats"; then
			echo "fuzz/smoke.sh: $t: $inst ran no executions" >&2
			failed+=("$t")
		fi
	done
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz/smoke.sh: failed: ${failed[*]}"
	exit 1
fi
echo "fuzz/smoke.sh: ${#targets[@]} target(s) ran $secs s each, nothing found"
