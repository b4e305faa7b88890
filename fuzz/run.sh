#!/usr/bin/env bash
# A fuzzing campaign for one target: one afl-fuzz main instance (-M, with
# CMPLOG through -c 0 on the CMPLOG-built binary) and N-1 secondaries (-S),
# the last of them the ASan+UBSan build, sharing one sync directory, for a
# fixed time; then a summary from each instance's fuzzer_stats.  ^C stops
# every afl-fuzz it started.  The script runs under build/fuzz/lgreap, so
# the forkserver children afl-fuzz 4.04c leaves stopped are reaped too.
set -uo pipefail

usage() {
	cat <<EOF
Usage: fuzz/run.sh TARGET [options]
  --cores N        afl-fuzz instances (default 1): one -M main, N-1 -S
  --time T         how long: seconds, or 30s, 30m, 2h (default 30m)
  --out DIR        the sync directory, afl-fuzz -o (default .cache/fuzz/TARGET);
                   an existing one is resumed
  --sync DIR       the same as --out
  --name PREFIX    instance name prefix (default: the short host name);
                   must differ between machines sharing a sync directory
  --no-main        secondaries only: for a machine joining a campaign
                   whose main instance runs elsewhere
  --no-asan        no ASan+UBSan instance (by default, with 2 or more
                   instances the last -S runs fuzz/bin-asan/TARGET)
  --share-core     every instance on one CPU (taskset, no afl-fuzz
                   binding): N instances for the price of one core
Seeds: corpora/TARGET/seeds and corpora/TARGET/regressions; dictionary
fuzz/dict/TARGET.dict.  Needs fuzz/bin/TARGET ('make fuzz').
Each input may run FUZZ_EXEC_TIMEOUT_MS milliseconds (default 500) before
it counts as a hang: every target here takes well under 1 ms an input,
and afl-fuzz's own estimate (about 20 ms) turns a busy machine's
scheduling delays into false hangs.
Exit status: 0 no crash or hang found, 1 crashes or hangs found (listed,
with the lgrepro command to replay them), 2 usage or set-up error.
EOF
}

die() {
	echo "fuzz/run.sh: $*" >&2
	exit 2
}

seconds_of() {
	case $1 in
	*[0-9]s) echo "${1%s}" ;;
	*[0-9]m) echo $((${1%m} * 60)) ;;
	*[0-9]h) echo $((${1%h} * 3600)) ;;
	*[0-9]) echo "$1" ;;
	*) return 1 ;;
	esac
}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
# Once, as lgreap's child: nothing afl-fuzz starts outlives this script.
if [ -z "${FUZZ_RUN_REAPED:-}" ]; then
	[ -x build/fuzz/lgreap ] || die "no build/fuzz/lgreap: run 'make fuzz'"
	FUZZ_RUN_REAPED=1 exec build/fuzz/lgreap --quiet "$0" "$@"
fi
unset FUZZ_RUN_REAPED
[ "${1:-}" = --help ] || [ "${1:-}" = -h ] && { usage; exit 0; }
[ $# -ge 1 ] && [[ $1 != -* ]] || { usage >&2; exit 2; }
target=$1
shift
cores=1
time_s=1800
out=
name=$(hostname -s 2>/dev/null || echo host)
main=true
asan=true
share=false
while [ $# -gt 0 ]; do
	case $1 in
	--cores) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--cores needs a positive number"
		cores=$2; shift 2 ;;
	--time) time_s=$(seconds_of "${2:-}") && [ "$time_s" -gt 0 ] ||
			die "--time '${2:-}' is not a duration like 600, 90s, 30m or 2h"
		shift 2 ;;
	--out | --sync) [ -n "${2:-}" ] || die "$1 needs a directory"
		out=$2; shift 2 ;;
	--name) [[ ${2:-} =~ ^[A-Za-z0-9_-]+$ ]] || die "--name needs letters, digits, - or _"
		name=$2; shift 2 ;;
	--no-main) main=false; shift ;;
	--no-asan) asan=false; shift ;;
	--share-core) share=true; shift ;;
	--help | -h) usage; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
bin=fuzz/bin/$target
[ -x "$bin" ] || die "no fuzzer '$bin': run 'make fuzz' (targets: $(ls fuzz/bin 2>/dev/null | tr '\n' ' '))"
command -v afl-fuzz >/dev/null || die "afl-fuzz is missing (apt-get install afl++)"
asan_bin=fuzz/bin-asan/$target
if $asan && [ "$cores" -ge 2 ]; then
	[ -x "$asan_bin" ] || die "no ASan fuzzer '$asan_bin': run 'make fuzz' (or --no-asan)"
