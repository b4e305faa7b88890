#!/usr/bin/env bash
# How well lgtest's crash classifier judges real kernel console logs whose
# right titles are known: syzkaller's report test data in
# ../shared/crashlogs/syzkaller-linux (see its README for the format).
# Prints, overall and per architecture:
#   detected   kernel crash reports lgtest finds (syzkaller's own
#              infrastructure titles, SYZFAIL and SYZFATAL, aside)
#   false pos  logs without a crash that lgtest calls crashes
#   exact      clean (not CORRUPTED) reports titled as TITLE or an ALT
#   class      clean reports in the same class (the title up to its first
#              ":", " in " or " at ": KASAN, WARNING, BUG, INFO, ...)
#   corrupted  CORRUPTED reports titled as TITLE or an ALT
#
#   CRASHLOGS  the directory of logs (default ../shared/crashlogs/syzkaller-linux)
#   HALF       all (default), even or odd: only the files whose number / 2
#              is even or odd, to develop on one half and check on the other
#   VERBOSE=1  also list every miss: file, expected, got
#   CHECK=1    exit 1 unless the rates reach issue 12's: 97% detected, no
#              false positive, 90% exact titles, 98% right class
set -euo pipefail
cd "$(dirname "$0")/.."

logs=${CRASHLOGS:-../shared/crashlogs/syzkaller-linux}
half=${HALF:-all}
lgtest=${LGTEST:-bin/lgtest}
[ -d "$logs" ] || { echo "crash-score: no $logs" >&2; exit 2; }
[ -x "$lgtest" ] || { echo "crash-score: build $lgtest first" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crash-score.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

files=()
for f in "$logs"/*; do
	name=${f##*/}
	case $name in *[!0-9]*) continue ;; esac
	case $half in
	even) (((name / 2) % 2 == 0)) || continue ;;
	odd) (((name / 2) % 2 == 1)) || continue ;;
	all) ;;
	*) echo "crash-score: HALF is all, even or odd" >&2; exit 2 ;;
	esac
	files+=("$f")
done

# Each test file gives $tmp/NAME.log, its console (after the header's
# empty line, before a trailing "REPORT:" section), and a line of
# $tmp/expected: name, arch, corrupted, title, alts joined by "|".
awk -v tmp="$tmp" '
function flush() {
	if (name == "") return
	printf "%s\t%s\t%d\t%s\t%s\n", name, arch, corrupted, title, alts \
		>(tmp "/expected")
	close(out)
}
FNR == 1 {
	flush()
	name = FILENAME; sub(/.*\//, "", name); out = tmp "/" name ".log"
	body = 0; blank = 0; done = 0; corrupted = 0; title = alts = ""
	arch = "other"; printf "" >out
}
{ line = $0; sub(/\r$/, "", line) }
!body {
	if (line == "") body = 1
	else if (line ~ /^TITLE: /) title = substr(line, 8)
	else if (line ~ /^ALT: /) alts = alts (alts == "" ? "" : "|") substr(line, 6)
	else if (line ~ /^CORRUPTED: Y/) corrupted = 1
	next
}
done { next }
line == "" { blank++; next }
line == "REPORT:" && blank { done = 1; next }
{
	while (blank) { print "" >out; blank-- }
	print >out
	if (line ~ /(^|\] )(pc : |lr : |x29: |Internal error: )|Call trace:/)
		arch = "arm64"
	else if (arch == "other" && line ~ /(^|\] )(RIP: |EIP: )|x86_64|x86-64/)
		arch = "x86"
}
END { flush() }' "${files[@]}"

# "PATH: TITLE (line N)" or "PATH: no crash", one per log.
"$lgtest" classify "$tmp"/*.log >"$tmp/got" || [ $? -eq 1 ]
sed -E -e "s|^$tmp/([0-9]+)\.log: |\1\t|" -e 's/ \(line [0-9]+\)$//' \
	-e 's/\tno crash$/\t/' "$tmp/got" >"$tmp/titles"

awk -F'\t' -v verbose="${VERBOSE:-}" -v half="$half" -v check="${CHECK:-}" '
function class(t,   i, c) {
	c = t
	if ((i = index(c, ":")) > 0) c = substr(c, 1, i - 1)
	if ((i = index(c, " in ")) > 0) c = substr(c, 1, i - 1)
	if ((i = index(c, " at ")) > 0) c = substr(c, 1, i - 1)
	return c
}
function right(want, alts, got,   n, a, i) {
	if (got == want) return 1
	n = split(alts, a, "|")
	for (i = 1; i <= n; i++) if (got == a[i]) return 1
	return 0
}
function count(arch, what) { n[arch, what]++; n["all", what]++ }
function miss(kind, f, want, got) {
	if (verbose) printf "%-6s %5s  want: %s\n              got:  %s\n", kind, f, want, got
}
FNR == NR { got[$1] = $2; next }
{
	f = $1; arch = $2; corrupted = $3; want = $4; alts = $5; g = got[f]
	archs[arch] = 1
	if (want ~ /^SYZ(FAIL|FATAL)/) next
	if (want == "") {
		count(arch, "clean_logs")
		if (g != "") { count(arch, "fp"); miss("FP", f, "no crash", g) }
		next
	}
	count(arch, "crashes")
	if (g == "") { miss("MISSED", f, want, "no crash"); next }
	count(arch, "detected")
	if (corrupted) {
		count(arch, "corrupted")
		if (right(want, alts, g)) count(arch, "corrupted_ok")
		else miss("CORR", f, want, g)
		next
	}
	count(arch, "clean")
	if (right(want, alts, g)) { count(arch, "exact"); next }
	if (class(g) == class(want)) count(arch, "class")
	else miss("CLASS", f, want, g)
	miss("TITLE", f, want, g)
}
function pct(a, b) { return b ? sprintf("%5.1f%%", 100 * a / b) : "    - " }
function row(a) {
	printf "%-6s %4d/%-4d %s   %2d of %-3d   %4d/%-4d %s   %s   %3d/%-3d %s\n", a,
		n[a, "detected"], n[a, "crashes"], pct(n[a, "detected"], n[a, "crashes"]),
		n[a, "fp"], n[a, "clean_logs"],
		n[a, "exact"], n[a, "clean"], pct(n[a, "exact"], n[a, "clean"]),
		pct(n[a, "exact"] + n[a, "class"], n[a, "clean"]),
		n[a, "corrupted_ok"], n[a, "corrupted"],
		pct(n[a, "corrupted_ok"], n[a, "corrupted"])
}
END {
	printf "crash-score (%s logs)\n", half
	printf "arch   detected         false pos   exact title        class    corrupted\n"
	row("all")
	for (i = 1; i <= split("x86 arm64 other", order, " "); i++)
		if (order[i] in archs) row(order[i])
	if (check && (n["all", "detected"] < 0.97 * n["all", "crashes"] ||
		      n["all", "fp"] > 0 || n["all", "exact"] < 0.90 * n["all", "clean"] ||
		      n["all", "exact"] + n["all", "class"] < 0.98 * n["all", "clean"])) {
		print "crash-score: below the rates issue 12 asks (97% detected, no false positive, 90% exact, 98% class)"
		exit 1
	}
}' "$tmp/titles" "$tmp/expected"
