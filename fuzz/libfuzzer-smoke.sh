#!/usr/bin/env bash
# The OSS-Fuzz path, kept from rotting: each libFuzzer build that
# 'make fuzz-libfuzzer' left in DIR runs a few seconds from its seed
# corpus zip (as OSS-Fuzz unpacks it) with its dictionary.
set -uo pipefail

usage() {
	echo "Usage: fuzz/libfuzzer-smoke.sh [--secs N] DIR [TARGET...]"
	echo "Runs DIR/TARGET (default: every target fuzz/oss-fuzz-build.sh builds)"
	echo "for N seconds (default 3) each from DIR/TARGET_seed_corpus.zip with"
	echo "DIR/TARGET.dict.  Exit: 0 all ran clean; 1 a target is missing,"
	echo "crashed or ran nothing; 2 usage."
}

secs=3
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	usage
	exit 0
fi
if [ "${1:-}" = --secs ]; then
	[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "libfuzzer-smoke: --secs needs seconds" >&2; exit 2; }
	secs=$2
	shift 2
fi
[ $# -ge 1 ] && [ -d "$1" ] || { usage >&2; exit 2; }
out=$1
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -ra targets <<<"$(sed -n 's/^targets=(\(.*\))$/\1/p' "$(dirname "$0")/oss-fuzz-build.sh")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for t in "${targets[@]}"; do
	bin=$out/$t
	if [ ! -x "$bin" ]; then
		echo "libfuzzer-smoke: no libFuzzer build $bin (make fuzz-libfuzzer)" >&2
		failed+=("$t")
		continue
	fi
	mkdir -p "$work/$t/corpus"
	[ -f "$out/${t}_seed_corpus.zip" ] && unzip -q -o "$out/${t}_seed_corpus.zip" -d "$work/$t/seeds"
	mkdir -p "$work/$t/seeds"
	dict=()
	[ -f "$out/$t.dict" ] && dict=(-dict="$out/$t.dict")
	if ! "$bin" -max_total_time="$secs" -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$work/$t/" "$work/$t/corpus" "$work/$t/seeds" \
		>"$work/$t.log" 2>&1; then
		echo "libfuzzer-smoke: $t failed:" >&2
		tail -30 "$work/$t.log" | sed 's/^/    /' >&2
		failed+=("$t")
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	if [ "${runs:-0}" -eq 0 ]; then
		echo "libfuzzer-smoke: $t ran no inputs" >&2
		failed+=("$t")
		continue
	fi
	echo "libfuzzer-smoke: $t: $runs inputs in $secs s"
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "libfuzzer-smoke: failed: ${failed[*]}"
	exit 1
fi
