#!/usr/bin/env bash
# lgrepro: replay fuzz inputs through a target's ASan+UBSan build, each in
# its own process, and say plainly whether anything is wrong.
# Installed as bin/lgrepro by `make fuzz`; the replay binaries it runs are
# build/fuzz/replay/bin/<target> (`make fuzz-replay`).
set -uo pipefail

usage() {
	cat <<EOF
Usage: lgrepro [--timeout SECONDS] [--quiet] TARGET FILE|DIR...
Runs each input through TARGET's AddressSanitizer + UndefinedBehavior-
Sanitizer build (directories: every file under them) and prints the
sanitizer report with a symbolised stack for any that crashes, breaks
one of the target's invariants, or runs longer than SECONDS (default 10).
  --quiet   print only failures and the summary
Targets built: ${built:-none (run 'make fuzz')}
Exit status: 0 every input ran clean; 1 at least one crashed, hung or
broke an invariant; 2 usage error, unknown target or unreadable input.
EOF
}

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
bindir=$root/build/fuzz/replay/bin
built=$(ls "$bindir" 2>/dev/null | tr '\n' ' ')
timeout=10
quiet=false

while [ $# -gt 0 ]; do
	case $1 in
	--help | -h) usage; exit 0 ;;
	--timeout)
		[ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] ||
			{ echo "lgrepro: --timeout needs a number of seconds" >&2; exit 2; }
		timeout=$2
		shift 2 ;;
	--quiet) quiet=true; shift ;;
	--) shift; break ;;
	-*) echo "lgrepro: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -lt 2 ]; then
	usage >&2
	exit 2
fi
target=$1
shift
replay=$bindir/$target
if [ ! -x "$replay" ]; then
	echo "lgrepro: no replay build for target '$target' at $replay (built: ${built:-none}); run 'make fuzz'" >&2
	exit 2
fi

symbolizer=$(command -v llvm-symbolizer || true)
if [ -z "$symbolizer" ]; then
	echo "lgrepro: llvm-symbolizer is missing (apt-get install llvm): stacks would be raw addresses" >&2
	exit 2
fi
export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=symbolize=1:abort_on_error=1:print_stacktrace=1:detect_leaks=1:allocator_may_return_null=1:handle_abort=1
export UBSAN_OPTIONS=symbolize=1:print_stacktrace=1:halt_on_error=1:abort_on_error=1

inputs=()
for arg in "$@"; do
	if [ -d "$arg" ]; then
		while IFS= read -r -d '' f; do
			inputs+=("$f")
		done < <(find "$arg" -type f ! -name 'README*' ! -name '.*' -print0 | sort -z)
	elif [ -f "$arg" ] && [ -r "$arg" ]; then
		inputs+=("$arg")
	else
		echo "lgrepro: cannot read input '$arg'" >&2
		exit 2
	fi
done

if [ ${#inputs[@]} -eq 0 ]; then
	echo "lgrepro: no inputs in: $*" >&2
	exit 2
fi
ok=0
bad=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in "${inputs[@]}"; do
	"$replay" --timeout "$timeout" "$f" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok=$((ok + 1))
		$quiet || echo "ok      $target $f"
		continue
	fi
	bad=$((bad + 1))
	if grep -q '^HANG: ' "$log"; then
		what="HANG (over ${timeout} s)"
	elif grep -q '^INVARIANT BROKEN' "$log"; then
		what="INVARIANT BROKEN"
	elif grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer' "$log"; then
		what="SANITIZER REPORT"
	else
		what="CRASH (exit $rc)"
	fi
	echo "FAILED  $target $f: $what"
	grep -v '^replay: running ' "$log" | sed 's/^/    /'
done
echo "lgrepro: $target: $ok ok, $bad failed"
[ $bad -eq 0 ]
