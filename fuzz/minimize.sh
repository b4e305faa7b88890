#!/usr/bin/env bash
# Shrink fuzz inputs with the target's own AFL++ binary:
#   minimize.sh cmin TARGET IN_DIR OUT_DIR   smallest corpus, same coverage
#   minimize.sh tmin TARGET CRASH OUT_FILE   smallest input, same crash
set -uo pipefail

usage() {
	sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
	echo "Needs fuzz/bin/TARGET ('make fuzz').  Exit: afl-cmin's or afl-tmin's status; 2 usage."
}

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	usage
	exit 0
fi
[ $# -eq 4 ] || { usage >&2; exit 2; }
mode=$1 target=$2 in=$3 out=$4
bin=$(cd "$(dirname "$0")" && pwd)/bin/$target
[ -x "$bin" ] || { echo "minimize.sh: no fuzzer '$bin': run 'make fuzz'" >&2; exit 2; }
[ -e "$in" ] || { echo "minimize.sh: no such input '$in'" >&2; exit 2; }
# afl-cmin and afl-tmin start forkservers too: reap what they leave.
reap=$(cd "$(dirname "$0")/.." && pwd)/build/fuzz/lgreap
[ -x "$reap" ] || { echo "minimize.sh: no $reap: run 'make fuzz'" >&2; exit 2; }
# afl-cmin refuses /tmp without this; our inputs are our own files.
export AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
case $mode in
cmin)
	[ -d "$in" ] || { echo "minimize.sh: cmin needs a directory, not '$in'" >&2; exit 2; }
	exec "$reap" --quiet afl-cmin -i "$in" -o "$out" -- "$bin" ;;
tmin)
	[ -f "$in" ] || { echo "minimize.sh: tmin needs a file, not '$in'" >&2; exit 2; }
	exec "$reap" --quiet afl-tmin -i "$in" -o "$out" -- "$bin" ;;
*)
	echo "minimize.sh: unknown mode '$mode' (cmin or tmin)" >&2
	usage >&2
	exit 2 ;;
esac
