#!/usr/bin/env bash
# lgtest classify's speed and memory on inputs without a crash (so it
# reads them whole): ordinary console text, many short lines, and NULs
# from /dev/zero.  Prints MB/s or µs per line, and the peak RSS.
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

# run NAME INPUT-COMMAND: prints seconds and peak RSS in KiB.
run() {
	/usr/bin/time -f '%e %M' -o "$tmp/time" sh -c "$2 | $lgtest classify >/dev/null"
	read -r secs rss <"$tmp/time"
	echo "$secs $rss"
}

uptime
read -r s r < <(run console "cat $tmp/console")
awk -v s="$s" -v r="$r" -v mb="$mb" 'BEGIN { printf "console text  %4d MB  %6.2f s  %7.1f MB/s   RSS %6.1f MiB\n", mb, s, mb / (s ? s : 0.01), r / 1024 }'
read -r s r < <(run short "cat $tmp/short")
awk -v s="$s" -v r="$r" -v n="$lines" 'BEGIN { printf "short lines   %4.1fM     %6.2f s  %7.3f us/line RSS %6.1f MiB\n", n / 1e6, s, s * 1e6 / n, r / 1024 }'
read -r s r < <(run zero "head -c ${mb}M /dev/zero")
awk -v s="$s" -v r="$r" -v mb="$mb" 'BEGIN { printf "/dev/zero     %4d MB  %6.2f s  %7.1f MB/s   RSS %6.1f MiB\n", mb, s, mb / (s ? s : 0.01), r / 1024 }'
