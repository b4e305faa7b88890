# shellcheck shell=bash
# TAP for the boot scripts, sourced: `ok STATUS DESCRIPTION` numbers and
# prints one check (STATUS 0 passes), `tap_plan` prints the plan at the
# end and returns 0 only when every check passed.
tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

tap_plan() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}
