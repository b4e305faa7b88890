#!/usr/bin/env bash
# Nothing of this tree may be left running once its tests are done: lists
# every process whose executable lies under this checkout's fuzz/, build/
# or bin/ (a fuzz target afl-fuzz left stopped, a launcher, a helper).
# Exit 1 when there is one; it is named, never killed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
found=0
for exe in /proc/[0-9]*/exe; do
	path=$(readlink "$exe" 2>/dev/null) || continue
	case $path in
	"$root"/fuzz/* | "$root"/build/* | "$root"/bin/*)
		pid=${exe#/proc/}
		pid=${pid%/exe}
		[ "$pid" = $$ ] && continue
		echo "left running: pid $pid ($(ps -o stat=,args= -p "$pid"))"
		found=1 ;;
	esac
done
[ $found -eq 0 ] && echo "tests/fuzz/leftovers.sh: nothing of $root left running"
[ $found -eq 0 ]
