#!/usr/bin/env bash
# SMP boot time: Debian's cloud kernel to its /init marker with 1, 2, 4
# and 8 CPUs, under lguest (--cpus N) and under QEMU (-enable-kvm -smp N),
# both inside the same nested host, one boot of each in turn (RUNS rounds,
# default 2).  The nested host gets as many CPUs as this machine has, up
# to the largest N.  Prints the median per VMM and N, side by side.
#   CPUS="1 2 4 8" RUNS=2 [NESTED_CPU=MODEL] bench/run-smp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CACHE=${CACHE:-$PWD/.cache}
cpus=${CPUS:-1 2 4 8}
runs=${RUNS:-2}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lguest-smpbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kernel=$(ci/fetch-kernel.sh)
inner=$(tests/boot/mkinitramfs.sh --init tests/boot/inner-init.sh)

# The nested host's CPUs: this machine's, at most the largest N.
max=1
for n in $cpus; do [ "$n" -gt "$max" ] && max=$n; done
online=$(nproc)
host_smp=$((online < max ? online : max))

# QEMU and what it loads, at the same paths, plus its firmware.
# shellcheck source=bench/nested-qemu.sh
. bench/nested-qemu.sh
qemu_adds

# The outer script reads CPUS and RUNS from a file of its own.
{ echo "CPUS='$cpus'"; echo "RUNS=$runs"; cat bench/smp-outer.sh; } >"$tmp/outer.sh"
# NESTED_CPU: the nested host's -cpu, when nested.sh's default will not do.
cpu_opt=()
[ -z "${NESTED_CPU:-}" ] || cpu_opt=(--cpu "$NESTED_CPU")
tests/boot/nested.sh --launcher bin/lguest-static --mem 2048 --smp "$host_smp" "${cpu_opt[@]}" \
	--timeout "${TIMEOUT:-3600}" --log "${LOG:-/dev/null}" --script "$tmp/outer.sh" \
	--add "$kernel:/vmlinuz" --add "$inner:/inner.cpio.gz" "${adds[@]}" >"$tmp/out" 2>&1 || true
grep -q "LGBENCH-DONE" "$tmp/out" || {
	echo "run-smp: the nested run did not finish" >&2
	tail -30 "$tmp/out" >&2
	exit 1
}
echo "SMP boot to the /init marker, nested host with $host_smp CPUs (of $online here), median of $runs alternating runs:"
awk -v cpus="$cpus" '
/^LGBENCH-ERROR/ { err[$2 " " $3]++; bad = 1 }
/^LGBENCH / { k = $2 " " $3; t[k, ++n[k]] = $4 - $5 }
# Which VMM lost boots at c CPUs, and how many.
function failed_boots(c,    s) {
	if (err["lguest " c]) s = s sprintf(", lguest %d", err["lguest " c])
	if (err["qemu " c]) s = s sprintf(", QEMU %d", err["qemu " c])
	return s ? "  (boots failed: " substr(s, 3) ")" : ""
}
function median(k,    i, j, m, v, tmp) {
	m = n[k]
	if (!m) return -1
	for (i = 1; i <= m; i++) v[i] = t[k, i]
	for (i = 1; i <= m; i++)
		for (j = i + 1; j <= m; j++)
			if (v[j] < v[i]) { tmp = v[i]; v[i] = v[j]; v[j] = tmp }
	return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
END {
	printf "%6s %12s %12s %10s\n", "CPUs", "lguest (s)", "QEMU (s)", "lguest/QEMU"
	split(cpus, list, " ")
	for (i = 1; list[i] != ""; i++) {
		c = list[i]; l = median("lguest " c); q = median("qemu " c)
		printf "%6s %12s %12s %10s%s\n", c,
			l < 0 ? "failed" : sprintf("%.2f", l),
			q < 0 ? "failed" : sprintf("%.2f", q),
			(l > 0 && q > 0) ? sprintf("%.2f", l / q) : "-",
			failed_boots(c)
	}
	exit bad
}' "$tmp/out"
