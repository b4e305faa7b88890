#!/usr/bin/env bash
# make test's replay of real kernel console logs whose right titles are
# known (../shared/crashlogs/syzkaller-linux, syzkaller's report test
# data): bench/crash-score.sh with CHECK=1 and VERBOSE=1 on all the logs
# and on each half, so a rule that helps one half only shows.  Prints the
# rates and every miss; fails when any of the three runs is below issue
# 12's rates, or when the logs are missing.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

logs=${CRASHLOGS:-../shared/crashlogs/syzkaller-linux}
if [ ! -d "$logs" ]; then
	echo "crashlogs: no $logs (the shared crash logs beside the tree)" >&2
	exit 2
fi
rc=0
for half in all even odd; do
	CRASHLOGS=$logs HALF=$half CHECK=1 VERBOSE=1 bench/crash-score.sh ||
		rc=1
done
exit "$rc"
