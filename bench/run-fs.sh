#!/usr/bin/env bash
# virtio-fs figures through lgtest, one column per runner, side by side:
# the round trip of `lgtest exec true` (launch, boot on this machine's /,
# run, power off), and the guest's first read (cold guest cache, warm host
# cache) of a 256 MiB host file through the share, as the host's own dd
# reads the same file.  RUNS rounds (default 3), runners in turn; prints
# the median and the range.  A runner that cannot run it gets its reason
# instead.  The lguest runner is nested where this machine's /dev/kvm
# cannot boot Linux (bin/lgtest kvm-probe), the qemu runner TCG where
# there is no usable KVM: the line "runners:" says which ran.
# NESTED=1 runs the whole bench inside one nested host on this machine's
# root (tests/boot/nested.sh --host-root): both runners on that host's
# kvm-amd, the same virtiofsd, one vCPU each (QEMU's own SMP guests of
# such a host lock it up), so lguest and QEMU meet on the same KVM.
#   RUNS=3 MIB=256 [NESTED=1] [CPUS=N] bench/run-fs.sh [RUNNER...]
#   (default runners: qemu lguest)
set -uo pipefail
cd "$(dirname "$0")/.."
export CACHE=${CACHE:-$PWD/.cache}
runs=${RUNS:-3}
mib=${MIB:-256}
[ $# -gt 0 ] || set -- qemu lguest
lgtest=$PWD/bin/lgtest
[ -x "$lgtest" ] || { echo "run-fs: no $lgtest: run make" >&2; exit 2; }
if [ "${NESTED:-0}" = 1 ]; then
	ci/fetch-kernel.sh >/dev/null || exit 2
	exec tests/boot/nested.sh --host-root --mem 3072 --smp 2 --timeout 3600 \
		--env CACHE="$CACHE" --env RUNS="$runs" --env MIB="$mib" \
		--env LGUEST_RUNNER=direct --env CPUS="${CPUS:-1}" -- "$0" "$@"
fi
cpus=()
[ -z "${CPUS:-}" ] || cpus=(--cpus "$CPUS")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lgtest-fsbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
head -c "${mib}M" /dev/urandom >"$tmp/big"
cat "$tmp/big" >/dev/null # in the host's page cache, for every reader

# Seconds, then MB/s as dd prints them ("..., 2.5 s, 107 MB/s").
dd_rate() { sed -n 's/.*copied, \([0-9.]*\) s, \([0-9.]*\) \([kMG]\)B\/s.*/\2 \3/p' | tail -n1 |
	awk '{ r = $1; if ($2 == "k") r /= 1000; if ($2 == "G") r *= 1000; printf "%.1f\n", r }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%s (%s-%s)", v[int((NR + 1) / 2)], v[1], v[NR]; else printf "-" }'; }

declare -A trip=() rate=() why=()
cd "$tmp" || exit 2
for ((round = 1; round <= runs; round++)); do
	for r in "$@"; do
		[ -z "${why[$r]:-}" ] || continue
		start=$(date +%s.%N)
		if ! "$lgtest" exec --runner "$r" "${cpus[@]}" -- true 2>"$tmp/err"; then
			why[$r]=$(grep -m1 'lgtest' "$tmp/err" | cut -c1-300)
			continue
		fi
		trip[$r]+="$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') "
		got=$("$lgtest" exec --runner "$r" "${cpus[@]}" --mem 512 -- dd if=big of=/dev/null bs=1M 2>&1)
		rate[$r]+="$(echo "$got" | dd_rate) "
	done
	host+="$(dd if=big of=/dev/null bs=1M 2>&1 | dd_rate) "
done

printf '%-34s' "median (range), $runs rounds"
for r in "$@"; do printf '  %-24s' "$r"; done
printf '  %s\n' "host dd"
printf '%-34s' "lgtest exec true round trip, s"
for r in "$@"; do printf '  %-24s' "$(tr ' ' '\n' <<<"${trip[$r]:-}" | grep . | median)"; done
printf '  %s\n' "-"
printf '%-34s' "read ${mib} MiB through a share, MB/s"
for r in "$@"; do printf '  %-24s' "$(tr ' ' '\n' <<<"${rate[$r]:-}" | grep . | median)"; done
printf '  %s\n' "$(tr ' ' '\n' <<<"$host" | grep . | median)"
for r in "$@"; do
	[ -z "${why[$r]:-}" ] || echo "$r: not run: ${why[$r]}"
done
echo "runners: lguest $("$lgtest" kvm-probe 2>/dev/null || echo '?'), qemu $(grep -q -w -E 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && echo kvm || echo tcg)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; guest vCPUs ${CPUS:-as lgtest defaults}; qemu accel: $(grep -q -w -E 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && echo kvm || echo tcg)"
