#!/usr/bin/env bash
# build/fuzz/lgreap must leave nothing behind, even what afl-fuzz 4.04c
# leaves: a child in a session of its own, stopped, orphaned.  Without
# lgreap the same child outlives its parent (checked first, so this test
# can fail), and is then killed by its pid.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
reap=build/fuzz/lgreap
[ -x "$reap" ] || { echo "tests/fuzz/lgreap.sh: no $reap: run 'make fuzz'" >&2; exit 1; }
marker=lgreap-test-$$-$RANDOM

# Starts a stopped, setsid'd sleep named $marker and exits at once.
leave_one() {
	bash -c "setsid bash -c 'exec -a $marker sleep 300' & sleep 0.3; kill -STOP \$!"
}

left() {
	pgrep -f "^$marker" || true
}

status=0
leave_one
pid=$(left)
if [ -z "$pid" ]; then
	echo "not ok 1: without lgreap the stopped child should have stayed"
	status=1
else
	echo "ok 1: without lgreap a stopped child in its own session stays ($pid)"
	kill -KILL $pid
fi
"$reap" --quiet bash -c "$(declare -f leave_one); marker=$marker; leave_one"
rc=$?
sleep 0.2
pid=$(left)
if [ -n "$pid" ]; then
	echo "not ok 2: lgreap left $pid behind"
	kill -KILL $pid
	status=1
else
	echo "ok 2: lgreap reaped it"
fi
if [ $rc -ne 0 ]; then
	echo "not ok 3: lgreap returned $rc for a command that succeeded"
	status=1
else
	echo "ok 3: lgreap passes on the command's status"
fi
"$reap" --quiet false
[ $? -eq 1 ] && echo "ok 4: and a failure's" || { echo "not ok 4: false's status lost"; status=1; }
exit $status
