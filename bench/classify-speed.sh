#!/usr/bin/env bash
# lgtest classify's speed and memory on inputs without a crash (so it
# reads them whole): ordinary console text, many short lines, and NULs
# from /dev/zero.  Prints MB/s or µs per line, and the peak RSS, each
# beside its peer in the same run: grep -c -E over the same input for
# the report starts' commonest words (a plain line scanner, so the
# machine's load shows in both).
#
#   MB         size of the console text and of the NUL input (default 300)
#   LINES      how many short lines (default 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."

mb=${MB:-300}
lines=${LINES:-5000000}
lgtest=${LGTEST:-bin/lgtest}
[ -x "$lgtest" ] || { echo "classify-speed: build $lgtest first" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "classify-speed: needs /usr/bin/time" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/classify-speed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

awk -v mb="$mb" 'BEGIN {
	while (n < mb * 1048576) {
		l = sprintf("[%6d.%06d] virtio_net virtio0 eth0: link up, %d Mbps, full duplex (%d)", i / 1000, i % 1000000, 10 ^ (i % 4), i)
		print l; n += length(l) + 1; i++
	} }' >"$tmp/console"
awk -v n="$lines" 'BEGIN { for (i = 0; i < n; i++) print "x" i % 10 }' >"$tmp/short"

# show LABEL mb|lines AMOUNT INPUT-COMMAND [CONSUMER]: one line with the
# wall and CPU seconds (user + system, the input's cat included), the
# rate per CPU second (MB/s) or CPU µs per line, and the peak RSS.  The
# machine is shared: CPU time is the steadier figure, wall time the one
# a user waits.
show() {
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
		sh -c "$4 | { ${5:-$lgtest classify}; } >/dev/null"
	read -r wall user sys rss <"$tmp/time"
	awk -v l="$1" -v k="$2" -v n="$3" -v w="$wall" -v c="$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" -v r="$rss" 'BEGIN {
		c = c > 0 ? c : 0.01
		if (k == "mb")
			printf "%-13s %5d MB    wall %6.2f s  cpu %6.2f s  %8.1f MB/s     RSS %6.1f MiB\n", l, n, w, c, n / c, r / 1024
		else
			printf "%-13s %5.1fM lines wall %6.2f s  cpu %6.2f s  %8.3f us/line  RSS %6.1f MiB\n", l, n / 1e6, w, c, c * 1e6 / n, r / 1024
	}'
}
peer="grep -c -E 'BUG: |WARNING: |Kernel panic|general protection' || true"

uptime
show "console text" mb "$mb" "cat $tmp/console"
show "  peer grep" mb "$mb" "cat $tmp/console" "$peer"
show "short lines" lines "$lines" "cat $tmp/short"
show "  peer grep" lines "$lines" "cat $tmp/short" "$peer"
show "/dev/zero" mb "$mb" "head -c ${mb}M /dev/zero"