else
	asan=false
fi
pin=()
if $share; then
	command -v taskset >/dev/null || die "--share-core needs taskset (util-linux)"
	# The last CPU this script may use; afl-fuzz must not bind on its own.
	cpu=$(taskset -cp $$ | sed 's/.*[,-]//; s/.*: *//')
	pin=(taskset -c "$cpu")
	export AFL_NO_AFFINITY=1
fi
out=${out:-.cache/fuzz/$target}
mkdir -p "$out" || die "cannot create '$out'"

# afl-fuzz wants one input directory: the seeds and every regression.
seeds=$(mktemp -d)
find "corpora/$target/seeds" "corpora/$target/regressions" -type f \
	! -name 'README*' ! -name '.*' -exec cp -t "$seeds" {} + 2>/dev/null
[ -n "$(ls -A "$seeds")" ] || die "no seeds in corpora/$target/seeds (run 'make seeds')"
dict=()
[ -f "fuzz/dict/$target.dict" ] && dict=(-x "fuzz/dict/$target.dict")

export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_AUTORESUME=1 AFL_TRY_AFFINITY=1 AFL_CMPLOG_ONLY_NEW=1

pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do
		kill -INT "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	pids=()
}
trap 'echo "fuzz/run.sh: interrupted, stopping afl-fuzz"; stop_all; rm -rf "$seeds"; exit 130' INT TERM
trap 'stop_all; rm -rf "$seeds"' EXIT

instances=()
for i in $(seq 1 "$cores"); do
	b=$bin
	san=()
	if [ "$i" = 1 ] && $main; then
		inst=main-$name
		role=(-M "$inst" -c 0)
	elif [ "$i" = "$cores" ] && $asan; then
		inst=$name-asan
		role=(-S "$inst" -m none)
		b=$asan_bin
		# What afl-fuzz needs to see a sanitizer report as a crash.
		san=(env ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
		     UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0)
	else
		inst=$name-s$i
		role=(-S "$inst")
	fi
	instances+=("$inst")
	"${san[@]}" "${pin[@]}" afl-fuzz -i "$seeds" -o "$out" "${role[@]}" "${dict[@]}" \
		-V "$time_s" -t "${FUZZ_EXEC_TIMEOUT_MS:-500}" \
		-- "$b" >"$out/$inst.log" 2>&1 &
	pids+=($!)
	echo "fuzz/run.sh: $target: started $inst (pid $!), log $out/$inst.log"
done
echo "fuzz/run.sh: $target: $cores instance(s) for ${time_s} s into $out"

# afl-fuzz -V stops each one; the deadline is a backstop for a stuck one.
deadline=$((SECONDS + time_s + 120))
for p in "${pids[@]}"; do
	while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		sleep 1
	done
done
stop_all

stat_of() {
	sed -n "s/^$2 *: //p" "$out/$1/fuzzer_stats" 2>/dev/null | head -1
}

printf '%-24s %12s %10s %8s %8s %6s\n' instance execs exec/s corpus crashes hangs
total_execs=0
findings=()
for inst in "${instances[@]}"; do
	if [ ! -f "$out/$inst/fuzzer_stats" ]; then
		echo "$inst: no fuzzer_stats; its log says:"
		tail -5 "$out/$inst.log" | sed 's/^/    /'
		continue
	fi
	printf '%-24s %12s %10s %8s %8s %6s\n' "$inst" "$(stat_of "$inst" execs_done)" \
		"$(stat_of "$inst" execs_per_sec)" "$(stat_of "$inst" corpus_count)" \
		"$(stat_of "$inst" saved_crashes)" "$(stat_of "$inst" saved_hangs)"
	total_execs=$((total_execs + $(stat_of "$inst" execs_done)))
	while IFS= read -r f; do
		findings+=("$f")
	done < <(find "$out/$inst/crashes" "$out/$inst/hangs" -type f -name 'id:*' 2>/dev/null)
done
echo "fuzz/run.sh: $target: $total_execs executions in ${time_s} s"
if [ ${#findings[@]} -gt 0 ]; then
	echo "fuzz/run.sh: $target: ${#findings[@]} crash(es)/hang(s):"
	printf '    %s\n' "${findings[@]}"
	echo "replay them with: bin/lgrepro $target $out/*/crashes $out/*/hangs"
	exit 1
fi
exit 0
