#!/usr/bin/env bash
# Instructions per chain for the virtqueue library, counted by callgrind
# (repeatable whatever else the machine does): for each chain length, run
# the vring benchmark with two iteration counts and divide the
# difference by the extra chains, so set-up cost cancels out.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "run-callgrind: valgrind not installed" >&2; exit 1; }
count() {
	local out
	out=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='virtq_*' \
		build/bench/vring_bench --length "$1" --iterations "$2" >/dev/null 2>"$out"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out"
	rm -f "$out"
}
for n in 1 4 16; do
	small=$(count "$n" 10)
	large=$(count "$n" 110)
	awk -v a="$small" -v b="$large" -v n="$n" 'BEGIN {
		printf "vring (callgrind): %2d descriptors per chain: %.0f instructions per chain\n", n, (b - a) / (100 * 256 / n)
	}'
done
