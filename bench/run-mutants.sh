#!/usr/bin/env bash
# The fuzzers' own test: each patch in fuzz/mutants/ plants one realistic
# bug in the launcher's guest-facing code, in a scratch copy of the tree
# (the checkout itself is never touched); the patched target is built and
# either fuzzed for a fixed time with fuzz/run.sh (main + ASan instances
# on one core) or, with --replay, run over the committed seeds,
# boundary seeds and regressions.  A table says which mutants were found,
# when and by which instance.
set -uo pipefail

usage() {
	cat <<EOF
Usage: bench/run-mutants.sh [--replay] [--time T] [--keep DIR] [MUTANT...]
  --replay    no fuzzing: each mutant's target (ASan+UBSan replay build)
              runs corpora/TARGET/{seeds,regressions}; a mutant survives
              when every input runs clean
  --time T    fuzzing time per mutant (default 10m; 600, 90s, 5m, 1h):
              fuzz/run.sh TARGET --cores 2 --share-core, i.e. the main
              instance and the ASan+UBSan one on one core
  --keep DIR  keep each mutant's crashes in DIR/MUTANT/
MUTANT: patch files or their names (default: every fuzz/mutants/*.patch).
Each patch starts with 'target: T', 'kind: ...' and 'what: ...' lines.
Needs 'make fuzz'.  Exit: 0 when every mutant applied, built and was
found (fuzzing: at least 90% found); 1 otherwise; 2 usage.
EOF
}

die() {
	echo "bench/run-mutants.sh: $*" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
replay=false
secs=10m
keep=
patches=()
while [ $# -gt 0 ]; do
	case $1 in
	--replay) replay=true; shift ;;
	--time) [[ ${2:-} =~ ^[1-9][0-9]*[smh]?$ ]] ||
			die "--time '${2:-}' is not a duration like 600, 90s or 10m"
		secs=$2; shift 2 ;;
	--keep) [ -n "${2:-}" ] || die "--keep needs a directory"
		keep=$(mkdir -p "$2" && cd "$2" && pwd) || die "cannot create '$2'"
		shift 2 ;;
	--help | -h) usage; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) if [ -f "$1" ]; then patches+=("$1")
	   elif [ -f "fuzz/mutants/$1" ]; then patches+=("fuzz/mutants/$1")
	   elif [ -f "fuzz/mutants/$1.patch" ]; then patches+=("fuzz/mutants/$1.patch")
	   else die "no mutant '$1' in fuzz/mutants"; fi
	   shift ;;
	esac
done
[[ $secs =~ [smh]$ ]] || secs=${secs}s
[ ${#patches[@]} -gt 0 ] || patches=(fuzz/mutants/*.patch)
[ -f "${patches[0]}" ] || die "no patches in fuzz/mutants"
[ -x build/fuzz/lgreap ] || die "no build/fuzz/lgreap: run 'make fuzz'"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# After a ^C the mutant at hand has stopped its campaign (fuzz_mutant).
trap 'echo "bench/run-mutants.sh: interrupted" >&2; exit 130' INT TERM

# The tree without its history, caches and binaries, plus the objects of
# the flavours a mutant needs: make then rebuilds only the patched file.
copy_tree() {
	local dst=$1 flavours=$2 f
	mkdir -p "$dst/build/fuzz"
	tar -C "$root" --exclude=./.git --exclude=./.cache --exclude=./build \
		--exclude=./bin --exclude=./fuzz/bin --exclude=./fuzz/bin-asan \
		--exclude=./tests/guests/bin -cf - . | tar -C "$dst" -xf - || return 1
	for f in $flavours; do
		[ -d "build/fuzz/$f" ] || { echo "no build/fuzz/$f: run 'make fuzz'"; return 1; }
		cp -a "build/fuzz/$f" "$dst/build/fuzz/" || return 1
	done
	cp -a build/fuzz/lgreap "$dst/build/fuzz/"
}

field() {
	sed -n "s/^$2: *//p" "$1" | head -1
}

# Replay: the first input that fails, or nothing.
replay_mutant() {
	local dir=$1 t=$2 inputs=() d
	for d in seeds regressions; do
		[ -d "$dir/corpora/$t/$d" ] && inputs+=("$dir/corpora/$t/$d")
	done
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:allocator_may_return_null=1:symbolize=0 \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1 \
		"$dir/build/fuzz/replay/bin/$t" --timeout 10 "${inputs[@]}" \
		>"$dir/replay.out" 2>"$dir/replay.err" && return 1
	sed -n 's/^replay: running //p' "$dir/replay.err" | tail -1 | sed "s|^$dir/||"
	return 0
}

# The crash files the campaign in $1 has saved so far.
crash_files() {
	find "$1/out" -path '*/crashes/id:*' -type f 2>/dev/null
}

# "milliseconds instance" for each crash of the campaign in $1: AFL's
# time: field, or for a crash an instance found by running what the
# other synced to it (sync:, no time), the file's age since the launch
# at $2.
crash_times() {
	local f inst
	crash_files "$1" | while read -r f; do
		inst=${f%/crashes/*}
		inst=${inst##*/}
		if [[ $f =~ ,time:([0-9]+), ]]; then
			echo "${BASH_REMATCH[1]} $inst"
		else
			awk -v m="$(stat -c %.3Y "$f")" -v l="$2" -v i="$inst" \
				'BEGIN { printf "%d %s\n", (m - l) * 1000, i }'
		fi
	done
}

# Fuzzing: "instance seconds" of the earliest crash, or nothing.  The
# campaign stops at its first crash (the table wants only when and by
# whom), so a found mutant costs its time to find, not the whole budget.
fuzz_mutant() {
	local dir=$1 t=$2 name=$3 first pid launched
	launched=$(date +%s.%N)
	(cd "$dir" && exec nice -n 10 fuzz/run.sh "$t" --cores 2 --share-core \
		--time "$secs" --out "$dir/out" --name mut) >"$dir/run.log" 2>&1 &
	pid=$!
	# ^C reaches this subshell but not the campaign (a background job
	# ignores SIGINT): stop it here, so that nothing is left running,
	# then die of SIGINT, so that the caller stops too.
	trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; trap - INT; kill -INT $BASHPID' INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		if [ -n "$(crash_files "$dir" | head -1)" ]; then
			# TERM, not INT: a background job of a script starts
			# with SIGINT ignored, and a shell cannot trap that.
			kill -TERM "$pid" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$pid"
	trap - INT TERM
	first=$(crash_times "$dir" "$launched" | sort -n | head -1)
	if [ -n "$keep" ] && [ -n "$first" ]; then
		mkdir -p "$keep/$name"
		cp "$dir"/out/*/crashes/id:* "$keep/$name/" 2>/dev/null
	fi
	[ -n "$first" ] || return 1
	echo "${first#* } $(awk '{ printf "%.1f", $1 / 1000 }' <<<"$first")"
}

if $replay; then
	flavours=replay
	goals() { echo "build/fuzz/replay/bin/$1"; }
	printf '%-44s %-7s %-8s %s\n' mutant target result "found by"
else
	flavours="afl aflasan"
	goals() { echo "fuzz/bin/$1 fuzz/bin-asan/$1"; }
	echo "bench/run-mutants.sh: ${secs} of fuzzing per mutant, main + ASan instances sharing one core, load $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-44s %-7s %-8s %10s  %s\n' mutant target result "1st crash" instance
fi

total=0
found=0
broken=0
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	t=$(field "$p" target)
	total=$((total + 1))
	dir=$scratch/$name
	status=
	if [ -z "$t" ] || [ ! -f "fuzz/$t.c" ]; then
		status="no target line naming a fuzz target"
	elif ! copy_tree "$dir" "$flavours" >"$scratch/$name.copy" 2>&1; then
		status="scratch copy failed: $(tail -1 "$scratch/$name.copy")"
	elif ! patch -s -p1 -d "$dir" <"$p" >"$dir/patch.log" 2>&1; then
		status="does not apply: $(head -1 "$dir/patch.log")"
	# shellcheck disable=SC2046
	elif ! nice -n 10 make -s -C "$dir" $(goals "$t") >"$dir/build.log" 2>&1; then
		status="does not build: $(grep -m1 'error' "$dir/build.log")"
	fi
	if [ -n "$status" ]; then
		broken=$((broken + 1))
		printf '%-44s %-7s %-8s %s\n' "$name" "$t" BROKEN "$status"
		rm -rf "$dir"
		continue
	fi
	if $replay; then
		if by=$(replay_mutant "$dir" "$t"); then
			found=$((found + 1))
			printf '%-44s %-7s %-8s %s\n' "$name" "$t" found "$by"
		else
			printf '%-44s %-7s %-8s %s\n' "$name" "$t" SURVIVED "every input ran clean"
		fi
	elif res=$(fuzz_mutant "$dir" "$t" "$name"); then
		found=$((found + 1))
		printf '%-44s %-7s %-8s %9ss  %s\n' "$name" "$t" found "${res#* }" "${res%% *}"
	else
		printf '%-44s %-7s %-8s %10s  %s\n' "$name" "$t" SURVIVED - \
			"$(grep -q 'execs_done' "$dir"/out/*/fuzzer_stats 2>/dev/null && echo "no crash in ${secs}" || echo "afl-fuzz did not run: see its log")"
	fi
	rm -rf "$dir"
done
echo "bench/run-mutants.sh: $found of $total mutants found$($replay && echo " by replaying the committed inputs" || echo " in ${secs} each")$([ $broken -gt 0 ] && echo ", $broken broken")"
[ $broken -eq 0 ] || exit 1
if $replay; then
	[ "$found" -eq "$total" ]
else
	[ $((found * 10)) -ge $((total * 9)) ]
fi
