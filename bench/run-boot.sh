#!/usr/bin/env bash
# Real-kernel boot time: runs tests/boot/real-kernel.sh RUNS times (default
# 5) and prints the median time from launcher start to the inner /init
# marker, and of the whole run (including the nested host's own boot when
# the nested runner is used).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
marker=()
whole=()
for ((i = 1; i <= runs; i++)); do
	line=$(tests/boot/real-kernel.sh "$@" 2>/dev/null | grep '^ok 1') ||
		{ echo "run-boot: boot $i failed" >&2; exit 1; }
	marker+=("$(sed -n 's/.*marker \([0-9.]*\) s.*/\1/p' <<<"$line")")
	whole+=("$(sed -n 's/.*whole run \([0-9.]*\) s.*/\1/p' <<<"$line")")
	echo "run $i: $line" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
runner=$(grep -o '(nested)\|(direct)' <<<"$line" || true)
printf 'real-kernel boot %s: launcher start to /init marker %s s, whole run %s s (median of %d)\n' \
	"$runner" "$(median "${marker[@]}")" "$(median "${whole[@]}")" "$runs"
