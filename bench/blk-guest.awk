# bench/run-blk-guest.sh's table (awk -F': ' -f bench/median.awk -f THIS):
# lines "MODE NAME: ... : X MiB/s, U us per request" from both modes, the
# median of each figure per workload, sandboxed beside --sandbox=off.
$3 ~ / MiB\/s, / {
	mode = $1; sub(/ .*/, "", mode)
	name = $1; sub(/^[^ ]* /, "", name)
	split($3, f, " ")
	add("mib" SUBSEP name SUBSEP mode, f[1])
	add("us" SUBSEP name SUBSEP mode, f[3])
	names[name] = 1
}
END {
	printf "  %-18s %20s %20s\n", "", "sandboxed", "--sandbox=off"
	for (w in names)
		printf "  %-18s %8.2f MiB/s %5d us %8.2f MiB/s %5d us\n", w,
			median("mib" SUBSEP w SUBSEP "sandboxed"),
			median("us" SUBSEP w SUBSEP "sandboxed"),
			median("mib" SUBSEP w SUBSEP "off"),
			median("us" SUBSEP w SUBSEP "off")
}
