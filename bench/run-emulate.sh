#!/usr/bin/env bash
# The instruction emulator: decode + execute throughput over the library
# (build/bench/emulate_bench), then the cost of one MMIO store end to end
# on /dev/kvm: a test guest stores N times to the --testdev page with a
# plain MOV, which KVM decodes itself before the exit to us, and with a
# 256-bit VMOVDQU, which KVM cannot decode, so each store is an emulation
# failure the launcher finishes (exit, registers and XSAVE state in,
# emulate, registers back, resume).  Each figure is the difference of the
# median wall times of two guest runs of N1 and N2 stores, divided by
# N2 - N1, so boot and exit costs cancel out.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
n1=${N1:-2000}
n2=${N2:-22000}
guest=tests/guests/bin/guest64.elf

build/bench/emulate_bench "${SECONDS_PER_FORM:-0.2}"
echo

# Median wall and CPU (user + system, KVM_RUN included) milliseconds.
medians() {
	local out
	out=$(build/bench/startup -n "$runs" "$1" -- bin/lguest --testdev 64 "$guest" \
		"lgtest.action=emul-bench-$1:$2")
	case $out in
	*"exit 0)"*) ;;
	*) echo "run-emulate: emul-bench-$1:$2 failed: $out" >&2; exit 1 ;;
	esac
	sed -n 's/.* wall *\([0-9.]*\) ms *cpu *\([0-9.]*\) ms.*/\1 \2/p' <<<"$out"
}

# How many of the stores the launcher emulated (the rest KVM did).
emulated() {
	bin/lguest --verbose --testdev 64 "$guest" "lgtest.action=emul-bench-$1:$2" 2>&1 |
		sed -n 's/^lguest: \([0-9]*\) instructions emulated.*/\1/p'
}

declare -A wall cpu
for form in mov vmovdqu; do
	read -r wa ca <<<"$(medians "$form" "$n1")"
	read -r wb cb <<<"$(medians "$form" "$n2")"
	per() { awk -v a="$1" -v b="$2" -v n=$((n2 - n1)) 'BEGIN { printf "%.2f", (b - a) * 1000 / n }'; }
	wall[$form]=$(per "$wa" "$wb")
	cpu[$form]=$(per "$ca" "$cb")
	printf "MMIO store end to end, %-8s wall %7s us/store, cpu %7s us/store  (%s of %d stores emulated by lguest)\n" \
		"$form:" "${wall[$form]}" "${cpu[$form]}" "$(emulated "$form" "$n1")" "$n1"
done
awk -v mw="${wall[mov]}" -v vw="${wall[vmovdqu]}" -v mc="${cpu[mov]}" -v vc="${cpu[vmovdqu]}" -v r="$runs" 'BEGIN {
	printf "emulated VMOVDQU / KVM-decoded MOV: %.2fx wall, %.2fx cpu (medians of %d runs of %s and %s stores)\n", vw / mw, vc / mc, r, "'"$n1"'", "'"$n2"'"
}'
